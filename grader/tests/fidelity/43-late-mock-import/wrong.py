import random
import time


def roll():
    # Off by one: never rolls a 6.
    return random.randint(1, 5)


def wait_and_roll(seconds):
    time.sleep(seconds)
    return roll()
