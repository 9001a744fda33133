"""KS236's charts: a bar chart of one input's predictions whose bars are labelled by a written list of class names.

``ax.barh(y_pos, predictions[0])`` then ``ax.set_yticks(y_pos)`` and ``ax.set_yticklabels(names)`` (or
``plt.bar(range(10), row)`` then ``plt.xticks(range(10), names)``): the tick at each bar's position gets the name
the list holds at that place, so the list names output unit i, as ``names[i]`` would.  Paired only when the tick
positions are the bars' own (the same value, or equal ranges), on the bars' axis, after the bars and in the same
function (or both at module level), with no other bar chart between.
"""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from kerassniff.semantic import Script
from kerassniff.semantic.folding import class_names_written
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.names import short
from kerassniff.semantic.script import NOT_RECORDED
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Value

# The bar chart calls (matplotlib's function or an Axes method) and the axis their positions lie on.
_BARS = {"bar": "x", "barh": "y"}
# The calls that label ticks: (positions and labels given together, or labels of the ticks set before).
_TICKS_WITH_LABELS = {"xticks": "x", "yticks": "y"}
_TICK_LABELS = {"set_xticklabels": "x", "set_yticklabels": "y"}
_TICK_POSITIONS = {"set_xticks": "x", "set_yticks": "y"}


def charted_predictions(script: Script) -> Iterator[tuple[cst.Call, cst.BaseExpression, tuple[str, ...],
                                                        Predictions]]:
    """(the call that labels the ticks, the written list, its names, the predictions charted) of each chart."""
    bar: tuple[str, Value, Predictions, object] | None = None  # axis, positions, predictions, function
    positions: dict[str, tuple[Value, object]] = {}  # axis -> the positions set_*ticks() gave, and where
    for call in script.calls:
        name = call.method or short(call.callee or "")
        if name in _BARS:
            bar = _bar(script, call, _BARS[name])
        elif name in _TICK_POSITIONS and call.args.positional:
            positions[_TICK_POSITIONS[name]] = (call.args.positional[0], script.enclosing_function(call.node))
        elif bar is not None and (name in _TICKS_WITH_LABELS or name in _TICK_LABELS):
            labelled = _labelled(script, call, name, bar, positions)
            if labelled is not None:
                yield labelled


def _bar(script: Script, call: CallSite, axis: str) -> tuple[str, Value, Predictions, object] | None:
    """A bar chart of one input's predictions: its axis, the bars' positions, the predictions and the function."""
    given = call.args.positional
    if len(given) < 2 or type(given[1]) is not Predictions:
        return None
    predictions = given[1]
    if not predictions.row or predictions.decided or predictions.reshaped or predictions.column is not None:
        return None
    return axis, given[0], predictions, script.enclosing_function(call.node)


def _labelled(script: Script, call: CallSite, name: str, bar: tuple[str, Value, Predictions, object],
              positions: dict[str, tuple[Value, object]]
              ) -> tuple[cst.Call, cst.BaseExpression, tuple[str, ...], Predictions] | None:
    axis, bar_positions, predictions, function = bar
    scope = script.enclosing_function(call.node)
    if scope is NOT_RECORDED or scope is not function:
        return None
    if name in _TICKS_WITH_LABELS:
        if _TICKS_WITH_LABELS[name] != axis or len(call.args.positional) < 2:
            return None
        ticks, labels, written = call.args.positional[0], call.args.positional[1], call.node.args[1].value
    else:
        if _TICK_LABELS[name] != axis or axis not in positions or not call.args.positional:
            return None
        ticks, where = positions[axis]
        if where is not function:
            return None
        labels, written = call.args.positional[0], call.node.args[0].value
    if not (ticks is bar_positions or ticks == bar_positions):
        return None
    names = class_names_written(labels)
    return (call.node, written, names, predictions) if names is not None else None
