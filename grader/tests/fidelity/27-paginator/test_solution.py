# Covers: assignment to a module attribute from the test (solution.MAX_ITEMS in setUp, restored by addCleanup / tearDown), module-level constants and functions read by the test
import unittest

import solution
from solution import page, pages


class DefaultsTest(unittest.TestCase):
    def test_ten_to_a_page(self):
        self.assertEqual(solution.MAX_ITEMS, 10)
        self.assertEqual(solution.page_count(list(range(25))), 3)
        self.assertEqual(page(list(range(25)), 3), [20, 21, 22, 23, 24])

    def test_an_empty_list_has_one_empty_page(self):
        self.assertEqual(pages([]), [[]])


class SmallPagesTest(unittest.TestCase):
    def setUp(self):
        self.addCleanup(setattr, solution, "MAX_ITEMS", solution.MAX_ITEMS)
        solution.MAX_ITEMS = 2

    def test_pages_follow_the_setting(self):
        self.assertEqual(pages("abcde"), ["ab", "cd", "e"])

    def test_second_page(self):
        self.assertEqual(page([1, 2, 3, 4, 5], 2), [3, 4])

    def test_no_such_page(self):
        with self.assertRaises(IndexError):
            page([1, 2, 3], 3)
        with self.assertRaises(IndexError):
            page([1, 2, 3], 0)


class OnePerPageTest(unittest.TestCase):
    def setUp(self):
        self.saved = solution.MAX_ITEMS
        solution.MAX_ITEMS = 1

    def tearDown(self):
        solution.MAX_ITEMS = self.saved

    def test_one_item_each(self):
        self.assertEqual(solution.page_count("xyz"), 3)
        self.assertEqual(page(["x", "y", "z"], 3), ["z"])
