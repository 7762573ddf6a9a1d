import unittest

from solution import Card, count_by_suit, deck, unique


class CardsTest(unittest.TestCase):
    def test_a_deck_has_52_different_cards(self):
        self.assertEqual(len(set(deck())), 52)

    def test_unique_drops_duplicates(self):
        self.assertEqual(unique([Card("A", "S"), Card("A", "S"), Card("2", "H")]), {Card("A", "S"), Card("2", "H")})

    def test_cards_as_keys(self):
        seen = {Card("Q", "H"): "queen"}
        self.assertEqual(seen[Card("Q", "H")], "queen")
        self.assertIn(Card("Q", "H"), seen)

    def test_in_a_list(self):
        self.assertIn(Card("K", "C"), deck())
        self.assertNotIn(Card("X", "C"), deck())

    def test_counts_by_suit(self):
        self.assertEqual(count_by_suit(deck()), {"S": 13, "H": 13, "D": 13, "C": 13})
