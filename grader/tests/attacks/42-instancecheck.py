# Technique: a class whose metaclass says every object is an instance (and
# every class a subclass), so isinstance checks about the test's own values
# pass, and an object that claims to be an int.
# Targets: inline
# With comparisons forwarded only between learner objects, isinstance of a
# runner value against a learner class never asks the learner's metaclass;
# a runner that forwarded it would answer True for 42 (seen with a naive
# forwarding: `issubclass(int, Number)` then fails only because a type
# cannot cross), and a learner object is never an instance of a builtin.


class Everything(type):
    def __instancecheck__(cls, obj):
        return True

    def __subclasscheck__(cls, sub):
        return True


class Number(metaclass=Everything):
    pass


class FakeInt:
    __class__ = int


def make():
    return FakeInt()

# === tests ===
import unittest

from solution import Number, make


class InstanceTest(unittest.TestCase):
    def test_plain_values_are_numbers(self):
        self.assertIsInstance(42, Number)
        self.assertTrue(issubclass(int, Number))

    def test_result_is_an_int(self):
        self.assertIsInstance(make(), int)
