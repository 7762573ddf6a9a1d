import unittest

from solution import Vector


class VectorTest(unittest.TestCase):
    def test_adds(self):
        self.assertEqual(Vector(1, 2) + Vector(3, 4), Vector(4, 6))

    def test_scales_either_way(self):
        self.assertEqual(Vector(1, 2) * 3, Vector(3, 6))
        self.assertEqual(2 * Vector(1, 2), Vector(2, 4))
        self.assertEqual(-Vector(1, -2), Vector(-1, 2))

    def test_dot_product_and_length(self):
        self.assertEqual(Vector(1, 2) @ Vector(3, 4), 11)
        self.assertEqual(abs(Vector(3, 4)), 5.0)

    def test_round_and_format(self):
        self.assertEqual(round(Vector(1.26, 2.0), 1), Vector(1.3, 2.0))
        self.assertEqual(f"{Vector(1, 2.5):.1f}", "(1.0, 2.5)")

    def test_adds_in_place(self):
        v = Vector(1, 1)
        w = v
        v += Vector(1, 2)
        self.assertIs(v, w)
        self.assertEqual(w, Vector(2, 3))
