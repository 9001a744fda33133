"""What a library handler may ask of the interpreter: the whole protocol, and nothing else.

The handlers in :mod:`kerassniff.semantic.library` turn a call to a known library function into an abstract
value and record what the call did to the model (a fit, a compile, an array reaching a model).  They are
typed against :class:`Effects`, never against the interpreter: the interpreter passes itself, and anything
it offers beyond these few names stays its own business.  The functions below are the only way handlers
write to the script's facts, so that what a call records is found in one place.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import libcst as cst

from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.models import Model
from kerassniff.semantic.pyvalues import CallArgs, FunctionValue, Value


class ScriptFacts(Protocol):
    """The part of the script's model a handler reads and extends."""

    @property
    def models(self) -> list[Model]: ...

    @property
    def data_events(self) -> list[DataEvent]: ...


@runtime_checkable
class Effects(Protocol):
    """The interpreter, as the library handlers see it."""

    @property
    def script(self) -> ScriptFacts:
        """The facts recorded so far (the models built, the arrays that reached them)."""
        ...

    @property
    def loop(self) -> LoopContext | None:
        """The innermost loop being interpreted, None at straight-line code."""
        ...

    @property
    def branches(self) -> tuple[tuple[int, int], ...]:
        """The arms of the ifs being interpreted both ways, around the code now (see DataEvent.branches)."""
        ...

    def next_order(self) -> int:
        """A fresh program-order stamp: calls recorded later compare greater."""
        ...

    def call_function(self, function: FunctionValue, args: CallArgs, node: cst.Call | None,
                      self_value: Value | None = None) -> Value:
        """Interpret a function of the script on these arguments (``ds.map(f)`` applies f to one element); a method
        with ``self_value`` bound to its first parameter."""
        ...


def record_data_event(effects: Effects, event: DataEvent) -> None:
    """An array reached a model (fit x/y, validation data, evaluate, predict), in the branches it ran in."""
    if effects.branches:
        event.branches = effects.branches
    effects.script.data_events.append(event)


def known_models(effects: Effects) -> list[Model]:
    """Every model the script built so far, in the order it built them."""
    return effects.script.models


def loop_repetitions(effects: Effects) -> int | None:
    """How many times the current statement runs, counting enclosing loops: 1 outside loops, None if unknown."""
    return effects.loop.repetitions() if effects.loop is not None else 1
