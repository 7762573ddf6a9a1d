import unittest

from solution import Clock


class ClockTest(unittest.TestCase):
    def test_equal_clocks(self):
        self.assertEqual(Clock(8, 0), Clock(8, 0))

    def test_unequal_clocks(self):
        self.assertNotEqual(Clock(8, 0), Clock(9, 0))

    def test_rolls_over(self):
        self.assertEqual(Clock(25, 0), Clock(1, 0))

    def test_adds_minutes(self):
        self.assertEqual(Clock(10, 0) + 3, Clock(10, 3))
        self.assertEqual(Clock(23, 59) + 2, Clock(0, 1))

    def test_subtracts_minutes(self):
        self.assertEqual(Clock(0, 0) - 1, Clock(23, 59))

    def test_lists_of_clocks(self):
        self.assertEqual([Clock(1, 0), Clock(2, 0)], [Clock(1, 0), Clock(1, 60)])

    def test_prints(self):
        self.assertEqual(str(Clock(7, 5)), "07:05")
        self.assertEqual(repr(Clock(7, 5)), "Clock(7, 5)")
