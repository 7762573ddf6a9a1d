class GaveUp(Exception):
    pass


def retry(action, attempts=3, retry_on=(ValueError,), on_retry=None):
    """Calls action() until it succeeds; errors of the kinds in retry_on are
    retried (on_retry(attempt, error) hears about each), anything else goes
    straight through. After `attempts` failures, raises GaveUp."""
    last_error = None
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as error:
            last_error = error
            if on_retry is not None:
                on_retry(attempt, error)
    raise GaveUp(f"gave up after {attempts} attempts") from last_error
