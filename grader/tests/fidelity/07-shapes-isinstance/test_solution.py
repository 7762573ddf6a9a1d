import unittest

import solution
from solution import Rectangle, Shape, Square, make


class ShapesTest(unittest.TestCase):
    def test_a_square_is_a_rectangle(self):
        self.assertTrue(issubclass(Square, Rectangle))
        self.assertIsInstance(make("square", 2), Rectangle)
        self.assertIsInstance(make("square", 2), Shape)

    def test_a_triangle_is_not(self):
        self.assertNotIsInstance(make("triangle", 2, 3), Rectangle)
        self.assertIsInstance(make("triangle", 2, 3), solution.Triangle)

    def test_plain_values_are_no_shapes(self):
        self.assertNotIsInstance(4, Shape)
        self.assertFalse(isinstance("square", Square))

    def test_areas(self):
        self.assertEqual(make("rectangle", 2, 3).area(), 6)
        self.assertEqual(make("square", 3).area(), 9)
        self.assertEqual(make("triangle", 4, 3).area(), 6.0)

    def test_sides_are_class_level(self):
        self.assertEqual(Square.sides, 4)
        self.assertEqual(make("triangle", 1, 1).sides, 3)
