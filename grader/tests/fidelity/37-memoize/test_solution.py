# Covers: learner decorators applied by the test to the test's own functions and methods, counting how often the test's function really ran
import unittest

import solution


class MemoizeTest(unittest.TestCase):
    def setUp(self):
        self.runs = []

    def slow_square(self, n):
        self.runs.append(n)
        return n * n

    def test_runs_once_per_argument(self):
        fast = solution.memoize(self.slow_square)
        self.assertEqual(fast(4), 16)
        self.assertEqual(fast(4), 16)
        self.assertEqual(fast(5), 25)
        self.assertEqual(self.runs, [4, 5])

    def test_remembers_falsy_results(self):
        fast = solution.memoize(self.slow_square)
        self.assertEqual(fast(0), 0)
        self.assertEqual(fast(0), 0)
        self.assertEqual(self.runs, [0])

    def test_keeps_the_name(self):
        @solution.memoize
        def shout(word):
            """Loud."""
            return word.upper()

        self.assertEqual(shout("hi"), "HI")
        self.assertEqual(shout.__name__, "shout")
        self.assertEqual(shout.__doc__, "Loud.")

    def test_recursive_function(self):
        calls = []

        @solution.memoize
        def fib(n):
            calls.append(n)
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        self.assertEqual(fib(30), 832040)
        self.assertEqual(sorted(calls), list(range(31)))


class CountCallsTest(unittest.TestCase):
    def test_counts_calls_with_keywords(self):
        @solution.count_calls
        def greet(name, *, greeting="hello"):
            return f"{greeting} {name}"

        self.assertEqual(greet("ada"), "hello ada")
        self.assertEqual(greet("bob", greeting="hi"), "hi bob")
        self.assertEqual(greet.calls, 2)
