def is_balanced(text):
    """True if every (, [ and { in text is closed by its match, in order."""
    stack = []
    return None
