import unittest

from solution import Account


class AccountTest(unittest.TestCase):
    def test_starts_empty_with_its_owner(self):
        acc = Account("Ada")
        self.assertEqual(acc.owner, "Ada")
        self.assertEqual(acc.balance, 0)

    def test_deposit_and_withdraw(self):
        acc = Account("Ada")
        acc.deposit(50)
        acc.withdraw(20)
        self.assertEqual(acc.balance, 30)

    def test_overdraft_is_refused_and_changes_nothing(self):
        acc = Account("Ada")
        acc.deposit(10)
        with self.assertRaises(ValueError):
            acc.withdraw(11)
        self.assertEqual(acc.balance, 10)

    def test_non_positive_amounts_are_refused(self):
        acc = Account("Ada")
        for bad in (0, -5):
            with self.subTest(amount=bad):
                with self.assertRaises(ValueError):
                    acc.deposit(bad)
                with self.assertRaises(ValueError):
                    acc.withdraw(bad)

    def test_history_records_only_what_happened(self):
        acc = Account("Ada")
        acc.deposit(50)
        try:
            acc.withdraw(500)
        except ValueError:
            pass
        acc.withdraw(20)
        self.assertEqual(acc.history(), [("deposit", 50), ("withdraw", 20)])
