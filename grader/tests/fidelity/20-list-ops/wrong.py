def length(items):
    count = 0
    for _ in items:
        count += 1
    return count


def map_items(function, items):
    return [function(item) for item in items]


def filter_items(predicate, items):
    return [item for item in items if predicate(item)]


def foldl(function, items, initial):
    accumulator = initial
    for item in items:
        accumulator = function(item, accumulator)
    return accumulator


def foldr(function, items, initial):
    accumulator = initial
    for item in reversed(items):
        accumulator = function(item, accumulator)
    return accumulator


def concat(lists):
    return foldl(lambda done, more: done + list(more), lists, [])
