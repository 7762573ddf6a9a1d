import unittest

from solution import decode, encode


class RunLengthTest(unittest.TestCase):
    def test_encode(self):
        self.assertEqual(encode("aaabccdddd"), "3a1b2c4d")

    def test_decode(self):
        self.assertEqual(decode("3a1b2c4d"), "aaabccdddd")

    def test_long_runs_have_several_digits(self):
        self.assertEqual(encode("x" * 12), "12x")
        self.assertEqual(decode("12x"), "x" * 12)

    def test_empty(self):
        self.assertEqual(encode(""), "")
        self.assertEqual(decode(""), "")

    def test_round_trip(self):
        for text in ["a", "abab", "  !!??", "zzzzzzzzzzzzzzzzzzzzzy"]:
            with self.subTest(text=text):
                self.assertEqual(decode(encode(text)), text)
