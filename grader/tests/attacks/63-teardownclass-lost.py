# Technique: an honest mistake that only a class's tearDownClass catches:
# each test passes, and the check after them fails.
# Targets: inline
# At b4aa48e it passed (a red-team review): a failing tearDownClass was
# dropped, where plain unittest fails the run. Now a tear-down of its class
# or module that fails after a test ran fails that test too
# (runner.Results.report).

class Ledger:
    def __init__(self):
        self.entries = []

    def post(self, debit, credit, amount):
        self.entries.append((debit, +amount))

    def balanced(self):
        return sum(a for _, a in self.entries) == 0

# === tests ===
import unittest

import solution


class LedgerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ledger = solution.Ledger()

    @classmethod
    def tearDownClass(cls):
        # Every test must have left the shared ledger balanced.
        assert cls.ledger.balanced(), "the ledger does not balance"

    def test_post_rent(self):
        self.ledger.post("rent", "cash", 500)

    def test_post_salary(self):
        self.ledger.post("cash", "salary", 2000)
