def encode(text):
    """'aaab' -> '3a1b'"""
    return ""


def decode(code):
    """'3a1b' -> 'aaab'"""
    return ""
