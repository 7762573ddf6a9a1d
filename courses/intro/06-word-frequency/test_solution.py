import unittest

from solution import top_words


class TopWordsTest(unittest.TestCase):
    def test_most_frequent_first(self):
        self.assertEqual(top_words("the cat and the hat", 1), [("the", 2)])

    def test_ties_are_alphabetical(self):
        self.assertEqual(top_words("the cat and the hat", 3), [("the", 2), ("and", 1), ("cat", 1)])

    def test_case_and_punctuation_are_ignored(self):
        self.assertEqual(top_words("Go! go, GO? stop.", 2), [("go", 3), ("stop", 1)])

    def test_fewer_words_than_asked(self):
        self.assertEqual(top_words("one two", 5), [("one", 1), ("two", 1)])

    def test_empty_text(self):
        self.assertEqual(top_words("", 3), [])
