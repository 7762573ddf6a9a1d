# Covers: exceptions raised by the test's callback (ValueError caught by the learner, KeyError let through to assertRaises), Mock side_effect list, call_count, assert_called_once_with
import unittest
from unittest import mock

from solution import GaveUp, retry


class RetryTest(unittest.TestCase):
    def test_flaky_function_succeeds_on_the_third_try(self):
        calls = []

        def flaky():
            calls.append(1)
            if len(calls) < 3:
                raise ValueError("not yet")
            return "done"

        self.assertEqual(retry(flaky), "done")
        self.assertEqual(len(calls), 3)

    def test_first_success_is_returned_at_once(self):
        action = mock.Mock(return_value=7)
        self.assertEqual(retry(action, attempts=5), 7)
        action.assert_called_once_with()

    def test_side_effect_list(self):
        action = mock.Mock(side_effect=[ValueError("a"), ValueError("b"), 42])
        on_retry = mock.Mock()
        self.assertEqual(retry(action, on_retry=on_retry), 42)
        self.assertEqual(action.call_count, 3)
        self.assertEqual(on_retry.call_count, 2)
        attempt, error = on_retry.call_args.args
        self.assertEqual(attempt, 2)
        self.assertEqual(str(error), "b")

    def test_gives_up_after_the_last_attempt(self):
        action = mock.Mock(side_effect=ValueError("never"))
        with self.assertRaises(GaveUp) as caught:
            retry(action, attempts=4)
        self.assertEqual(action.call_count, 4)
        self.assertIsInstance(caught.exception.__cause__, ValueError)
        self.assertEqual(str(caught.exception), "gave up after 4 attempts")

    def test_other_errors_are_not_retried(self):
        def broken():
            raise KeyError("missing")

        with self.assertRaises(KeyError):
            retry(broken)

    def test_chosen_errors_are_retried(self):
        action = mock.Mock(side_effect=[KeyError("k"), "ok"])
        self.assertEqual(retry(action, retry_on=(KeyError,)), "ok")
        with self.assertRaises(ValueError):
            retry(mock.Mock(side_effect=ValueError("v")), retry_on=(KeyError,))
