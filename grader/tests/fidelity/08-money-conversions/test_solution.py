import unittest

from solution import Money, total


class MoneyTest(unittest.TestCase):
    def test_conversions(self):
        self.assertEqual(int(Money(1999)), 19)
        self.assertEqual(float(Money(1999)), 19.99)
        self.assertEqual(str(Money(5)), "$0.05")

    def test_as_an_index(self):
        self.assertEqual(len(range(Money(3))), 3)
        self.assertEqual(["a", "b", "c", "d"][Money(2)], "c")
        self.assertEqual(hex(Money(255)), "0xff")

    def test_truth(self):
        self.assertFalse(Money(0))
        self.assertTrue(total(Money(1), Money(2)))

    def test_format(self):
        self.assertEqual(f"{total(Money(150), Money(25)):.2f}", "1.75")
        self.assertEqual(f"{Money(150)}", "$1.50")
