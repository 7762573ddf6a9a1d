import unittest

from solution import merge


class MergeTest(unittest.TestCase):
    def test_overlapping_and_touching(self):
        self.assertEqual(merge([(1, 3), (8, 10), (2, 6), (10, 12)]), [(1, 6), (8, 12)])

    def test_disjoint_are_sorted(self):
        self.assertEqual(merge([(5, 6), (1, 2)]), [(1, 2), (5, 6)])

    def test_contained_interval(self):
        self.assertEqual(merge([(1, 10), (2, 3)]), [(1, 10)])

    def test_empty(self):
        self.assertEqual(merge([]), [])

    def test_input_is_not_modified(self):
        bookings = [(3, 4), (1, 2)]
        merge(bookings)
        self.assertEqual(bookings, [(3, 4), (1, 2)], "merge must not change its input")
