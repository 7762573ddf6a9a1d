# Technique: a failure the runner cannot put into words: its side's
# description of an AssertionError rewritten (learner.Served.describe) so
# that the exception's argument crosses as the learner's object, with a
# __str__ and __repr__ that raise, and the runner's own str() of the failure
# runs the learner's code outside any test; and one whose __str__ never
# returns.
# Targets: inline
# At 43fd042 the first ended the run as runner_failed, our fault (a
# red-team review). Now an exception's args that hold a learner object are
# only named ("<your object>"), and the failure's text is taken without
# letting anything it raises out (runner._text).
import sys
import time

_kept = []
learner = sys.modules.get("learner")
if learner is not None:
    _describe = learner.Served.describe

    def describe(self, e, depth=0):
        described = _describe(self, e, depth)
        if isinstance(e, AssertionError) and e.args and not isinstance(e.args[0], str):
            _kept.append(e.args[0])
            described = (described[0], e.args) + described[2:]
        return described

    learner.Served.describe = describe


class Evil:
    def __str__(self):
        raise ValueError("no str for you")

    def __repr__(self):
        raise ValueError("no repr for you")


class Slow:
    def __str__(self):
        time.sleep(60)
        return "never"


def add(a, b):
    raise AssertionError(Evil())


def sub(a, b):
    raise AssertionError(Slow())

# === tests ===
import unittest

from solution import add, sub


class UnprintableFailureTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_sub(self):
        self.assertEqual(sub(3, 2), 1)
