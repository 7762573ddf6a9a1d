from math import gcd


class Rational:
    def __init__(self, numer, denom):
        if denom < 0:
            numer, denom = -numer, -denom
        g = gcd(numer, denom) or 1
        self.numer, self.denom = numer // g, denom // g

    def __eq__(self, other):
        if isinstance(other, int):
            other = Rational(other, 1)
        return (self.numer, self.denom) == (other.numer, other.denom)

    def __hash__(self):
        return hash((self.numer, self.denom))

    def __repr__(self):
        return f"{self.numer}/{self.denom}"

    def _coerce(self, other):
        return other if isinstance(other, Rational) else Rational(other, 1)

    def __add__(self, other):
        other = self._coerce(other)
        return Rational(self.numer * other.denom + other.numer * self.denom, self.denom * other.denom)

    __radd__ = __add__

    def __sub__(self, other):
        return self + -self._coerce(other)

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        other = self._coerce(other)
        return Rational(self.numer * other.numer, self.denom * other.denom)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = self._coerce(other)
        return Rational(self.numer * other.denom, self.denom * other.numer)

    def __neg__(self):
        return Rational(-self.numer, self.denom)

    def __abs__(self):
        return Rational(abs(self.numer), self.denom)

    def __pow__(self, power):
        if power >= 0:
            return Rational(self.numer**power, self.denom**power)
        return Rational(self.denom**-power, self.numer**-power)

    def __lt__(self, other):
        other = self._coerce(other)
        return self.numer * other.denom < other.numer * self.denom

    def __float__(self):
        return self.numer / self.denom
