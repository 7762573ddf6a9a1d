# Covers: patched builtins (input, print, open, sys.stdin), deque / OrderedDict / Counter arguments changed in place, a str-mixin enum of the test's, the test's dataclasses compared and sorted by the learner's code, a library's exceptions as a mock's side_effect, mock.patch(autospec=True) of a module function (found honest-code breakages of a red-team review of 43fd042)
import enum
import io
import json
import unittest
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from unittest import mock
from urllib.error import URLError

import solution


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass(order=True)
class Item:
    price: float
    name: str


class Idioms(unittest.TestCase):
    def test_01_patch_builtins_input(self):
        with mock.patch("builtins.input", return_value="Ada"), mock.patch("builtins.print") as p:
            solution.greet()
        p.assert_called_once_with("Hello, Ada!")

    def test_01b_patched_stdin_and_open(self):
        with mock.patch("sys.stdin", io.StringIO("Bo\n")), mock.patch("sys.stdout", new_callable=io.StringIO) as out:
            solution.greet()
        self.assertEqual(out.getvalue(), "Name? Hello, Bo!\n")
        with mock.patch("builtins.open", mock.mock_open(read_data="3\n4\n")) as opened:
            self.assertEqual(solution.sum_file("numbers.txt"), 7)
        opened.assert_called_once_with("numbers.txt")

    def test_02_deque_argument(self):
        q = deque([1, 2])
        solution.enqueue(q, 3)
        self.assertEqual(list(q), [1, 2, 3])

    def test_03_ordereddict_argument(self):
        c = OrderedDict(a=1, b=2)
        solution.touch(c, "a")
        self.assertEqual(list(c), ["b", "a"])

    def test_04_counter_argument(self):
        c = Counter()
        solution.tally(["x", "x", "y"], c)
        self.assertEqual(c, Counter(x=2, y=1))

    def test_05_str_mixin_enum(self):
        self.assertTrue(solution.is_red(Color.RED))

    def test_07_dataclass_attrs(self):
        self.assertEqual(solution.total([Item(1.5, "a"), Item(2.0, "b")]), 3.5)

    def test_08_dataclass_ordering(self):
        self.assertEqual(solution.cheapest([Item(2.0, "b"), Item(1.5, "a")]), "a")

    def test_09_library_exception_side_effect(self):
        get = mock.Mock(side_effect=URLError("down"))
        self.assertEqual(solution.fetch(get), "offline")

    def test_10_json_error_side_effect(self):
        loader = mock.Mock(side_effect=json.JSONDecodeError("bad", "", 0))
        self.assertIsNone(solution.parse(loader))

    def test_11_autospec_patch(self):
        with mock.patch("solution.helper", autospec=True, return_value=10):
            self.assertEqual(solution.use_helper(3), 11)
