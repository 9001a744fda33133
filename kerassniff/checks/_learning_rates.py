"""What a script tells about an optimizer's learning rate: the constant it is built with, the rate it starts at
(Keras's default when none is given), and whether the script sets a rate itself later.  KS305 judges the rate built,
KS314 compares it with ReduceLROnPlateau's floor."""
from __future__ import annotations

import re

from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import DEFAULT_LEARNING_RATES
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import CallArgs, Instance, KnobConst, Value, const_value

# A learning rate set by the script after the optimizer is built, spelled as the calls and assignments that set one
# (not a LearningRateScheduler imported and unused, nor cfg.lr = ...: an optimizer's rate is assigned through
# .optimizer or a variable's assign()).
_SETS_A_RATE = re.compile(r"LearningRateScheduler\s*\(|set_value\s*\(|optimizer\.(?:learning_rate|lr)\s*"
                          r"(?:=[^=]|\.assign\s*\()|\.learning_rate\.assign\s*\(")


def sets_a_rate(script: Script) -> bool:
    """Whether the script's text sets a learning rate after an optimizer is built (a LearningRateScheduler,
    ``K.set_value(model.optimizer.lr, ...)``, ``optimizer.learning_rate = ...``, ``...learning_rate.assign()``)."""
    text = script.text if script.text is not None else script.module.code
    return _SETS_A_RATE.search(text) is not None


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


def starting_rate(optimizer: Value | None) -> tuple[str, float, bool] | None:
    """(the optimizer's class name, the rate it starts at, whether that is Keras's default) for what compile() was
    given: a Keras optimizer built with a constant rate, or one built, or named by a string, without a rate whose
    default every Keras version shares (:data:`DEFAULT_LEARNING_RATES`); None for anything else (a command-line
    option's default included)."""
    name = const_value(optimizer)
    if isinstance(name, str):
        spelled = {key.lower(): key for key in DEFAULT_LEARNING_RATES}.get(name.lower())
        return (spelled, DEFAULT_LEARNING_RATES[spelled], True) if spelled is not None else None
    if type(optimizer) is not Instance or not is_keras(optimizer.cls):
        return None
    cls = short(optimizer.cls)
    found = constant_rate(optimizer.args)
    if found is not None and isinstance(optimizer.args.get(found[0], 0), KnobConst):
        return None  # a command-line option's default: the author changes it from run to run
    if found is not None:
        return cls, found[1], False
    if rate_left_out(optimizer.args) and cls in DEFAULT_LEARNING_RATES:
        return cls, DEFAULT_LEARNING_RATES[cls], True
    return None


def _number(keyword: str, value: object) -> tuple[str, float] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return keyword, float(value)
