# Technique: wrong answers, and every call into the test's callbacks
# wrapped in `try/except BaseException: pass`, so that the test's failed
# assertion in the callback (raised into the learner's code as an
# AssertionError) is swallowed and the test goes on to pass.
# Targets: inline
# At b4aa48e it passed (a red-team review). Now a failed assertion, skip or
# stop the test's code raised in a callback is raised again in the test once
# the learner's call returns, whatever the learner's code did with it
# (runner.Link.ask), as in one process, where it is the test's.

class EventBus:
    def __init__(self):
        self.handlers = {}

    def subscribe(self, event, handler):
        self.handlers.setdefault(event, []).append(handler)

    def publish(self, event, payload):
        for handler in self.handlers.get(event, []):
            try:
                handler({"wrong": True})
            except BaseException:
                pass


def checkout(cart, on_total):
    try:
        on_total(-1)
    except BaseException:
        pass

# === tests ===
import unittest
from unittest import mock

import solution


class BusTest(unittest.TestCase):
    def test_handler_gets_payload(self):
        bus = solution.EventBus()
        calls = []

        def handler(payload):
            self.assertEqual(payload, {"id": 7})
            calls.append(payload)

        bus.subscribe("order", handler)
        bus.publish("order", {"id": 7})

    def test_total_reported(self):
        check = mock.Mock(side_effect=lambda total: self.assertEqual(total, 23))
        solution.checkout([(5, 3), (4, 2)], check)
        check.assert_called_once()
