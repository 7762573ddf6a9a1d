class Account:
    def __init__(self, owner):
        self.owner = owner

    def deposit(self, amount):
        pass

    def withdraw(self, amount):
        pass

    def history(self):
        pass
