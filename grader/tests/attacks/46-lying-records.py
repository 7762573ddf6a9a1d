# Technique: tuple subclasses that pass for namedtuples: one whose __eq__ and
# attribute access say what the test wants, one whose _fields name fields
# it does not have, one whose _fields are not strings, and a namedtuple
# whose field is called `__class__`.
# Targets: inline
# A record crosses as its name, its _fields and its items read through
# tuple itself, and is made again here by collections.namedtuple (which
# refuses or renames any field that is not a plain identifier), so none of
# its methods, and nothing but its items, reach the runner.
from collections import namedtuple


class Always(tuple):
    _fields = ("x", "y")

    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__

    def __getattr__(self, name):
        return 42


class Short(tuple):
    _fields = ("x", "y", "z")


class Odd(tuple):
    _fields = (1, 2)


Sneaky = namedtuple("Sneaky", ["__class__", "y"], rename=True)


def point():
    return Always((0, 0))


def short():
    return Short((0, 0))


def odd():
    return Odd((0, 0))


def sneaky():
    return Sneaky(0, 0)

# === tests ===
import unittest
from collections import namedtuple

from solution import odd, point, short, sneaky

Point = namedtuple("Point", "x y")


class RecordTest(unittest.TestCase):
    def test_always(self):
        self.assertEqual(point(), Point(1, 2))
        self.assertEqual(point().x, 1)

    def test_short(self):
        self.assertEqual(short().z, 3)

    def test_odd(self):
        self.assertEqual(odd(), (1, 2))

    def test_sneaky(self):
        self.assertEqual(sneaky(), (1, 2))
