import sys
import unittest

import solution
from solution import area, perimeter


class ShapesTest(unittest.TestCase):
    def test_area(self):
        self.assertEqual(area(2, 3), 6)

    def test_perimeter(self):
        self.assertEqual(perimeter(2, 3), 10)

    @unittest.skip("extra credit: volumes come next week")
    def test_volume(self):
        self.assertEqual(solution.volume(1, 2, 3), 6)

    @unittest.skipIf(sys.version_info < (3, 0), "needs Python 3")
    def test_runs_on_python_3(self):
        self.assertEqual(area(1, 1), 1)

    def test_diagonal_if_written(self):
        if not hasattr(solution, "diagonal"):
            self.skipTest("diagonal() is optional")
        self.assertAlmostEqual(solution.diagonal(3, 4), 5.0)


@unittest.skip("a whole class of bonus tests")
class BonusTest(unittest.TestCase):
    def test_circle(self):
        self.assertEqual(solution.circle_area(1), 3.14159)
