"""The test's objects lent to the learner's side: the callables, mocks and
other objects a test passes into the learner's code stay here, in the
runner, and the learner's side holds a numbered handle to each (learner.py's
`Back`). What the learner's code may do with a handle, and nothing more:

- call it (with plain data or its own objects, which arrive here as
  handles), and the call runs here, as the test's own code;
- read a public attribute (no `_` prefix, so no dunder: nothing like
  `__globals__`, `__closure__`, `__self__` or `_mock_children` is reachable),
  except a mock's own methods (`configure_mock`, `attach_mock`, the
  `assert_*` family), which would let it rewrite what the test will check;
- iterate it, use it in `with`, and ask its len, bool, str, repr, hash,
  and whether it equals another of the test's objects.

It can never set or delete an attribute. Some things are never lent at all:
modules, frames, code, tracebacks, the test case and unittest's machinery,
and the runner's own objects. Generators and coroutines are lent for their
protocols only (their `gi_frame` would reach the test's globals).

An exception the test's code raises during such a call goes back as its
builtin type, or with its class lent where the class is the test's own (so
it can come back through the learner's code and still meet the test's
`assertRaises`); never as unittest's SkipTest or anything that stops a run.
"""

import os
import sys
import types
import unittest

import wire


def _random_handle():
    return int.from_bytes(os.urandom(4), "big")


# Test code lives in this module (suite.py's MODULE); its exception classes
# may cross and come back as themselves.
TEST_MODULE = "test_solution"

# Never lent: what reaches the test's globals, the runner or unittest itself.
_NEVER = (
    types.ModuleType,
    types.FrameType,
    types.CodeType,
    types.TracebackType,
    unittest.TestCase,
    unittest.TestResult,
    unittest.TestSuite,
)
_RUNNER_MODULES = frozenset({"runner", "suite", "wire", "lending", "learner", "entry"})
# Lent for their protocols alone: no attribute of theirs is read.
_OPAQUE = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
# How many of the test's objects one learner process may hold.
MAX_LENT = 100_000


class Lent:
    """The objects lent to one learner process, by number."""

    def __init__(self, passthrough, held):
        # The runner's own control flow (a time limit, a crash): never
        # handed to the learner's code as an exception it could catch.
        self.passthrough = passthrough
        # Told of every exception the test's code raised in a call, so that
        # a failed assertion stands though the learner's code swallows it.
        self.held = held
        self.objects = {}
        self.numbers = {}
        # Lent while the message being written was made: taken back if it
        # is never sent, so nothing is lent that the learner was not given.
        self.pending = []

    def clear(self):
        self.objects.clear()
        self.numbers.clear()
        self.pending.clear()

    def begin(self):
        self.pending.clear()

    def end(self, sent):
        """After a message was written (`sent`) or could not be."""
        if not sent:
            for number in self.pending:
                obj = self.objects.pop(number, None)
                self.numbers.pop(id(obj), None)
        self.pending.clear()

    def lend(self, obj):
        """The handle number for `obj`, lent from now on; WireError for
        what may not be lent."""
        if isinstance(obj, _NEVER) or type(obj).__module__ in _RUNNER_MODULES:
            raise wire.WireError(f"a {type(obj).__name__} of the test's cannot be given to your code")
        number = self.numbers.get(id(obj))
        if number is None or self.objects.get(number) is not obj:
            if len(self.objects) >= MAX_LENT:
                raise wire.WireError("more of the test's objects than your code may hold")
            # Not guessable: a handle is only ever one the learner was given.
            # (os.urandom, as `secrets` draws: importing `secrets` costs ~12 ms
            # of hmac and OpenSSL at every runner's start.)
            number = _random_handle()
            while number in self.objects:
                number = _random_handle()
            self.objects[number] = obj
            self.numbers[id(obj)] = number
            self.pending.append(number)
        return number

    def get(self, number):
        try:
            return self.objects[number]
        except KeyError:
            raise wire.WireError("a handle to nothing the test lent") from None

    def is_lent(self, obj):
        number = self.numbers.get(id(obj))
        return number is not None and self.objects.get(number) is obj

    def serve(self, request):
        """The answer to the learner's request about a lent object:
        ("back_ok", value) or ("back_raise", name, args, class or None)."""
        try:
            _, op, target, *rest = request
            if not self.is_lent(target):
                raise TypeError("your code may only use what the test gave it")
            return ("back_ok", _OPS[op](target, *rest))
        except self.passthrough:
            raise
        except BaseException as e:  # the test's code may raise anything
            self.held(e)
            return raised(e)


