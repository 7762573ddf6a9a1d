import json
from collections import deque, OrderedDict, Counter
from urllib.error import URLError


def greet():
    name = input("Name? ")
    print(f"Hello, {name}!")


def enqueue(q, item):
    q.append(item)


def touch(cache, key):
    cache.move_to_end(key)


def tally(words, counts):
    counts.update(set(words))


def is_red(color):
    return color == "red"


def total(items):
    return sum(i.price for i in items)


def cheapest(items):
    return max(items).name


def fetch(get):
    try:
        return get("http://x")
    except OSError:
        return "offline"


def parse(loader):
    try:
        return loader()
    except ValueError:
        return None


def sum_file(path):
    with open(path) as f:
        return sum(int(line) for line in f)


def helper(x):
    return x * 2


def use_helper(x):
    return helper(x) + 1
