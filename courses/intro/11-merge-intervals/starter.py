def merge(intervals):
    """Merge overlapping or touching (start, end) intervals; sorted by start."""
    return intervals
