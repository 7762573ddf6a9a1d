# Covers: operators between learner objects and numbers (@, __getitem__ / __setitem__ with tuple keys, +=, unary -, abs, round, divmod, number * matrix); subTest loop
import unittest

from solution import Matrix, identity


class MatrixTest(unittest.TestCase):
    def setUp(self):
        self.m = Matrix([[1, 2], [3, 4]])

    def test_tuple_keys(self):
        for (row, column), expected in {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}.items():
            with self.subTest(row=row, column=column):
                self.assertEqual(self.m[row, column], expected)
        self.m[0, 1] = 9
        self.assertEqual(self.m, Matrix([[1, 9], [3, 4]]))

    def test_matmul(self):
        self.assertEqual(self.m @ identity(2), self.m)
        self.assertEqual(self.m @ Matrix([[0, 1], [2, 0]]), Matrix([[4, 1], [8, 3]]))
        self.assertEqual(Matrix([[1, 2, 3]]) @ Matrix([[1], [0], [2]]), Matrix([[7]]))
        with self.assertRaises(ValueError):
            Matrix([[1, 2]]) @ Matrix([[1, 2]])

    def test_in_place_add_keeps_the_object(self):
        before = self.m
        self.m += 1
        self.assertIs(self.m, before)
        self.assertEqual(self.m, Matrix([[2, 3], [4, 5]]))
        self.m += identity(2)
        self.assertEqual(self.m, Matrix([[3, 3], [4, 6]]))

    def test_numbers_on_either_side(self):
        self.assertEqual(2 * self.m, Matrix([[2, 4], [6, 8]]))
        self.assertEqual(self.m * 2, 2 * self.m)
        self.assertEqual(10 + self.m, Matrix([[11, 12], [13, 14]]))

    def test_negative_and_abs(self):
        negative = -self.m
        self.assertEqual(negative, Matrix([[-1, -2], [-3, -4]]))
        self.assertEqual(abs(negative), self.m)

    def test_round_and_divmod(self):
        self.assertEqual(round(Matrix([[1.26, 2.04]]), 1), Matrix([[1.3, 2.0]]))
        self.assertEqual(round(Matrix([[2.6]])), Matrix([[3]]))
        quotient, remainder = divmod(Matrix([[7, -7]]), 3)
        self.assertEqual(quotient, Matrix([[2, -3]]))
        self.assertEqual(remainder, Matrix([[1, 2]]))
