# Technique: take the runner's call_builtin (lent for `input`) out of the
# closure of builtins.input, and ask it for `open` of one of the runner's
# descriptors: the report channel, closed.
# Targets: inline
# At b4aa48e no report came (InternalError, our fault; a red-team review):
# call_builtin ran the runner's own open though no test had patched it.
# Now only `input`, and print and open while a test has patched them, are
# the runner's (runner.call_builtin); anything else is a NameError.

import builtins


def _call_builtin():
    # The runner's call_builtin, lent for `input`: in the closure of the
    # forwarder learner.py puts in builtins.input.
    for cell in builtins.input.__closure__ or ():
        value = cell.cell_contents
        if not isinstance(value, str):
            return value


def add(a, b):
    cb = _call_builtin()
    # builtins.open is NOT patched by the test, yet call_builtin("open")
    # runs the runner's real open. An int opens one of the runner's
    # descriptors; close() closes it: fd 4 is the report channel.
    cb("open", 4, "rb").close()
    return a - b

# === tests ===
import unittest

import solution


class AddTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(solution.add(2, 3), 5)
