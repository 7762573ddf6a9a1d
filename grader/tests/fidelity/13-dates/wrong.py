from datetime import date, datetime, time, timedelta, timezone


def add_gigasecond(moment):
    return moment + timedelta(seconds=10**9 - 1)


def meetup(year, month, weekday):
    """The first `weekday` (0 is Monday) of the month."""
    day = date(year, month, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def opening_hours():
    return (time(9, 0), time(17, 30))


def in_utc(moment):
    return moment.astimezone(timezone.utc)


def age_in_days(born, today):
    return (today - born).days
