# Covers: `from solution import *`; patches of library modules (random.randint, time.sleep, sys.stdin) reaching the learner's code; an input prompt after what was printed before it; a generator, a callable and an iterator as isinstance, inspect and collections.abc see them; a long failed comparison worded in bounded time; the test's subclasses of learner classes hashed in a set, with a mixin of the test's, as a list of classes given to the learner's code, reading super().property; a function of the test's set on a learner class binding as a method (found honest-code breakages of a red-team review of b4aa48e)
import collections.abc
import inspect
import io
import types
import unittest
from unittest import mock

from solution import *


class Loud(Greeter):
    @property
    def greeting(self):
        return super().greeting.upper()


class Shouting:
    def shout(self):
        return self.greet().upper()


class LoudMixin(Shouting, Greeter):
    pass


class Kelvin(Temperature):
    def kelvin(self):
        return self.celsius + 273


class Triangle(Shape):
    sides = 3


class Square(Shape):
    sides = 4


class Idioms(unittest.TestCase):
    def test_01_patch_random(self):
        with mock.patch("random.randint", return_value=4) as randint:
            self.assertEqual(roll(), 4)
        randint.assert_called_once_with(1, 6)

    def test_02_patch_sleep(self):
        answers = iter([ConnectionError(), ConnectionError(), "ok"])

        def flaky():
            answer = next(answers)
            if isinstance(answer, Exception):
                raise answer
            return answer

        with mock.patch("time.sleep") as sleep:
            self.assertEqual(retry(flaky), "ok")
        self.assertEqual(sleep.call_count, 2)

    def test_03_patch_stdin(self):
        with mock.patch("sys.stdin", io.StringIO("3 4\n5\n")):
            self.assertEqual(read_numbers(), [3, 4, 5])

    def test_04_prompt_order(self):
        with mock.patch("sys.stdin", io.StringIO("Ada\n")), mock.patch("sys.stdout", new_callable=io.StringIO) as out:
            interview()
        self.assertEqual(out.getvalue(), "Welcome!\nYour name: Hello, Ada!\n")

    def test_05_generator(self):
        numbers = countdown(3)
        self.assertIsInstance(numbers, types.GeneratorType)
        self.assertTrue(inspect.isgenerator(numbers))
        self.assertIsInstance(numbers, collections.abc.Iterator)
        self.assertEqual(list(numbers), [3, 2, 1])

    def test_06_callable(self):
        triple = make_multiplier(3)
        self.assertTrue(callable(triple))
        self.assertIsInstance(triple, collections.abc.Callable)
        self.assertEqual(triple(4), 12)
        self.assertFalse(callable(Greeter("Ada")))
        self.assertNotIsInstance(Greeter("Ada"), collections.abc.Iterable)

    def test_07_long_comparison(self):
        raw = [f"  person number {i} of the class  " for i in range(80)]
        self.assertEqual(normalise(raw), [f"Person Number {i} Of The Class" for i in range(80)])

    def test_08_super_property(self):
        self.assertEqual(Loud("ada").greet(), "HELLO, ADA!")

    def test_09_mixin(self):
        self.assertEqual(LoudMixin("ada").shout(), "HELLO, ADA!")

    def test_10_subclass_in_a_set(self):
        self.assertEqual(len({Kelvin(1), Kelvin(1), Kelvin(2)}), 2)
        self.assertEqual(Kelvin(1).kelvin(), 274)

    def test_11_classes_given(self):
        self.assertEqual(build_all([Triangle, Square]), ["Triangle with 3 sides", "Square with 4 sides"])

    def test_12_function_set_on_a_class(self):
        seen = []

        def notify(account, message):
            seen.append((account.owner, message))

        with mock.patch.object(Account, "notify", notify):
            Account("ada").deposit(5)
        self.assertEqual(seen, [("ada", "deposited 5")])
