import operator

OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


class Number:
    def __init__(self, value):
        self.value = value

    def evaluate(self, env):
        return self.value

    def __eq__(self, other):
        return isinstance(other, Number) and self.value == other.value

    def __repr__(self):
        return f"Number({self.value})"


class Variable:
    def __init__(self, name):
        self.name = name

    def evaluate(self, env):
        return env[self.name]

    def __eq__(self, other):
        return isinstance(other, Variable) and self.name == other.name

    def __repr__(self):
        return f"Variable({self.name!r})"


class BinOp:
    def __init__(self, op, left, right):
        self.op = op
        self.left = left
        self.right = right

    def evaluate(self, env):
        return OPERATORS[self.op](self.left.evaluate(env), self.right.evaluate(env))

    def __eq__(self, other):
        return (isinstance(other, BinOp) and self.op == other.op
                and self.left == other.left and self.right == other.right)

    def __repr__(self):
        return f"BinOp({self.op!r}, {self.left!r}, {self.right!r})"


def parse(text):
    """Prefix notation: "+ 1 * x 2" is 1 + (x * 2)."""
    tokens = text.split()
    tree, rest = _parse(tokens)
    if rest:
        raise ValueError(f"left over: {rest}")
    return tree


def _parse(tokens):
    if not tokens:
        raise ValueError("expression ends too soon")
    first, rest = tokens[0], tokens[1:]
    if first in OPERATORS:
        left, rest = _parse(rest)
        right, rest = _parse(rest)
        return BinOp(first, left, right), rest
    if first.lstrip("-").isdigit():
        return Number(int(first)), rest
    return Variable(first), rest


def simplify(tree):
    if not isinstance(tree, BinOp):
        return tree
    left, right = simplify(tree.left), simplify(tree.right)
    if isinstance(left, Number) and isinstance(right, Number):
        return Number(OPERATORS[tree.op](left.value, right.value))
    if tree.op == "+" and right == Number(0):
        return left
    if tree.op == "*" and right == Number(1):
        return left
    return BinOp(tree.op, left, right)
