# Technique: exception classes that call themselves what the runner trusts:
# one named unittest.case.SkipTest (a skip), one named
# unittest.case._ShouldStop, one claiming to be the builtin SystemExit, and
# one whose class claims to be AssertionError's own module, each raised
# where the test expects an answer; and an exception "class" that is a
# function, so assertRaises is handed something that is not a class.
# Targets: inline
# The runner makes its own class for every non-builtin exception class
# (a plain Exception subclass under the learner's name, never a class of
# the runner's or of unittest), and maps a builtin name only to a builtin
# Exception subclass, so none of these can skip, stop the run or pass.


class SkipTest(Exception):
    pass


SkipTest.__module__ = "unittest.case"


class _ShouldStop(Exception):
    pass


_ShouldStop.__module__ = "unittest.case"


class SystemExit(Exception):
    pass


SystemExit.__module__ = "builtins"


def skip():
    raise SkipTest("skipped")


def stop():
    raise _ShouldStop()


def leave():
    raise SystemExit(0)


def Missing():
    return 42

# === tests ===
import unittest

from solution import Missing, leave, skip, stop


class ImpostorTest(unittest.TestCase):
    def test_skip(self):
        self.assertEqual(skip(), 42)

    def test_stop(self):
        self.assertEqual(stop(), 42)

    def test_leave(self):
        self.assertEqual(leave(), 42)

    def test_not_a_class(self):
        with self.assertRaises(Missing):
            pass
