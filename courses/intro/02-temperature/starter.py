def to_fahrenheit(celsius):
    """Convert degrees Celsius to Fahrenheit, rounded to one decimal."""
    return 0
