# Technique: enums as values. The learner's side is told to send its own
# enums by value too (its module flag turned on), so an Enum whose __eq__
# says yes to anything, and an IntEnum and StrEnum whose members lie about
# equality, are sent for the expected int and str; and descriptions of its
# own making: members named __eq__, _missing_ and __hash__, members whose
# values are unhashable, a thousand and one members, and an unknown kind.
# Targets: inline
# The runner makes every enum it did not send afresh with the enum module
# (wire._made_enum): no method of the learner's comes along, an IntEnum
# member equals only its own value, dunder and sunder names are refused,
# and what is malformed ends the learner's process. So nothing equals the
# expected values.
import enum
import gc
import os
import time

import learner
import wire

wire.ENUMS_BY_VALUE = True


class Always(enum.Enum):
    ANY = 1

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class Number(enum.IntEnum):
    SEVEN = 7

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Text(enum.StrEnum):
    WORD = "nope"

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def always():
    return Always.ANY


def number():
    return Number.SEVEN


def text():
    return Text.WORD


def _answer_with(description, value=1):
    served = next(o for o in gc.get_objects() if isinstance(o, learner.Served))
    out = bytearray(wire.encode(((), (), ("ok", None, None, b"", b"")), served.handle))
    at = out.rindex(wire._NONE)
    body = wire.encode(description, served.handle) + wire.encode(value, served.handle)
    out[at : at + 1] = wire._ENUM_MEMBER + body
    wire.send(served.sock, bytes(out))
    time.sleep(30)
    os._exit(0)


def dunder_members():
    return _answer_with(("Fake", "IntEnum", (("__eq__", 1), ("_missing_", 2), ("__hash__", 3))))


def unhashable_values():
    return _answer_with(("Fake", "Enum", (("A", [1]),)), [1])


def too_many():
    return _answer_with(("Fake", "IntEnum", tuple((f"M{i}", i) for i in range(1001))), 42)


def unknown_kind():
    return _answer_with(("Fake", "Always", (("A", 42),)), 42)

# === tests ===
import unittest

import solution


class LyingEnumsTest(unittest.TestCase):
    def test_always(self):
        self.assertEqual(solution.always(), 42)

    def test_number(self):
        self.assertEqual(solution.number(), 42)

    def test_text(self):
        self.assertEqual(solution.text(), "expected")

    def test_dunder_members(self):
        self.assertEqual(solution.dunder_members(), 42)

    def test_unhashable_values(self):
        self.assertEqual(solution.unhashable_values(), 42)

    def test_too_many(self):
        self.assertEqual(solution.too_many(), 42)

    def test_unknown_kind(self):
        self.assertEqual(solution.unknown_kind(), 42)
