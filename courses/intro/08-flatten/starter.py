def flatten(items):
    """Return the non-list elements of a nested list, in order."""
    return items
