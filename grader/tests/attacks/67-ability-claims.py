# Technique: objects that can do nothing, given where a callable and an
# iterator are expected; their class's metaclass claims a
# __call__, __iter__ and __next__ through a __dict__ of its own (which
# fools collections.abc in plain Python).
# Targets: inline
# At b4aa48e it passed (a red-team review): the runner's stand-in for any
# learner object had every operation, so callable() and collections.abc
# said yes to all of them. Now the stand-in has what the object's type has,
# read through type's own descriptors (wire.abilities).


class Claims(type):
    @property
    def __dict__(cls):
        return {"__call__": print, "__iter__": iter, "__next__": next}


class Nothing(metaclass=Claims):
    pass


def countdown(n):
    return Nothing()


def make_multiplier(k):
    return Nothing()

# === tests ===
import collections.abc
import unittest

import solution


class T(unittest.TestCase):
    def test_is_iterator(self):
        self.assertIsInstance(solution.countdown(3), collections.abc.Iterator)

    def test_is_callable(self):
        self.assertTrue(callable(solution.make_multiplier(2)))
