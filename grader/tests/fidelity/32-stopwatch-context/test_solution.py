# Covers: a learner context manager class in a `with` statement (enter returns the learner object, exceptions pass through), a contextlib generator context manager, a Mock side_effect list as a fake clock
import unittest
from unittest import mock

from solution import Stopwatch, temporarily


class StopwatchTest(unittest.TestCase):
    def test_with_returns_the_stopwatch(self):
        clock = mock.Mock(side_effect=[100.0, 102.5])
        watch = Stopwatch(clock)
        with watch as running:
            self.assertIs(running, watch)
            self.assertTrue(running.running)
        self.assertFalse(watch.running)
        self.assertEqual(watch.elapsed, 2.5)

    def test_laps(self):
        ticks = iter([0, 3, 7, 10])
        with Stopwatch(lambda: next(ticks)) as watch:
            self.assertEqual(watch.lap(), 3)
            watch.lap()
        self.assertEqual(watch.laps, [3, 7])
        self.assertEqual(watch.elapsed, 10)

    def test_errors_pass_through_and_time_is_kept(self):
        clock = mock.Mock(side_effect=[1, 4])
        with self.assertRaises(ZeroDivisionError):
            with Stopwatch(clock) as watch:
                1 / 0
        self.assertEqual(watch.elapsed, 3)
        self.assertEqual(clock.call_count, 2)


class TemporarilyTest(unittest.TestCase):
    def test_sets_and_restores(self):
        settings = {"debug": False, "level": 1}
        with temporarily(settings, "debug", True) as inside:
            self.assertIs(inside, settings)
            self.assertEqual(settings["debug"], True)
        self.assertEqual(settings, {"debug": False, "level": 1})

    def test_removes_a_key_that_was_not_there(self):
        settings = {}
        with temporarily(settings, "colour", "red"):
            self.assertEqual(settings, {"colour": "red"})
        self.assertEqual(settings, {})

    def test_restores_after_an_error(self):
        settings = {"retries": 3}
        with self.assertRaises(KeyError):
            with temporarily(settings, "retries", 0):
                settings["nope"]
        self.assertEqual(settings, {"retries": 3})
