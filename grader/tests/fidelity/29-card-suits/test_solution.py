# Covers: an Enum defined by the test passed into learner code and its members returned (checked with `is`), iterating the test's enum in learner code
import enum
import unittest

from solution import by_name, describe, following, highest


class Suit(enum.Enum):
    CLUBS = 1
    DIAMONDS = 2
    HEARTS = 3
    SPADES = 4


class Rank(enum.IntEnum):
    JACK = 11
    QUEEN = 12
    KING = 13


class SuitsTest(unittest.TestCase):
    def test_following_suit(self):
        self.assertIs(following(Suit.CLUBS), Suit.DIAMONDS)
        self.assertIs(following(Suit.HEARTS), Suit.SPADES)

    def test_following_wraps_round(self):
        self.assertIs(following(Suit.SPADES), Suit.CLUBS)
        self.assertIs(following(Rank.KING), Rank.JACK)

    def test_highest_picks_one_of_my_members(self):
        best = highest([Suit.HEARTS, Suit.CLUBS, Suit.DIAMONDS])
        self.assertIs(best, Suit.HEARTS)
        self.assertIsInstance(best, Suit)
        self.assertIs(highest(Rank), Rank.KING)

    def test_by_name(self):
        self.assertIs(by_name(Suit, "spades"), Suit.SPADES)
        self.assertIs(by_name(Rank, "Queen"), Rank.QUEEN)
        with self.assertRaises(KeyError):
            by_name(Suit, "stars")

    def test_describe(self):
        self.assertEqual(describe(Suit.DIAMONDS), "Diamonds (2)")
        self.assertEqual(describe(Rank.JACK), "Jack (11)")
