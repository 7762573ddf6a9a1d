"""The trusted side of a run, PID 1 of the container under the runner's uid,
non-dumpable. It alone holds the tests (read from stdin into memory, never a
file), runs them with unittest, judges each one, and writes the one report
on the channel (the container's stdout, framed by the nonce).

The learner's code runs in another process under another uid. Each name the
tests import from `solution` is a proxy ([`Remote`]) whose calls cross one
socket as plain data (wire.py). What comes back is decoded into fresh
builtin values, so every comparison a test makes runs here, on values the
learner's objects cannot lie through: an always-equal object, a str subclass
or a patched unittest never reach this process. Objects of the learner's own
classes stay there behind handles; their attributes and methods are fetched
over the socket, and operations between two of them (==, <, hash, `in`,
isinstance) and arithmetic with plain data are the learner's code's to
answer, as in plain Python. A judgement about a value of the test's own is
never forwarded: a learner object is not equal to, ordered against or found
in place of one, whatever its __eq__ says ([`Remote`]).

Each test has a time limit. A call past it fails that test as time_limit,
the learner's process is ended and the next call starts a fresh one, so the
other tests still report. Output printed during hidden tests is dropped: they
run last, so no visible test's output can carry what a hidden test passed in.
Nor can their time: the hidden phase (from the end of the last visible test
to the report) is padded to a length fixed before it starts (`hidden_phase`),
so nothing the learner can time depends on what the learner's code did with
a hidden test's input, short of a time limit, which is its verdict class.
"""

import builtins
import collections
import difflib
import functools
import io
import json
import os
import socket
import sys
import time
import traceback
import types
import unittest

import lending
import mirrors
import patching
import suite
import wire

# Every enum of the test's crosses as its value (wire.py).
wire.ENUMS_BY_VALUE = True

# Seconds the learner host gets to start or end a learner process: at most
# CONTROL_WAIT, and no later than the test's deadline unless that leaves
# less than CONTROL_FLOOR (ending a process that ran out of time starts
# past its deadline; an honest host answers in milliseconds).
CONTROL_WAIT = 2.0
CONTROL_FLOOR = 0.5
# No value yet (a call that has not returned).
NOTHING = object()


def shown(value, depth=0):
    """A short repr of a value of ours or of a decoded learner value, never
    asking the learner's code: their objects are only named."""
    if is_remote(value):
        return "<your object>"
    if value is None or isinstance(value, (bool, float)):
        text = repr(value)
    elif isinstance(value, int):
        try:
            text = repr(value)
        except ValueError:  # more digits than Python will print
            text = f"<an int of about {int(value.bit_length() * 0.30103)} digits>"
    elif isinstance(value, (str, bytes)):
        text = repr(value if len(value) <= 80 else value[:80]) + ("…" if len(value) > 80 else "")
    elif depth >= 2:
        text = "…"
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = [shown(v, depth + 1) for v in list(value)[:8]] + (["…"] if len(value) > 8 else [])
        inner = ", ".join(items)
        if isinstance(value, list):
            text = f"[{inner}]"
        elif isinstance(value, tuple):
            text = f"({inner}{',' if len(value) == 1 else ''})"
        else:
            text = f"{{{inner}}}" if value else f"{type(value).__name__}()"
    elif isinstance(value, dict):
        items = [f"{shown(k, depth + 1)}: {shown(v, depth + 1)}" for k, v in list(value.items())[:8]]
        text = "{" + ", ".join(items + (["…"] if len(value) > 8 else [])) + "}"
    elif isinstance(value, wire.SCALARS):
        text = repr(value)
    else:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 300 else text[:300] + "…"


def distinct(value):
    """Whether `is` can tell this value from an equal one made elsewhere:
    None, booleans, small ints and very short strings are shared objects, so
    a comparison about another value could look like one about this."""
    if value is None or isinstance(value, (bool, int)):
        return False
    return not (isinstance(value, str) and len(value) <= 1)


def result_side(result, first, second):
    """Which side of a failed comparison is the learner's call's result: 0
    or 1, or None when neither is. By identity where `is` can tell (see
    `distinct`); a shared value (a number, None, a boolean, a one-letter
    text) by an equal value of its very type on one side alone, which a
    failed comparison has at most once."""
    if distinct(result):
        return 0 if first is result else 1 if second is result else None
    # The type first: a learner object's __eq__ is never asked here.
    same = [type(v) is type(result) and v == result for v in (first, second)]
    return same.index(True) if same.count(True) == 1 else None


