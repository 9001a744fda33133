"""Which arm of which condition code runs in, so that two ifs testing the same flag are one choice.

An if whose two arms are both interpreted records, for everything recorded under it, the arm it ran in
(``DataEvent.branches``, ``FitCall.branches``, a model's ``created_branches``).  Two records in different arms
never both run.  A model factory and its trainer often test one flag twice, in two places::

    if not self.predict_gender:            # build()
        self.model = Model(inputs, age)
    else:
        self.model = Model(inputs, [age, gender])
    ...
    if not self.predict_gender:            # compile()
        self.model.compile(loss="mse")
    else:
        self.model.compile(loss={"age": "mse", "gender": "categorical_crossentropy"})

The two ifs are one choice: the first compile() never sees the two-output model.  A condition is identified by
the flag it reads when it is a flag (a name, an attribute of an instance of the script's classes, or one of them
compared with ``==``/``!=`` to a string or number written in the code), together with the value the flag holds
(the same object, read twice: a name bound again in between is another flag), and ``not`` and ``!=`` pick the
other arm.  Any other test is
only itself (its node).
"""
from __future__ import annotations

from typing import Hashable

import libcst as cst

from kerassniff.semantic.dataflow import Arm
from kerassniff.semantic.frames import Frame
from kerassniff.semantic.summaries import Same
from kerassniff.semantic.values import Instance, Unknown

_LITERALS = (cst.SimpleString, cst.Integer, cst.Float)


def arms_of(node: cst.If, frame: Frame, own_unknowns: dict[int, Unknown]) -> tuple[Arm, Arm]:
    """The arms of an if: its body's, then its else's.  ``own_unknowns``: the unknown values given to flags'
    bindings so far (see :func:`_flag`), by id; kept by the caller for the whole build."""
    test, flipped = node.test, 0
    while type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
        test, flipped = test.expression, 1 - flipped
    identity: Hashable | None = None
    if type(test) is cst.Comparison and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator = type(comparison.operator)
        if operator in (cst.Equal, cst.NotEqual) and type(comparison.comparator) in _LITERALS:
            flag = _flag(test.left, frame, own_unknowns)
            literal = comparison.comparator.evaluated_value  # type: ignore[attr-defined]
            if flag is not None:
                identity = ("==", flag, type(literal), literal)  # ("a" and 'a' are one value; 1 and 1.0 are not)
                flipped ^= operator is cst.NotEqual
    else:
        identity = _flag(test, frame, own_unknowns)
    if identity is None:
        return (id(node), 0), (id(node), 1)
    return (identity, flipped), (identity, 1 - flipped)


def _flag(node: cst.BaseExpression, frame: Frame, own_unknowns: dict[int, Unknown]) -> Hashable | None:
    """A flag's identity: ``name`` with the value it holds; ``obj.attr`` with the object and, for an instance of
    the script's classes, the attribute's value; None for anything else.

    One object stands for every value nothing is known of (``multi = len(sys.argv) > 1``), so two flags computed
    apart would look alike: the first test of such a flag gives its binding an unknown value of its own, which the
    binding keeps until the name (or attribute) is bound again."""
    if type(node) is cst.Name:
        value = frame.scope.lookup(node.value)
        if value is None:
            return None
        if type(value) is Unknown and id(value) not in own_unknowns:
            owner = frame.scope.owner(node.value)
            if owner is None:
                return None
            value = owner.vars[node.value] = _own(own_unknowns)
        return "name", node.value, Same(value)
    if type(node) is cst.Attribute and type(node.value) is cst.Name:
        # an attribute of an instance of the script's classes (whose attributes the interpreter follows); a class's
        # or a module's attribute set again (``Config.multi = False``) would keep one identity: not a flag
        owner = frame.scope.lookup(node.value.value)
        attribute = node.attr.value
        held = owner.attrs.get(attribute) if type(owner) is Instance else None
        if held is None:
            return None
        if type(held) is Unknown and id(held) not in own_unknowns:
            held = owner.attrs[attribute] = _own(own_unknowns)  # type: ignore[union-attr]
        return "attribute", node.value.value, attribute, Same(owner), Same(held)
    return None


def _own(own_unknowns: dict[int, Unknown]) -> Unknown:
    """A new unknown value, noted as a flag binding's own."""
    value = Unknown()
    own_unknowns[id(value)] = value
    return value
