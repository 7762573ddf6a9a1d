"""The learner's side of a run, under the learner's uid. Nothing here is
trusted: the learner's code shares these processes and may rewrite any of
it. It exists so that honest code is easy to grade, not to keep anything
safe; safety is the runner's, which believes only plain data from here.

- The *host* starts one learner process at a time (on the runner's "spawn",
  with the socket the runner made for it) and ends it on "end", killing its
  whole process group and saying how it ended.
- A *learner process* writes solution.py, imports it, and answers the
  runner's requests over its socket: get or set an attribute, call, and a few
  operations (len, iter, next, indexing, str, repr, bool, with). Results go
  back as plain data; anything else stays here behind a handle. What a
  request printed goes back with its answer.
- The test's own objects (a lambda, a mock, a callback) arrive as [`Back`]
  handles: calling one asks the runner, which may call into this side again
  before it answers (`Served.back`), as nested calls do in one process.
"""

import builtins
import collections
import importlib
import io
import math
import operator
import os
import signal
import socket
import sys
import traceback
import types

import mirrors
import wire

PR_SET_CHILD_SUBREAPER = 36


def host(ctl, workdir):
    """Serves the runner's control socket until the runner goes away."""
    _set_subreaper()
    try:
        # Should memory run out, the kernel kills a learner process, not the runner.
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    child = None
    ended = {}
    while True:
        try:
            message, fds, _, _ = _recv_fds(ctl)
        except OSError:
            message, fds = b"", []
        if not message:
            _end(child, ended)
            return
        if message == b"spawn" and len(fds) == 1:
            _end(child, ended)
            child = os.fork()
            if child == 0:
                ctl.close()
                try:
                    Served(fds[0], workdir).serve()
                finally:
                    os._exit(0)
            os.close(fds[0])
            ctl.send(b"spawned")
        elif message == b"end":
            how = _end(child, ended)
            child = None
            ctl.send(b"ended " + how.encode())
        else:
            for fd in fds:
                os.close(fd)
            ctl.send(b"unknown")
        _reap(ended)


def _recv_fds(sock):
    return socket.recv_fds(sock, 256, 1)


def _set_subreaper():
    # Orphans of the learner's code come here to be reaped, not to the runner.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except Exception:
        pass


def _reap(ended):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ended[pid] = status


def _end(pid, ended):
    """Kills the learner process and its group; how it ended, in words."""
    if pid is None:
        return "not running"
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass
    status = ended.pop(pid, None)
    if status is None:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return "ended"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"killed by {name}"
    return f"exit code {os.WEXITSTATUS(status)}"


# A notebook's cells run as files named for the cell as the learner counts
# them ("code cell 3 (`def longest(w…`)", domain/src/notebook.rs): a
# traceback or a syntax error then names it.
CELL_PREFIX = "code cell "


def _run_cells(cells):
    """A notebook's code cells, run in order in one module, `solution`, as
    Jupyter runs them top to bottom in one namespace."""
    import types

    module = types.ModuleType("solution")
    module.__file__ = "notebook.ipynb"
    sys.modules["solution"] = module
    for label, source in cells:
        label = str(label)
        code = compile(source, label if label.startswith(CELL_PREFIX) else CELL_PREFIX + "?", "exec")
        exec(code, module.__dict__)
    return module


class OutputLimit(BaseException):
    """Raised into the learner's code at the write that passes the output
    limit; a BaseException so that `except Exception` does not swallow it."""




class _Sink(io.BufferedIOBase):
    """What one stream printed during a request, counted against the limit."""

    def __init__(self, served):
        super().__init__()
        self.served = served
        self.data = bytearray()

    def writable(self):
        return True

    def write(self, b):
        b = bytes(b)
        self.served.count_output(len(b))
        self.data += b
        return len(b)

    def take(self):
        out = bytes(self.data)
        self.data.clear()
        return out


