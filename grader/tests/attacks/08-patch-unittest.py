# Technique: patching unittest from the learner's module so that no
# assertion can fail and every result is a success.
# Targets: all
import contextlib
import unittest

for name in dir(unittest.TestCase):
    if name.startswith(("assert", "fail")) and name != "failureException":
        if "Raises" in name or "Warns" in name or "Logs" in name:
            setattr(unittest.TestCase, name, lambda *a, **k: contextlib.nullcontext())
        else:
            setattr(unittest.TestCase, name, lambda *a, **k: None)
unittest.TestResult.addFailure = lambda self, test, err: self.addSuccess(test)
unittest.TestResult.addError = lambda self, test, err: self.addSuccess(test)


def __getattr__(name):
    return lambda *a, **k: None