def call_text(name, args, kwargs):
    """How a call looked: `greet('Ada')`."""
    parts = [shown(a) for a in args] + [f"{k}={shown(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


# Every outcome a test's part can have. The runner reports each test's
# parts as they happened; which one the test is judged by is the judge's
# precedence alone (grader/src/judge.rs, whose tests read this list).
OUTCOMES = (
    "passed",
    "skipped",
    "expected_failure",
    "unexpected_success",
    "failed",
    "error",
    "crashed",
    "memory_limit",
    "time_limit",
    "output_limit",
)


class CallTimeout(BaseException):
    """A call ran past the test's time limit. BaseException: a test's own
    `assertRaises(Exception)` must not pass on it."""


class OutputLimitHit(BaseException):
    """The learner's code printed more than the output limit."""


class LearnerCrashed(Exception):
    """The learner's process ended, or broke the protocol, during a call."""


class LearnerOutOfMemory(Exception):
    """The kernel killed the learner's process for using too much memory."""


class LearnerGone(Exception):
    """The learner host stopped answering: no process can run the code now."""


class LearnerError(Exception):
    """An exception of the learner's whose type is not a builtin one."""


class Unsendable(Exception):
    """A value of the learner's that cannot cross (too big, too deep)."""


class Stale(Exception):
    """Something that needs the learner's process before it can be written
    (a learner object of an earlier process, looked up again; a test's
    subclass not made there yet), met while a message was being written:
    `prepare` runs between two tries, never inside an encoding."""

    def __init__(self, prepare):
        super().__init__()
        self.prepare = prepare


# The runner's own control flow: it ends a test however deep in the
# learner's calls into the test's code (and back) it happens, and is never
# handed to the learner's code as an exception it could catch.
CONTROL = (CallTimeout, OutputLimitHit, LearnerCrashed, LearnerGone, LearnerOutOfMemory)
# A module attribute a test deleted (`patches`).
_DELETED = object()


class Link:
    """The runner's end of the pipe to the learner's side."""

    def __init__(self, ctl, source, limits):
        self.ctl = ctl
        self.source = source
        self.limits = limits
        self.sock = None
        self.generation = 0
        self.gone = None
        # When the current test's time is up; set per test.
        self.deadline = None
        self.printed = 0
        # The current test's last call into the learner's code, as text, and
        # what it returned (NOTHING until it returns): a failure shows them.
        self.last_call = None
        self.last_result = NOTHING
        # One proxy per learner object and generation, so `is` works.
        self.remotes = {}
        # The runner's stand-ins for the learner's exception classes.
        self.exceptions = ExceptionClasses()
        self.oom_kills = oom_kills()
        # The test's objects the learner's process holds handles to.
        self.lent = lending.Lent(CONTROL, self._hold_failure)
        # How many of the learner's calls into the test's code are running
        # (a callback inside a call): only the outermost call is the test's.
        self.depth = 0
        # What the tests set on `solution` (a patch, a constant), by name,
        # in order; None once deleted. A fresh learner process gets it too.
        self.patches = {}
        # The runner's classes for the tests' subclasses of learner
        # classes, by the learner class's handle.
        self.subclass_bases = {}
        # The lists, dicts and sets this process shares with the learner's.
        self.mirrors = None
        # The first failed assertion, skip or stop of the test's code in a
        # callback, until the outermost request returns (`ask`).
        self.held_failure = None

    def _control(self, message, fd=None):
        if self.gone:
            raise LearnerGone(self.gone)
        # A host the learner's code stopped cannot hold the runner long.
        wait = CONTROL_WAIT
        if self.deadline is not None:
            wait = min(wait, max(CONTROL_FLOOR, self.deadline - time.monotonic()))
        try:
            self.ctl.settimeout(wait)
            if fd is None:
                self.ctl.send(message)
            else:
                socket.send_fds(self.ctl, [message], [fd])
            reply = self.ctl.recv(256)
        except OSError:
            reply = b""
        if not reply:
            self.gone = "The process that starts your code stopped answering; did your code kill it?"
            raise LearnerGone(self.gone)
        return reply

    def start(self):
        """A fresh learner process with the learner's module loaded."""
        ours, theirs = socket.socketpair()
        try:
            self._control(b"spawn", theirs.fileno())
        finally:
            theirs.close()
        self.sock = ours
        self.generation += 1
        self.remotes.clear()
        self.lent.clear()
        self.mirrors = mirrors.Mirrors(2, self._contents)
        learner_limits = {k: self.limits[k] for k in ("output_bytes", "keep_bytes", "value_bytes", "value_depth")}
        try:
            self._exchange(("load", self.source, learner_limits, call_builtin))
            for name, value in self.patches.items():
                self._exchange(("setattr", 0, name, value) if value is not _DELETED else ("delattr", 0, name))
        except BaseException:
            self.end()
            raise

    def end(self):
        """Ends the learner process; how it ended, in words."""
        if self.sock is None:
            return "ended"
        self.sock.close()
        self.sock = None
        try:
            return self._control(b"end").decode("utf-8", "replace").removeprefix("ended ")
        except LearnerGone:
            return "ended"

    def ask(self, op, remote, *rest):
        """One request about `remote` (a proxy, or 0 for the module). A
        failed assertion, skip or stop the test's code raised inside it (a
        callback the learner's code called) is raised here once the
        outermost request returns, whatever the learner's code did with it:
        as in one process, it is the test's, not the learner's to swallow."""
        number = remote if isinstance(remote, int) else remote._live()
        if self.sock is None:
            self.start()
        try:
            answer = self._exchange((op, number, *rest))
        except StopIteration as e:
            # As PEP 479 has it for generators: a StopIteration out of a
            # call is an error, never the end of the test's iteration.
            if op == "op" and rest[:1] == ("next",):
                raise
            raise self._failure_first(RuntimeError(f"your code raised StopIteration: {e}"))
        except BaseException as e:
            raise self._failure_first(e)
        failure = self._failure_first(None)
        if failure is not None:
            raise failure
        return answer

    def _failure_first(self, exc):
        """A failure of the test's code held for the outermost request, in
        place of `exc`; `exc` when there is none, or inside a callback."""
        if self.depth or self.held_failure is None or isinstance(exc, CONTROL):
            return exc
        held, self.held_failure = self.held_failure, None
        return held

    def set_module_attribute(self, name, value):
        """`solution.name = value` from a test (a patch, or undoing one): set
        in the learner's module, and again in any fresh learner process."""
        self.patches.pop(name, None)
        self.patches[name] = value
        self.ask("setattr", 0, name, value)

    def del_module_attribute(self, name):
        self.patches.pop(name, None)
        self.patches[name] = _DELETED
        self.ask("delattr", 0, name)

    def _contents(self, container):
        return wire.encode(
            wire.Contents(container),
            self._outgoing,
            self.limits["value_bytes"],
            self.limits["value_depth"],
            self.mirrors,
        )

    def _write(self, message):
        """A message, with what changed here in the shared containers."""
        for _ in range(100):
            self.lent.begin()
            try:
                changes = self.mirrors.changes()
            except Stale as e:
                self.lent.end(False)
                e.prepare()
                continue
            self.mirrors.begin()
            try:
                payload = wire.encode(
                    (*changes, message, patched_builtins(), patching.module_patches()),
                    self._outgoing,
                    self.limits["value_bytes"],
                    self.limits["value_depth"] + 4,
                    self.mirrors,
                )
            except Stale as e:
                self.mirrors.written(changes, False)
                self.lent.end(False)
                e.prepare()
                continue
            except BaseException:
                self.mirrors.written(changes, False)
                self.lent.end(False)
                raise
            self.mirrors.written(changes, True)
            self.lent.end(True)
            return payload
        raise LearnerCrashed("Your code's objects kept changing while they were sent.")

    def _read(self, raw):
        """A message, once the learner's changes to shared containers are
        in place."""
        self.mirrors.begin_read()
        try:
            envelope = wire.decode(raw, self._incoming, self.limits["value_depth"] + 4, self.mirrors, self.deadline)
        except BaseException:
            self.mirrors.end_read()
            raise
        if not (isinstance(envelope, tuple) and len(envelope) == 3):
            self.mirrors.end_read()
            raise wire.WireError("malformed data (a message without its changes)")
        self.mirrors.apply(envelope[0], envelope[1])
        return envelope[2]

    def _exchange(self, message):
        try:
            payload = self._write(message)
        except wire.WireError as e:
            raise TypeError(f"the test passed a value your code cannot be given: {e}") from None
        try:
            wire.send(self.sock, payload, self.deadline)
            while True:
                raw = wire.recv(self.sock, self.deadline, self.limits["value_bytes"] + 2 * self.limits["output_bytes"])
                # Reading what came is bounded by the deadline too.
                reply = self._read(raw)
                if not (isinstance(reply, tuple) and reply and reply[0] == "back"):
                    break
                # The learner's code called one of the test's objects: what
                # it printed before comes first (a prompt after its text),
                # then the call runs here, and may call into the learner's
                # code again.
                if len(reply) < 3 or not isinstance(reply[1], bytes) or not isinstance(reply[2], bytes):
                    raise wire.WireError("a call back without its output")
                self._printed(reply[1], reply[2], False)
                wire.send(self.sock, self._serve_back(reply[:1] + reply[3:]), self.deadline)
        except wire.Timeout:
            self.end()
            raise CallTimeout(
                f"This test ran past its time limit of {self.limits['test_ms'] / 1000:.1f} s, "
                "so your code was stopped."
            ) from None
        except wire.Closed:
            how = self.end()
            if self._out_of_memory():
                raise LearnerOutOfMemory("Your code used more memory than allowed and was stopped.") from None
            raise LearnerCrashed(f"Your code's process ended during this call ({how}).") from None
        except wire.WireError as e:
            self.end()
            raise LearnerCrashed(f"Your code's process sent something that is not plain data: {e}") from None
        return self._unpack(reply)

    def _out_of_memory(self):
        now = oom_kills()
        return now is not None and self.oom_kills is not None and now > self.oom_kills

    def _hold_failure(self, exc):
        if self.held_failure is None and isinstance(exc, _UNSUPPRESSIBLE):
            self.held_failure = exc

    def _serve_back(self, request):
        """The encoded answer to the learner's call into a lent object."""
        self.depth += 1
        try:
            answer = self.lent.serve(request)
        finally:
            self.depth -= 1
        try:
            return self._write(answer)
        except CONTROL:
            raise
        except Exception as e:  # a result that cannot be lent: an error there
            return self._write(("back_raise", "TypeError", (f"the test's code gave back what cannot cross: {e}",), None))

    def _outgoing(self, obj):
        """How a value of this side crosses: the learner's own objects as
        their handles, the test's as lent objects."""
        # By type, never isinstance: a spec'd mock claims any class.
        if is_remote(obj):
            return wire.LEARNER, obj._number_now(), ""
        if type(obj) is RemoteModule:
            return wire.LEARNER, 0, ""
        if type(obj) is LearnerSubclass:
            made = obj.__dict__.get("_cp_base_of") or obj._cp_made_now()
            if made is None:
                raise Stale(obj._cp_learner)
            return wire.LEARNER, made._number_now(), ""
        learner_class = obj.__dict__.get("_cp_learner_class") if isinstance(obj, type) else None
        if is_remote(learner_class):
            return wire.LEARNER, learner_class._number_now(), ""
        return wire.RUNNER, self.lent.lend(obj), lending.kind(obj)

    def _incoming(self, owner, number, kind):
        if owner == wire.RUNNER:
            return self.lent.get(number)
        key = (self.generation, number)
        remote = self.remotes.get(key)
        if remote is None:
            abilities, claimed, name = wire.description(kind)
            remote = self.remotes[key] = remote_class(abilities, claimed)(self, self.generation, number, name)
        return remote

    def _unpack(self, reply):
        kind = reply[0] if isinstance(reply, tuple) and reply else None
        shapes = {
            "ok": (object, object, bytes, bytes),
            "raise": (str, tuple, str, list, dict, object, object, bytes, bytes),
            "unsendable": (str, bytes, bytes),
            "output_limit": (bytes, bytes),
        }
        shape = shapes.get(kind)
        if shape is None or len(reply) != len(shape) + 1 or not all(isinstance(v, t) for v, t in zip(reply[1:], shape)):
            self.end()
            raise LearnerCrashed("Your code's process answered out of turn (did it write to the runner's socket?).")
        self._printed(reply[-2], reply[-1], kind == "output_limit")
        if kind == "ok":
            return reply[1], reply[2]
        if kind == "raise":
            raise rebuild(self.exceptions, *reply[1:8])
        if kind == "unsendable":
            raise Unsendable(f"Your code gave back a value that cannot be checked: {reply[1]}.")
        raise AssertionError("unreachable")

    def _printed(self, out, err, over):
        self.printed += len(out) + len(err)
        for data, stream in ((out, sys.stdout), (err, sys.stderr)):
            if data:
                stream.write(data.decode("utf-8", "replace"))
        if over or self.printed > self.limits["output_bytes"]:
            self.end()
            raise OutputLimitHit(f"Your code printed more than {self.limits['output_bytes'] // 1024} KiB.")


def oom_kills():
    """How many processes the kernel has killed for memory in this cgroup
    (the container's), or None where that cannot be read. Only the kernel
    writes it: the learner's code can neither hide nor fake an OOM kill."""
    for path in ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"):
        try:
            with io.open(path) as f:  # never a test's patch of builtins.open
                for line in f:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return None


def _builtin_exception(name):
    """The builtin exception class called `name`, if there is one that may be
    raised here: never a BaseException that would stop the run (SystemExit,
    KeyboardInterrupt)."""
    cls = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() else None
    return cls if isinstance(cls, type) and issubclass(cls, Exception) else None


class ExceptionClasses:
    """The runner's own class for each exception class of the learner's,
    made once per name and given again each time, so that the class
    `from solution import BufferEmpty` gives a test is the one its
    assertRaises catches. Each is a fresh subclass of the runner's stand-ins
    for the learner classes above it and of the builtin exception classes
    among its bases (`class BufferEmpty(BufferError)` is a BufferError
    here), and nothing else: no class of the runner's or of unittest (a
    SkipTest) can be claimed, whatever the learner's class calls itself."""

    def __init__(self):
        self.made = {}

    def get(self, chain):
        """The class for `chain` ([name, builtin, base names] for each class
        of the learner's class's MRO, it first), or None when it names no
        class of the learner's."""
        try:
            classes = {str(n)[:200]: (b is True, [str(x)[:200] for x in bases][:8]) for n, b, bases in chain[:32]}
            first = str(chain[0][0])[:200]
        except (TypeError, ValueError, IndexError):
            return None
        if classes[first][0]:
            return None
        return self._build(first, classes, set())

    def _build(self, name, classes, seen):
        builtin, bases = classes.get(name, (True, []))
        if builtin:
            return _builtin_exception(name)
        if name in self.made:
            return self.made[name]
        if name in seen:  # a chain that loops: no class of Python's does
            return None
        seen.add(name)
        made = [c for c in (self._build(b, classes, seen) for b in bases) if c is not None]
        made = list(dict.fromkeys(made)) or [Exception]
        module, _, qualname = name.rpartition(".")
        # The learner's class's name: an exception of this class raised
        # into the learner's code is of the learner's own class there.
        namespace = {"__module__": module or "solution", "__qualname__": qualname, "_cp_learner_name": name}
        cls = None
        for tried in (made, made[:1], [Exception]):
            try:
                cls = type(qualname.rpartition(".")[2] or "Error", tuple(tried), namespace)
                break
            except TypeError:  # bases whose layouts or order conflict
                continue
        self.made[name] = cls
        return cls


def rebuild(classes, name, args, text, chain, attrs, origin, cause=None, depth=0):
    """The learner's exception as one of ours: the test's own class where
    the learner's code let one of the test's exceptions through (`origin`),
    the same builtin type where it is one (so assertRaises(ValueError)
    works), else the runner's class for the learner's (ExceptionClasses),
    with the learner's public plain attributes; a LearnerError where none
    can be made."""
    if isinstance(cause, tuple) and len(cause) == 7 and depth < 3:
        kinds = (str, tuple, str, list, dict, object, object)
        cause = rebuild(classes, *cause, depth=depth + 1) if all(map(isinstance, cause, kinds)) else None
    else:
        cause = None
    # What the failure message is made of is the runner's own text: the
    # learner's objects in an exception's args are only named.
    args = tuple(_named(a) for a in args)
    attrs = {k: _named(v) for k, v in attrs.items()}
    cls = origin if lending.crossable_exception(origin) else None
    cls = cls or _builtin_exception(name) or classes.get(chain)
    exc = None
    if cls is not None:
        try:
            exc = cls(*args)
        except Exception:
            exc = None
    if exc is None:
        detail = str(args[0]) if args else ""
        exc = LearnerError(f"{name}: {detail}" if detail else name)
    for key, value in attrs.items():
        if isinstance(key, str) and key.isidentifier() and not key.startswith("_"):
            try:
                setattr(exc, key, value)
            except Exception:
                pass
    exc.learner_text = text
    if cause is not None:
        exc.__cause__ = cause
    return exc


def _named(value, depth=0):
    """`value`, or its `shown` text where a learner object is in it."""
    return shown(value) if _holds_remote(value, depth) else value


def _holds_remote(value, depth=0):
    """Whether `value` (a decoded value) may hold a learner object: any
    container but the plain ones is taken to, so that no kind of value the
    wire learns later lets a learner's __repr__ run here unseen."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, bytearray, *wire.SCALARS)):
        return False
    if is_remote(value) or depth > 8:
        return True
    if isinstance(value, (list, tuple, set, frozenset, collections.deque)):
        return any(_holds_remote(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_holds_remote(k, depth + 1) or _holds_remote(v, depth + 1) for k, v in value.items())
    return True


def is_remote(value):
    """Whether `value` is one of the learner's objects, by its type (which a
    spec'd mock cannot claim, as it can claim a class to isinstance)."""
    return issubclass(type(value), Remote)


class Remote:
    """One of the learner's objects, seen from here. Calls, attributes,
    iteration, len, indexing, str, repr, bool and `with` cross the pipe, and
    so does every operation Python would ask the learner's object: between
    two learner objects (==, <, `in`, hash, isinstance with a class handle)
    the learner's code decides, as it would in plain Python; arithmetic,
    unary operators and conversions go to the learner's code with plain data
    on the other side, and their result comes back as any result does. What
    never crosses is a judgement about a value of ours: a learner object is
    never equal to, ordered against, or found in place of a runner value
    (`_mine`), whatever its __eq__ says, so no always-equal object can stand
    in for an expected value."""

    __slots__ = ("_cp_link", "_cp_generation", "_cp_number", "_cp_kind", "_cp_origin")

    def __init__(self, link, generation, number, kind, origin=None):
        for slot, value in zip(Remote.__slots__, (link, generation, number, kind, origin)):
            object.__setattr__(self, slot, value)

    def _live(self):
        """The handle number in the current learner process. A module-level
        name is looked up again after the process was replaced; any other
        object was lost with it."""
        link = self._cp_link
        if link.sock is None:
            link.start()
        if self._cp_generation == link.generation:
            return self._cp_number
        if self._cp_origin is None:
            raise LearnerCrashed(
                f"Your {self._cp_kind} was lost when your code's process was restarted after an earlier failure."
            )
        fresh = link.ask("getattr", 0, self._cp_origin)
        if not isinstance(fresh[0], Remote):
            raise LearnerCrashed(f"{self._cp_origin} changed when your code's process was restarted.")
        object.__setattr__(self, "_cp_generation", fresh[0]._cp_generation)
        object.__setattr__(self, "_cp_number", fresh[0]._cp_number)
        return self._cp_number

    def _number_now(self):
        """The handle number, if this is a learner object of the current
        learner process (Stale otherwise: looked up before a message)."""
        if self._cp_generation != self._cp_link.generation:
            raise Stale(self._live)
        return self._cp_number

    def __getattr__(self, name):
        # Python's own probes (__length_hint__, __deepcopy__, __fspath__)
        # are not the learner's to answer; what describes an object is.
        if name.startswith("__") and name.endswith("__") and name not in _DESCRIPTIVE:
            raise AttributeError(name)
        return self._cp_link.ask("getattr", self, name)[0]

    def __setattr__(self, name, value):
        self._cp_link.ask("setattr", self, name, value)

    def __mro_entries__(self, bases):
        """A test's `class Square(Shape)` with Shape from solution: the
        runner's base for subclasses of this learner class."""
        if not self._cp_kind.startswith("class "):
            raise TypeError(f"your {self._cp_kind} cannot be subclassed")
        return (subclass_base(self),)

    def _op(self, name, *args):
        return self._cp_link.ask("op", self, name, args)[0]

    def _mine(self, other):
        """Whether `other` is a learner object too, of this same run."""
        return is_remote(other) and other._cp_link is self._cp_link

    def _answer(self, name, other, kind=bool):
        """An operation whose result must be of `kind` (a bool, an int)."""
        value = self._op(name, other)
        if type(value) is not kind:
            raise TypeError(f"your code's {name} gave something that is not {kind.__name__}")
        return value

    def __hash__(self):
        return self._answer("hash", None, int)

    def __contains__(self, item):
        if self._mine(item):
            return self._answer("contains", item)
        # A value of ours is looked for among the items, compared here, as
        # Python does for a container without __contains__.
        return any(x is item or x == item for x in self)

    def __instancecheck__(self, obj):
        return self._mine(obj) and self._answer("isinstance", obj)

    def __subclasscheck__(self, cls):
        return self._mine(cls) and self._answer("issubclass", cls)

    def __reversed__(self):
        return self._op("reversed")

    def __neg__(self):
        return self._op("unary", "neg")

    def __pos__(self):
        return self._op("unary", "pos")

    def __invert__(self):
        return self._op("unary", "invert")

    def __abs__(self):
        return self._op("unary", "abs")

    def __trunc__(self):
        return self._op("unary", "trunc")

    def __floor__(self):
        return self._op("unary", "floor")

    def __ceil__(self):
        return self._op("unary", "ceil")

    def __int__(self):
        return self._answer("int", None, int)

    def __index__(self):
        return self._answer("index", None, int)

    def __float__(self):
        return self._answer("float", None, float)

    def __round__(self, ndigits=None):
        return self._op("round", ndigits)

    def __format__(self, spec):
        return self._answer("format", spec, str)

    def __iter__(self):
        it = self._op("iter")
        return it if is_remote(it) else iter(it)

    def __next__(self):
        return self._op("next")

    def __len__(self):
        n = self._op("len")
        if type(n) is not int or n < 0:
            raise TypeError("your __len__ returned something that is not a length")
        return n

    def __getitem__(self, key):
        return self._op("getitem", key)

    def __setitem__(self, key, value):
        self._op("setitem", key, value)

    def __delitem__(self, key):
        self._op("delitem", key)

    def __str__(self):
        s = self._op("str")
        if type(s) is not str:
            raise TypeError("your __str__ returned something that is not a str")
        return s

    def __repr__(self):
        try:
            s = self._op("repr")
        except Exception:
            s = None
        return s if type(s) is str else f"<your {self._cp_kind}>"

    def __bool__(self):
        b = self._op("bool")
        if type(b) is not bool:
            raise TypeError("your __bool__ returned something that is not a bool")
        return b

    def __enter__(self):
        return self._op("enter")

    def __exit__(self, exc_type, exc, tb):
        return guarded_exit(exc, lambda info: self._op("exit", info))


# What no __exit__ of the learner's may swallow.
_UNSUPPRESSIBLE = (AssertionError, unittest.SkipTest, unittest.case._ShouldStop, *CONTROL)


def _call_remote(self, *args, **kwargs):
    """A call of a learner object whose type has __call__ (`remote_class`)."""
    link = self._cp_link
    # A call the test's callback makes is not the test's own call.
    outermost = link.depth == 0
    if outermost:
        link.last_call = call_text(self._cp_origin or "your function", args, kwargs)
        link.last_result = NOTHING
    result, back = link.ask("call", self, args, kwargs)
    if outermost:
        link.last_result = result
    if back is not None:
        _copy_back(back, args, kwargs)
    return result


@functools.cache
def remote_class(abilities, claimed=None):
    """The Remote class for learner objects whose type has these
    operations (wire.ABILITIES) and no others, so that callable(), iter()
    and the collections.abc checks answer as they would for the object;
    `claimed`, a builtin type it is an instance of (wire.CLAIMED), is what
    isinstance sees as its class."""
    namespace = {"__slots__": ()}
    if "c" in abilities:
        namespace["__call__"] = _call_remote
    for letter in "nlkrh":
        if letter not in abilities:
            namespace[wire.ABILITIES[letter]] = None
    # Without __iter__, __getitem__ still iterates, as in Python.
    if "i" not in abilities and "g" not in abilities:
        namespace["__iter__"] = None
    if claimed is not None:
        namespace["__class__"] = property(lambda self: claimed)
    made = type("Remote", (Remote,), namespace)
    # A class's own __doc__ and __module__ would hide Remote's (below).
    made.__doc__, made.__module__ = Remote.__dict__["__doc__"], Remote.__dict__["__module__"]
    return made


def guarded_exit(exc, exit_learner):
    """A learner object's __exit__ (`exit_learner(info)`), told of the
    exception raised in the `with` block as plain Python tells it (a failed
    assertion by its type alone: its message may hold the expected value).
    It may suppress, or replace, what the learner's own code or the test's
    code raised; never a failed assertion, a skip or the runner's own stop,
    even as the context of another exception: those stand whatever it does
    (attack 34 and its nested forms), or the test's verdict would go."""
    if isinstance(exc, CONTROL):
        return False
    if exc is None:
        exit_learner(None)
        return False
    info = lending.raised(exc)[1:]
    if not _unsuppressible(exc):
        return exit_learner(info) is True
    try:
        exit_learner((info[0], (), *info[2:]))
    except CONTROL:
        raise
    except Exception:  # the learner's exit raised over the test's failure
        pass
    return False


def _unsuppressible(exc):
    """Whether `exc`, or any exception it was raised from or while handling
    (both links, followed through the whole chain), may not be swallowed."""
    seen, waiting = set(), [exc]
    while waiting and len(seen) < 64:
        exc = waiting.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        if isinstance(exc, _UNSUPPRESSIBLE):
            return True
        waiting += [exc.__cause__, exc.__context__]
    return False


# The dunders a test reads of the learner's objects as data: a decorated
# function's __name__ and __wrapped__, an object's __dict__.
_DESCRIPTIVE = frozenset(
    ("__name__", "__qualname__", "__dict__", "__wrapped__", "__annotations__", "__defaults__", "__kwdefaults__")
)


# The binary operators, each forwarded both ways (`c + 3` and `3 + c`) and
# in place (`c += 3`): the learner's code computes, with plain data or its
# own objects on the other side.
_ARITHMETIC = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift", "and", "or", "xor")


def _arithmetic(name):
    def forward(self, other):
        return self._op("arith", name, other, False)

    def reflected(self, other):
        return self._op("arith", name, other, True)

    def in_place(self, other):
        return self._op("iarith", name, other)

    return forward, reflected, in_place


def _comparison(name):
    """A comparison the learner's code answers when both sides are its own;
    with a value of ours on the other side, Python is left to decide
    (NotImplemented), never the learner's code."""

    def compare(self, other):
        return self._answer(name, other) if self._mine(other) else NotImplemented

    return compare


for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Remote, f"__{_name}__", _comparison(_name))
for _name in _ARITHMETIC:
    for _dunder, _method in zip(("__%s__", "__r%s__", "__i%s__"), _arithmetic(_name)):
        setattr(Remote, _dunder % _name, _method)
