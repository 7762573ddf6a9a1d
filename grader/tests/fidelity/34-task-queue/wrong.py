import heapq


class Task:
    """A job to do; a lower priority number is more urgent."""

    def __init__(self, priority, title):
        self.priority = priority
        self.title = title

    def _key(self):
        return (self.priority, self.title)

    def __eq__(self, other):
        if not isinstance(other, Task):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other):
        return self.priority < other.priority

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"Task({self.priority}, {self.title!r})"


class TaskQueue:
    def __init__(self, tasks=()):
        self._heap = list(tasks)
        heapq.heapify(self._heap)

    def push(self, task):
        heapq.heappush(self._heap, task)

    def pop(self):
        return heapq.heappop(self._heap)

    def peek(self):
        return self._heap[0]

    def __len__(self):
        return len(self._heap)

    def drain(self):
        return [self.pop() for _ in range(len(self))]
