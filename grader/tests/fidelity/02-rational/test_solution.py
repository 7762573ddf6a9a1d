import unittest

from solution import Rational


class RationalTest(unittest.TestCase):
    def test_reduces(self):
        self.assertEqual(Rational(2, 4), Rational(1, 2))

    def test_adds_and_subtracts(self):
        self.assertEqual(Rational(1, 2) + Rational(1, 3), Rational(5, 6))
        self.assertEqual(Rational(1, 2) - Rational(1, 2), Rational(0, 1))

    def test_with_integers_on_either_side(self):
        self.assertEqual(Rational(1, 2) + 1, Rational(3, 2))
        self.assertEqual(1 + Rational(1, 2), Rational(3, 2))
        self.assertEqual(3 * Rational(1, 3), Rational(1, 1))
        self.assertEqual(1 - Rational(1, 4), Rational(3, 4))

    def test_unary_and_abs(self):
        self.assertEqual(-Rational(1, 2), Rational(-1, 2))
        self.assertEqual(abs(Rational(-1, 2)), Rational(1, 2))

    def test_division_and_power(self):
        self.assertEqual(Rational(1, 2) / Rational(1, 4), Rational(2, 1))
        self.assertEqual(Rational(2, 3) ** 2, Rational(4, 9))
        self.assertEqual(Rational(2, 3) ** -1, Rational(3, 2))

    def test_float(self):
        self.assertAlmostEqual(float(Rational(1, 3)), 0.3333333, places=6)

    def test_order_and_hash(self):
        self.assertLess(Rational(1, 3), Rational(1, 2))
        self.assertEqual(max([Rational(1, 3), Rational(3, 4), Rational(1, 2)]), Rational(3, 4))
        self.assertEqual(len({Rational(1, 2), Rational(2, 4), Rational(3, 6)}), 1)
