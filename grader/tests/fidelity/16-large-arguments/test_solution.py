# Memory: 512
# Time: 20000
import unittest

from solution import descending, positions, shout, total

MILLION = list(range(1_000_000))
WORDS = [f"w{i}" for i in range(1_000_000)]


class LargeTest(unittest.TestCase):
    def test_a_million_ints_in(self):
        self.assertEqual(total(MILLION), 499_999_500_000)

    def test_a_million_ints_out(self):
        out = descending(MILLION)
        self.assertEqual(len(out), 1_000_000)
        self.assertEqual(out[:3], [999_999, 999_998, 999_997])

    def test_a_million_strings_both_ways(self):
        out = shout(WORDS)
        self.assertEqual(out[-1], "W999999")
        self.assertEqual(len(out), 1_000_000)

    def test_a_large_dict_back(self):
        index = positions(WORDS[:400_000])
        self.assertEqual(index["w399999"], 399_999)
