def flatten(items):
    """Return the non-list elements of a nested list, in order."""
    flat = []
    for item in items:
        if isinstance(item, list):
            flat.extend(flatten(item))
        else:
            flat.append(item)
    return flat
