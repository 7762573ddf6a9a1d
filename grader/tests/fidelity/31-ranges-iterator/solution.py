class Steps:
    """Like range(), but for any numbers: start, start + step, ... below stop."""

    def __init__(self, start, stop, step=1):
        if step <= 0:
            raise ValueError("step must be positive")
        self.current = start
        self.stop = stop
        self.step = step

    def __iter__(self):
        return self

    def __next__(self):
        if self.current >= self.stop:
            raise StopIteration
        value = self.current
        self.current += self.step
        return value


def iterate(function, start):
    """start, function(start), function(function(start)), ... for ever."""
    value = start
    while True:
        yield value
        value = function(value)


def take_while(predicate, items):
    for item in items:
        if not predicate(item):
            return
        yield item
