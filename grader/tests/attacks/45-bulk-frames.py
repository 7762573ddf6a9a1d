# Technique: answers of our own written into the pipe ahead of being asked,
# in the bulk encoding's tags, each lying about its size: a list of 2**30
# ints with eight bytes behind it, a strs count that is not the items', a
# dict whose keys and values do not pair, and an unknown width. (A frame
# that decodes is only an answer the learner's function could have given:
# the runner still compares it with the expected value itself.)
# Targets: inline
# Each lie must be refused by the runner's decoder (a WireError, so the
# call fails as the learner's), never read past its frame nor accepted.
import os
import struct


def u32(n):
    return struct.pack(">I", n)


def frame(value):
    ok = b"u" + u32(5) + b"s" + u32(2) + b"ok" + value + b"N" + b"b" + u32(0) + b"b" + u32(0)
    return u32(len(ok)) + ok


lies = [
    b"I" + b"q" + u32(1 << 30) + bytes(8),
    b"S" + u32(5) + u32(3) + b"a\x00b",
    b"B" + b"I" + b"b" + u32(64) + bytes(64) + b"l" + u32(0),
    b"I" + b"z" + u32(1) + bytes(8),
]
for fd in range(3, 64):
    for lie in lies:
        try:
            os.write(fd, frame(lie))
        except OSError:
            pass


def numbers():
    return [0] * 64

# === tests ===
import unittest

from solution import numbers


class BulkTest(unittest.TestCase):
    def test_numbers(self):
        self.assertEqual(numbers(), list(range(64)))

    def test_again(self):
        self.assertEqual(numbers(), list(range(64)))
