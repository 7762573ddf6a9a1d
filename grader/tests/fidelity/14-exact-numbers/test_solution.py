import unittest
from decimal import Decimal
from fractions import Fraction

from solution import evens, harmonic, price_with_tax, roots


class ExactTest(unittest.TestCase):
    def test_decimal(self):
        self.assertEqual(price_with_tax(Decimal("19.99"), Decimal("0.2")), Decimal("23.99"))

    def test_fraction(self):
        self.assertEqual(harmonic(3), Fraction(11, 6))

    def test_complex_roots(self):
        self.assertEqual(roots(1, 0, 1), (1j, -1j))

    def test_range(self):
        self.assertEqual(evens(7), range(0, 7, 2))
        self.assertEqual(list(evens(5)), [0, 2, 4])
