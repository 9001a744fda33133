"""What arithmetic does to arrays: ``x / 255``, ``(x - x.mean(axis=0)) / x.std(axis=0)``, ``img -= [123.68, ...]``.

Each operator with an array operand maps the array's history (:class:`~kerassniff.semantic.dataflow.Data`) to the
result's: a scaling step of a known or unknown kind, with where its statistics were measured (the array's own
samples, each sample alone, or another array).  Anything else is an unknown scale, never guessed.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic.dataflow import PREDICTIONS_SETTING, Data, DataValue, data_of
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.library.arrays import Statistic
from kerassniff.semantic.library.channels import channel_constants
from kerassniff.semantic.pyvalues import UNKNOWN, Value, const_value
from kerassniff.semantic.syntax import walk_code


def statistic_arithmetic(left: Value, op: str, right: Value) -> Value:
    """``max_ - min_`` is the range of one array; ``std + 1e-7`` is still its spread."""
    if isinstance(left, Statistic) and isinstance(right, Statistic):
        if op == "Subtract" and left.data.group == right.data.group and (left.kind, right.kind) in (
                ("max", "min"), ("amax", "amin")):
            both = (left.over_samples, right.over_samples)
            same = left.array is not None and right.array is not None and _same_code(left.array, right.array)
            return Statistic(left.data, "max-min", True if both == (True, True) else False if False in both else None,
                             left.array if same else None)
        return UNKNOWN
    statistic, number = (left, right) if isinstance(left, Statistic) else (right, left)
    value = const_value(number)
    small = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < abs(value) < 1e-3
    if isinstance(statistic, Statistic) and op == "Add" and small:
        return statistic  # an epsilon against division by zero
    return UNKNOWN


def arithmetic(effects: Effects, left: Value, op: str, right: Value, node: cst.CSTNode) -> Value:
    if not isinstance(left, DataValue) and not isinstance(right, DataValue):
        return statistic_arithmetic(left, op, right)
    data = data_of(left)
    other = right
    if data is None:
        data, other = data_of(right), left
        if data is None:
            return UNKNOWN
        if op in ("Divide", "Subtract", "Power"):
            return DataValue(data.with_step("scale", f"{op.lower()}?", node))
    number = const_value(other)
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        number = None
    handler = ARITHMETIC.get(op)
    if handler is not None:
        return handler(data, other, number, op, node)
    return DataValue(data.with_step("scale", f"{op}?", node))


def _divide(data: Data, other: Value, number: float | None, op: str, node: cst.CSTNode) -> Value:
    if number is not None:
        return DataValue(data.with_step("scale", f"/{number:g}", node))
    if isinstance(other, Statistic):
        if other.kind in ("max", "amax") and _at_most_one(other.data):
            return DataValue(replace(data, node=node))  # x_te / np.max(x_tr) after x_tr /= np.max(x_tr): / 1.0
        kind = {"std": "standardize", "var": "standardize", "max-min": "minmax"}.get(other.kind, "scale")
        measured_on = _measured_on(data, other, node) if kind != "scale" else None
        return DataValue(data.with_step(kind, f"/{other.kind}", node, measured_on))
    return DataValue(data.with_step("scale", "/?", node))


def _measured_on(data: Data, statistic: Statistic, node: cst.CSTNode) -> str | None:
    """Whether ``(x - x.mean(axis=0)) / x.std(axis=0)`` scales the array with statistics of its own samples ("split"),
    or ``(x - x.mean(axis=1)) / x.std(axis=1)`` (or any statistic of one sample) within each sample ("sample"); None
    when the statistics may be another array's (``x[test] / x[train].std()``, a name holding them) or pixels, whose
    extremes are 0 and 255 in every split. The same array is the same expression, read off the code, beside the
    same history."""
    measured = statistic.data
    if data.source.pixels or statistic.over_samples is None or not _measures_itself(statistic, node) or \
            measured.group != data.group or measured.name != data.name or \
            data.steps[:len(measured.steps)] != measured.steps:
        return None
    return "split" if statistic.over_samples and not data.is_sample else "sample"


def _measures_itself(statistic: Statistic, node: cst.CSTNode) -> bool:
    """``A / A.std()``, ``(A - A.mean()) / np.std(A)``, ``(A - A.min()) / (A.max() - A.min())``, ``A /= A.std()``: the
    statistic was read from the expression the numerator starts from."""
    if type(node) is cst.BinaryOperation:
        numerator, divisor = node.left, node.right
    elif type(node) is cst.AugAssign:
        numerator, divisor = node.target, node.value
    else:
        return False
    while type(numerator) is cst.BinaryOperation and type(numerator.operator) is cst.Subtract:
        numerator = numerator.left
    # read in the divisor itself, not kept in a name from an earlier value of the array (X = data[:800] then
    # X = data[800:] scaled by the first one's statistics)
    return statistic.array is not None and _same_code(statistic.array, numerator) and \
        any(part is statistic.array for part in walk_code(divisor))


def _same_code(a: cst.BaseExpression, b: cst.BaseExpression) -> bool:
    """The same expression, whatever parentheses are around it."""
    return _bare(a).deep_equals(_bare(b))


def _bare(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=(), rpar=()) if getattr(node, "lpar", None) else node


def _at_most_one(data: Data) -> bool:
    """Whether the array's largest value is 1: its last value step divided it by its own maximum, or min-max
    scaled it (so dividing another array by its max divides by 1)."""
    last = data.last_value_step()
    return last is not None and (last.kind == "minmax" or (last.kind == "scale" and last.detail in ("/max", "/amax")))


def _multiply(data: Data, other: Value, number: float | None, op: str, node: cst.CSTNode) -> Value:
    if number is not None:
        if number == 1:
            return DataValue(replace(data, node=node))
        detail = f"/{1 / number:g}" if 0 < abs(number) < 1 else f"*{number:g}"
        return DataValue(data.with_step("scale", detail, node))
    if isinstance(other, DataValue):
        return DataValue(replace(data, node=node))  # a mask or an element-wise product
    if isinstance(other, Predictions):  # a mask of a model's predictions: an unknown scale, known to be theirs
        return DataValue(data.with_step("scale", "*?", node, settings=((PREDICTIONS_SETTING, other),)))
    return DataValue(data.with_step("scale", "*?", node))


def _shift(data: Data, other: Value, number: float | None, op: str, node: cst.CSTNode) -> Value:
    if number is not None:
        if number == 0:
            return DataValue(replace(data, node=node))
        return DataValue(data.with_step("shift", f"{'-' if op == 'Subtract' else '+'}{number:g}", node))
    if isinstance(other, Statistic):
        return DataValue(data.with_step("shift", f"-{other.kind}", node))
    channels = channel_constants(other)
    if channels is not None:  # img -= np.array([123.68, 116.779, 103.939]): a mean per colour channel
        return DataValue(data.with_step("shift", f"{'-' if op == 'Subtract' else '+'}[{channels}]", node))
    return DataValue(data.with_step("shift", "?", node))


def _floor_divide(data: Data, other: Value, number: float | None, op: str, node: cst.CSTNode) -> Value:
    if number is not None:
        return DataValue(data.with_step("scale", f"//{number:g}", node))
    return DataValue(data.with_step("scale", f"{op}?", node))


# What an arithmetic operator with an array operand does to its history (others: an unknown scale).
ARITHMETIC: dict[str, Callable[[Data, Value, "float | None", str, cst.CSTNode], Value]] = {
    "Divide": _divide, "Multiply": _multiply, "Subtract": _shift, "Add": _shift, "FloorDivide": _floor_divide,
}
