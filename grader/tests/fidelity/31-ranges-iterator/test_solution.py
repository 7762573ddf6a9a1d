# Covers: a learner iterator class (__iter__ / __next__) and learner generators taking the test's callables, used with list(), zip, next and for
import unittest
from fractions import Fraction

from solution import Steps, iterate, take_while


def below_hundred(number):
    return number < 100


class StepsTest(unittest.TestCase):
    def test_list_of_steps(self):
        self.assertEqual(list(Steps(0, 10, 3)), [0, 3, 6, 9])
        self.assertEqual(list(Steps(0, 9, 3)), [0, 3, 6])
        self.assertEqual(list(Steps(5, 5)), [])

    def test_next_until_exhausted(self):
        steps = Steps(Fraction(0), 1, Fraction(1, 2))
        self.assertIs(iter(steps), steps)
        self.assertEqual(next(steps), 0)
        self.assertEqual(next(steps), Fraction(1, 2))
        with self.assertRaises(StopIteration):
            next(steps)
        self.assertEqual(next(steps, "done"), "done")

    def test_zip_and_for(self):
        self.assertEqual(list(zip(Steps(1, 100), "abc")), [(1, "a"), (2, "b"), (3, "c")])
        total = 0
        for value in Steps(0.5, 2.5, 0.5):
            total += value
        self.assertEqual(total, 5.0)

    def test_bad_step(self):
        with self.assertRaises(ValueError):
            Steps(0, 10, 0)


class GeneratorsTest(unittest.TestCase):
    def test_iterate_calls_my_function(self):
        doubles = iterate(lambda n: n * 2, 1)
        self.assertEqual([next(doubles) for _ in range(5)], [1, 2, 4, 8, 16])

    def test_iterate_with_zip(self):
        pairs = list(zip(range(3), iterate(str.upper, "a")))
        self.assertEqual(pairs, [(0, "a"), (1, "A"), (2, "A")])

    def test_take_while_with_a_named_function(self):
        self.assertEqual(list(take_while(below_hundred, iterate(lambda n: n * 3, 1))), [1, 3, 9, 27, 81])
        self.assertEqual(list(take_while(below_hundred, [200, 1])), [])
