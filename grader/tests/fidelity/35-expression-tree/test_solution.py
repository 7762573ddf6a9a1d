# Covers: a recursive tree of learner objects compared node by node with == / != against a tree built separately by the test
import unittest

from solution import BinOp, Number, Variable, parse, simplify


class ExpressionTreeTest(unittest.TestCase):
    def test_parse_builds_the_tree(self):
        expected = BinOp("+", Number(1), BinOp("*", Variable("x"), Number(2)))
        self.assertEqual(parse("+ 1 * x 2"), expected)

    def test_trees_that_differ_are_unequal(self):
        self.assertNotEqual(parse("+ 1 x"), parse("+ x 1"))
        self.assertNotEqual(parse("- a b"), BinOp("+", Variable("a"), Variable("b")))
        self.assertNotEqual(parse("* 2 3"), Number(6))

    def test_deep_trees(self):
        built = BinOp("-", BinOp("*", Number(3), Variable("y")), BinOp("+", Number(-4), Number(0)))
        parsed = parse("- * 3 y + -4 0")
        self.assertEqual(parsed, built)
        self.assertEqual(parsed.left.right, Variable("y"))
        self.assertEqual(parsed.evaluate({"y": 2}), 10)

    def test_simplify(self):
        self.assertEqual(simplify(parse("+ x 0")), Variable("x"))
        self.assertEqual(simplify(parse("* + 1 2 y")), BinOp("*", Number(3), Variable("y")))
        self.assertEqual(simplify(parse("* - 5 4 1")), Number(1))

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            parse("+ 1")
        with self.assertRaises(ValueError):
            parse("1 2")
