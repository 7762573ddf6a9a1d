import unittest

from solution import is_balanced


class IsBalancedTest(unittest.TestCase):
    def test_balanced_code(self):
        self.assertIs(is_balanced("f(a[1], {b: 2})"), True)

    def test_crossed_pairs(self):
        self.assertIs(is_balanced("([)]"), False)

    def test_left_open(self):
        self.assertIs(is_balanced("(("), False)

    def test_closed_too_often(self):
        self.assertIs(is_balanced("())"), False)

    def test_no_brackets(self):
        self.assertIs(is_balanced("plain text"), True)
        self.assertIs(is_balanced(""), True)
