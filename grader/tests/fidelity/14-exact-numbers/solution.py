from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def price_with_tax(price, rate):
    return (price * (1 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def harmonic(n):
    return sum(Fraction(1, k) for k in range(1, n + 1))


def roots(a, b, c):
    import cmath

    d = cmath.sqrt(b * b - 4 * a * c)
    return ((-b + d) / (2 * a), (-b - d) / (2 * a))


def evens(limit):
    return range(0, limit, 2)
