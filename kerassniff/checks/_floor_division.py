"""A true division made an integer, for the fixes of KS402 (layer sizes) and KS403 (step counts).

``n / 32`` becomes ``n // 32`` only when both sides are known to be integers (``len(x) / 32``, ``x.shape[0] / batch``
with ``batch = 32``): a float on either side, written there or in the one plain binding of a name (``width = 64.0``,
``n_train = len(x) * 0.8``), would leave ``//`` a float (``64.0 // 2`` is 32.0), and a name the file binds otherwise
(a loop variable, a parameter) is not known either way.  Elsewhere the quotient is wrapped in ``int(...)``, which is
an integer whatever the operands hold.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.fixes import Fix, safe_fix
from kerassniff.semantic import Script


def integer_quotient(script: Script, division: cst.BinaryOperation,
                     floor_title: str = "divide with //") -> tuple[cst.BaseExpression, Fix]:
    """The division made an integer, and the safe fix that writes it (titled ``floor_title`` when it is ``//``):
    ``//`` when both operands are known to hold no float, else ``int(...)`` around it."""
    if not _may_hold_float(script, division.left) and not _may_hold_float(script, division.right):
        divide = division.operator
        floored = division.with_changes(operator=cst.FloorDivide(whitespace_before=divide.whitespace_before,
                                                                  whitespace_after=divide.whitespace_after))
        return floored, safe_fix(floor_title, division, floored)
    wrapped = cst.Call(cst.Name("int"), [cst.Arg(division)])
    return wrapped, safe_fix("make it an int: int(...)", division, wrapped)


def _may_hold_float(script: Script, node: cst.BaseExpression, depth: int = 0) -> bool:
    """Whether an operand may hold a float.  Integers: integer literals, ``len()``/``int()``/``math.ceil()`` of
    anything, an array's ``.shape[i]``, a name the file binds once to an integer expression, and arithmetic of those
    other than ``/`` and ``**``; anything else may be a float."""
    kind = type(node)
    if kind is cst.Integer:
        return False
    if kind is cst.Name:
        bound = script.single_binding(node.value)
        return bound is None or depth >= _MAX_BINDINGS_FOLLOWED or _may_hold_float(script, bound, depth + 1)
    if kind is cst.BinaryOperation:
        if type(node.operator) in (cst.Divide, cst.Power):
            return True
        return _may_hold_float(script, node.left, depth) or _may_hold_float(script, node.right, depth)
    if kind is cst.UnaryOperation:
        return _may_hold_float(script, node.expression, depth)
    if kind is cst.Call:
        func = node.func
        called = func.value if type(func) is cst.Name else (
            f"{func.value.value}.{func.attr.value}" if type(func) is cst.Attribute and type(func.value) is cst.Name
            else None)
        return called not in _INTEGER_CALLS
    if kind is cst.Subscript:
        value = node.value
        return not (type(value) is cst.Attribute and value.attr.value == "shape")
    return True


# How many names' bindings one operand is followed through (``a = b`` and ``b = a`` would never end).
_MAX_BINDINGS_FOLLOWED = 4
# Calls whose result is an integer whatever they are given.
_INTEGER_CALLS = frozenset({"len", "int", "math.ceil", "math.floor"})
