# Technique: exceptions that come back as classes of the test's own: a
# class the test defined as a SkipTest subclass (a skip would make the test
# not required) and unittest's SkipTest itself, handed over as error types
# (beside the test's own exception class), each raised by the learner's
# code where the test expects an answer.
# Targets: inline
# An exception crosses back as a class of the test's only when the class is
# the test module's own, an Exception, and neither a skip nor a stop
# (lending.crossable_exception); so the skip classes arrive as ordinary
# errors where an answer was due. With any class of the test's crossing as
# itself, all three tests were skipped, and the run judged passed (seen).


def answer(error_type):
    raise error_type("no answer")


def answer_all(*types):
    for error_type in types:
        try:
            raise error_type("no answer")
        except Exception as e:
            last = e
    raise last

# === tests ===
import unittest

from solution import answer, answer_all


class Optional(unittest.SkipTest):
    pass


class Broken(Exception):
    pass


class ExceptionClaimsTest(unittest.TestCase):
    def test_a_skip_subclass_of_the_tests(self):
        self.assertEqual(answer(Optional), 42)

    def test_unittests_own_skip(self):
        self.assertEqual(answer(unittest.SkipTest), 42)

    def test_all_of_them(self):
        self.assertEqual(answer_all(Broken, unittest.SkipTest, Optional), 42)
