import unittest

from solution import Account


class AccountTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.before = Account.opened

    def setUp(self):
        self.account = Account("ada", 100)

    def test_counts_accounts_at_class_level(self):
        Account("bob")
        self.assertGreaterEqual(Account.opened - self.before, 2)

    def test_deposit_and_withdraw(self):
        self.assertEqual(self.account.deposit(50), 150)
        self.assertEqual(self.account.withdraw(30), 120)
        self.assertEqual(self.account.balance, 120)

    def test_overdraft_is_refused_with_a_message(self):
        with self.assertRaises(ValueError) as caught:
            self.account.withdraw(500)
        self.assertEqual(caught.exception.args[0], "only 100 left")

    def test_bad_amounts(self):
        with self.assertRaisesRegex(ValueError, "positive"):
            self.account.deposit(0)
        with self.assertRaises(ValueError):
            Account("eve", -1)
