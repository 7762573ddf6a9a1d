PAIRS = {")": "(", "]": "[", "}": "{"}


def is_balanced(text):
    """True if every (, [ and { in text is closed by its match, in order."""
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in PAIRS:
            if not stack or stack.pop() != PAIRS[ch]:
                return False
    return not stack
