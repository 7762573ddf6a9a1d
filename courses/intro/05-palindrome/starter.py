def is_palindrome(text):
    """True if text reads the same both ways, counting only letters and digits."""
    return None
