def total(numbers):
    return sum(numbers)


def descending(numbers):
    return sorted(numbers, reverse=True)


def positions(words):
    return {word: i for i, word in enumerate(words)}


def shout(words):
    return [w.upper() for w in words]
