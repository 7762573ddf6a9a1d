import unittest

from solution import to_fahrenheit


class ToFahrenheitTest(unittest.TestCase):
    def test_boiling_point(self):
        self.assertEqual(to_fahrenheit(100), 212.0)

    def test_freezing_point(self):
        self.assertEqual(to_fahrenheit(0), 32.0)

    def test_where_the_scales_meet(self):
        self.assertEqual(to_fahrenheit(-40), -40.0)

    def test_rounds_to_one_decimal(self):
        self.assertEqual(to_fahrenheit(36.6), 97.9)
        self.assertEqual(to_fahrenheit(21.3), 70.3)
