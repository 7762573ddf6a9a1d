import unittest

from solution import shortest_path


class ShortestPathTest(unittest.TestCase):
    def test_small_maze(self):
        self.assertEqual(shortest_path(["S.#", ".##", "..E"]), 4)

    def test_straight_corridor(self):
        self.assertEqual(shortest_path(["S...E"]), 4)

    def test_walled_off(self):
        self.assertEqual(shortest_path(["S#E"]), -1)

    def test_takes_the_shorter_of_two_ways(self):
        maze = [
            "S.....",
            ".####.",
            ".#..#.",
            "....E.",
        ]
        self.assertEqual(shortest_path(maze), 7)

    def test_large_open_room(self):
        maze = ["S" + "." * 99] + ["." * 100] * 98 + ["." * 99 + "E"]
        self.assertEqual(shortest_path(maze), 198)
