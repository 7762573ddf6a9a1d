class Money:
    def __init__(self, cents):
        self.cents = cents

    def __int__(self):
        return self.cents // 100

    def __float__(self):
        return float(self.cents // 100)

    def __index__(self):
        return self.cents

    def __bool__(self):
        return self.cents != 0

    def __str__(self):
        return f"${self.cents // 100}.{self.cents % 100:02d}"

    def __format__(self, spec):
        return format(self.cents / 100, spec) if spec else str(self)


def total(*amounts):
    return Money(sum(a.cents for a in amounts))
