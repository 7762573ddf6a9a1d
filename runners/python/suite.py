"""Which tests an assignment has: its test_solution.py loaded from source, in
memory, by unittest's loader, with `solution` bound to a module given by the
caller. The runner binds the learner's module as seen through the pipe; the
course loader binds a stand-in and records the ids, so the grader knows which
tests must run and pass before it believes any report.

As a program (the course loader runs it with `python3 -I -c`), reads a JSON
list of test sources on stdin and prints, for each, {"ids": [...],
"skipped": [...]} or {"error": "..."}.
"""

import builtins
import json
import linecache
import sys
import types
import unittest

MODULE = "test_solution"


def load(source, solution, builtins_here=None):
    """The test cases of `source`, flattened, in unittest's order;
    `builtins_here`, the builtins its code sees, if not the process's."""
    sys.modules["solution"] = solution
    module = types.ModuleType(MODULE)
    module.__file__ = MODULE + ".py"
    if builtins_here is not None:
        module.__builtins__ = builtins_here
    sys.modules[MODULE] = module
    # Tracebacks through the tests show their lines from this source, never
    # from a file of that name wherever the process happens to be (it may be
    # the learner's to write: a FIFO there would hang us, a bad coding
    # cookie raise). No mtime: linecache.checkcache leaves it be.
    linecache.cache[module.__file__] = (len(source), None, source.splitlines(True), module.__file__)
    exec(compile(source, MODULE + ".py", "exec"), module.__dict__)
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromModule(module)
    if loader.errors:
        raise ImportError(loader.errors[0].strip().splitlines()[-1])
    return list(_flatten(suite))


def _flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


class _StandIn(types.ModuleType):
    """`solution` while listing: any name imports, any call returns a stand-in."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


class _Anything:
    def __call__(self, *args, **kwargs):
        return _Anything()

    def __mro_entries__(self, bases):
        # A test's `class Square(Shape)`: a class of its own while listing.
        return (object,)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


class _NamesFromSolution(dict):
    """The builtins while listing: a name found nowhere is taken to be one
    that `from solution import *` would have given (the learner's module
    is not there to say which). A name the tests misspell fails when they
    run, as it would without a star import."""

    def __missing__(self, name):
        return _Anything()


def list_ids(source):
    """The test ids, and those a decorator of the author's skips (as far as
    it can be told without the learner's module: `skipIf` on a fact of
    the solution is decided when the tests run)."""
    tests = load(source, _StandIn("solution"), _NamesFromSolution(vars(builtins)))
    ids = [test.id() for test in tests]
    if len(set(ids)) != len(ids):
        raise ValueError("two tests share an id")
    return {"ids": ids, "skipped": [test.id() for test in tests if _skipped_by_decorator(test)]}


def _skipped_by_decorator(test):
    method = getattr(test, getattr(test, "_testMethodName", ""), None)
    return bool(getattr(type(test), "__unittest_skip__", False) or getattr(method, "__unittest_skip__", False))


def list_all(sources):
    """Each test file's ids, or why it does not load: what the course
    loader lists on its own machine, and a grader in the sandbox for a
    published course version."""
    out = []
    for source in sources:
        try:
            out.append(list_ids(source))
        except BaseException as e:  # an instructor's broken test file
            out.append({"error": f"{type(e).__name__}: {e}"})
    return out


def main():
    json.dump(list_all(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
