"""The one format that crosses the pipe between the runner and the learner's
process: plain data, tagged, in length-prefixed frames, bounded in size and
depth.

Both sides encode with it, but trust rests on the decoder alone: whatever the
learner's process sends, decoding builds nothing but None, bool, int, float,
complex, str, bytes, bytearray, list, tuple, dict, set, frozenset, slice,
range, Decimal, Fraction, namedtuples (as a namedtuple class of the same
name and fields, made here), the datetime module's date, time, datetime
(naive or at a fixed offset) and timedelta, the collections module's Counter,
OrderedDict, defaultdict (without its factory) and deque, and handles:
numbers naming an object that stays on one side, the learner's (its
objects) or the runner's (a callable or mock the test passed), each tagged
with its owner so that neither side can pass one off as the other's. Each is made
fresh here from plain parts by the standard constructors. Too big, too deep,
unhashable where a key must be, out of range, or not this format at all: a
WireError, never anything else.
"""

import array
import builtins
import collections
import datetime
import decimal
import enum
import fractions
import socket
import struct
import sys
import time
import types

# Defaults; the runner passes the grader's limits to both sides.
MAX_FRAME = 8 << 20
MAX_DEPTH = 100

_NONE, _TRUE, _FALSE = b"N", b"T", b"F"
_INT, _FLOAT, _STR, _BYTES = b"i", b"f", b"s", b"b"
_LIST, _TUPLE, _SET, _FROZENSET, _DICT = b"l", b"u", b"e", b"z", b"d"
# A handle names its owner: the side that holds the object.
LEARNER, RUNNER = "learner", "runner"
_HANDLES = {LEARNER: b"h", RUNNER: b"L"}
_OWNERS = {tag: owner for owner, tag in _HANDLES.items()}
_SLICE = b"c"
_COMPLEX, _BYTEARRAY, _RANGE = b"x", b"a", b"g"
_DECIMAL, _FRACTION = b"q", b"r"
_DATE, _TIME, _DATETIME, _TIMEDELTA = b"D", b"M", b"Y", b"t"
_COUNTER, _ORDERED, _DEFAULT, _DEQUE = b"k", b"o", b"y", b"w"
# Long lists of exact ints or strs, and dicts of them, in one piece each: a
# million items cross in milliseconds, not seconds (array and str.split,
# both the runner's own code, read them back).
_INTS, _STRS, _BULK_DICT = b"I", b"S", b"B"
_NAMEDTUPLE = b"n"
# Builtin classes (ValueError, int, str) by name: each side's own.
_BUILTIN_TYPE = b"K"
# Enum classes and members, as a name, a kind and members, made afresh on
# the other side (or found again where they came from: `_ENUMS`).
_ENUM_CLASS, _ENUM_MEMBER = b"E", b"m"
# Lists, dicts and sets both sides hold a copy of, kept alike (mirrors.py):
# the first time in a message with the contents, after that by number.
_SHARED_NEW, _SHARED_REF = b"v", b"R"
_BULK_MIN = 64
_WIDTHS = (("b", 1 << 7), ("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))

_U32 = struct.Struct(">I")
_F64 = struct.Struct(">d")


class WireError(Exception):
    """Data that cannot cross: its message is meant for the learner."""


class Closed(Exception):
    """The other side closed the pipe."""


class Timeout(Exception):
    """Nothing came before the deadline."""


def encode(value, other, max_bytes=MAX_FRAME, max_depth=MAX_DEPTH, shared=None):
    """Bytes for `value`. Plain data is written as itself (subclasses as
    their base type); anything else goes to `other(obj)`, which returns
    (owner, handle, type name) or raises WireError. With `shared` (a
    mirrors.Mirrors), lists, dicts and sets it takes on are written as
    shared containers, each once per message."""
    writer = _Writer(other, max_bytes, shared)
    writer.value(value, max_depth)
    return bytes(writer.out)


class Contents:
    """A shared container's contents, written as a container of its own
    kind rather than as a reference to itself (mirrors.py's changes)."""

    __slots__ = ("of",)

    def __init__(self, of):
        self.of = of


class _Writer:
    def __init__(self, other, max_bytes, shared):
        self.other = other
        self.max_bytes = max_bytes
        self.shared = shared
        self.out = bytearray()

    def check_size(self):
        if len(self.out) > self.max_bytes:
            raise WireError(f"a value larger than {self.max_bytes // 1024} KiB")

    def value(self, v, depth):
        if depth < 0:
            raise WireError("a value nested deeper than the limit (does it contain itself?)")
        self.check_size()
        out = self.out
        if type(v) is Contents:
            v = v.of
        elif type(v) in (list, dict, set) and self.shared is not None:
            marked = self.shared.mark(v)
            if marked is not None:
                kind, number = marked
                out += (_SHARED_REF if kind == "ref" else _SHARED_NEW) + _U32.pack(number)
                if kind == "ref":
                    return
        if v is None:
            out += _NONE
        elif v is True:
            out += _TRUE
        elif v is False:
            out += _FALSE
        elif isinstance(v, (enum.Enum, enum.EnumMeta)) and _enum_crosses(v):
            self.enum(v, depth)
        elif isinstance(v, int):
            n = int.__index__(v)
            raw = n.to_bytes((n.bit_length() + 8) // 8, "big", signed=True)
            out += _INT + _U32.pack(len(raw)) + raw
        elif isinstance(v, float):
            out += _FLOAT + _F64.pack(float.__float__(v))
        elif isinstance(v, complex):
            out += _COMPLEX + _F64.pack(float(v.real)) + _F64.pack(float(v.imag))
        elif isinstance(v, bytearray):
            raw = bytes(v)
            out += _BYTEARRAY + _U32.pack(len(raw)) + raw
        elif isinstance(v, _PARTS):
            tag, parts = _PARTS_OF[_kind_of(v)](v)
            out += tag
            self.value(parts, depth - 1)
        elif isinstance(v, str):
            raw = str.__str__(v).encode("utf-8", "surrogatepass")
            out += _STR + _U32.pack(len(raw)) + raw
        elif isinstance(v, (bytes, bytearray)):
            raw = bytes(v)
            out += _BYTES + _U32.pack(len(raw)) + raw
        elif type(v) is list and (bulk := _bulk(v)) is not None:
            out += bulk
            self.check_size()
        elif type(v) is dict and len(v) >= _BULK_MIN and (keys := _bulk(list(v))) and (values := _bulk(list(v.values()))):
            out += _BULK_DICT + keys + values
            self.check_size()
        elif (record := _record(v)) is not None:
            out += _NAMEDTUPLE
            self.value(record, depth - 1)
        elif isinstance(v, (list, tuple, set, frozenset)):
            tag = (
                _LIST
                if isinstance(v, list)
                else _TUPLE
                if isinstance(v, tuple)
                else _FROZENSET
                if isinstance(v, frozenset)
                else _SET
            )
            items = list(v)
            out += tag + _U32.pack(len(items))
            for item in items:
                self.value(item, depth - 1)
        elif isinstance(v, slice):
            out += _SLICE
            for part in (v.start, v.stop, v.step):
                self.value(part, depth - 1)
        elif isinstance(v, (collections.Counter, collections.OrderedDict, collections.defaultdict)):
            tag = (
                _COUNTER
                if isinstance(v, collections.Counter)
                else _ORDERED
                if isinstance(v, collections.OrderedDict)
                else _DEFAULT
            )
            out += tag
            # An OrderedDict's order is its own (move_to_end), not its dict's.
            items = collections.OrderedDict.items if tag == _ORDERED else dict.items
            self.value(list(items(v)), depth - 1)
        elif isinstance(v, collections.deque):
            out += _DEQUE
            self.value((list(v), v.maxlen), depth - 1)
        elif isinstance(v, dict):
            items = list(dict.items(v))
            out += _DICT + _U32.pack(len(items))
            for key, item in items:
                self.value(key, depth - 1)
                self.value(item, depth - 1)
        elif isinstance(v, type) and _BUILTIN_TYPES.get(v.__name__) is v:
            raw = v.__name__.encode()
            out += _BUILTIN_TYPE + _U32.pack(len(raw)) + raw
        else:
            owner, handle, type_name = self.other(v)
            raw = str(type_name)[:200].encode("utf-8", "replace")
            out += _HANDLES[owner] + _U32.pack(handle) + _U32.pack(len(raw)) + raw

    def enum(self, v, depth):
        """An enum class, or a member, as its class's name, kind and
        members (and the member's value): written whole or, where a value
        is not plain data, handed to `other` like any object."""
        cls = v if isinstance(v, enum.EnumMeta) else type(v)
        mark = len(self.out)
        try:
            # Plain data only: no handle may hide in a class's description.
            plain = _Writer(_not_plain, self.max_bytes - mark, None)
            plain.value(_enum_description(cls), depth - 1)
            if v is not cls:
                plain.value(v.value, depth - 1)
            self.out += (_ENUM_CLASS if v is cls else _ENUM_MEMBER) + plain.out
            self.check_size()
        except WireError:
            del self.out[mark:]
            owner, handle, type_name = self.other(v)
            raw = str(type_name)[:200].encode("utf-8", "replace")
            self.out += _HANDLES[owner] + _U32.pack(handle) + _U32.pack(len(raw)) + raw
        else:
            _ENUMS.setdefault(_enum_key(_enum_description(cls)), cls)


def _bulk(items):
    """One piece for a long list of exact ints within 64 bits, in the
    narrowest width that holds them all, or of exact strs without a NUL;
    None for any other list."""
    if len(items) < _BULK_MIN:
        return None
    kind = type(items[0])
    if kind is int and all(type(x) is int for x in items):
        low, high = min(items), max(items)
        code = next((c for c, bound in _WIDTHS if -bound <= low and high < bound), None)
        if code is None:
            return None
        packed = array.array(code, items)
        if sys.byteorder == "big":
            packed.byteswap()
        return _INTS + code.encode() + _U32.pack(len(items)) + packed.tobytes()
    if kind is str and all(type(x) is str for x in items):
        joined = "\x00".join(items)
        if joined.count("\x00") != len(items) - 1:  # an item holds a NUL
            return None
        raw = joined.encode("utf-8", "surrogatepass")
        return _STRS + _U32.pack(len(items)) + _U32.pack(len(raw)) + raw
    return None


def _record(v):
    """(name, fields, values) of a namedtuple, read through tuple itself; None
    for any other value, or one whose `_fields` do not describe it."""
    if not isinstance(v, tuple) or type(v) is tuple:
        return None
    fields = getattr(type(v), "_fields", None)
    if type(fields) is not tuple or not all(type(f) is str for f in fields):
        return None
    values = tuple(tuple.__getitem__(v, i) for i in range(tuple.__len__(v)))
    if len(fields) != len(values):
        return None
    return (str(type(v).__name__), fields, values)


# The namedtuple classes made for records that crossed, by name and fields.
_RECORDS = {}

_BUILTIN_TYPES = {name: v for name, v in vars(builtins).items() if isinstance(v, type)}


def _not_plain(obj):
    raise WireError(f"a {type(obj).__name__} is not plain data")


# Which enums cross as values. The runner sets it: every enum of the
# test's does. The learner's side leaves it off: only the enums it was
# sent, or made from what it was sent, cross as values; its own stay
# behind handles (an IntEnum of its own crosses as its int).
ENUMS_BY_VALUE = False
# Enum classes by description: those written from this side (so a member
# coming back is the very member sent) and those made here.
_ENUMS = {}
_ENUM_KINDS = (
    ("IntFlag", enum.IntFlag),
    ("Flag", enum.Flag),
    ("IntEnum", enum.IntEnum),
    ("StrEnum", enum.StrEnum),
    ("Enum", enum.Enum),
)


def _enum_crosses(v):
    cls = v if isinstance(v, enum.EnumMeta) else type(v)
    return ENUMS_BY_VALUE or _ENUMS.get(_enum_key(_enum_description(cls))) is cls


# The plain types an `Enum` may be mixed with (`class Color(str, Enum)`),
# written after its kind: "Enum:str".
_MIXINS = {"str": str, "int": int, "float": float}


def _enum_description(cls):
    """(name, kind, ((member name, value), ...)) of an enum class."""
    kind = next(name for name, base in _ENUM_KINDS if issubclass(cls, base))
    mixin = next((name for name, t in _MIXINS.items() if issubclass(cls, t)), None) if kind == "Enum" else None
    kind = f"{kind}:{mixin}" if mixin else kind
    members = tuple((name, member.value) for name, member in cls.__members__.items())
    return (str(cls.__name__), kind, members)


def _enum_key(description):
    try:
        hash(description)
    except TypeError:
        return None
    return description


def _member_name(name):
    # Never a dunder or sunder: the enum module would make it a class attribute.
    return name.isidentifier() and not name.startswith("_")


def _made_enum(description):
    """The enum class for a description: the one it came from, if it came
    from here, else one made here once, by the enum module's own API."""
    key = _enum_key(description)
    if key is None:
        raise WireError("malformed data (an enum whose values cannot be keys)")
    cls = _ENUMS.get(key)
    if cls is not None:
        return cls
    name, kind, members = description
    kind, _, mixin = str(kind).partition(":")
    base = dict(_ENUM_KINDS).get(kind)
    mixed = {"type": _MIXINS[mixin]} if mixin in _MIXINS and kind == "Enum" else {}
    if mixin and not mixed:
        raise WireError("malformed data (an enum of an unknown kind)")
    if type(name) is not str or base is None or type(members) is not tuple or len(members) > 1000:
        raise WireError("malformed data (an enum of the wrong shape)")
    if len(_ENUMS) >= 256:
        raise WireError("more kinds of enum than may cross")
    if not all(type(m) is tuple and len(m) == 2 and type(m[0]) is str and _member_name(m[0]) for m in members):
        raise WireError("malformed data (an enum's members)")
    type_name = name if name.isidentifier() and not name.startswith("_") else "Enum"
    cls = _ENUMS[key] = base(type_name, list(members), **mixed)
    return cls


def _made_record(name, fields, values):
    """A fresh value of a namedtuple class of this side's making; collections
    checks every name (identifiers only, no keywords, none starting with _)
    and renames those it refuses."""
    if type(name) is not str or type(fields) is not tuple or type(values) is not tuple:
        raise WireError("malformed data (a record of the wrong shape)")
    if len(fields) != len(values) or len(fields) > 255 or not all(type(f) is str and len(f) <= 100 for f in fields):
        raise WireError("malformed data (a record's fields)")
    key = (name[:100], fields)
    cls = _RECORDS.get(key)
    if cls is None:
        if len(_RECORDS) >= 256:
            raise WireError("more kinds of record than may cross")
        type_name = key[0] if key[0].isidentifier() and not key[0].startswith("_") else "Record"
        cls = _RECORDS[key] = collections.namedtuple(type_name, fields, rename=True)
    return cls._make(values)


def _offset(tz):
    """A fixed offset's seconds and microseconds; anything else (a zone
    with rules of its own) is not plain data."""
    if tz is None:
        return None
    if type(tz) is not datetime.timezone:
        raise WireError("a time zone other than a fixed offset is not plain data")
    delta = tz.utcoffset(None)
    return (delta.days * 86400 + delta.seconds, delta.microseconds)


def _zone(offset):
    if offset is None:
        return None
    seconds, micros = offset
    return datetime.timezone(datetime.timedelta(seconds=int(seconds), microseconds=int(micros)))


def _ints(*values):
    return tuple(int.__index__(v) for v in values)


# The values made of plain parts: (tag, parts) from a value, and back.
_PARTS = (
    decimal.Decimal,
    fractions.Fraction,
    range,
    datetime.date,
    datetime.time,
    datetime.timedelta,
)


# The values above that hold no other value: their repr is their own.
SCALARS = (complex, *_PARTS)


def _kind_of(v):
    for kind in (datetime.datetime, *_PARTS):
        if isinstance(v, kind):
            return kind
    raise AssertionError("unreachable")


_PARTS_OF = {
    decimal.Decimal: lambda v: (_DECIMAL, decimal.Decimal.__str__(v)),
    fractions.Fraction: lambda v: (_FRACTION, _ints(v.numerator, v.denominator)),
    range: lambda v: (_RANGE, _ints(v.start, v.stop, v.step)),
    datetime.datetime: lambda v: (
        _DATETIME,
        (_ints(v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond, v.fold), _offset(v.tzinfo)),
    ),
    datetime.date: lambda v: (_DATE, _ints(v.year, v.month, v.day)),
    datetime.time: lambda v: (_TIME, (_ints(v.hour, v.minute, v.second, v.microsecond, v.fold), _offset(v.tzinfo))),
    datetime.timedelta: lambda v: (_TIMEDELTA, _ints(v.days, v.seconds, v.microseconds)),
}

_FROM_PARTS = {
    _DECIMAL: lambda p: decimal.Decimal(str.__str__(p)),
    _FRACTION: lambda p: fractions.Fraction(*_bounded(*_ints(*p))),
    _RANGE: lambda p: range(*_ints(*p)),
    _DATETIME: lambda p: datetime.datetime(*_ints(*p[0][:7]), tzinfo=_zone(p[1]), fold=int(p[0][7])),
    _DATE: lambda p: datetime.date(*_ints(*p)),
    _TIME: lambda p: datetime.time(*_ints(*p[0][:4]), tzinfo=_zone(p[1]), fold=int(p[0][4])),
    _TIMEDELTA: lambda p: datetime.timedelta(*_ints(*p)),
    _DEQUE: lambda p: collections.deque(p[0], None if p[1] is None else int.__index__(p[1])),
}


# The mappings built from pairs, each filled under the reader's deadline.
_MAPPINGS = {
    _COUNTER: collections.Counter,
    _ORDERED: collections.OrderedDict,
    _DEFAULT: lambda: collections.defaultdict(None),
}

# How many values are read, and how many keys inserted, between two looks at
# the clock. Inserting one key among n whose hashes collide takes n steps,
# so a reader past its deadline stops within _KEYS times that.
_CHUNK = 256
_KEYS = 16

# A Fraction's parts at most this long: reducing longer ones (a gcd) could
# take the reader longer than any deadline.
_FRACTION_BITS = 1 << 17


def _bounded(*parts):
    if any(p.bit_length() > _FRACTION_BITS for p in parts):
        raise WireError("malformed data (a fraction too long to reduce)")
    return parts


def decode(data, handle, max_depth=MAX_DEPTH, shared=None, deadline=None):
    """The value in `data`; `handle(owner, number, type name)` makes what a
    handle becomes on this side, and `shared` (a mirrors.Mirrors) keeps the
    shared containers. Raises WireError for anything malformed, and Timeout
    past `deadline` (a monotonic time): however the data was made (keys
    whose hashes all collide), reading it takes no longer than that."""
    reader = _Reader(data, handle, shared, deadline)
    try:
        value = reader.value(max_depth)
    except (struct.error, UnicodeDecodeError, OverflowError, MemoryError) as e:
        raise WireError(f"malformed data ({type(e).__name__})") from None
    except (TypeError, ValueError, ArithmeticError, IndexError, KeyError) as e:
        # An unhashable key, a date out of range, parts of the wrong shape.
        raise WireError(f"malformed data: {e}") from None
    except RecursionError:
        raise WireError("a value nested too deeply") from None
    if reader.pos != len(data):
        raise WireError("malformed data (bytes after the value)")
    return value


class _Reader:
    def __init__(self, data, handle, shared, deadline=None):
        self.data = memoryview(data)
        self.pos = 0
        self.handle = handle
        self.shared = shared
        self.deadline = deadline
        self.ticks = 0

    def tick(self):
        """One more value read; past the deadline, Timeout (looked at every
        `_CHUNK` values, a clock read being dearer than a value)."""
        self.ticks += 1
        if not self.ticks % _CHUNK:
            self.expire()

    def expire(self):
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Timeout()

    def chunks(self, n):
        """Slices covering n items, the clock read before each: inserting
        keys whose hashes collide takes time only a deadline bounds."""
        for start in range(0, n, _KEYS):
            self.expire()
            yield slice(start, start + _KEYS)

    def filled(self, target, pairs):
        # dict's own update: Counter's would count the pairs, not take them.
        update = dict.update if type(target) is collections.Counter else type(target).update
        for part in self.chunks(len(pairs)):
            update(target, pairs[part])
        return target

    def take(self, n):
        end = self.pos + n
        if end > len(self.data):
            raise WireError("malformed data (cut short)")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u32(self):
        return _U32.unpack(self.take(4))[0]

    def count(self):
        n = self.u32()
        # Every item takes at least a byte: a count past what is left is a lie.
        if n > len(self.data) - self.pos:
            raise WireError("malformed data (a count past the end)")
        return n

    def value(self, depth):
        if depth < 0:
            raise WireError("a value nested deeper than the limit")
        self.tick()
        tag = bytes(self.take(1))
        if tag == _NONE:
            return None
        if tag == _TRUE:
            return True
        if tag == _FALSE:
            return False
        if tag == _INT:
            return int.from_bytes(self.take(self.u32()), "big", signed=True)
        if tag == _FLOAT:
            return _F64.unpack(self.take(8))[0]
        if tag == _STR:
            return str(self.take(self.u32()), "utf-8", "surrogatepass")
        if tag == _BYTES:
            return bytes(self.take(self.u32()))
        if tag in (_LIST, _TUPLE, _SET, _FROZENSET):
            items = [self.value(depth - 1) for _ in range(self.count())]
            if tag == _LIST:
                return items
            if tag == _TUPLE:
                return tuple(items)
            members = set()
            for part in self.chunks(len(items)):
                members.update(items[part])
            return members if tag == _SET else frozenset(members)
        if tag == _DICT:
            n = self.count()
            out = {}
            for _ in range(n):
                key = self.value(depth - 1)
                out[key] = self.value(depth - 1)
            return out
        if tag in _MAPPINGS:
            pairs = self.value(depth - 1)
            if type(pairs) is not list:
                raise WireError("malformed data (a mapping of the wrong shape)")
            return self.filled(_MAPPINGS[tag](), pairs)
        if tag == _INTS:
            code = str(self.take(1), "ascii")
            if code not in dict(_WIDTHS):
                raise WireError("malformed data (an unknown width)")
            n = self.u32()
            packed = array.array(code)
            packed.frombytes(self.take(n * packed.itemsize))
            if sys.byteorder == "big":
                packed.byteswap()
            return packed.tolist()
        if tag == _STRS:
            n = self.u32()
            items = str(self.take(self.u32()), "utf-8", "surrogatepass").split("\x00")
            if len(items) != n:
                raise WireError("malformed data (a count that is not the items')")
            return items
        if tag == _BULK_DICT:
            keys, values = self.value(depth - 1), self.value(depth - 1)
            if type(keys) is not list or type(values) is not list or len(keys) != len(values):
                raise WireError("malformed data (keys and values that do not pair)")
            out = {}
            for part in self.chunks(len(keys)):
                out.update(zip(keys[part], values[part]))
            return out
        if tag == _NAMEDTUPLE:
            record = self.value(depth - 1)
            if type(record) is not tuple or len(record) != 3:
                raise WireError("malformed data (a record of the wrong shape)")
            return _made_record(*record)
        if tag == _COMPLEX:
            return complex(_F64.unpack(self.take(8))[0], _F64.unpack(self.take(8))[0])
        if tag == _BYTEARRAY:
            return bytearray(self.take(self.u32()))
        if tag in _FROM_PARTS:
            return _FROM_PARTS[tag](self.value(depth - 1))
        if tag == _SLICE:
            return slice(self.value(depth - 1), self.value(depth - 1), self.value(depth - 1))
        if tag in (_SHARED_NEW, _SHARED_REF):
            if self.shared is None:
                raise WireError("malformed data (a shared container where none may be)")
            number = self.u32()
            if tag == _SHARED_REF:
                return self.shared.get(number)
            value = self.value(depth)
            self.shared.adopt(number, value)
            return value
        if tag == _BUILTIN_TYPE:
            cls = _BUILTIN_TYPES.get(str(self.take(self.u32()), "ascii"))
            if cls is None:
                raise WireError("malformed data (no such builtin class)")
            return cls
        if tag in (_ENUM_CLASS, _ENUM_MEMBER):
            plain = _Reader(self.data, _no_handles, None)
            plain.pos = self.pos
            cls = _made_enum(plain.value(depth - 1))
            member = cls if tag == _ENUM_CLASS else cls(plain.value(depth - 1))
            self.pos = plain.pos
            return member
        if tag in _OWNERS:
            number = self.u32()
            type_name = str(self.take(self.u32()), "utf-8", "replace")
            return self.handle(_OWNERS[tag], number, type_name)
        raise WireError(f"malformed data (unknown tag {tag!r})")


# What a handle to one of the learner's objects says of it besides a name:
# which of these operations its type has (so that the runner's stand-in has
# those and no others, and callable(), iter() and the collections.abc checks
# answer as they would for the object), and, for these builtin types, the
# type itself (a generator is a types.GeneratorType to the runner's
# isinstance too). The learner's side writes it (`described`), the runner's
# reads it (`description`).
ABILITIES = {
    "c": "__call__",
    "i": "__iter__",
    "n": "__next__",
    "l": "__len__",
    "k": "__contains__",
    "r": "__reversed__",
    "h": "__hash__",
    "g": "__getitem__",
}
CLAIMED = {t.__name__: t for t in (types.GeneratorType, map, filter, zip, enumerate, reversed)}


def abilities(cls):
    """The ABILITIES letters of what instances of `cls` have, looked up as
    Python looks up an operation: on the class, where None means none."""
    # Through type's own descriptors: a metaclass cannot claim for a class
    # what it does not have.
    mro, namespace = type.__dict__["__mro__"], type.__dict__["__dict__"]
    letters = []
    try:
        dicts = [namespace.__get__(k) for k in mro.__get__(cls)]
    except Exception:
        return ""
    for letter, name in ABILITIES.items():
        found = next((d[name] for d in dicts if name in d), None)
        if found is not None:
            letters.append(letter)
    return "".join(letters)


def described(obj, name):
    """A handle's description of `obj` (named `name`)."""
    claimed = next((n for n, t in CLAIMED.items() if type(obj) is t), "")
    return f"{abilities(type(obj))}\x00{claimed}\x00{name}"


def description(kind):
    """(abilities, claimed type or None, name) from a handle's description."""
    parts = kind.split("\x00", 2)
    if len(parts) != 3:
        return "", None, kind
    letters, claimed, name = parts
    return known_abilities(letters), CLAIMED.get(claimed), name


def known_abilities(letters):
    """The ABILITIES letters among `letters`, in one order (`str` or not)."""
    return "".join(sorted(set(letters) & ABILITIES.keys())) if type(letters) is str else ""


def _no_handles(owner, number, type_name):
    raise WireError("malformed data (a handle inside an enum)")


def send(sock, payload, deadline=None):
    """One frame. With a deadline, raises Timeout when the peer stops reading."""
    _set_timeout(sock, deadline)
    try:
        sock.sendall(_U32.pack(len(payload)) + payload)
    except socket.timeout:
        raise Timeout() from None
    except OSError:
        raise Closed() from None


def recv(sock, deadline=None, max_bytes=MAX_FRAME):
    """One frame's payload; Closed at end of stream, Timeout past the deadline,
    WireError for a frame over `max_bytes`."""
    size = _U32.unpack(_recv_exact(sock, 4, deadline))[0]
    if size > max_bytes:
        raise WireError(f"a message larger than {max_bytes // 1024} KiB")
    return _recv_exact(sock, size, deadline)


def _recv_exact(sock, n, deadline):
    buf = bytearray()
    while len(buf) < n:
        _set_timeout(sock, deadline)
        try:
            chunk = sock.recv(min(n - len(buf), 1 << 20))
        except socket.timeout:
            raise Timeout() from None
        except OSError:
            raise Closed() from None
        if not chunk:
            raise Closed()
        buf += chunk
    return bytes(buf)


def _set_timeout(sock, deadline):
    if deadline is None:
        sock.settimeout(None)
        return
    left = deadline - time.monotonic()
    if left <= 0:
        raise Timeout()
    sock.settimeout(left)