class Served:
    """One learner process: the learner's module and its objects by handle."""

    def __init__(self, fd, workdir):
        self.sock = socket.socket(fileno=fd)
        self.workdir = workdir
        self.objects = {}
        self.numbers = {}
        self.next_number = 0
        # The test's objects seen here, one proxy each, by the runner's number.
        self.backs = {}
        self.mirrors = mirrors.Mirrors(1, self._contents)
        self.call_builtin = None
        # What each module attribute a test patched was here before.
        self.module_originals = {}
        self.test_exceptions = {}
        self.printed = 0
        self.output_limit = 1 << 20
        # Output sent back with an `output_limit` answer, per stream.
        self.keep_bytes = 16 << 10
        self.max_bytes = wire.MAX_FRAME
        self.max_depth = wire.MAX_DEPTH

    def serve(self):
        os.setpgid(0, 0)
        os.makedirs(self.workdir, mode=0o700, exist_ok=True)
        os.chdir(self.workdir)
        # Descriptor-level output (os.write, child processes) lands in a file
        # read back after each request.
        self.fd_out = os.open(".output", os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        os.dup2(self.fd_out, 1)
        os.dup2(self.fd_out, 2)
        self.out, self.err = _Sink(self), _Sink(self)
        self.stdout = io.TextIOWrapper(self.out, encoding="utf-8", errors="backslashreplace", write_through=True)
        self.stderr = io.TextIOWrapper(self.err, encoding="utf-8", errors="backslashreplace", write_through=True)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        sys.stdin = open(os.devnull)
        # A child the learner forks must not hold this socket open.
        os.register_at_fork(after_in_child=self.sock.close)
        sys.path[:] = [self.workdir] + [p for p in sys.path if p.startswith(sys.base_prefix)]
        sys.argv = ["solution.py"]
        while True:
            self.respond(self.receive())

    def receive(self):
        """The runner's next message, once its changes to shared containers
        are in place; a closed or broken pipe ends this process."""
        try:
            raw = wire.recv(self.sock, max_bytes=1 << 30)
            self.mirrors.begin_read()
            envelope = wire.decode(raw, self.incoming, self.max_depth + 8, self.mirrors)
            changed, forgotten, message, patched, modules = envelope
            self.mirrors.apply(changed, forgotten)
            self.follow_patches(patched)
            self.follow_module_patches(modules)
            return message
        except (wire.Closed, wire.WireError, TypeError, ValueError):
            os._exit(0)

    def follow_patches(self, patched):
        """The builtins a test has patched (runner.py's `patched_builtins`)
        are the test's here, the others this process's own."""
        if self.call_builtin is None or type(patched) is not tuple:
            return
        for name, original in _OWN_BUILTINS.items():
            setattr(builtins, name, _forwarder(self.call_builtin, name) if name in patched else original)

    def follow_module_patches(self, patches):
        """The attributes of library modules a test has patched
        (patching.py) are the test's objects here too, and this process's
        own again once the patch is undone."""
        wanted = {}
        for patch in patches if type(patches) is tuple else ():
            if type(patch) is tuple and len(patch) == 3 and type(patch[0]) is str and type(patch[1]) is str:
                wanted[patch[:2]] = patch[2]
        for key in [k for k in self.module_originals if k not in wanted]:
            module, original = sys.modules.get(key[0]), self.module_originals.pop(key)
            if module is not None:
                _restore(module, key[1], original)
        for (name, attribute), value in wanted.items():
            module = _library_module(name)
            if module is None:
                continue
            try:
                if (name, attribute) not in self.module_originals:
                    self.module_originals[name, attribute] = module.__dict__.get(attribute, _MISSING)
                setattr(module, attribute, value)
            except Exception:  # a module the learner's code made read-only
                pass

    def write(self, message):
        """Sends `message` with this side's changes to shared containers."""
        changes = self.mirrors.changes()
        self.mirrors.begin()
        try:
            payload = wire.encode((*changes, message), self.handle, self.max_bytes, self.max_depth + 5, self.mirrors)
        except BaseException:
            self.mirrors.written(changes, False)
            raise
        self.mirrors.written(changes, True)
        try:
            wire.send(self.sock, payload)
        except wire.Closed:
            os._exit(0)

    def back(self, op, target, *args):
        """Asks the runner to do `op` to one of the test's objects, and
        answers the runner's own requests until it does: the test's callback
        may use this side's objects before it returns."""
        # What was printed so far goes first, for the runner to print before
        # the test's code runs (an input prompt after it).
        out, err = self.drain()
        if self.printed > self.output_limit:
            # Kept for the answer that says the limit was hit.
            self.out.data[:0], self.err.data[:0] = out[: self.keep_bytes], err[: self.keep_bytes]
            raise OutputLimit()
        try:
            self.write(("back", out, err, op, target, *args))
        except wire.WireError as e:
            raise TypeError(f"this cannot be given to the test's {op}: {e}") from None
        while True:
            message = self.receive()
            kind = message[0] if isinstance(message, tuple) and message else None
            if kind == "back_ok":
                return message[1]
            if kind == "back_raise":
                raise self.runner_exception(*message[1:5])
            self.respond(message)

    def test_exception_class(self, origin, kind):
        """The class here for an exception class of the test's: of its name
        and builtin bases, one per class."""
        key = ("class", object.__getattribute__(origin, "_cp_number"))
        cls = self.test_exceptions.get(key)
        if cls is None:
            _, name, bases = (kind.split(" ") + ["", ""])[:3]
            builtin = tuple(c for c in (getattr(builtins, b, None) for b in bases.split(",")) if isinstance(c, type))
            cls = self.test_exceptions[key] = _exception_class(name, builtin, origin)
        return cls

    def runner_exception(self, name, args, origin, bases=()):
        """An exception from the runner's side, as one of this side's: the
        test's class (made here from its handle), the learner's own class
        (by its name), a builtin one, or a class made here once per name
        with the builtin bases it had (`except OSError` catches a library's
        URLError)."""
        cls = None
        if isinstance(origin, type) and issubclass(origin, BaseException):
            cls = origin
        elif isinstance(origin, str):
            cls = _class_named(origin)
        if cls is None:
            cls = getattr(builtins, str(name), None)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            builtin = tuple(c for c in (getattr(builtins, b, None) for b in bases) if isinstance(c, type))
            key = (str(name), builtin)
            cls = self.test_exceptions.get(key)
            if cls is None:
                cls = self.test_exceptions[key] = _exception_class(str(name), builtin, None)
        try:
            return cls(*args)
        except Exception:
            return cls()

    def respond(self, request):
        """Answers one of the runner's requests."""
        try:
            op, *rest = request
            if op != "load":
                # Every other request names the object it is about.
                rest[0] = self.incoming(wire.LEARNER, rest[0], "")
            value, back = getattr(self, "op_" + op)(*rest)
            status = ("ok", value, back)
        except OutputLimit:
            status = None
        except BaseException as e:  # the learner's code may raise anything
            status = ("raise", *self.describe(e))
        out, err = self.drain()
        if status is None or self.printed > self.output_limit:
            self.write(("output_limit", out[: self.keep_bytes], err[: self.keep_bytes]))
            return
        try:
            self.write(status + (out, err))
        except wire.WireError as e:
            self.write(("unsendable", str(e), out, err))
        except BaseException as e:  # encoding runs the learner's __iter__ and the like
            self.write(("raise", *self.describe(e), out, err))

    def encode(self, value):
        """`value` as it would be written now, to tell whether it changed."""
        return wire.encode(value, self.handle, self.max_bytes, self.max_depth + 4, self.mirrors)

    def _contents(self, container):
        return wire.encode(wire.Contents(container), self.handle, self.max_bytes, self.max_depth, self.mirrors)

    def count_output(self, n):
        self.printed += n
        if self.printed > self.output_limit:
            raise OutputLimit()

    def drain(self):
        """What was printed since the last answer: (stdout, stderr). Never
        raises; output past the limit shows in `self.printed`."""
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        extra = b""
        try:
            size = os.fstat(self.fd_out).st_size
            if size:
                extra = os.pread(self.fd_out, min(size, self.output_limit + 1), 0)
                os.ftruncate(self.fd_out, 0)
                self.printed += size
        except OSError:
            pass
        return (self.out.take() + extra, self.err.take())

    def handle(self, obj):
        """How the runner knows `obj`: a handle of its own for a test's
        object (or exception class), else a number of ours (kept alive here
        for good)."""
        if isinstance(obj, type) and type(obj.__dict__.get("_cp_origin")) in _BACKS:
            obj = obj.__dict__["_cp_origin"]
        if type(obj) in _BACKS and object.__getattribute__(obj, "_cp_served") is self:
            return wire.RUNNER, object.__getattribute__(obj, "_cp_number"), ""
        number = self.numbers.get(id(obj))
        if number is None or self.objects.get(number) is not obj:
            self.next_number += 1
            number = self.next_number
            self.objects[number] = obj
            self.numbers[id(obj)] = number
        return wire.LEARNER, number, wire.described(obj, _kind(obj))

    def incoming(self, owner, number, kind):
        """A handle as an object here: one of ours, or a test's behind a Back."""
        if owner == wire.RUNNER:
            proxy = self.backs.get(number)
            if proxy is None:
                proxy = self.backs[number] = (BackFunction if kind == "function" else Back)(self, number, kind)
            if kind.startswith("exception "):
                # The test's exception class: a class here, to raise and catch.
                return self.test_exception_class(proxy, kind)
            return proxy
        try:
            return self.objects[number]
        except KeyError:
            raise wire.WireError("an object this process does not have") from None

    def describe(self, e, depth=0):
        """(type name, args, text, its class's exception MRO, its public
        attributes, the test's class it came from, its cause described
        likewise) of an exception from the learner's code."""
        cls = type(e)
        origin = cls.__dict__.get("_cp_origin")
        name = cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
        try:
            args = tuple(e.args)
            wire.encode(args, _refuse, 64 << 10, 8)
        except Exception:
            args = (_safe_str(e),)
        try:
            attrs = {k: v for k, v in vars(e).items() if isinstance(k, str) and not k.startswith("_")}
            wire.encode(attrs, _refuse, 64 << 10, 8)
        except Exception:
            attrs = {}
        if isinstance(e, SyntaxError):
            if e.filename and os.path.basename(e.filename) == "solution.py":
                e.filename = "solution.py"
            text = "".join(traceback.format_exception_only(cls, e))
        else:
            path = os.path.join(self.workdir, "solution.py")
            # The learner's own frames: solution.py, or a notebook's cells.
            frames = [
                f
                for f in traceback.extract_tb(e.__traceback__)
                if f.filename == path or f.filename.startswith(CELL_PREFIX)
            ]
            for f in frames:
                if f.filename == path:
                    f.filename = "solution.py"
            text = "".join(traceback.format_list(frames[-5:]) + traceback.format_exception_only(cls, e))
        cause = e.__cause__ if isinstance(e.__cause__, BaseException) and depth < 3 else None
        return (
            name,
            args,
            text[-4000:],
            _exception_chain(cls),
            attrs,
            origin if type(origin) in _BACKS else None,
            None if cause is None else self.describe(cause, depth + 1),
        )

    # The operations the runner may ask for; each returns (value, copied back).

    def op_load(self, source, limits, call_builtin=None):
        self.call_builtin = call_builtin
        if call_builtin is not None:
            builtins.input = _forwarder(call_builtin, "input")
        self.output_limit = limits["output_bytes"]
        self.keep_bytes = limits["keep_bytes"]
        self.max_bytes = limits["value_bytes"]
        self.max_depth = limits["value_depth"]
        if isinstance(source, list):
            self.objects[0] = _run_cells(source)
            return None, None
        path = os.path.join(self.workdir, "solution.py")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(source)
        import importlib

        module = importlib.import_module("solution")
        self.objects[0] = module
        return None, None

    def op_getattr(self, target, name):
        return getattr(target, name), None

    def op_setattr(self, target, name, value):
        setattr(target, name, value)
        return None, None

    def op_delattr(self, target, name):
        delattr(target, name)
        return None, None

    def op_call(self, target, args, kwargs):
        mutable = any(isinstance(a, (list, dict, set, collections.deque)) for a in (*args, *kwargs.values()))
        before = self.encode((args, kwargs)) if mutable else None
        result = target(*args, **kwargs)
        if mutable and self.encode((args, kwargs)) != before:
            return result, (args, kwargs)
        return result, None

    def op_op(self, target, name, args):
        if name == "len":
            return len(target), None
        if name == "iter":
            return iter(target), None
        if name == "next":
            return next(target), None
        if name == "getitem":
            return target[args[0]], None
        if name == "setitem":
            target[args[0]] = args[1]
            return None, None
        if name == "delitem":
            del target[args[0]]
            return None, None
        if name == "str":
            return str(target), None
        if name == "repr":
            return repr(target), None
        if name == "bool":
            return bool(target), None
        if name == "enter":
            return target.__enter__(), None
        if name == "exit":
            # The exception raised in the `with` block, if any, rebuilt
            # here as the test's code's exceptions are.
            exc = None if args[0] is None else self.runner_exception(*args[0])
            return bool(target.__exit__(None if exc is None else type(exc), exc, None)), None
        if name in _COMPARISONS:
            return bool(_COMPARISONS[name](target, args[0])), None
        if name in _ANSWERS:
            return _ANSWERS[name](target, *args), None
        if name == "arith":
            op, other, reflected = args
            f = _ARITHMETIC[op]
            return (f(other, target) if reflected else f(target, other)), None
        if name == "iarith":
            op, other = args
            return _IN_PLACE[op](target, other), None
        if name == "unary":
            return _UNARY[args[0]](target), None
        if name == "subclass":
            return _subclass(target, *args), None
        if name == "call_base":
            method, obj, call_args, call_kwargs = args
            return getattr(target, method)(obj, *call_args, **call_kwargs), None
        if name == "get_base":
            attribute, obj = args
            return _getattr_static(target, attribute).__get__(obj, type(obj)), None
        if name == "base_exit":
            obj, info = args
            exc = None if info is None else self.runner_exception(*info)
            return bool(target.__exit__(obj, None if exc is None else type(exc), exc, None)), None
        raise TypeError(f"no operation {name!r}")


# What the runner forwards of Python's operations, done as Python does them
# (the operator module tries the reflected method and the fallbacks too).
_COMPARISONS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "contains": lambda target, item: item in target,
    "isinstance": lambda cls, obj: isinstance(obj, cls),
    "issubclass": lambda cls, sub: issubclass(sub, cls),
}
_ANSWERS = {
    "hash": lambda target, _: hash(target),
    "int": lambda target, _: int(target),
    "index": lambda target, _: operator.index(target),
    "float": lambda target, _: float(target),
    "round": lambda target, ndigits: round(target) if ndigits is None else round(target, ndigits),
    "format": format,
    "reversed": lambda target: reversed(target),
    # A module's names as `from module import *` takes them.
    "public_names": lambda target, _: (
        [str(n) for n in target.__all__] if hasattr(target, "__all__") else [n for n in vars(target) if not n.startswith("_")]
    )[:10000],
    # What a test's subclass of a class builds on: its methods (what
    # `super()` may call), its properties (what `super().name` may read)
    # and what its instances can do (wire.ABILITIES).
    "class_shape": lambda target, _: (
        _static_names(target, types.FunctionType),
        _static_names(target, property),
        wire.abilities(target),
    ),
    "exc_chain": lambda target: (
        _exception_chain(target) if isinstance(target, type) and issubclass(target, BaseException) else None
    ),
}
_ARITHMETIC = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "matmul": operator.matmul,
    "truediv": operator.truediv,
    "floordiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
    "lshift": operator.lshift,
    "rshift": operator.rshift,
    "and": operator.and_,
    "or": operator.or_,
    "xor": operator.xor,
    "divmod": divmod,
}
_IN_PLACE = {name: getattr(operator, "i" + name.rstrip("_")) for name in _ARITHMETIC if name != "divmod"}
_UNARY = {
    "neg": operator.neg,
    "pos": operator.pos,
    "invert": operator.invert,
    "abs": abs,
    "trunc": math.trunc,
    "floor": math.floor,
    "ceil": math.ceil,
}


