# Covers: callables (lambdas, named test functions, str.upper / len / int / max as arguments, functools.partial), subTest loop
import functools
import unittest

from solution import concat, filter_items, foldl, foldr, length, map_items


def is_even(number):
    return number % 2 == 0


class ListOpsTest(unittest.TestCase):
    def test_length(self):
        for items, expected in [([], 0), ([7], 1), ("abcd", 4), (range(10), 10)]:
            with self.subTest(items=items):
                self.assertEqual(length(items), expected)

    def test_map_with_a_lambda_and_builtins(self):
        self.assertEqual(map_items(lambda n: n + 1, [1, 2, 3]), [2, 3, 4])
        self.assertEqual(map_items(str.upper, ["a", "bc"]), ["A", "BC"])
        self.assertEqual(map_items(len, ["", "xy", "abc"]), [0, 2, 3])

    def test_map_with_a_partial(self):
        from_binary = functools.partial(int, base=2)
        self.assertEqual(map_items(from_binary, ["101", "11", "0"]), [5, 3, 0])

    def test_filter_with_a_named_function(self):
        self.assertEqual(filter_items(is_even, [1, 2, 3, 4, 6]), [2, 4, 6])
        self.assertEqual(filter_items(str.isdigit, ["1", "a", "22"]), ["1", "22"])

    def test_filter_calls_the_predicate_once_per_item_in_order(self):
        seen = []

        def remember(item):
            seen.append(item)
            return item > 1

        self.assertEqual(filter_items(remember, [3, 1, 2]), [3, 2])
        self.assertEqual(seen, [3, 1, 2])

    def test_foldl_passes_the_accumulator_first(self):
        self.assertEqual(foldl(lambda acc, n: acc - n, [1, 2, 3], 10), 4)
        self.assertEqual(foldl(lambda acc, s: acc + s, ["a", "b", "c"], ">"), ">abc")
        self.assertEqual(foldl(max, [3, 9, 2], 0), 9)

    def test_foldr_and_concat(self):
        self.assertEqual(foldr(lambda n, acc: n - acc, [1, 2, 3], 0), 2)
        self.assertEqual(foldr(lambda s, acc: acc + s, ["a", "b", "c"], ""), "cba")
        self.assertEqual(concat([[1], (2, 3), []]), [1, 2, 3])
