MAX_ITEMS = 10


def page_count(items):
    if not items:
        return 1
    return (len(items) + MAX_ITEMS - 1) // MAX_ITEMS


def page(items, number, size=MAX_ITEMS):
    """Page `number` (from 1) of the items."""
    if not 1 <= number <= page_count(items):
        raise IndexError(f"no page {number}")
    start = (number - 1) * size
    return items[start:start + size]


def pages(items):
    return [page(items, number) for number in range(1, page_count(items) + 1)]