# A decorated function's __doc__ and __module__ are the learner's, not this
# class's own (read through `_DESCRIPTIVE` as any other name).
Remote.__doc__ = property(lambda self: self._cp_link.ask("getattr", self, "__doc__")[0])
Remote.__module__ = property(lambda self: self._cp_link.ask("getattr", self, "__module__")[0])
Remote.__divmod__ = lambda self, other: self._op("arith", "divmod", other, False)
Remote.__rdivmod__ = lambda self, other: self._op("arith", "divmod", other, True)


# What `super()` reaches of the learner class in a test's subclass besides
# its public methods: the learner class's own dunders where it defines them,
# run by the learner's code on the learner's object (`__init__` always, so
# `super().__init__` never meets Remote's own). Comparisons, `in` and
# `__exit__` keep the guards they have on any learner object.
_SUPER_DUNDERS = frozenset(
    "__%s__" % n for n in "init str repr len iter next getitem setitem delitem call bool enter".split()
)
_SUPER_COMPARISONS = frozenset("__%s__" % n for n in ("eq", "ne", "lt", "le", "gt", "ge"))


class LearnerSubclass(type):
    """The metaclass of a test's subclass of a learner class (`class
    Square(Shape)`, Shape from solution). Its instances are the learner's
    objects, made on the learner's side from a class made there for it
    (learner.py's `_subclass`), whose methods and properties the test wrote
    call back into the test's here; here they are Remotes of the test's
    class, so the test's methods, `super()` and isinstance work on them as
    in plain Python. The learner's class is made when the test first uses
    this one (so nothing of a hidden test's subclass reaches the learner
    before a hidden test runs), and again in a fresh learner process."""

    def __new__(meta, name, bases, namespace, **kwargs):
        # Every attribute of an instance is the learner object's.
        return super().__new__(meta, name, bases, {**namespace, "__slots__": ()}, **kwargs)

    def _cp_made_now(cls):
        """The learner's class for this one if the current learner process
        has it, else None."""
        made = cls.__dict__.get("_cp_made")
        if made is None or made._cp_generation != made._cp_link.generation or made._cp_link.sock is None:
            return None
        return made

    def _cp_learner(cls):
        """The learner's class for this one, in the current learner process
        (made there at first use)."""
        base = cls.__dict__.get("_cp_base_of")
        if base is not None:
            return base
        made = cls._cp_made_now()
        if made is not None:
            return made
        parent = next(b for b in cls.__mro__[1:] if type(b) is LearnerSubclass)._cp_learner()
        methods, properties, attributes = {}, {}, {}
        for key, value in cls.__dict__.items():
            if isinstance(value, types.FunctionType):
                methods[key] = _adopting(cls, value)
            elif isinstance(value, property):
                properties[key] = tuple(None if f is None else _adopting(cls, f) for f in (value.fget, value.fset))
            elif not (key.startswith("__") and key.endswith("__")) and not key.startswith("_cp_"):
                attributes[key] = value
        made = parent._op("subclass", cls.__name__, methods, properties, attributes)
        type.__setattr__(cls, "_cp_made", made)
        return made

    def __call__(cls, *args, **kwargs):
        return cls._cp_adopt(cls._cp_learner()(*args, **kwargs))

    def __instancecheck__(cls, obj):
        if type.__instancecheck__(cls, obj):
            return True
        learner = cls._cp_learner()
        if is_remote(obj) and learner._mine(obj) and learner._answer("isinstance", obj):
            cls._cp_adopt(obj)
            return True
        return False

    def _cp_adopt(cls, obj):
        """`obj`, a Remote, as an instance of the test's class: itself, or a
        twin that takes its place where a mixin of the test's gave the class
        a layout of its own (a __dict__)."""
        mine = type(obj)
        if not is_remote(obj) or mine is cls or (type(mine) is LearnerSubclass and not issubclass(cls, mine)):
            return obj
        try:
            object.__setattr__(obj, "__class__", cls)
            return obj
        except TypeError:
            twin = object.__new__(cls)
            for slot in Remote.__slots__:
                object.__setattr__(twin, slot, object.__getattribute__(obj, slot))
            link, key = obj._cp_link, (obj._cp_generation, obj._cp_number)
            if link.remotes.get(key) is obj:
                link.remotes[key] = twin
            return twin


