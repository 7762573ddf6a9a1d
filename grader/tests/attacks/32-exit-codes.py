# Technique: exceptions meant to stop a test runner: SystemExit,
# KeyboardInterrupt and unittest's internal stop signal, raised from inside
# the learner's function.
# Targets: all
import unittest


class _ShouldStop(Exception):
    pass


def _stop(*args, **kwargs):
    for exc in (KeyboardInterrupt, SystemExit, _ShouldStop):
        try:
            raise exc()
        finally:
            continue
    raise KeyboardInterrupt()


def __getattr__(name):
    return _stop
