class BankError(Exception):
    pass


class InsufficientFunds(Exception):
    def __init__(self, needed):
        super().__init__(f"{needed} short")
        self.needed = needed


class AccountClosed(BankError, PermissionError):
    pass


class Account:
    def __init__(self, balance):
        self.balance, self.open = balance, True

    def withdraw(self, amount):
        if not self.open:
            raise AccountClosed("closed")
        if amount > self.balance:
            raise InsufficientFunds(amount - self.balance)
        self.balance -= amount

    def close(self):
        self.open = False
