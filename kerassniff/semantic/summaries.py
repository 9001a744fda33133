"""Function summaries: a function called again with the same abstract inputs is not interpreted again.

A call's *inputs* are everything its interpretation can read: the arguments (and the bound
``self``), the values of the names the function reads from the scopes around it, the loop around
the call, and whether the call sits in guarded code or in a helper module.  The first call with
given inputs interprets the body; a later call with equal inputs reuses its *summary* (the value it
returned).  What the first interpretation recorded (a ``fit``, a data event, a model) stays
recorded once: the later call is the same abstract computation, so it adds no new fact, and no
rule reports the same node twice for it.

Inputs are compared as abstract values: constants by type and value (``True`` is not ``1``), lists
and dicts by their items, and every object the script can change (a model, an instance, an array)
by identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

import libcst as cst

from kerassniff.semantic.frames import Scope
from kerassniff.semantic.library.keras_models import model_state
from kerassniff.semantic.syntax import names_read
from kerassniff.semantic.values import CallArgs, ComprehensionValue, Const, DictValue, Instance, ModelValue, Seq, Value


@dataclass(unsafe_hash=True)
class Summary:
    """What a call left that its caller sees: the value returned, and how many names that say
    "version" it read (a caller's ``x = f()`` is a version flag when f read one)."""

    value: Value
    version_names: int


class Summaries:
    """The summaries of one build, keyed by a function's node and its inputs."""

    def __init__(self) -> None:
        self._known: dict[Hashable, Summary] = {}
        self._names: dict[cst.CSTNode, tuple[str, ...]] = {}
        self._generators: dict[int, bool] = {}

    def is_generator(self, node: cst.FunctionDef | cst.Lambda) -> bool:
        """Whether calling the function makes a generator (a yield in its own body); found by the walk that finds
        the names it reads (:func:`~kerassniff.semantic.syntax.names_read`), once per function."""
        if id(node) not in self._generators:
            self._names_of(node)
        return self._generators[id(node)]

    def _names_of(self, node: cst.CSTNode) -> tuple[str, ...]:
        names = self._names.get(node)
        if names is None:
            generator = [False]
            names = self._names[node] = tuple(sorted(names_read(node, generator)))
            self._generators[id(node)] = generator[0]
        return names

    def inputs(self, node: cst.CSTNode, scope: Scope, args: CallArgs, self_value: Value | None,
               context: tuple) -> Inputs | None:
        """The inputs of a call; None when they cannot be compared (the call is never reused)."""
        names = self._names_of(node)
        free = [scope.lookup(name) for name in names]
        values = [v for v in (self_value, *args.positional, *(v for _, v in args.keywords), *free) if v is not None]
        key = (id(node), context, _frozen(self_value), tuple(_frozen(v) for v in args.positional),
               tuple((k, _frozen(v)) for k, v in args.keywords), tuple(_frozen(v) for v in free))
        try:
            hash(key)
        except TypeError:
            return None
        return Inputs(key, values, state_of(values))

    def get(self, inputs: Inputs | None) -> Summary | None:
        return None if inputs is None else self._known.get(inputs.key)

    def put(self, inputs: Inputs | None, summary: Summary) -> None:
        """Keep a call's summary, unless the call changed an object it was given: a second call then
        does more (``add_block(model)`` twice adds two blocks), so it is interpreted again."""
        if inputs is not None and state_of(inputs.values) == inputs.state:
            self._known[inputs.key] = summary


@dataclass
class Inputs:
    key: Hashable
    values: list[Value]
    state: tuple  # the state of the objects among the values, when the call began


def state_of(values: list[Value]) -> tuple:
    """What a call can change of the objects it reads: an instance's attributes, a model's architecture."""
    return tuple(_state(value) for value in values if isinstance(value, (Instance, ModelValue, Seq)))


def _state(value: Value) -> Hashable:
    if isinstance(value, Instance):
        return tuple((name, id(attr), model_state(attr)) for name, attr in value.attrs.items())
    if isinstance(value, Seq):
        return tuple(_state(item) for item in value.items if isinstance(item, (Instance, ModelValue)))
    return model_state(value)


def _frozen(value: Value | None) -> Hashable:
    """A value as a key: equal keys for values no interpretation can tell apart."""
    if value is None:
        return None
    kind = type(value)
    if isinstance(value, Const):
        data = getattr(value, "data", None)  # the array a KnownLen counts
        return (kind, _typed(value.value)) if data is None else (kind, _typed(value.value), Same(data))
    if kind is Seq:
        return (kind, value.kind, tuple(_frozen(item) for item in value.items))  # type: ignore[attr-defined]
    if kind is DictValue:
        return (kind, tuple((_frozen(k), _frozen(v)) for k, v in value.items))  # type: ignore[attr-defined]
    if kind is ComprehensionValue:
        return (kind, _frozen(value.element), value.length)  # type: ignore[attr-defined]
    # A value compared by its fields is compared so here (a range, a slice, a symbol); an object the script can
    # change (a model, an instance, an array) has identity equality: itself.
    return (kind, value)


class Same:
    """An object compared by identity, kept alive by the key that holds it (an id alone could be reused)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj


def _typed(python: object) -> Hashable:
    """A constant with the type of every part: ``(1, True)`` and ``(True, 1)`` and ``(1.0, 1)`` differ."""
    if isinstance(python, tuple):
        return tuple(_typed(item) for item in python)
    return (type(python), python)
