def fibonacci():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def take(n, iterable):
    out = []
    for item in iterable:
        if len(out) == n:
            break
        out.append(item)
    return out