def subclass_base(learner_class):
    """The runner's base class for the tests' subclasses of a learner class:
    a method for each of its public methods and the dunders above that runs
    the learner class's own (what `super()` finds); its properties and
    class attributes are read off the learner's object as any attribute is."""
    link = learner_class._cp_link
    key = (learner_class._cp_generation, learner_class._cp_number)
    base = link.subclass_bases.get(key)
    if base is None:
        shape = learner_class._op("class_shape", None)
        if not (type(shape) is tuple and len(shape) == 3 and all(type(p) in (list, str) for p in shape)):
            raise LearnerCrashed("Your code's process described a class in a way it cannot.")
        names = {n for n in shape[0] if isinstance(n, str)}
        namespace = {
            "_cp_base_of": learner_class,
            "__init__": _super_method(learner_class, "__init__"),
        }
        for name in shape[1]:
            if isinstance(name, str) and not name.startswith("_"):
                namespace[name] = _BaseProperty(learner_class, name)
        for name in _SUPER_COMPARISONS:
            namespace[name] = _super_method(learner_class, name)
        for name in names:
            if not name.startswith("_") or name in _SUPER_DUNDERS:
                namespace[name] = _super_method(learner_class, name)
        if "__contains__" in names:
            namespace["__contains__"] = _super_contains(learner_class)
        if "__exit__" in names:
            namespace["__exit__"] = _super_exit(learner_class)
        proxy = remote_class(wire.known_abilities(shape[2]))
        # Hashing is the learner's object's (__eq__ alone here would make
        # the test's subclasses unhashable).
        namespace["__hash__"] = proxy.__hash__
        title = learner_class._cp_kind.removeprefix("class ")
        base = link.subclass_bases[key] = LearnerSubclass(title, (proxy,), namespace)
    return base


