def to_fahrenheit(celsius):
    """Convert degrees Celsius to Fahrenheit, rounded to one decimal."""
    return round(celsius * 9 / 5 + 32, 1)
