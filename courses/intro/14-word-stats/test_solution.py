import unittest

import solution


class Q1(unittest.TestCase):
    def test_sentence_count(self):
        """The text has four sentences"""
        self.assertEqual(solution.sentence_count, 4)


class Q2(unittest.TestCase):
    def test_the_text(self):
        """The longest word of the text"""
        self.assertEqual(solution.longest_word(solution.TEXT), "lighthouse")

    def test_the_first_of_two(self):
        """The first of two equally long words wins"""
        self.assertEqual(solution.longest_word("red tan sea"), "red")

    def test_punctuation_is_not_a_letter(self):
        """Punctuation does not count"""
        self.assertEqual(solution.longest_word('"Wow!!!" said Al.'), "said")

    def test_no_words(self):
        """A text without words"""
        self.assertEqual(solution.longest_word(" ... "), "")


class Q3(unittest.TestCase):
    def test_the_example(self):
        """The example from the question"""
        self.assertEqual(solution.word_lengths("Hi, you!"), {2: 1, 3: 1})

    def test_the_text(self):
        """The text's word lengths"""
        self.assertEqual(
            solution.word_lengths(solution.TEXT),
            {3: 9, 10: 1, 6: 2, 7: 3, 4: 5, 5: 2, 2: 2},
        )

    def test_empty(self):
        """An empty text"""
        self.assertEqual(solution.word_lengths(""), {})