class _BaseProperty:
    """A property of the learner class, as `super().name` in a test's
    subclass reads it: the learner class's own, on the learner's object. It
    only reads (`obj.name = v` is the learner's object's, as any set is)."""

    def __init__(self, learner_class, name):
        self.learner_class, self.name = learner_class, name

    def __get__(self, obj, owner=None):
        if obj is None:
            return getattr(self.learner_class, self.name)
        return self.learner_class._op("get_base", self.name, obj)


def _super_method(learner_class, name):
    comparison = name in _SUPER_COMPARISONS

    def method(self, *args, **kwargs):
        if comparison and not (len(args) == 1 and self._mine(args[0])):
            return NotImplemented
        return learner_class._op("call_base", name, self, args, kwargs)

    method.__name__ = name
    return method


def _super_contains(learner_class):
    def __contains__(self, item):
        if self._mine(item):
            return bool(learner_class._op("call_base", "__contains__", self, (item,), {}))
        # A value of the test's is looked for among the items, here.
        return any(x is item or x == item for x in self)

    return __contains__


def _super_exit(learner_class):
    def __exit__(self, exc_type, exc, tb):
        return guarded_exit(exc, lambda info: learner_class._op("base_exit", self, info))

    return __exit__


def _adopting(cls, fn):
    """The test's method `fn` as the learner's side calls it: with the
    learner's object as an instance of the test's class."""

    def method(obj, *args, **kwargs):
        return fn(cls._cp_adopt(obj), *args, **kwargs)

    return method


