"""The grading harness: runs an assignment's unittest tests against the learner's
module `solution` and reports the result to the grader.

Protocol: the grader writes one JSON line on stdin, {"nonce", "solution", "tests"}.
The harness moves its real stdout to a private descriptor, points descriptors 1 and 2
at capture files, and only then imports anything of the learner's. Its single report
goes to the private descriptor framed by the nonce, which the learner never saw
printed anywhere, so nothing the learner prints can pass for a report. A program that
exits early leaves no report at all, which the grader counts against it.

What this does not stop: the tests and the learner's code share one interpreter, so
code written to subvert the harness (walking the stack to the nonce, patching
unittest's assertions) can still claim a pass. Closing that needs the learner's
code in a process of its own, answering the tests' calls.

Usage: python3 -I harness.py WORKDIR
"""

import importlib
import json
import os
import sys
import time
import traceback
import unittest

# Learner output kept for the report, per stream.
KEEP_BYTES = 16 * 1024
# More learner output than this is an output_limit verdict.
OUTPUT_LIMIT = 1024 * 1024
# Longest message kept per test.
MESSAGE_CHARS = 2000


def main():
    workdir = sys.argv[1]
    request = json.loads(sys.stdin.readline())
    nonce = request["nonce"]
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")

    os.makedirs(workdir, mode=0o700, exist_ok=True)
    with open(os.path.join(workdir, "solution.py"), "w", encoding="utf-8") as f:
        f.write(request["solution"])
    with open(os.path.join(workdir, "test_solution.py"), "w", encoding="utf-8") as f:
        f.write(request["tests"])
    source = request["solution"]
    del request

    out_path = os.path.join(workdir, ".stdout")
    err_path = os.path.join(workdir, ".stderr")
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    for fd in (null_fd, out_fd, err_fd):
        os.close(fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)

    started = time.monotonic()
    report = run(source, workdir)
    report["duration_ms"] = int((time.monotonic() - started) * 1000)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    report["stdout"], out_size = read_capped(out_path)
    report["stderr"], err_size = read_capped(err_path)
    report["output_exceeded"] = out_size + err_size > OUTPUT_LIMIT
    channel.write(nonce + json.dumps(report) + nonce + "\n")
    channel.flush()


def run(source, workdir):
    try:
        compile(source, "solution.py", "exec")
    except (SyntaxError, ValueError) as e:
        lines = traceback.format_exception_only(type(e), e)
        return {"status": "syntax_error", "message": "".join(lines)[-MESSAGE_CHARS:]}

    os.chdir(workdir)
    sys.path.insert(0, workdir)
    try:
        module = importlib.import_module("test_solution")
    except BaseException as e:  # the learner's module may raise anything on import
        return {"status": "import_error", "message": learner_traceback(e)}

    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = Collector()
    try:
        suite.run(result)
    except BaseException as e:
        return {"status": "import_error", "message": learner_traceback(e), "tests": result.tests}
    return {"status": "ran", "tests": result.tests}


class Collector(unittest.TestResult):
    """Each test's name, outcome and a message a learner can act on."""

    def __init__(self):
        super().__init__()
        self.tests = []

    def addSuccess(self, test):
        self.tests.append({"name": name_of(test), "outcome": "passed", "message": ""})

    def addFailure(self, test, err):
        message = str(err[1]) or "assertion failed"
        self.tests.append({"name": name_of(test), "outcome": "failed", "message": message[:MESSAGE_CHARS]})

    def addError(self, test, err):
        self.tests.append(
            {
                "name": name_of(test),
                "outcome": "error",
                "exception": err[0].__name__,
                "message": learner_traceback(err[1]),
            }
        )

    def addSubTest(self, test, subtest, err):
        if err is not None:
            if issubclass(err[0], test.failureException):
                self.addFailure(subtest, err)
            else:
                self.addError(subtest, err)


def name_of(test):
    method = getattr(test, "_testMethodName", None)
    if method is None:
        return str(test)[:200]
    params = getattr(test, "_subDescription", None)
    return f"{method} {params()}" if callable(params) else method


def learner_traceback(e):
    """The exception with only the frames in the learner's own file."""
    frames = [
        f
        for f in traceback.extract_tb(e.__traceback__)
        if os.path.basename(f.filename) == "solution.py"
    ]
    lines = traceback.format_list(frames[-5:]) + traceback.format_exception_only(type(e), e)
    return "".join(lines)[-MESSAGE_CHARS:]


def read_capped(path):
    try:
        size = os.path.getsize(path)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read(KEEP_BYTES)
        return data.decode("utf-8", errors="replace"), size
    except OSError:
        return "", 0


if __name__ == "__main__":
    main()
