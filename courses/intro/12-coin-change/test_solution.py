import unittest

from solution import fewest_coins


class FewestCoinsTest(unittest.TestCase):
    def test_us_coins(self):
        self.assertEqual(fewest_coins([1, 5, 10, 25], 63), 6)

    def test_greedy_is_not_enough(self):
        self.assertEqual(fewest_coins([1, 3, 4], 6), 2, "3 + 3 beats 4 + 1 + 1")

    def test_impossible(self):
        self.assertEqual(fewest_coins([2], 3), -1)

    def test_zero_needs_no_coins(self):
        self.assertEqual(fewest_coins([7], 0), 0)

    def test_large_amount(self):
        self.assertEqual(fewest_coins([1, 7, 23, 50], 9999), 203)