class Back:
    """One of the test's objects (a callable, a mock, an object of a class
    of the test's), held by the runner: calling it, reading a public attribute,
    iterating it or using it in `with` asks the runner. Equal only to
    another of the test's objects that the test's own == finds equal."""

    __slots__ = ("_cp_served", "_cp_number", "_cp_kind")

    def __init__(self, served, number, kind):
        for slot, value in zip(Back.__slots__, (served, number, kind)):
            object.__setattr__(self, slot, value)

    def _cp_back(self, op, *args):
        return self._cp_served.back(op, self, *args)

    def __call__(self, *args, **kwargs):
        return self._cp_back("call", args, kwargs)

    def __getattr__(self, name):
        if name.startswith("_") and name not in _DESCRIPTIVE:
            raise AttributeError(name)
        return self._cp_back("getattr", name)

    def __setattr__(self, name, value):
        raise AttributeError(f"the test's {self._cp_kind} cannot be changed")

    # What functools.wraps copies: the test's object's, not this class's.
    __doc__ = property(lambda self: self._cp_back("getattr", "__doc__"))
    __module__ = property(lambda self: self._cp_back("getattr", "__module__"))

    def __eq__(self, other):
        # Two of the test's objects are compared as the test compares them
        # (two reads of `self.seen.append` are equal bound methods).
        return self._cp_back("eq", other) if type(other) in _BACKS else NotImplemented

    def __lt__(self, other):
        return self._cp_back("lt", other) if type(other) in _BACKS else NotImplemented

    def __le__(self, other):
        return self._cp_back("le", other) if type(other) in _BACKS else NotImplemented

    def __gt__(self, other):
        return self._cp_back("gt", other) if type(other) in _BACKS else NotImplemented

    def __ge__(self, other):
        return self._cp_back("ge", other) if type(other) in _BACKS else NotImplemented

    def __hash__(self):
        return self._cp_back("hash")

    def __iter__(self):
        it = self._cp_back("iter")
        return it if type(it) in _BACKS else iter(it)

    def __next__(self):
        return self._cp_back("next")

    def __enter__(self):
        return self._cp_back("enter")

    def __exit__(self, *exc_info):
        return self._cp_back("exit")

    def __len__(self):
        return self._cp_back("len")

    def __bool__(self):
        return self._cp_back("bool")

    def __str__(self):
        return self._cp_back("str")

    def __repr__(self):
        return self._cp_back("repr")


