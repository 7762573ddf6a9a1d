import unittest

from solution import is_palindrome


class IsPalindromeTest(unittest.TestCase):
    def test_a_simple_palindrome(self):
        self.assertIs(is_palindrome("racecar"), True)

    def test_not_a_palindrome(self):
        self.assertIs(is_palindrome("Python"), False)

    def test_ignores_case_spaces_and_punctuation(self):
        self.assertIs(is_palindrome("A man, a plan, a canal: Panama"), True)

    def test_digits_count(self):
        self.assertIs(is_palindrome("12321"), True)
        self.assertIs(is_palindrome("12345"), False)

    def test_empty_string(self):
        self.assertIs(is_palindrome(""), True)
