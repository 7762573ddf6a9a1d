from datetime import timedelta
from decimal import Decimal


def every(start, end, step, callback):
    """Calls callback(moment) for start, start + step, ... up to and including end;
    returns how many calls were made."""
    moment = start
    count = 0
    while moment < end:
        callback(moment)
        count += 1
        moment += step
    return count


def bill(start, end, price_for):
    """The total of price_for(day) over each day from start to end inclusive."""
    total = Decimal("0.00")

    def add(day):
        nonlocal total
        total += price_for(day)

    every(start, end, timedelta(days=1), add)
    return total


def add_working_days(start, days):
    """The date `days` working days (Monday to Friday) after start."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