# The builtins the learner's code calls as the test's are: `input` always
# (so a patched `builtins.input` or `sys.stdin` answers it; unpatched, it
# reads nothing, as the runner's stdin is empty), `print` and `open` while a
# test has patched them (`mock.patch("builtins.open", mock_open(...))`), and
# the learner's own otherwise, so that nothing of the runner's own (its
# files, its descriptors) is ever within the learner's reach. Patches of
# other modules (`sys.stdin` among them) are patching.py's.
_FORWARDED = ("print", "open")
_ORIGINALS = {name: getattr(builtins, name) for name in _FORWARDED}


def call_builtin(name, *args, **kwargs):
    """`input`, or one of the others while a test has patched it, as the
    runner's builtins module has it at this moment."""
    if name != "input" and name not in patched_builtins():
        raise NameError(f"{name} is your code's own, not the test's")
    return getattr(builtins, name)(*args, **kwargs)


def patched_builtins():
    """Which of the forwarded builtins a test has patched at this moment."""
    return tuple(name for name in _FORWARDED if getattr(builtins, name) is not _ORIGINALS[name])


def _copy_back(back, args, kwargs):
    """What the learner's code did to the lists, dicts and sets it was
    passed, done to the test's own objects, as an in-process call would."""
    if not (isinstance(back, tuple) and len(back) == 2):
        return
    new_args, new_kwargs = back
    if isinstance(new_args, tuple) and len(new_args) == len(args):
        for old, new in zip(args, new_args):
            _sync(old, new)
    if isinstance(new_kwargs, dict):
        for key, old in kwargs.items():
            if key in new_kwargs:
                _sync(old, new_kwargs[key])


def _sync(old, new):
    """Makes the test's `old` equal `new` in place; False where it cannot
    (an immutable value), so the caller replaces it."""
    if isinstance(old, list) and type(new) is list:
        if len(old) != len(new):
            old[:] = new
        for i, item in enumerate(new):
            if not _sync(old[i], item):
                old[i] = item
        return True
    # A Counter or OrderedDict comes back as one (wire.py), its order kept.
    if isinstance(old, dict) and isinstance(new, dict):
        if list(old.keys()) != list(new.keys()):
            old.clear()
            old.update(new)
        for key, item in new.items():
            if not _sync(old[key], item):
                old[key] = item
        return True
    if isinstance(old, set) and type(new) is set:
        old.clear()
        old.update(new)
        return True
    if isinstance(old, collections.deque) and isinstance(new, collections.deque):
        old.clear()
        old.extend(new)
        return True
    if isinstance(old, tuple) and type(new) is tuple and len(old) == len(new):
        # A tuple cannot change, but what is inside it can.
        return all(_sync(o, n) or _same(o, n) for o, n in zip(old, new))
    return _same(old, new)


def _same(old, new):
    return type(old) is type(new) and not isinstance(old, (list, dict, set, Remote)) and old == new


class RemoteModule(types.ModuleType):
    """`solution` as the tests import it: each name is fetched from the
    learner's module."""

    def __init__(self, link):
        super().__init__("solution")
        self.__dict__["__codeplatform_link__"] = link

    def __getattr__(self, name):
        link = self.__dict__["__codeplatform_link__"]
        if name == "__all__":
            # What `from solution import *` takes: the learner module's
            # __all__, else its public names, as Python reads them.
            names = link.ask("op", 0, "public_names", (None,))[0]
            return [n for n in names if type(n) is str] if type(names) is list else []
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = link.ask("getattr", 0, name)[0]
        if isinstance(value, Remote):
            object.__setattr__(value, "_cp_origin", name)
            if value._cp_kind.startswith("class "):
                # An exception class is the runner's own stand-in, so the
                # test can catch it, subclass it and compare classes.
                chain = value._op("exc_chain")
                cls = link.exceptions.get(chain) if isinstance(chain, list) else None
                if cls is not None:
                    if "_cp_learner_class" not in cls.__dict__:
                        cls._cp_learner_class = value
                    return cls
        return value

    # A test's `solution.X = v`, `mock.patch("solution.X")` and the undoing
    # of it reach the learner's module, where the learner's code looks.
    def __setattr__(self, name, value):
        if name.startswith("__") and name.endswith("__"):
            super().__setattr__(name, value)
        else:
            self.__dict__["__codeplatform_link__"].set_module_attribute(name, value)

    def __delattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            super().__delattr__(name)
        else:
            self.__dict__["__codeplatform_link__"].del_module_attribute(name)


class OutputLog(io.TextIOBase):
    """The runner's stdout or stderr: what the learner's calls printed (and
    the tests, if they print), the first `keep` characters of it, none of it
    while a hidden test runs."""

    def __init__(self, keep):
        super().__init__()
        self.keep = keep
        self.parts = []
        self.kept = 0
        self.hidden = False

    def writable(self):
        return True

    def write(self, s):
        if not self.hidden and self.kept < self.keep:
            part = s[: self.keep - self.kept]
            self.parts.append(part)
            self.kept += len(part)
        return len(s)

    def text(self):
        return "".join(self.parts)