def raised(e):
    """An exception of the runner's side as the learner's side rebuilds it:
    ("back_raise", name, args, origin, builtin bases). The origin is the
    test's own class (lent) where it may cross back as itself, or the
    learner's class's name for the runner's stand-in of one (so the
    learner's code meets its own class again), else None; the builtin bases
    let `except OSError` catch a library's error."""
    cls = type(e)
    try:
        args = tuple(e.args)
        wire.encode(args, _plain_only, 64 << 10, 8)
    except Exception:
        try:
            args = (str(e)[:2000],)
        except Exception:
            args = ()
    origin = cls if crossable_exception(cls) else cls.__dict__.get("_cp_learner_name")
    return ("back_raise", cls.__name__, args, origin, builtin_bases(cls))


def builtin_bases(cls):
    """The names of the builtin exception classes `cls` is, most derived
    first."""
    return [c.__name__ for c in cls.__mro__ if c.__module__ == "builtins" and issubclass(c, BaseException)][:16]


def crossable_exception(cls):
    """Whether an exception class of the test's may be raised again here on
    the learner's say-so: the test's own classes, never a skip or a stop."""
    return (
        isinstance(cls, type)
        and issubclass(cls, Exception)
        and cls.__module__ == TEST_MODULE
        and not issubclass(cls, (unittest.SkipTest, unittest.case._ShouldStop))
    )


def _plain_only(obj):
    raise wire.WireError("not plain data")


# The dunders that describe an object, as functools.wraps copies them (its
# __dict__, which may hold what a mock is made of, is never read).
_DESCRIPTIVE = frozenset(("__name__", "__qualname__", "__doc__", "__module__"))


def kind(obj):
    """What the learner's side is told of a lent object: for an exception
    class, its name and builtin bases, so that its code can raise and catch
    it as a class of its own (`except ValueError` catches the test's
    `class Broken(ValueError)`); for a function, that it is one (set on a
    class, it binds as a method: an autospec'd patch of a method)."""
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return f"exception {obj.__name__} {','.join(builtin_bases(obj))}"
    if type(obj) is types.FunctionType:
        return "function"
    return ""


def attribute(obj, name):
    """A public attribute of a lent object, as the learner may read it."""
    if name in _DESCRIPTIVE:
        return getattr(obj, name)
    if type(name) is not str or name.startswith("_"):
        raise AttributeError(f"your code may read only public attributes of the test's objects, not {name!r}")
    if isinstance(obj, _OPAQUE):
        raise AttributeError(f"your code may only iterate the test's {type(obj).__name__}")
    value = getattr(obj, name)
    if _mock_machinery(value):
        raise AttributeError(f"{name} is the test's to call, not your code's")
    return value


def _mock_machinery(value):
    """Whether `value` is one of the mock module's own routines (a mock's
    configure_mock, reset_mock, attach_mock or assert_* methods, bound or
    read off a mock class, or those an autospec'd function carries): what
    would let the learner's code rewrite what the test will check. A mock
    itself, a child mock, is not: calling it is what the test lent it for."""
    mock = sys.modules.get("unittest.mock")
    if mock is None or not callable(value) or isinstance(value, mock.NonCallableMock):
        return False
    # The mock module has imported inspect: no cost here.
    import inspect

    func = getattr(value, "__func__", value)
    return inspect.isroutine(value) and getattr(func, "__module__", None) == "unittest.mock"


def _call(target, args, kwargs):
    if type(args) is not tuple or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
        raise TypeError("a call's arguments must be a tuple and a dict")
    return target(*args, **kwargs)


_OPS = {
    "call": _call,
    "getattr": attribute,
    "iter": iter,
    "next": next,
    "enter": lambda target: target.__enter__(),
    # Nothing of the learner's exception reaches the test's object.
    "exit": lambda target: bool(target.__exit__(None, None, None)),
    "eq": lambda target, other: bool(target == other),
    "lt": lambda target, other: bool(target < other),
    "le": lambda target, other: bool(target <= other),
    "gt": lambda target, other: bool(target > other),
    "ge": lambda target, other: bool(target >= other),
    "hash": hash,
    "len": len,
    "bool": bool,
    "str": str,
    "repr": repr,
}
