import unittest
from datetime import date, datetime, time, timedelta, timezone

from solution import add_gigasecond, age_in_days, in_utc, meetup, opening_hours


class DatesTest(unittest.TestCase):
    def test_gigasecond(self):
        self.assertEqual(add_gigasecond(datetime(2011, 4, 25)), datetime(2043, 1, 1, 1, 46, 40))

    def test_meetup_returns_a_date(self):
        self.assertEqual(meetup(2015, 3, 0), date(2015, 3, 2))
        self.assertIsInstance(meetup(2015, 3, 0), date)

    def test_times(self):
        self.assertEqual(opening_hours(), (time(9, 0), time(17, 30)))

    def test_a_fixed_offset(self):
        moment = datetime(2020, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        self.assertEqual(in_utc(moment), datetime(2020, 6, 1, 10, 0, tzinfo=timezone.utc))

    def test_days_between(self):
        self.assertEqual(age_in_days(date(2000, 1, 1), date(2000, 3, 1)), 60)
