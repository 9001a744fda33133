"""What a script tells about an optimizer's learning rate: the constant it is built with, the rate it starts at
(Keras's default when none is given), and whether the script sets a rate itself later.  KS305 judges the rate built,
KS314 compares it with ReduceLROnPlateau's floor."""
from __future__ import annotations

import re
from typing import NamedTuple

from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import DEFAULT_LEARNING_RATES
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import CallArgs, Instance, KnobConst, Value, const_value

# A learning rate set by the script after the optimizer is built, spelled as the calls and assignments that set one:
# a LearningRateScheduler built, set_value(), an assignment to any object's learning_rate or lr (``opt.learning_rate =
# 0.01``; ``cfg.lr = ...`` counts too: which object it is is not read) or its assign().
_SETS_A_RATE = re.compile(r"LearningRateScheduler\s*\(|set_value\s*\(|\.(?:learning_rate|lr)\s*"
                          r"(?:=[^=]|\.assign\s*\()")


def sets_a_rate(script: Script) -> bool:
    """Whether the script's text sets a learning rate after an optimizer is built (a LearningRateScheduler,
    ``K.set_value(model.optimizer.lr, ...)``, ``optimizer.learning_rate = ...``, ``...learning_rate.assign()``)."""
    text = script.text if script.text is not None else script.module.code
    return _SETS_A_RATE.search(text) is not None


def helpers_set_a_rate(script: Script) -> bool:
    """Whether a helper module the script read sets a learning rate (:func:`sets_a_rate`'s test on its code): asked
    only for an optimizer built in one of them (its own callback or scheduler may set the rate)."""
    return any(_SETS_A_RATE.search(module.code) is not None for module in script.helpers.values())


def constant_rate(args: CallArgs) -> tuple[str, float] | None:
    """(how it was spelled, the value) of an optimizer's constant learning rate: ``learning_rate=``, the Keras 2
    ``lr=`` or the first positional argument; None for schedules and unknowns."""
    for keyword in ("learning_rate", "lr"):
        if args.has(keyword):
            return _number(keyword, const_value(args.get(keyword)))
    if args.positional:
        return _number("learning_rate", const_value(args.positional[0]))
    return None


def rate_left_out(args: CallArgs) -> bool:
    """No learning rate given at all (not one whose value is unknown, nor a ``**options`` that may hold one)."""
    return not (args.positional or args.has("learning_rate") or args.has("lr") or any(a.star for a in args.nodes))


class StartingRate(NamedTuple):
    """The rate an optimizer starts at: ``rate`` as the script writes it (or Keras's default), and ``highest``, the
    most it may be on any Keras that runs the script (Keras 2's ``lr=`` is ignored by tf.keras 2.11-2.15, which
    start at the default)."""

    optimizer: str
    rate: float
    default: bool
    highest: float


def starting_rate(optimizer: Value | None) -> StartingRate | None:
    """The rate the optimizer compile() was given starts at: a Keras optimizer built with a constant rate, or one
    built, or named by a string, without a rate whose default every Keras version shares
    (:data:`DEFAULT_LEARNING_RATES`); None for anything else (a rate computed from a command-line option included,
    and Keras 2's ``lr=`` on an optimizer whose default is not known)."""
    name = const_value(optimizer)
    if isinstance(name, str):
        spelled = {key.lower(): key for key in DEFAULT_LEARNING_RATES}.get(name.lower())
        if spelled is None:
            return None
        return StartingRate(spelled, DEFAULT_LEARNING_RATES[spelled], True, DEFAULT_LEARNING_RATES[spelled])
    if type(optimizer) is not Instance or not is_keras(optimizer.cls):
        return None
    cls = short(optimizer.cls)
    found = constant_rate(optimizer.args)
    if found is not None and isinstance(optimizer.args.get(found[0], 0), KnobConst):
        return None  # a command-line option's default (changed from run to run)
    if found is not None and found[0] == "lr":  # taken by Keras 2 and tf.keras 2.10-, ignored by tf.keras 2.11-2.15
        default = DEFAULT_LEARNING_RATES.get(cls)
        return StartingRate(cls, found[1], False, max(found[1], default)) if default is not None else None
    if found is not None:
        return StartingRate(cls, found[1], False, found[1])
    if rate_left_out(optimizer.args) and cls in DEFAULT_LEARNING_RATES:
        return StartingRate(cls, DEFAULT_LEARNING_RATES[cls], True, DEFAULT_LEARNING_RATES[cls])
    return None


def _number(keyword: str, value: object) -> tuple[str, float] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return keyword, float(value)
