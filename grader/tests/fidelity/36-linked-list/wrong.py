class Node:
    def __init__(self, value, next=None):
        self.value = value
        self.next = next


class LinkedList:
    def __init__(self, values=()):
        self._head = None
        self._size = 0
        for value in reversed(list(values)):
            self.push(value)

    def push(self, value):
        self._head = Node(value, self._head)
        self._size += 1

    def pop(self):
        if self._head is None:
            raise IndexError("pop from an empty list")
        node = self._head
        self._head = node.next
        self._size -= 1
        return node.value

    def __len__(self):
        return self._size

    def __iter__(self):
        node = self._head
        while node is not None:
            yield node.value
            node = node.next

    def __getitem__(self, index):
        if index < 0:
            index += self._size
        if not 0 <= index <= self._size:
            raise IndexError("list index out of range")
        node = self._head
        for _ in range(index):
            node = node.next
        return node.value

    def __contains__(self, value):
        return any(item == value for item in self)

    def __reversed__(self):
        return iter(list(self)[::-1])
