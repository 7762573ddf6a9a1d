def fewest_coins(coins, amount):
    """Fewest coins summing to amount, or -1 if impossible."""
    impossible = amount + 1
    best = [0] + [impossible] * amount
    for total in range(1, amount + 1):
        for coin in coins:
            if coin <= total and best[total - coin] + 1 < best[total]:
                best[total] = best[total - coin] + 1
    return best[amount] if best[amount] != impossible else -1
