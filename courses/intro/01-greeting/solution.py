def greet(name):
    """Return 'Hello, <name>!', or 'Hello, world!' for an empty name."""
    return f"Hello, {name or 'world'}!"
