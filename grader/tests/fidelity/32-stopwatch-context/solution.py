import contextlib
import time


class Stopwatch:
    """Times a `with` block; the clock is any function returning seconds."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.laps = []
        self.elapsed = None
        self.running = False

    def __enter__(self):
        self.started = self.clock()
        self.running = True
        return self

    def lap(self):
        self.laps.append(self.clock() - self.started)
        return self.laps[-1]

    def __exit__(self, exc_type, exc, traceback):
        self.elapsed = self.clock() - self.started
        self.running = False
        return False


@contextlib.contextmanager
def temporarily(settings, key, value):
    """Sets settings[key] to value for the block, then puts things back."""
    missing = object()
    old = settings.get(key, missing)
    settings[key] = value
    try:
        yield settings
    finally:
        if old is missing:
            del settings[key]
        else:
            settings[key] = old
