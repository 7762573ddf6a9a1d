# Technique: forged traffic about the lists, dicts and sets both sides
# share: the learner's code finds its side's protocol object and writes
# frames of its own in place of an answer: a change that turns the test's
# list into a dict, changes and references to containers the test never
# passed (the runner's numbers, guessed), a "new" container under the
# runner's numbering, and "forgotten" numbers it never held; each while the
# test's expected list waits to be compared.
# Targets: inline
# The runner takes changes only to containers it sent or adopted, of the
# same type, and references only to those; anything else is a broken
# protocol (mirrors.py), so the learner's process is ended and the test
# fails. The test's expected value never crossed, so no number names it.
import gc
import os
import time

import learner
import wire

EVEN = range(2, 400, 2)


def _served():
    return next(o for o in gc.get_objects() if isinstance(o, learner.Served))


def _answer(changes, forgotten, value):
    served = _served()
    frame = wire.encode((changes, forgotten, ("ok", value, None, b"", b"")), served.handle)
    wire.send(served.sock, frame)
    time.sleep(30)
    os._exit(0)


def as_dict(data):
    number = _served().mirrors.numbers[id(data)]
    return _answer(((number, {"a": 1}),), (), data)


def guessed_changes(data):
    return _answer(tuple((n, [3, 2, 1]) for n in EVEN), (), [3, 2, 1])


def guessed_forgets(data):
    return _answer((), tuple(EVEN), [3, 2, 1])


def guessed_reference(data):
    served = _served()
    out = bytearray(wire.encode(((), (), ("ok", None, None, b"", b"")), served.handle))
    # Replace a None with a reference to a container the runner never sent.
    at = out.rindex(wire._NONE)
    out[at : at + 1] = wire._SHARED_REF + wire._U32.pack(200)
    wire.send(served.sock, bytes(out))
    time.sleep(30)
    os._exit(0)


def runner_numbered(data):
    served = _served()
    out = bytearray(wire.encode(((), (), ("ok", [3, 2, 1], None, b"", b"")), served.handle))
    at = out.index(wire._LIST)
    out[at:at] = wire._SHARED_NEW + wire._U32.pack(6)
    wire.send(served.sock, bytes(out))
    time.sleep(30)
    os._exit(0)

# === tests ===
import unittest

import solution


class SharedForgeryTest(unittest.TestCase):
    def setUp(self):
        self.data = [1, 2, 3]
        self.expected = [1, 2, 3]

    def check(self, name):
        result = getattr(solution, name)(self.data)
        self.assertEqual(result, self.expected)
        self.assertEqual(self.data, [3, 2, 1])

    def test_as_dict(self):
        self.check("as_dict")

    def test_guessed_changes(self):
        self.check("guessed_changes")

    def test_guessed_forgets(self):
        self.check("guessed_forgets")

    def test_guessed_reference(self):
        self.check("guessed_reference")

    def test_runner_numbered(self):
        self.check("runner_numbered")
