# Technique: two at once. The answer to one call carries, in a slot of the
# reply the runner does not use, a set of ints whose hashes all collide, so
# that reading it takes the runner time quadratic in its size; the easy
# tests are answered just inside their time, and the run's budget ends with
# the hard tests not run. A test not run then took the outcome of the first
# fixture error of any class: here the author's SkipTest in another class's
# setUpClass, so the hard tests were "skipped", which a pass allows.
# Targets: inline
# At b4aa48e it passed (a red-team review). Now reading a reply is bounded
# by the test's deadline (wire.decode), and a test not run takes only its
# own class's or module's fixture errors, else a time limit
# (runner.Results.report).

import sys
import time

T0 = time.monotonic()


class _Colliding(list):
    pass


def _patch():
    w = sys.modules.get("wire")
    L = sys.modules.get("learner")
    if w is None or L is None or getattr(w, "_patched", False):
        return
    write = w._Writer.value

    def value(self, v, depth):
        if type(v) is _Colliding:
            self.out += w._SET + w._U32.pack(len(v))
            for item in v:
                write(self, item, depth - 1)
            return
        write(self, v, depth)

    w._Writer.value = value
    call = L.Served.op_call

    def op_call(self, target, args, kwargs):
        result, back = call(self, target, args, kwargs)
        if getattr(target, "__name__", "") == "fizz" and args == (2,):
            back = _Colliding(k * (2**61 - 1) for k in range(9000))
        return result, back

    L.Served.op_call = op_call
    w._patched = True


_patch()


def fizz(n):
    # Each easy test just inside its 1 s limit; the second ends just before
    # the run's 2 s budget runs out (its own deadline is then 1.9 s).
    if n == 1:
        time.sleep(max(0.0, T0 + 0.9 - time.monotonic()))
    if n == 2:
        time.sleep(max(0.0, T0 + 1.8 - time.monotonic()))
    return str(n)


# === tests ===
import unittest

import solution


class BonusTest(unittest.TestCase):
    """The bonus part is not graded this term."""

    @classmethod
    def setUpClass(cls):
        raise unittest.SkipTest("bonus part not graded this term")

    def test_bonus(self):
        self.assertEqual(solution.fizz(0), "FizzBuzz")


class FizzTest(unittest.TestCase):
    def test_1_one(self):
        self.assertEqual(solution.fizz(1), "1")

    def test_2_two(self):
        self.assertEqual(solution.fizz(2), "2")

    def test_3_fizz(self):
        self.assertEqual(solution.fizz(3), "Fizz")

    def test_4_buzz(self):
        self.assertEqual(solution.fizz(5), "Buzz")

    def test_5_fizzbuzz(self):
        self.assertEqual(solution.fizz(15), "FizzBuzz")
