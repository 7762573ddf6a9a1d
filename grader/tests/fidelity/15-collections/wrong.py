from collections import Counter, OrderedDict, defaultdict, deque


def letter_counts(text):
    return Counter(c for c in text.lower() if c.isalpha())


def group_by_length(words):
    groups = defaultdict(list)
    for word in words:
        groups[len(word)].append(word)
    return groups


def first_seen(items):
    out = OrderedDict()
    for item in items:
        out.setdefault(item, len(out))
    return out


def last_n(items, n):
    return deque(items[:n], maxlen=n)


def xor_bytes(data, key):
    return bytearray(b ^ key for b in data)
