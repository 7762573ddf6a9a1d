def top_words(text, n):
    """Return the n most frequent words as (word, count), ties broken alphabetically."""
    return []
