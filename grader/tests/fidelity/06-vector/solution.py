import math


class Vector:
    def __init__(self, *components):
        self.components = tuple(components)

    def __eq__(self, other):
        return isinstance(other, Vector) and self.components == other.components

    def __hash__(self):
        return hash(self.components)

    def __repr__(self):
        return f"Vector{self.components}"

    def __add__(self, other):
        return Vector(*(a + b for a, b in zip(self.components, other.components)))

    def __mul__(self, k):
        return Vector(*(a * k for a in self.components))

    __rmul__ = __mul__

    def __matmul__(self, other):
        return sum(a * b for a, b in zip(self.components, other.components))

    def __neg__(self):
        return self * -1

    def __abs__(self):
        return math.sqrt(self @ self)

    def __round__(self, ndigits=None):
        return Vector(*(round(a, ndigits) for a in self.components))

    def __format__(self, spec):
        return "(" + ", ".join(format(a, spec) for a in self.components) + ")"

    def __iadd__(self, other):
        self.components = (self + other).components
        return self
