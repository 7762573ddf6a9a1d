# Differs: solution failed: an expected failure counts as a failure here (under plain unittest it is a success), so no test can pass by failing
import unittest

from solution import half


class HalfTest(unittest.TestCase):
    def test_even(self):
        self.assertEqual(half(4), 2)

    def test_odd(self):
        self.assertEqual(half(5), 2.5)

    @unittest.expectedFailure
    def test_known_to_fail(self):
        self.assertEqual(half(1), 1)
