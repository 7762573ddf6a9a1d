import itertools
import unittest

from solution import fibonacci, take


class FibonacciTest(unittest.TestCase):
    def test_first_ten(self):
        self.assertEqual(list(itertools.islice(fibonacci(), 10)), [0, 1, 1, 2, 3, 5, 8, 13, 21, 34])

    def test_next(self):
        numbers = fibonacci()
        self.assertEqual([next(numbers) for _ in range(4)], [0, 1, 1, 2])

    def test_take_from_a_generator(self):
        self.assertEqual(take(5, fibonacci()), [0, 1, 1, 2, 3])

    def test_take_from_a_list(self):
        self.assertEqual(take(2, [9, 8, 7]), [9, 8])
