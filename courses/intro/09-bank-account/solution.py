class Account:
    def __init__(self, owner):
        self.owner = owner
        self.balance = 0
        self._history = []

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposits must be positive")
        self.balance += amount
        self._history.append(("deposit", amount))

    def withdraw(self, amount):
        if amount <= 0:
            raise ValueError("withdrawals must be positive")
        if amount > self.balance:
            raise ValueError("insufficient funds")
        self.balance -= amount
        self._history.append(("withdraw", amount))

    def history(self):
        return list(self._history)
