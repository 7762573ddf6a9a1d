# Technique: now that == between two learner objects is the learner's to
# decide, an always-equal object compared with the test's own values, on
# either side, in a list, as a dict value, and with != and assertIn.
# Targets: inline


class Same:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return hash(42)


def answer():
    return Same()


def answers():
    return [Same(), Same()]

# === tests ===
import unittest

from solution import answer, answers


class ForwardedEqTest(unittest.TestCase):
    def test_left(self):
        self.assertEqual(answer(), 42)

    def test_right(self):
        self.assertEqual(42, answer())

    def test_in_a_list(self):
        self.assertEqual(answers(), [1, 2])

    def test_as_a_dict_value(self):
        self.assertEqual({"a": answer()}, {"a": "expected"})

    def test_not_equal_says_no(self):
        self.assertFalse(answer() != 42)

    def test_in(self):
        self.assertIn(answer(), [7])
