def count_vowels(text):
    """Return the number of vowels (aeiou, any case) in text."""
    count = 0
    return count
