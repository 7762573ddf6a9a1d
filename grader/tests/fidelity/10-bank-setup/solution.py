class Account:
    opened = 0

    def __init__(self, owner, balance=0):
        if balance < 0:
            raise ValueError("a new account cannot be overdrawn")
        self.owner, self.balance = owner, balance
        Account.opened += 1

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("deposit a positive amount")
        self.balance += amount
        return self.balance

    def withdraw(self, amount):
        if amount > self.balance:
            raise ValueError(f"only {self.balance} left")
        self.balance -= amount
        return self.balance
