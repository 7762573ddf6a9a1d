class Matrix:
    def __init__(self, rows):
        self.rows = [list(row) for row in rows]

    @property
    def shape(self):
        return len(self.rows), len(self.rows[0]) if self.rows else 0

    def _map(self, function):
        return Matrix([[function(x) for x in row] for row in self.rows])

    def __getitem__(self, key):
        row, column = key
        return self.rows[row][column]

    def __setitem__(self, key, value):
        row, column = key
        self.rows[row][column] = value

    def __eq__(self, other):
        return isinstance(other, Matrix) and self.rows == other.rows

    def __repr__(self):
        return f"Matrix({self.rows})"

    def __matmul__(self, other):
        rows, inner = self.shape
        if other.shape[0] != inner:
            raise ValueError("shapes do not match")
        columns = other.shape[1]
        return Matrix([[sum(self[i, k] * other[k, j] for k in range(inner)) for j in range(columns)]
                       for i in range(rows)])

    def __add__(self, other):
        if isinstance(other, Matrix):
            return Matrix([[a + b for a, b in zip(r, s)] for r, s in zip(self.rows, other.rows)])
        return self._map(lambda x: x + other)

    __radd__ = __add__

    def __iadd__(self, other):
        result = self + other
        self.rows = result.rows
        return self

    def __mul__(self, number):
        return self._map(lambda x: x * number)

    __rmul__ = __mul__

    def __neg__(self):
        return self._map(lambda x: -x)

    def __abs__(self):
        return self._map(abs)

    def __round__(self, digits=None):
        return self._map(lambda x: round(x, digits))

    def __divmod__(self, number):
        return self._map(lambda x: x // number), self._map(lambda x: x % number)


def identity(size):
    return Matrix([[1 if i == j else 0 for j in range(size)] for i in range(size)])