class Results(unittest.TestResult):
    """Each test's outcome, by id; sets each test's deadline as it starts."""

    def __init__(self, link, logs, hidden, hidden_tests, test_time, budget_end, message_chars):
        super().__init__()
        self.link = link
        self.logs = logs
        self.hidden = hidden
        self.hidden_tests = hidden_tests
        self.test_time = test_time
        self.budget_end = budget_end
        self.message_chars = message_chars
        self.records = {}
        # Errors in setUpClass and the like, which belong to no one test.
        self.fixture_errors = []
        # When the last visible test ended: the hidden phase starts there,
        # and ends at `phase_end`, fixed once it starts (`hidden_phase`).
        self.visible_end = time.monotonic()
        self.phase_end = None

    def enter(self, test=None):
        """A test, or a fixture before `test`, begins: a test's time of its
        own, never past the end of the hidden phase once that began, and
        what it prints is hidden as `test` is."""
        now = time.monotonic()
        if test is not None and test.id() in self.hidden and self.phase_end is None:
            self.phase_end = hidden_phase(self.hidden_tests, self.test_time, self.visible_end, self.budget_end)
        self.link.deadline = min(now + self.test_time, self.budget_end, self.phase_end or self.budget_end)
        self.link.held_failure = None
        if test is not None:
            for log in self.logs:
                log.hidden = test.id() in self.hidden

    def startTest(self, test):
        super().startTest(test)
        self.enter(test)
        self.link.last_call, self.link.last_result, self.compared = None, NOTHING, None
        self.output_start = len(self.logs[0].text())
        self.records[test.id()] = {
            "id": test.id(),
            "name": getattr(test, "_testMethodName", str(test)),
            "title": title_of(test),
            "outcomes": [],
            "messages": [],
        }

    def stopTest(self, test):
        super().stopTest(test)
        if test.id() not in self.hidden:
            self.visible_end = time.monotonic()
        # Class and module fixtures between tests get a test's time too.
        self.enter()
        record = self.records[test.id()]
        if not record["outcomes"]:
            record["outcomes"].append("error")
            record["messages"].append("The test reported no outcome.")
        if time.monotonic() >= self.budget_end:
            self.stop()

    def note(self, test, outcome, message=""):
        record = self.records.get(test.id())
        if record is None:
            # unittest's stand-in for a fixture: "setUpClass (module.Class)".
            scope = str(test).rpartition("(")[2].rstrip(")")
            self.fixture_errors.append((scope, outcome, f"{test}: {message}"))
            return
        if outcome not in record["outcomes"]:
            record["outcomes"].append(outcome)
        if message:
            record["messages"].append(message)

    def fixture_failed(self, fixture, scope, exc):
        outcome, message = describe(exc)
        self.fixture_errors.append((scope, outcome, f"{fixture} ({scope}): {message}"))

    def fixture_errors_of(self, test):
        """The failures of `test`'s own class's or module's fixtures (a
        set-up that kept it from running, a tear-down after it ran)."""
        return [(o, t) for scope, o, t in self.fixture_errors if test.id().startswith(scope + ".")]

    def addSuccess(self, test):
        self.note(test, "passed")

    def addFailure(self, test, err):
        self.note(test, "failed", _text(err[1]) or "assertion failed")
        self.detail(test)

    def detail(self, test):
        """The call the failing test made, what came back against what was
        expected (when the failed comparison was about that result), and
        what the call printed: the runner's own values, shown by `shown`."""
        record = self.records.get(test.id())
        if record is None or record.get("call") or self.link.last_call is None:
            return
        try:
            record["call"] = self.link.last_call
            result = self.link.last_result
            if self.compared is not None and result is not NOTHING:
                first, second = self.compared
                side = result_side(result, first, second)
                if side == 0:
                    record["actual"], record["expected"] = shown(first), shown(second)
                elif side == 1:
                    record["actual"], record["expected"] = shown(second), shown(first)
            printed = self.logs[0].text()[self.output_start :]
            if printed:
                record["printed"] = printed[:500]
        except Exception:  # the detail is a courtesy: it never costs the run
            pass

    def addError(self, test, err):
        outcome, message = describe(err[1])
        self.note(test, outcome, message)
        self.raised(test, err[1])
        self.detail(test)

    def raised(self, test, exc):
        """Records the builtin exception type the learner's code raised in
        `test` (`ZeroDivisionError`): what a hidden test may tell of its
        error. Never a class of the learner's own (its name is theirs to
        make up, from the test's input) nor one the test raised."""
        record = self.records.get(test.id())
        if record is None or "raised" in record or getattr(exc, "learner_text", None) is None:
            return
        name = type(exc).__name__
        if type(exc) is _builtin_exception(name):
            record["raised"] = name

    def addSubTest(self, test, subtest, err):
        if err is None:
            return
        params = subtest._subDescription()
        if issubclass(err[0], test.failureException):
            self.note(test, "failed", f"{params}: {_text(err[1])}")
        else:
            outcome, message = describe(err[1])
            self.note(test, outcome, f"{params}: {message}")
            self.raised(test, err[1])
        self.detail(test)

    def addSkip(self, test, reason):
        self.note(test, "skipped", f"skipped: {reason}")

    def addExpectedFailure(self, test, err):
        self.note(test, "expected_failure", "an expected failure counts as a failure")

    def addUnexpectedSuccess(self, test):
        self.note(test, "unexpected_success", "an unexpected success counts as a failure")

    def report(self, tests):
        out = []
        for test in tests:
            record = self.records.get(test.id())
            errors = self.fixture_errors_of(test)
            if record is None:
                if errors:
                    outcomes = list(dict.fromkeys(outcome for outcome, _ in errors))
                    why = "Not run: " + "\n".join(text for _, text in errors)
                else:
                    limit = self.link.limits["run_ms"] / 1000
                    outcomes = ["time_limit"]
                    why = f"Not run: the time for all tests ({limit:.1f} s) was used up."
                record = {
                    "id": test.id(),
                    "name": getattr(test, "_testMethodName", str(test)),
                    "outcomes": outcomes,
                    "messages": [why],
                }
            else:
                # A tear-down of its class or module that failed after it ran
                # fails it too, as it fails the run under unittest.
                for outcome, text in errors:
                    if outcome not in record["outcomes"]:
                        record["outcomes"].append(outcome)
                    record["messages"].append(text)
            message = "\n".join(record.pop("messages"))
            record["message"] = message[: self.message_chars]
            out.append(record)
        return out


def _text(exc):
    """An exception's message, whatever its args are made of."""
    try:
        return str(exc)
    except BaseException:
        return type(exc).__name__


class GuardedSuite(unittest.TestSuite):
    """The run's tests, with the runner's own stops (a time limit, the
    output limit, a crash: BaseExceptions, so no test can catch them) in a
    class's or module's fixture recorded as that fixture's failure, as
    unittest records an Exception there: the class's tests do not run and
    say why, and the rest of the run goes on."""

    def _handleClassSetUp(self, test, result):
        result.enter(test)
        try:
            super()._handleClassSetUp(test, result)
        except CONTROL as e:
            test.__class__._classSetupFailed = True
            result.fixture_failed("setUpClass", _scope(type(test)), e)

    def _handleModuleFixture(self, test, result):
        result.enter(test)
        try:
            super()._handleModuleFixture(test, result)
        except CONTROL as e:
            result._moduleSetUpFailed = True
            result.fixture_failed("setUpModule", type(test).__module__, e)

    def _tearDownPreviousClass(self, test, result):
        # Between the last visible test and a hidden one, this is the hidden
        # phase's: its time counts there.
        result.enter(test)
        previous = getattr(result, "_previousTestClass", None)
        try:
            super()._tearDownPreviousClass(test, result)
        except CONTROL as e:
            scope = _scope(previous) if isinstance(previous, type) else suite.MODULE
            result.fixture_failed("tearDownClass", scope, e)

    def _handleModuleTearDown(self, result):
        result.enter()
        try:
            super()._handleModuleTearDown(result)
        except CONTROL as e:
            result.fixture_failed("tearDownModule", suite.MODULE, e)


def _scope(cls):
    """The prefix of the ids of a class's tests."""
    return f"{cls.__module__}.{cls.__qualname__}"


