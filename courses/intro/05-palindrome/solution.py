def is_palindrome(text):
    """True if text reads the same both ways, counting only letters and digits."""
    kept = [ch.lower() for ch in text if ch.isalnum()]
    return kept == kept[::-1]
