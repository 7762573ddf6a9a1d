import unittest

from solution import Stack


class StackTest(unittest.TestCase):
    def setUp(self):
        self.stack = Stack([1, 2, 3])

    def test_length_and_truth(self):
        self.assertEqual(len(self.stack), 3)
        self.assertTrue(self.stack)
        self.assertFalse(Stack())

    def test_iterates_from_the_top(self):
        self.assertEqual(list(self.stack), [3, 2, 1])
        self.assertEqual(list(reversed(self.stack)), [1, 2, 3])

    def test_membership(self):
        self.assertIn(2, self.stack)
        self.assertNotIn(7, self.stack)

    def test_indexing_and_slicing(self):
        self.assertEqual(self.stack[0], 3)
        self.assertEqual(self.stack[1:], [2, 1])

    def test_pop_from_empty_raises(self):
        with self.assertRaises(IndexError):
            Stack().pop()

    def test_push_and_pop(self):
        self.stack.push(9)
        self.assertEqual(self.stack.pop(), 9)
        self.assertEqual(len(self.stack), 3)
