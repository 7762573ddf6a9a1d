import unittest

from solution import fizzbuzz


class FizzBuzzTest(unittest.TestCase):
    def test_first_five(self):
        self.assertEqual(fizzbuzz(5), ["1", "2", "Fizz", "4", "Buzz"])

    def test_fifteen_is_fizzbuzz(self):
        self.assertEqual(fizzbuzz(15)[-1], "FizzBuzz")

    def test_length_matches_n(self):
        self.assertEqual(len(fizzbuzz(100)), 100)

    def test_zero_gives_an_empty_list(self):
        self.assertEqual(fizzbuzz(0), [])

    def test_numbers_are_strings(self):
        self.assertEqual(fizzbuzz(7)[6], "7", "plain numbers must be strings")