# This process's own print and open, for when no test has patched them.
_OWN_BUILTINS = {"print": builtins.print, "open": builtins.open}


# An attribute a module did not have before a test's patch set it.
_MISSING = object()


def _library_module(name):
    """The module of that name here, imported if need be; None for one that
    is not here (a module of the test's)."""
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except Exception:
            return None
    return module if isinstance(module, types.ModuleType) else None


def _restore(module, attribute, original):
    try:
        if original is _MISSING:
            delattr(module, attribute)
        else:
            setattr(module, attribute, original)
    except Exception:  # the learner's code took it away itself
        pass


def _forwarder(call_builtin, name):
    def forwarded(*args, **kwargs):
        return call_builtin(name, *args, **kwargs)

    forwarded.__name__ = name
    return forwarded


def _exception_class(name, builtin, origin):
    """A class here for an exception class of the runner's side: its name,
    its most derived builtin bases, and its handle there (`_cp_origin`)."""
    builtin = [c for c in builtin if issubclass(c, BaseException)]
    most_derived = [c for c in builtin if not any(o is not c and issubclass(o, c) for o in builtin)]
    namespace = {"_cp_origin": origin, "__module__": "test_solution"}
    for tried in (tuple(most_derived), tuple(most_derived[:1]), (Exception,)):
        try:
            return type(name or "Error", tried or (Exception,), namespace)
        except TypeError:  # bases whose layouts conflict
            continue
    return type("Error", (Exception,), namespace)


