import unittest

from solution import flatten


class FlattenTest(unittest.TestCase):
    def test_already_flat(self):
        self.assertEqual(flatten([1, 2, 3]), [1, 2, 3])

    def test_nested(self):
        self.assertEqual(flatten([1, [2, [3, 4]], [], 5]), [1, 2, 3, 4, 5])

    def test_deeply_nested(self):
        self.assertEqual(flatten([[[[["deep"]]]]]), ["deep"])

    def test_strings_stay_whole(self):
        self.assertEqual(flatten(["ab", ["cd"]]), ["ab", "cd"])

    def test_empty(self):
        self.assertEqual(flatten([[], [[]]]), [])
