class StackUnderflowError(IndexError):
    """Popping an empty stack."""


class BufferEmpty(BufferError):
    def __init__(self, message, size=0):
        super().__init__(message)
        self.size = size


class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        if not self.items:
            raise StackUnderflowError("the stack is empty")
        return self.items.pop()


def read(buffer):
    if not buffer:
        raise BufferEmpty("nothing to read", size=len(buffer))
    return buffer.pop(0)
