import unittest
from collections import Counter, OrderedDict, deque

from solution import first_seen, group_by_length, last_n, letter_counts, xor_bytes


class CollectionsTest(unittest.TestCase):
    def test_counter(self):
        counts = letter_counts("Hello")
        self.assertEqual(counts, Counter({"l": 2, "h": 1, "e": 1, "o": 1}))
        self.assertEqual(counts.most_common(1), [("l", 2)])

    def test_defaultdict(self):
        self.assertEqual(group_by_length(["a", "bb", "c"]), {1: ["a", "c"], 2: ["bb"]})

    def test_ordered(self):
        self.assertEqual(list(first_seen("abcab").items()), [("a", 0), ("b", 1), ("c", 2)])
        self.assertIsInstance(first_seen("x"), OrderedDict)

    def test_deque(self):
        self.assertEqual(last_n([1, 2, 3, 4], 2), deque([3, 4], maxlen=2))

    def test_bytearray(self):
        self.assertEqual(xor_bytes(b"\x01\x02", 3), bytearray(b"\x02\x01"))
