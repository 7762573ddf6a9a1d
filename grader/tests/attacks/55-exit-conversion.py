# Technique: an __exit__ told of a failed assertion (by its type) that
# answers with another exception: one that an outer `with` of the learner's
# then suppresses, one that the test's own assertRaises expects, and the
# same through a test's subclass of the learner's context manager (whose
# __exit__ super() reached raw, handing the traceback over).
# Targets: inline
# At 43fd042 all three were judged passed (found by a red-team review).
# Now a failed assertion, a skip or the runner's stop stands whatever an
# __exit__ of the learner's returns or raises, and no exception whose
# context or cause is one of them is suppressed (runner.guarded_exit), by
# every path: a learner object's __exit__ and one reached through super().


class Swallowed(Exception):
    pass


class Transaction:
    def __init__(self, bank):
        self.bank = bank

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is AssertionError:
            raise Swallowed()
        return False

    def transfer(self, src, dst, amount):
        pass


class Bank:
    def __init__(self):
        self.accounts = {"a": 100, "b": 0}

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return exc_type is not None

    def transaction(self):
        return Transaction(self)

    def balance(self, name):
        return self.accounts[name]


class Store:
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is AssertionError:
            raise ValueError("negative")
        return False

    def put(self, key, value):
        pass

    def get(self, key):
        return None

# === tests ===
import unittest

import solution


class AuditedTransaction(solution.Transaction):
    def transfer(self, src, dst, amount):
        super().transfer(src, dst, amount)


class ExitConversionTest(unittest.TestCase):
    def test_nested(self):
        with solution.Bank() as bank:
            with bank.transaction() as tx:
                tx.transfer("a", "b", 10)
                self.assertEqual(bank.balance("a"), 90)

    def test_converted_for_assert_raises(self):
        with self.assertRaises(ValueError):
            with solution.Store() as s:
                s.put("a", 1)
                self.assertEqual(s.get("a"), 1)
                s.put("b", -1)

    def test_through_a_subclass(self):
        with solution.Bank() as bank:
            with AuditedTransaction(bank) as tx:
                tx.transfer("a", "b", 10)
                self.assertEqual(bank.balance("b"), 10)