def _class_named(name):
    """The learner's class called `module.qualname`, if there is one."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        obj = sys.modules.get(".".join(parts[:cut]))
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
        if isinstance(obj, type):
            return obj
    return None


class BackFunction(Back):
    # A function of the test's: set on a class, it is bound to the instance
    # it is read from, as a function is. (No docstring: __doc__ and
    # __module__ are the test's function's, as Back reads them.)

    __slots__ = ()
    __doc__ = Back.__dict__["__doc__"]
    __module__ = Back.__dict__["__module__"]

    def __get__(self, obj, owner=None):
        return self if obj is None else types.MethodType(self, obj)


_BACKS = (Back, BackFunction)

# The dunders the runner answers for a test's object (lending.py).
_DESCRIPTIVE = frozenset(("__name__", "__qualname__", "__doc__", "__module__", "__dict__", "__annotations__"))


def _getattr_static(obj, name, *default):
    """inspect.getattr_static, inspect imported at first use: it brings ast,
    dis and tokenize, about 10 ms at every start that most runs never need."""
    import inspect

    return inspect.getattr_static(obj, name, *default)


def _static_names(cls, kind):
    return [n for n in dir(cls) if isinstance(_getattr_static(cls, n, None), kind)][:2000]


def _subclass(base, name, methods, properties, attributes):
    """A class of this side's for a test's subclass of a learner class: each
    of the test's methods and properties calls the runner's, with this
    side's object."""

    def forward(key, fn):
        def method(self, *args, **kwargs):
            return fn(self, *args, **kwargs)

        method.__name__ = method.__qualname__ = str(key)
        return method

    namespace = {key: forward(key, fn) for key, fn in methods.items()}
    for key, accessors in properties.items():
        fget, fset = (None if f is None else forward(key, f) for f in accessors)
        namespace[key] = property(fget, fset)
    namespace.update(attributes)
    namespace["__module__"] = "test_solution"
    return type(str(name), (base,), namespace)


def _exception_chain(cls):
    """A class's exception classes as the runner rebuilds them: [name,
    builtin, its direct exception bases' names] for each class of its MRO,
    from it up to BaseException."""

    def name(c):
        return c.__name__ if c.__module__ == "builtins" else f"{c.__module__}.{c.__qualname__}"

    out = []
    for c in cls.__mro__:
        if isinstance(c, type) and issubclass(c, BaseException):
            bases = [name(b) for b in c.__bases__ if isinstance(b, type) and issubclass(b, BaseException)]
            out.append([name(c), c.__module__ == "builtins", bases])
    return out[:32]


def _kind(obj):
    """How the runner names an object it only holds a handle to."""
    try:
        if isinstance(obj, type):
            return f"class {obj.__qualname__}"
        name = getattr(obj, "__qualname__", None)
        if callable(obj) and isinstance(name, str):
            return f"{type(obj).__name__} {name}"
        return f"{type(obj).__qualname__} object"
    except BaseException:
        return "object"


def _refuse(obj):
    raise wire.WireError("not plain data")


def _safe_str(e):
    try:
        return str(e)[:2000]
    except Exception:
        return type(e).__name__
