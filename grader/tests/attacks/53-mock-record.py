# Technique: a record of calls that never happened. A test patches the
# solution's rate lookup with a mock and checks how it was called through
# the mock's lists (mock_calls, call_args_list); the learner's code never
# calls it, but appends the expected calls to those lists, which it reads
# as data, and reads the configured return value to give the right answer.
# Targets: inline
# Lists cross as shared only when they are exactly lists: the mock's are
# its _CallList subclass, so the learner's side gets copies and the test's
# record is untouched. (With every list subclass shared, both tests were
# judged passed: seen.) Reading the public return_value is allowed: it is
# what the test configured the mock to give, as under plain Python.
from unittest import mock


def get_rate(currency):
    return 1


def convert(amount, currency):
    rate_lookup = get_rate
    for record in (rate_lookup.mock_calls, rate_lookup.call_args_list):
        try:
            record.append(mock.call(currency))
        except Exception:
            pass
    return amount * rate_lookup.return_value

# === tests ===
import unittest
from unittest import mock

import solution


class MockRecordTest(unittest.TestCase):
    def test_calls_the_lookup_once(self):
        with mock.patch("solution.get_rate", return_value=2) as lookup:
            self.assertEqual(solution.convert(10, "EUR"), 20)
        self.assertEqual(lookup.mock_calls, [mock.call("EUR")])

    def test_asks_for_the_currency(self):
        with mock.patch("solution.get_rate", return_value=3) as lookup:
            self.assertEqual(solution.convert(1, "USD"), 3)
        self.assertEqual(lookup.call_args_list, [mock.call("USD")])
