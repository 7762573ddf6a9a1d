"""Lists, dicts and sets that both sides hold, kept alike, so that a test's
list the learner's code keeps and appends to later, a dict of the learner's
that a test clears, or a list the learner's code hands back (`assertIs`)
behave as one object does in one process.

Each side has a copy of a shared container, under a number. Before either
side writes a message, it compares each shared container with what it was
when both sides last agreed, and sends the changed ones' contents with the
message (`changes`); the other side puts them in place before it reads the
message (`apply`). Only one side runs at a time, so no change is ever
concurrent. A container that nothing but this table holds any more is
forgotten on both sides. The contents are plain data and handles like any
other value: sharing changes where a value lives, never what may cross.

Bounds: a container of more than MAX_ITEMS items, or past MAX_LIVE_ITEMS
shared at once, crosses as a copy, as before (the learner's side copies
back what a call did to such an argument). The other side sharing more
than twice that is a broken protocol.

A message read may make this side write one before it is done (hashing a
learner object while a set is built asks the learner's side): such a
message carries no changes, since nothing on this side ran in between.
"""

import sys

import wire

MAX_ITEMS = 10_000
MAX_LIVE_ITEMS = 200_000
_KINDS = (list, dict, set)


class Mirrors:
    """One side's shared containers, by number (the runner's even, the
    learner's odd, so neither side can reuse the other's)."""

    def __init__(self, first, encode_contents):
        self.next = first
        # `encode_contents(container)`: its contents as this side writes
        # them, to tell whether it changed.
        self.encode_contents = encode_contents
        self.objects = {}
        self.numbers = {}
        # Numbers the other side knows, and those it learns from the
        # message being written.
        self.sent = set()
        self.fresh = []
        self.noted = set()
        self.writing = False
        self.baselines = {}
        self.items = 0
        # Forgotten here, not yet told (the message that would have said so
        # could not be written).
        self.untold = []
        # Messages being read, each with the containers it shared.
        self.reading = []
        probe = {0: []}
        for _, obj in list(probe.items()):
            self.unreferenced = sys.getrefcount(obj)

    def mark(self, obj):
        """("new" | "ref", number) for a container being written, or None
        to write it as a copy."""
        number = self.numbers.get(id(obj))
        if number is None or self.objects.get(number) is not obj:
            if len(obj) > MAX_ITEMS or self.items + len(obj) > MAX_LIVE_ITEMS:
                return None
            number = self.next
            self.next += 2
            self.objects[number] = obj
            self.numbers[id(obj)] = number
            self.items += len(obj)
        if number in self.sent or number in self.noted:
            return ("ref", number)
        if self.writing:
            self.sent.add(number)
            self.fresh.append(number)
        else:
            self.noted.add(number)
        return ("new", number)

    def adopt(self, number, obj):
        """A container the other side shares: this side's copy of it."""
        if type(obj) not in _KINDS or number % 2 == self.next % 2 or number in self.objects or not self.reading:
            raise wire.WireError("malformed data (a shared container out of place)")
        if self.items + len(obj) > 2 * MAX_LIVE_ITEMS:
            raise wire.WireError("more shared lists, dicts and sets than the limit")
        self.objects[number] = obj
        self.numbers[id(obj)] = number
        self.sent.add(number)
        self.reading[-1].append(number)
        self.items += len(obj)

    def get(self, number):
        obj = self.objects.get(number) if number in self.sent else None
        if obj is None:
            raise wire.WireError("malformed data (no such shared container)")
        return obj

    def forget(self, number):
        obj = self.objects.pop(number, None)
        if obj is not None:
            self.numbers.pop(id(obj), None)
            self.items -= len(obj)
        self.baselines.pop(number, None)
        known = number in self.sent
        self.sent.discard(number)
        return known

    def _contents(self, obj):
        self.noted.clear()
        try:
            return self.encode_contents(obj)
        finally:
            self.noted.clear()

    def changes(self):
        """(changed, forgotten) to send with the next message: the contents
        of each shared container that changed here, and the numbers of
        those nothing here holds any more."""
        if self.reading:
            return (), ()
        changed, forgotten = [], self.untold
        self.untold = []
        try:
            for number in [n for n in self.objects if n in self.sent]:
                obj = self.objects[number]
                try:
                    now = self._contents(obj)
                except wire.WireError:  # it outgrew what may cross: a copy from now on
                    self.forget(number)
                    forgotten.append(number)
                    continue
                if now != self.baselines.get(number):
                    changed.append((number, wire.Contents(obj)))
        except BaseException:
            self.untold.extend(forgotten)
            raise
        # Forgotten after its last change was taken: the other side may
        # still hold its copy.
        for number, obj in list(self.objects.items()):
            if sys.getrefcount(obj) <= self.unreferenced and self.forget(number):
                forgotten.append(number)
        return tuple(changed), tuple(forgotten)

    def begin(self):
        """Before a message is written."""
        self.writing = True
        self.fresh = []
        self.noted.clear()

    def written(self, changes, ok):
        """After a message with `changes` was written (`ok`) or could not
        be: what went out is what both sides now agree on."""
        self.writing = False
        fresh, self.fresh = self.fresh, []
        changed, forgotten = changes
        if ok:
            self.agree([n for n, _ in changed] + fresh)
        else:
            for number in fresh:
                self.forget(number)
            self.untold.extend(forgotten)

    def agree(self, numbers):
        for number in numbers:
            obj = self.objects.get(number)
            if obj is not None:
                try:
                    self.baselines[number] = self._contents(obj)
                except wire.WireError:
                    self.baselines.pop(number, None)

    def begin_read(self):
        """Before a message is read."""
        self.reading.append([])

    def end_read(self):
        """After a message could not be read."""
        self.reading.pop()

    def apply(self, changed, forgotten):
        """Puts the other side's changes in place, once its message is read
        (`adopt` took the containers it shared)."""
        try:
            self._apply(changed, forgotten, self.reading[-1])
        finally:
            self.reading.pop()

    def _apply(self, changed, forgotten, adopted):
        if type(changed) is not tuple or type(forgotten) is not tuple:
            raise wire.WireError("malformed data (changes of the wrong shape)")
        done = []
        for change in changed:
            if type(change) is not tuple or len(change) != 2:
                raise wire.WireError("malformed data (a change of the wrong shape)")
            number, new = change
            obj = self.objects.get(number) if number in self.sent else None
            if obj is None or type(new) is not type(obj):
                raise wire.WireError("malformed data (a change to no such container)")
            self.items += len(new) - len(obj)
            if type(obj) is list:
                obj[:] = new
            else:
                obj.clear()
                obj.update(new)
            done.append(number)
        for number in forgotten:
            self.forget(number)
        self.agree(done + adopted)
