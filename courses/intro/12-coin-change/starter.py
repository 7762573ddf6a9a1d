def fewest_coins(coins, amount):
    """Fewest coins summing to amount, or -1 if impossible."""
    count = 0
    for coin in sorted(coins, reverse=True):
        pass
    return count
