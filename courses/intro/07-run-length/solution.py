import re
from itertools import groupby


def encode(text):
    """'aaab' -> '3a1b'"""
    return "".join(f"{len(list(run))}{ch}" for ch, run in groupby(text))


def decode(code):
    """'3a1b' -> 'aaab'"""
    return "".join(ch * int(count) for count, ch in re.findall(r"(\d+)(\D)", code))
