def count_vowels(text):
    """Return the number of vowels (aeiou, any case) in text."""
    return sum(1 for ch in text.lower() if ch in "aeiou")
