class Player:
    def __init__(self, name, points, wins=0):
        self.name = name
        self.points = points
        self.wins = wins

    def score(self):
        return self.points + 3 * self.wins

    def __repr__(self):
        return f"Player({self.name!r}, {self.points}, {self.wins})"


def rank(players, key=Player.score):
    """Sorts the given list in place, best first; ties keep their order."""
    players.sort(key=key, reverse=True)


def leaders(players, count, key=Player.score):
    """The names of the best `count` players; leaves the list alone."""
    return [player.name for player in sorted(players, key=key, reverse=True)[:count]]


def tally(players, totals):
    """Adds each player's score to the running totals, a dict of name to points."""
    for player in players:
        totals[player.name] = totals.get(player.name, 0) + player.score()
