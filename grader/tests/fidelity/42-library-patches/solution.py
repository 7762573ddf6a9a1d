import random
import sys
import time

__all__ = ["roll", "retry", "read_numbers", "interview", "countdown", "make_multiplier", "normalise",
           "Greeter", "Temperature", "Shape", "build_all", "Account"]


def roll():
    return random.randint(1, 6)


def retry(fn, attempts=3, delay=5.0):
    for _ in range(attempts):
        try:
            return fn()
        except ConnectionError:
            time.sleep(delay)
    raise ConnectionError("gave up")


def read_numbers():
    return [int(word) for word in sys.stdin.read().split()]


def interview():
    print("Welcome!")
    name = input("Your name: ")
    print(f"Hello, {name}!")


def countdown(n):
    while n > 0:
        yield n
        n -= 1


def make_multiplier(k):
    return lambda x: x * k


def normalise(names):
    return [name.strip().title() for name in names]


class Greeter:
    prefix = "Hello"

    def __init__(self, name):
        self.name = name

    @property
    def greeting(self):
        return f"{self.prefix}, {self.name}"

    def greet(self):
        return self.greeting + "!"


class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    def __eq__(self, other):
        return isinstance(other, Temperature) and self.celsius == other.celsius

    def __hash__(self):
        return hash(self.celsius)


class Shape:
    sides = 0

    def describe(self):
        return f"{type(self).__name__} with {self.sides} sides"


def build_all(kinds):
    return [kind().describe() for kind in kinds]


class Account:
    def __init__(self, owner):
        self.owner = owner
        self.balance = 0

    def notify(self, message):
        print(message)

    def deposit(self, amount):
        self.balance += amount
        self.notify(f"deposited {amount}")
        return self.balance
