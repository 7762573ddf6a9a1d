# Technique: conversions that answer with subclasses which equal anything:
# __int__ and __index__ an int subclass, __float__ a float subclass,
# __format__ a str subclass; and a __hash__ that is not an int.
# Targets: inline
# Against a runner that forwarded every operation without checking what
# came back, int(), float(), format() and hash() would hand the test these
# liars; here each answer must be exactly an int, float or str (a subclass
# crosses as its plain value), which this attack checks.


class Liar(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class FloatLiar(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class StrLiar(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class Number:
    def __int__(self):
        return Liar(7)

    def __index__(self):
        return Liar(7)

    def __float__(self):
        return FloatLiar(7.0)

    def __format__(self, spec):
        return StrLiar("seven")

    def __hash__(self):
        return Liar(7)


def make():
    return Number()

# === tests ===
import unittest

from solution import make


class ConversionsTest(unittest.TestCase):
    def test_int(self):
        self.assertEqual(int(make()), 42)

    def test_index(self):
        self.assertEqual([0, 1, 2, 3, 4, 5, 6, 7, 42][make()], 42)

    def test_float(self):
        self.assertEqual(float(make()), 42.0)

    def test_format(self):
        self.assertEqual(f"{make()}", "forty-two")

    def test_hash_keys(self):
        self.assertEqual({make(): 1}, {42: 1})
