import functools


def memoize(function):
    """Remembers each result, so `function` runs once per distinct arguments."""
    cache = {}

    @functools.wraps(function)
    def wrapper(*args):
        if not cache.get(args):
            cache[args] = function(*args)
        return cache[args]

    wrapper.cache = cache
    return wrapper


def count_calls(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return function(*args, **kwargs)

    wrapper.calls = 0
    return wrapper
