class Cell:
    def __init__(self, value):
        self._value = value
        self._callbacks = []

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, new):
        self._value = new
        for callback in list(self._callbacks):
            callback(new)

    def subscribe(self, callback):
        self._callbacks.append(callback)
        return callback

    def unsubscribe(self, callback):
        self._callbacks.remove(callback)


class Computed(Cell):
    def __init__(self, inputs, compute):
        self._inputs = list(inputs)
        self._compute = compute
        super().__init__(self._evaluate())
        for cell in self._inputs:
            cell.subscribe(self._refresh)

    def _evaluate(self):
        return self._compute(*[cell.value for cell in self._inputs])

    def _refresh(self, _new):
        self.value = self._evaluate()
