# Technique: an iterator of the learner's own class named `generator` (its
# __name__ and __qualname__ too), given where a generator is expected, to
# be taken for one by a runner that names types by their names.
# Targets: inline
# Written against this change's own claims (wire.CLAIMED: a learner
# generator is a types.GeneratorType to the test's isinstance): with the
# claim read from the type's name it passed. The claim is made only for an
# object whose type is exactly the builtin one (wire.described).


class generator:
    __qualname__ = "generator"

    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return self

    def __next__(self):
        if not self.items:
            raise StopIteration
        return self.items.pop(0)

    def send(self, value):
        return next(self)

    def throw(self, *args):
        raise StopIteration

    def close(self):
        pass


def countdown(n):
    return generator(range(n, 0, -1))

# === tests ===
import inspect
import types
import unittest

import solution


class CountdownTest(unittest.TestCase):
    def test_is_a_generator(self):
        self.assertIsInstance(solution.countdown(3), types.GeneratorType)

    def test_inspect_agrees(self):
        self.assertTrue(inspect.isgenerator(solution.countdown(3)))
