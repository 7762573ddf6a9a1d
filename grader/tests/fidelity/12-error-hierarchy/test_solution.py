import unittest

import solution
from solution import Account, AccountClosed, BankError, InsufficientFunds


class HierarchyTest(unittest.TestCase):
    def test_a_subclass_is_caught_by_its_base(self):
        with self.assertRaises(BankError):
            Account(5).withdraw(10)

    def test_its_own_class_and_attributes(self):
        with self.assertRaises(InsufficientFunds) as caught:
            Account(5).withdraw(12)
        self.assertEqual(caught.exception.needed, 7)
        self.assertEqual(str(caught.exception), "7 short")

    def test_two_bases(self):
        account = Account(5)
        account.close()
        with self.assertRaises(PermissionError):
            account.withdraw(1)
        with self.assertRaises(BankError):
            account.withdraw(1)

    def test_the_same_class_each_time(self):
        self.assertIs(solution.BankError, BankError)
        self.assertTrue(issubclass(AccountClosed, BankError))
        self.assertFalse(issubclass(InsufficientFunds, PermissionError))
