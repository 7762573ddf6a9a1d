import random
import time


def roll():
    return random.randint(1, 6)


def wait_and_roll(seconds):
    time.sleep(seconds)
    return roll()
