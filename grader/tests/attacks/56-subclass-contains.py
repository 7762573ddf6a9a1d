# Technique: a lying __contains__ reached through a test's subclass of the
# learner's class, where the base class's dunders were forwarded raw, so
# `assertIn(test_value, instance)` asked the learner's code (attack 39's
# defence, bypassed).
# Targets: inline
# At 43fd042 it was judged passed (a red-team review). Now `in` through
# super() keeps the rule it has on any learner object: a value of the
# test's is looked for among the items, in the runner.


class Bag:
    def __init__(self):
        self.items = []

    def add(self, item):
        pass

    def __iter__(self):
        return iter(self.items)

    def __contains__(self, item):
        return True

# === tests ===
import unittest

import solution


class CountingBag(solution.Bag):
    def __init__(self):
        super().__init__()
        self.adds = 0

    def add(self, item):
        self.adds += 1
        super().add(item)


class SubclassContainsTest(unittest.TestCase):
    def test_added_item_is_in(self):
        bag = CountingBag()
        bag.add("secret-42")
        self.assertIn("secret-42", bag)
        self.assertEqual(bag.adds, 1)
