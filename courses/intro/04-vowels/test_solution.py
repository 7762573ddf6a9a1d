import unittest

from solution import count_vowels


class CountVowelsTest(unittest.TestCase):
    def test_a_word(self):
        self.assertEqual(count_vowels("Programming"), 3)

    def test_upper_case_counts(self):
        self.assertEqual(count_vowels("AEIOU"), 5)

    def test_no_vowels(self):
        self.assertEqual(count_vowels("RHYTHM"), 0, "y is not a vowel here")

    def test_empty_text(self):
        self.assertEqual(count_vowels(""), 0)

    def test_a_sentence_with_punctuation(self):
        self.assertEqual(count_vowels("Hello, world! How are you?"), 8)
