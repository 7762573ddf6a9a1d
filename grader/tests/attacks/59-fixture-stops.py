# Technique: the runner's own stops where unittest does not expect them:
# code that never returns, and code that prints past the output limit,
# called from a test class's setUpClass and from setUpModule, where
# unittest catches only Exception and the runner's stops are
# BaseExceptions.
# Targets: inline
# At 43fd042 the first ended the run as runner_failed, our fault (a
# red-team review, with an honest infinite loop). Now a stop in a fixture
# is that fixture's failure (runner.GuardedSuite): its tests do not run
# and say why, with the stop's verdict class.


def build_index(words):
    while True:
        pass


def shout():
    while True:
        print("x" * 10000)

# === tests ===
import unittest

import solution


class LoopingSetUp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = solution.build_index(["a", "b", "c"])

    def test_a(self):
        self.assertEqual(self.index["a"], 0)


class PrintingSetUp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        solution.shout()

    def test_b(self):
        self.assertTrue(True)
