# Covers: key= function the learner's sort calls (lambda, bound test method, learner method), re-entrant calls (key calls learner methods), learner mutates the test's list and dict
import unittest

from solution import Player, leaders, rank, tally


class LeaderboardTest(unittest.TestCase):
    def setUp(self):
        self.ada = Player("ada", 10, wins=2)
        self.bob = Player("bob", 20)
        self.cy = Player("cy", 5, wins=4)
        self.players = [self.ada, self.bob, self.cy]

    def name_length(self, player):
        return len(player.name)

    def test_rank_sorts_my_list_in_place(self):
        players = self.players
        self.assertIsNone(rank(players))
        self.assertIs(players, self.players)
        self.assertEqual([p.name for p in self.players], ["bob", "cy", "ada"])

    def test_rank_with_my_key(self):
        rank(self.players, key=lambda p: p.wins)
        self.assertEqual(self.players, [self.cy, self.ada, self.bob])

    def test_rank_with_a_bound_method_keeps_ties_in_order(self):
        rank(self.players, key=self.name_length)
        self.assertEqual(self.players, [self.ada, self.bob, self.cy])

    def test_key_sees_the_learners_players(self):
        seen = []

        def key(player):
            seen.append(player.name)
            return player.score() - player.points

        self.assertEqual(leaders(self.players, 2, key=key), ["cy", "ada"])
        self.assertEqual(sorted(seen), ["ada", "bob", "cy"])

    def test_leaders_leave_my_list_alone(self):
        self.assertEqual(leaders(self.players, 1), ["bob"])
        self.assertEqual(self.players, [self.ada, self.bob, self.cy])

    def test_tally_fills_my_dict(self):
        totals = {"ada": 100, "zed": 1}
        tally(self.players, totals)
        tally([self.bob], totals)
        self.assertEqual(totals, {"ada": 116, "zed": 1, "bob": 40, "cy": 17})
