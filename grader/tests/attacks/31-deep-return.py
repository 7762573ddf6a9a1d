# Technique: a return value nested far deeper than any recursion limit, and
# one that contains itself, hoping to crash the runner's decoder.
# Targets: 08-flatten


def flatten(items):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    loop = []
    loop.append(loop)
    return deep if len(items) % 2 else loop