def describe(exc, loading=False):
    """(outcome, message) for an exception that ended a test or the load."""
    if isinstance(exc, CallTimeout):
        if loading:
            return "time_limit", "Loading your code took longer than all the tests may take, so it was stopped."
        return "time_limit", str(exc)
    if isinstance(exc, OutputLimitHit):
        return "output_limit", str(exc)
    if isinstance(exc, (LearnerCrashed, LearnerGone)):
        return "crashed", str(exc)
    text = getattr(exc, "learner_text", None)
    if text is None:
        # Raised here, not in the learner's code: say where in the test.
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == suite.MODULE + ".py"]
        text = "".join(traceback.format_list(frames[-1:]) + traceback.format_exception_only(type(exc), exc))
    if isinstance(exc, LearnerOutOfMemory):
        return "memory_limit", str(exc)
    if isinstance(exc, MemoryError):
        return "memory_limit", text
    if loading and isinstance(exc, SyntaxError) and getattr(exc, "learner_text", None):
        return "syntax_error", text
    return "error", text


def title_of(test):
    """A test's readable name: the first line of its docstring, if any."""
    try:
        return test.shortDescription()
    except Exception:
        return None


def almost_equal(check, wanted):
    """unittest's assertAlmostEqual (`wanted`) or assertNotAlmostEqual, with
    a learner object on one side only never almost equal to the value on the
    other: it would be the learner's `__sub__` that says how far apart they
    are (as `==` between them is never the learner's, Remote._mine)."""

    def guarded(case, first, second, places=None, msg=None, delta=None):
        if is_remote(first) != is_remote(second):
            if wanted:
                kind = (first if is_remote(first) else second)._cp_kind
                raise case.failureException(
                    case._formatMessage(msg, f"your code gave a {kind} where {shown(second if is_remote(first) else first)} was expected")
                )
            return
        check(case, first, second, places, msg, delta)

    return guarded


# unittest words a failed comparison of long sequences and texts with
# difflib.ndiff, whose pairing of similar lines takes time quadratic in the
# lines that differ (minutes for 1,500 lines), here in the runner where no
# time limit reaches. Past this many pairs of lines in one changed block,
# the block is shown as lines removed and added, without the pairing.
NDIFF_PAIRS = 2500
_ndiff = difflib.ndiff


def bounded_ndiff(a, b, linejunk=None, charjunk=difflib.IS_CHARACTER_JUNK):
    """difflib.ndiff, in bounded time: its own output where every changed
    block is small, else each block's lines removed, then added."""
    a, b = list(a), list(b)
    opcodes = difflib.SequenceMatcher(linejunk, a, b).get_opcodes()
    if all((i2 - i1) * (j2 - j1) <= NDIFF_PAIRS for tag, i1, i2, j1, j2 in opcodes if tag == "replace"):
        yield from _ndiff(a, b, linejunk, charjunk)
        return
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            yield from ("  " + line for line in a[i1:i2])
            continue
        yield from ("- " + line for line in a[i1:i2])
        yield from ("+ " + line for line in b[j1:j2])


def hidden_phase(hidden_tests, test_time, visible_end, budget_end):
    """When the hidden phase ends, whatever the learner's code did in it:
    each hidden test's time limit after the last visible test, within the
    run's budget. Fixed before any hidden test runs, from what the learner
    already knows (how many hidden tests, their limit, the visible phase).
    Everything in it (the hidden tests, the fixtures between and after
    them) has a deadline no later than its end (`Results.enter`)."""
    if not hidden_tests:
        return visible_end
    return min(visible_end + hidden_tests * test_time, budget_end)


def run(request, ctl):
    limits = request["limits"]
    started = time.monotonic()
    budget_end = started + limits["run_ms"] / 1000
    test_time = limits["test_ms"] / 1000
    logs = (OutputLog(limits["keep_bytes"]), OutputLog(limits["keep_bytes"]))
    sys.stdout, sys.stderr = logs
    link = Link(ctl, request["solution"], limits)
    # Loading may take the whole budget: if it never ends, no test can run
    # anyway, and a slow load leaves what time it did not use to the tests.
    link.deadline = budget_end

    def finish(report):
        report.update(stdout=logs[0].text(), stderr=logs[1].text(), printed=link.printed)
        report["duration_ms"] = int((time.monotonic() - started) * 1000)
        return report

    try:
        link.start()
        tests = suite.load(request["tests"], RemoteModule(link))
    except BaseException as e:  # whatever loading the learner's code did
        outcome, message = describe(e, loading=True)
        return finish({"status": "load_failed", "outcome": outcome, "message": message[: limits["message_chars"]]})
    link.deadline = min(time.monotonic() + test_time, budget_end)
    hidden = set(request["hidden"])
    # A practice run leaves the hidden tests out altogether.
    skip = set(request.get("skip", ()))
    tests = [t for t in tests if t.id() not in skip]
    ordered = [t for t in tests if t.id() not in hidden] + [t for t in tests if t.id() in hidden]
    hidden_tests = sum(1 for t in ordered if t.id() in hidden)
    results = Results(link, logs, hidden, hidden_tests, test_time, budget_end, limits["message_chars"])
    # The comparison a test fails on, so its sides can be labelled. This is
    # the runner's own unittest; the learner's process has its own.
    compare = unittest.TestCase.assertEqual

    def assertEqual(case, first, second, msg=None):
        # Kept only while it fails: a later failure of another kind must not
        # be labelled with an earlier comparison that held.
        results.compared = (first, second)
        compare(case, first, second, msg)
        results.compared = None

    unittest.TestCase.assertEqual = assertEqual
    patching.follow()
    difflib.ndiff = bounded_ndiff
    unittest.TestCase.assertAlmostEqual = almost_equal(unittest.TestCase.assertAlmostEqual, True)
    unittest.TestCase.assertNotAlmostEqual = almost_equal(unittest.TestCase.assertNotAlmostEqual, False)
    GuardedSuite(ordered).run(results)
    # The learner's processes may still be running (a daemon it left); they
    # run at the lowest priority (entry.py), so they barely slow what follows,
    # and ending them waits no longer than the hidden phase may last.
    link.deadline = hidden_phase(hidden_tests, test_time, results.visible_end, budget_end)
    try:
        link.end()
    except Exception:  # a host the learner's code broke: nothing left to end
        pass
    until = hidden_phase(hidden_tests, test_time, results.visible_end, budget_end)
    while (left := until - time.monotonic()) > 0:
        time.sleep(left)
    return finish({"status": "ran", "tests": results.report(ordered)})


def valid(value):
    """`value` with every string made encodable: a lone surrogate (from the
    learner's exception message, say) becomes U+FFFD, so no text the learner
    chose can make the report unreadable."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, (list, tuple)):
        return [valid(v) for v in value]
    if isinstance(value, dict):
        return {valid(k): valid(v) for k, v in value.items()}
    return value


def main(ctl):
    # Nothing the runner opens is relative to a folder the learner can
    # write (the container starts in /tmp): its own tracebacks read the
    # test file from memory (suite.load), and everything else is under /.
    os.chdir("/")
    # The channel moves off descriptor 1 so that nothing but the report is
    # ever written to it.
    channel = os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    request = json.loads(sys.stdin.buffer.readline())
    os.dup2(null, 0)
    try:
        if "list" in request:
            # A published course version's tests, listed here in the
            # sandbox: the instructor's test files run nowhere else.
            report = {"status": "listed", "listings": suite.list_all(request["list"])}
        else:
            report = run(request, ctl)
    except BaseException as e:  # a fault of ours: say so, and no verdict from it
        report = {"status": "runner_failed", "message": "".join(traceback.format_exception(e))[-4000:]}
    data = (request["nonce"] + json.dumps(valid(report)) + request["nonce"] + "\n").encode()
    while data:
        data = data[os.write(channel, data) :]
    os._exit(0)
