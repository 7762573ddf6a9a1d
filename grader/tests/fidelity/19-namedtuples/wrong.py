from collections import namedtuple
from typing import NamedTuple

Point = namedtuple("Point", "x y")


class Interval(NamedTuple):
    low: int
    high: int


def parse(text):
    x, y = text.split(",")
    return Point(int(x), int(y))


def midpoint(a, b):
    return Point((a.x + b.x) / 2, (a.y + b.y) / 2)


def spans(pairs):
    return [Interval(low, high) for low, high in pairs if low <= high]


def width(interval):
    return interval[1] - interval[0] + 1
