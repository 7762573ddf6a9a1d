class Card:
    def __init__(self, rank, suit):
        self.rank, self.suit = rank, suit

    def __eq__(self, other):
        return isinstance(other, Card) and (self.rank, self.suit) == (other.rank, other.suit)

    def __hash__(self):
        return hash((self.rank, self.suit))

    def __repr__(self):
        return f"{self.rank}{self.suit}"


def deck():
    return [Card(r, s) for s in "SHDC" for r in "A23456789TJQK"]


def unique(cards):
    return set(cards)


def count_by_suit(cards):
    counts = {}
    for card in cards:
        counts[card.suit] = counts.get(card.suit, 0) + 1
    return counts
