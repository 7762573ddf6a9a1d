# Covers: test classes subclassing the solution's classes (super().__init__, overriding methods) passed to learner functions that call inherited and overridden methods
import unittest

import solution
from solution import Rectangle, Shape, fence_needed, largest, report, total_area


class Square(Rectangle):
    def __init__(self, side):
        super().__init__(side, side)
        self.name = "square"


class Triangle(Shape):
    def __init__(self, a, b, c):
        super().__init__("triangle")
        self.sides = (a, b, c)

    def area(self):
        a, b, c = self.sides
        s = (a + b + c) / 2
        return (s * (s - a) * (s - b) * (s - c)) ** 0.5

    def perimeter(self):
        return sum(self.sides)


class NamedCircle(solution.Circle):
    def __init__(self, radius, label):
        super().__init__(radius)
        self.label = label

    def describe(self):
        return self.label + " " + super().describe()


class SubclassTest(unittest.TestCase):
    def test_square_inherits_area_and_perimeter(self):
        square = Square(3)
        self.assertEqual(total_area([square]), 9)
        self.assertEqual(fence_needed([square, Square(1)]), 16)

    def test_my_own_shape(self):
        triangle = Triangle(3, 4, 5)
        self.assertAlmostEqual(total_area([triangle, Rectangle(1, 2)]), 8.0)
        self.assertEqual(fence_needed([triangle, Rectangle(1, 2)]), 18)
        self.assertIs(largest([Square(2), triangle, Rectangle(5, 1)]), triangle)

    def test_report_uses_the_inherited_describe(self):
        self.assertEqual(report([Square(2), Triangle(3, 4, 5)]), [
            "square: area 4.00, perimeter 8.00",
            "triangle: area 6.00, perimeter 12.00",
        ])

    def test_report_uses_my_override(self):
        self.assertEqual(report([NamedCircle(1, "coin")]), ["coin circle: area 3.14, perimeter 6.28"])

    def test_a_bare_shape_has_no_area(self):
        with self.assertRaises(NotImplementedError):
            total_area([Shape("blob")])
