import unittest

from solution import Point, by_distance, closest


class PointsTest(unittest.TestCase):
    def test_sorted_by_distance(self):
        points = [Point(3, 4), Point(0, 9), Point(1, 1)]
        self.assertEqual(by_distance(points), [Point(1, 1), Point(3, 4), Point(0, 9)])

    def test_sorted_here_too(self):
        self.assertEqual(sorted([Point(2, 2), Point(0, 1)]), [Point(0, 1), Point(2, 2)])

    def test_closest(self):
        self.assertEqual(closest([Point(5, 5), Point(0, 2), Point(1, 3)]), Point(0, 2))

    def test_ordering_operators(self):
        self.assertTrue(Point(0, 1) < Point(0, 2))
        self.assertTrue(Point(0, 3) >= Point(2, 0))
        self.assertGreater(Point(3, 4), Point(1, 1))
