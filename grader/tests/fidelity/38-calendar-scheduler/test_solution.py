# Covers: date / datetime / timedelta arguments and results combined with the test's callback, Decimal money values, a Mock as callback
import unittest
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

from solution import add_working_days, bill, every


def nightly_price(day):
    return Decimal("80.00") if day.weekday() >= 5 else Decimal("65.50")


class SchedulerTest(unittest.TestCase):
    def test_weekly_includes_the_last_day(self):
        seen = []
        count = every(date(2024, 1, 1), date(2024, 1, 29), timedelta(weeks=1), seen.append)
        self.assertEqual(count, 5)
        self.assertEqual(seen[-1], date(2024, 1, 29))
        self.assertTrue(all(day.weekday() == 0 for day in seen))

    def test_hours_of_a_day(self):
        callback = mock.Mock()
        every(datetime(2024, 3, 1, 9), datetime(2024, 3, 1, 17), timedelta(hours=4), callback)
        self.assertEqual(callback.call_args_list, [
            mock.call(datetime(2024, 3, 1, 9)),
            mock.call(datetime(2024, 3, 1, 13)),
            mock.call(datetime(2024, 3, 1, 17)),
        ])

    def test_nothing_when_the_end_is_before_the_start(self):
        callback = mock.Mock()
        self.assertEqual(every(date(2024, 5, 2), date(2024, 5, 1), timedelta(days=1), callback), 0)
        callback.assert_not_called()

    def test_bill_for_a_stay(self):
        total = bill(date(2024, 6, 6), date(2024, 6, 9), nightly_price)
        self.assertEqual(total, Decimal("291.00"))
        self.assertIsInstance(total, Decimal)

    def test_working_days(self):
        self.assertEqual(add_working_days(date(2024, 6, 7), 1), date(2024, 6, 10))
        self.assertEqual(add_working_days(date(2024, 6, 5), 10), date(2024, 6, 19))
        self.assertEqual(date(2024, 6, 19) - date(2024, 6, 5), timedelta(days=14))
