"""Evaluators of Python expressions other than names, attributes, calls and subscripts.

Each takes the interpreter, the node and the frame, and returns the node's abstract value; the
interpreter's dispatch table (:data:`kerassniff.semantic.evaluation.EVALUATORS`, public as
``Interpreter.evaluators()``) maps node types to them.  They see the interpreter through the small
:class:`Evaluator` protocol below, never the interpreter's module.
"""
from __future__ import annotations

import ast
from typing import Protocol

import libcst as cst

from kerassniff.semantic.folding import (
    MAX_UNROLL,
    compare,
    is_string,
    merge,
    seq_items,
    truth,
)
from kerassniff.semantic.frames import Frame, Scope
from kerassniff.semantic.keras_values import agreement
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.values import (
    UNKNOWN,
    VersionFlag,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FormattedValue,
    FunctionValue,
    FolderListing,
    Predictions,
    Seq,
    Unknown,
    Value,
)


class Evaluator(Protocol):
    """What the evaluators here use of the interpreter."""

    literals: dict[int, Value]
    loop: LoopContext | None
    in_helper: int
    top_index: int | None
    functions: list[FunctionValue]

    def eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value: ...
    def defined_in(self, scope: Scope) -> Scope: ...
    def assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None: ...
    def binary(self, left: Value, op: str, right: Value, node: cst.CSTNode, frame: Frame) -> Value: ...
    def unroll_items(self, iterable: Value) -> list[Value] | None: ...
    def element_of(self, iterable: Value, node: cst.CSTNode) -> tuple[Value, bool]: ...
    def varies_in_loop(self, test: cst.BaseExpression, frame: Frame) -> bool: ...
    def is_knob(self, test: cst.BaseExpression, frame: Frame) -> bool: ...
    def version_test(self, test: cst.BaseExpression, value: Value) -> int: ...
    def guarding(self, active: int): ...


def target_names(target: cst.BaseExpression):
    if type(target) is cst.Name:
        yield target.value
    elif type(target) in (cst.Tuple, cst.List):
        for element in target.elements:
            yield from target_names(element.value)



def eval_literal(interp: Evaluator, node, frame: Frame) -> Value:
    known = interp.literals.get(id(node))
    if known is None:
        try:
            known = Const(_literal_value(node))
        except Exception:  # noqa: BLE001 - an odd literal is simply unknown
            known = UNKNOWN
        interp.literals[id(node)] = known
    return known


def _literal_value(node: cst.Integer | cst.Float | cst.SimpleString) -> object:
    """A number's or a string's value; the common spellings without ``ast.literal_eval`` (which compiles)."""
    kind = type(node)
    if kind is cst.Integer:
        return int(node.value, 0)  # also 0x1F, 1_000
    text = node.value
    if kind is cst.Float:
        return float(text)  # also 1e-3, .5, 1_000.5: Python's float literals are float()'s spellings
    if kind is cst.SimpleString:
        start = 0
        while text[start] not in "'\"":
            start += 1
        prefix, body = text[:start].lower(), text[start:]
        if prefix in ("", "u", "r") and (prefix == "r" or "\\" not in body) and "\r" not in body:
            # a str whose text is its value: no escapes (or a raw string), in single or triple quotes
            quote = 3 if body[:3] in ('"""', "'''") else 1
            return body[quote:-quote]
    # escapes, bytes: CPython reads the literal (LibCST's evaluated_value calls ast.literal_eval, whose nested
    # helpers are left as cyclic garbage on every call)
    return ast.parse(text, mode="eval").body.value  # type: ignore[attr-defined]


def eval_concatenated(interp: Evaluator, node: cst.ConcatenatedString, frame: Frame) -> Value:
    left = interp.eval(node.left, frame)
    right = interp.eval(node.right, frame)
    if isinstance(left, Const) and isinstance(right, Const) and isinstance(left.value, str) and isinstance(right.value, str):
        return Const(left.value + right.value)
    return UNKNOWN


def eval_fstring(interp: Evaluator, node: cst.FormattedString, frame: Frame) -> Value:
    parts: list[str] = []
    known = True
    ending_from = 0  # where the text after the last unknown part starts
    for part in node.parts:
        if type(part) is cst.FormattedStringText:
            parts.append(part.value.replace("{{", "{").replace("}}", "}"))  # f"{{epoch}}" is the text "{epoch}"
        else:
            value = interp.eval(part.expression, frame)
            if isinstance(value, Const) and part.format_spec is None and part.conversion is None:
                parts.append(str(value.value))
            else:
                known = False
                ending_from = len(parts)
    return Const("".join(parts)) if known else FormattedValue("".join(parts), "".join(parts[ending_from:]))


def eval_unary(interp: Evaluator, node: cst.UnaryOperation, frame: Frame) -> Value:
    value = interp.eval(node.expression, frame)
    if isinstance(value, Const):
        try:
            if type(node.operator) is cst.Minus:
                return Const(-value.value)
            if type(node.operator) is cst.Plus:
                return Const(+value.value)
            if type(node.operator) is cst.Not:
                return Const(not value.value)
        except TypeError:
            return UNKNOWN
    if isinstance(value, DataValue) and type(node.operator) is cst.Minus:
        return DataValue(value.data.with_step("shift", "negate", node))
    if isinstance(value, VersionFlag) and type(node.operator) is cst.Not:
        return value  # ``if not keras_2:`` is a version check too
    return UNKNOWN


def eval_binary(interp: Evaluator, node: cst.BinaryOperation, frame: Frame) -> Value:
    left = interp.eval(node.left, frame)
    right = interp.eval(node.right, frame)
    return interp.binary(left, type(node.operator).__name__, right, node, frame)


def eval_sequence(interp: Evaluator, node, frame: Frame) -> Value:
    items = []
    length_known = True
    for element in node.elements:
        value = interp.eval(element.value, frame)
        if type(element) is cst.StarredElement:
            if not (isinstance(value, Seq) or isinstance(value, Const) and isinstance(value.value, tuple)):
                length_known = False  # (*x.shape, 1): how many items the unknown value spreads is not known
            items.extend(seq_items(value))
        else:
            items.append(value)
    if not length_known:
        return UNKNOWN
    kind = "tuple" if type(node) is cst.Tuple else "list"
    if all(isinstance(i, Const) for i in items) and len(items) <= 100_000:
        return Const(tuple(i.value for i in items))  # type: ignore[union-attr]
    return Seq(tuple(items), kind)


def eval_dict(interp: Evaluator, node: cst.Dict, frame: Frame) -> Value:
    items = []
    complete = True
    for element in node.elements:
        if type(element) is cst.DictElement:
            items.append((interp.eval(element.key, frame), interp.eval(element.value, frame)))
        else:
            interp.eval(element.value, frame)
            complete = False  # {**defaults, ...}: the spread's entries are not among the items
    return DictValue(tuple(items), complete)


def _membership_filtered(comp: cst.CompFor) -> bool:
    """Whether a comprehension keeps only the items found in something (``if w in word_index``)."""
    targets = set(target_names(comp.target))
    return any(type(condition.test) is cst.Comparison and len(condition.test.comparisons) == 1 and
               type(condition.test.comparisons[0].operator) is cst.In and type(condition.test.left) is cst.Name and
               condition.test.left.value in targets for condition in comp.ifs)


def eval_comprehension(interp: Evaluator, node, frame: Frame) -> Value:
    """[elt for target in iter if cond]: evaluate the element once, with the loop bound."""
    scope = Scope(frame.scope)
    inner = Frame(scope, frame.returns, frame.self_value, frame.loop_bodies)
    comp = node.for_in
    length: int | None = None
    saved = interp.loop
    first = True
    outer: Value | None = None
    while comp is not None:
        iterable = interp.eval(comp.iter, inner)
        if first:
            outer = iterable
            items = interp.unroll_items(iterable)
            length = len(items) if items is not None else (len(iterable.items) if isinstance(iterable, Seq) else None)
            if isinstance(iterable, DataValue) and iterable.data.n_samples is not None:
                length = iterable.data.n_samples
            first = False
        element, per_sample = interp.element_of(iterable, comp)
        interp.loop = LoopContext(comp, iterable, tuple(target_names(comp.target)), False, interp.loop, per_sample=per_sample)
        interp.assign(comp.target, element, inner)
        for condition in comp.ifs:
            interp.eval(condition.test, inner)
            length = None
        comp = comp.inner_for_in
        if comp is not None:
            length = None
    try:
        if type(node) is cst.DictComp:
            interp.eval(node.key, inner)
            interp.eval(node.value, inner)
            return UNKNOWN
        element_value = interp.eval(node.elt, inner)
    finally:
        interp.loop = saved
    if _membership_filtered(node.for_in):
        element_value = element_value.present_only()  # [word_index.get(w, 2) + 3 for w in words if w in word_index]
    if type(node) is cst.GeneratorExp:
        return UNKNOWN
    if type(outer) is FolderListing and type(node) is cst.ListComp and node.for_in.inner_for_in is None and \
            _each_entry(node.elt, node.for_in.target):
        return outer  # [d for d in os.listdir(root) if os.path.isdir(...)]: some of the entries, in their order
    same = element_value is outer or (isinstance(outer, Predictions) and isinstance(element_value, Predictions) and
                                      element_value.call is outer.call and element_value.model is outer.model)
    if same and outer is not None and type(outer) is not Unknown and type(node) is cst.ListComp and \
            node.for_in.inner_for_in is None and not node.for_in.ifs:
        # [f(row) for row in rows] with an element that is each row itself: the rows, as a list (the predictions
        # made class decisions row by row: [int(np.argmax(row)) for row in pred])
        return element_value
    if length is not None and length <= MAX_UNROLL:
        return Seq((element_value,) * length, "list")
    return ComprehensionValue(element_value, length)


def _each_entry(element: cst.BaseExpression, target: cst.BaseAssignTargetExpression) -> bool:
    """A comprehension's element that is each entry of a folder listing: the entry (``d``), its name (``e.name`` of an
    ``os.scandir`` entry), or its path (``os.path.join(root, d)``, ``root + d``, ``f"{root}/{d}"``): the entries, in the
    listing's order."""
    if type(target) is not cst.Name:
        return False
    kind = type(element)
    if kind is cst.Call and element.args and not element.args[-1].star and (  # type: ignore[attr-defined]
            type(element.func) is cst.Attribute and element.func.attr.value == "join"):  # type: ignore[attr-defined]
        element = element.args[-1].value  # type: ignore[attr-defined]
    elif kind is cst.BinaryOperation and type(element.operator) is cst.Add:  # type: ignore[attr-defined]
        element = element.right  # type: ignore[attr-defined]
    elif kind is cst.FormattedString and element.parts and \
            type(element.parts[-1]) is cst.FormattedStringExpression:  # type: ignore[attr-defined]
        element = element.parts[-1].expression  # type: ignore[attr-defined]
    if type(element) is cst.Attribute and element.attr.value == "name":
        element = element.value
    return type(element) is cst.Name and element.value == target.value


def eval_lambda(interp: Evaluator, node: cst.Lambda, frame: Frame) -> Value:
    function = FunctionValue(node, interp.defined_in(frame.scope), top=None if interp.in_helper else interp.top_index)
    if not interp.in_helper:  # a lambda nobody calls is read once at the end, as a function nobody calls is
        interp.functions.append(function)
    return function


def eval_ifexp(interp: Evaluator, node: cst.IfExp, frame: Frame) -> Value:
    """``a if test else b``: the branch a known test takes; both, merged, when the test is not known.  Under a
    version or feature check (``tf.set_random_seed if hasattr(tf, "set_random_seed") else tf.random.set_seed``) both
    are alternatives read as guarded, as an if statement's are."""
    test = interp.eval(node.test, frame)
    guard = interp.version_test(node.test, test)
    taken = None if guard or interp.varies_in_loop(node.test, frame) or interp.is_knob(node.test, frame) else \
        truth(test)
    if taken is not None:
        return interp.eval(node.body if taken else node.orelse, frame)
    with interp.guarding(guard):
        a = interp.eval(node.body, frame)
        b = interp.eval(node.orelse, frame)
    if a == b and isinstance(a, Const):
        return a
    if isinstance(a, DataValue) or isinstance(b, DataValue) or (is_string(a) and is_string(b)):
        return merge(a, b)  # an array either way; or one of two strings ("a.h5" if c else "b.h5"), as an if makes it
    for kept, other in ((a, b), (b, a)):
        if kept != other and kept.stands_for(other):
            # word_index[w] + 3 if w in word_index else 2: a word id either way; i if i < 5000 else 2: the id kept
            # wherever it passes the bound
            return kept.or_else(other, _bound_of(interp, node, frame) if kept is a else None)
    return UNKNOWN


_BOUND_TESTS = {cst.LessThan: int.__lt__, cst.LessThanEqual: int.__le__, cst.GreaterThan: int.__gt__,
              cst.GreaterThanEqual: int.__ge__}


def _bound_of(interp: Evaluator, node: cst.IfExp, frame: Frame):
    """For ``i if i < 5000 else 2``: what the test asks of the value it keeps (a number test), when the test compares
    that very name with a constant number; None otherwise."""
    test = node.test
    if type(test) is not cst.Comparison or len(test.comparisons) != 1 or type(test.left) is not cst.Name or \
            type(node.body) is not cst.Name or test.left.value != node.body.value:
        return None
    compare = _BOUND_TESTS.get(type(test.comparisons[0].operator))
    if compare is None:
        return None
    bound = interp.eval(test.comparisons[0].comparator, frame)
    if type(bound) is not Const or type(bound.value) is not int:
        return None
    return lambda number: compare(number, bound.value)


def eval_boolean(interp: Evaluator, node: cst.BooleanOperation, frame: Frame) -> Value:
    """``a and b`` / ``a or b`` with Python's short circuit, when the left operand's truth is known."""
    left = interp.eval(node.left, frame)
    known = truth(left)
    is_and = type(node.operator) is cst.And
    if known is not None and known != is_and:
        return left  # False and ... / True or ...: the right operand is never evaluated
    # hasattr(tf.keras.optimizers, "experimental") and isinstance(o, tf.keras.optimizers.experimental.Optimizer): the
    # right operand runs only where the left one's check holds (a version check guards it, as an if's body)
    with interp.guarding(interp.version_test(node.left, left)):
        right = interp.eval(node.right, frame)
    return right if known is not None else UNKNOWN


_NUMBERS = (cst.Integer, cst.Float)
# Comparisons that pair two arrays element by element (predictions against labels).
_ELEMENTWISE_EQUALITY = (cst.Equal, cst.NotEqual)


# The comparisons that order two values.
_ORDERINGS = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)


def eval_comparison(interp: Evaluator, node: cst.Comparison, frame: Frame) -> Value:
    """``a == b``, ``a < b < c``, ``x in (...)``, ``x is None`` on known values fold to a constant."""
    left = interp.eval(node.left, frame)
    if len(node.comparisons) == 1 and type(node.comparisons[0].operator) in _ELEMENTWISE_EQUALITY:
        number_test = (type(node.comparisons[0].comparator) in _NUMBERS or type(node.left) in _NUMBERS) and \
            not interp.in_helper
        if number_test:
            interp.script.number_tests[id(node)] = node  # x == 1: what a rule asks of a probability compared so
        right = interp.eval(node.comparisons[0].comparator, frame)
        side = left if type(node.comparisons[0].comparator) in _NUMBERS else right
        if number_test and type(side) is Predictions and side.call is not None:
            interp.script.compared_predictions[id(node)] = side  # result[0][0] == 1 of whichever predict() reached it
        matched = agreement(left, right)  # pred == y_test: the start of an accuracy written by hand
        if matched is not None:
            return matched
        if isinstance(left, Predictions):
            return left.deciding()  # pred == 1: the same predictions, thresholded
        outcome = compare(node.comparisons[0].operator, left, right)
        return UNKNOWN if outcome is None else Const(outcome)
    if isinstance(left, Predictions) and len(node.comparisons) == 1:
        interp.eval(node.comparisons[0].comparator, frame)
        return left.deciding()  # model.predict(x) > 0.5: the same predictions, thresholded
    result: bool | None = True
    for target in node.comparisons:
        right = interp.eval(target.comparator, frame)
        if type(target.operator) in _ORDERINGS:
            left.ordered_against()  # word_index[w] + 3 < 10000: the ids are bounded somewhere
            right.ordered_against()
        if result is True:
            outcome = compare(target.operator, left, right)
            result = outcome if outcome is not None else None
        elif result is None and compare(target.operator, left, right) is False:
            result = False  # a < b < c is false when any link is
        left = right
    return UNKNOWN if result is None else Const(result)


def eval_named(interp: Evaluator, node: cst.NamedExpr, frame: Frame) -> Value:
    value = interp.eval(node.value, frame)
    interp.assign(node.target, value, frame)
    return value


def eval_yield(interp: Evaluator, node: cst.Yield, frame: Frame) -> Value:
    """``yield x`` (or ``yield from g``): what is sent back is unknown, and the function is a generator."""
    frame.generator = True
    if isinstance(node.value, cst.BaseExpression):
        frame.yields.append(interp.eval(node.value, frame))
        return UNKNOWN
    frame.yields.append(UNKNOWN)  # ``yield from g`` or a bare ``yield``: what it gives is not followed
    return eval_passthrough(interp, node, frame)


def eval_passthrough(interp: Evaluator, node, frame: Frame) -> Value:
    inner = getattr(node, "value", None) or getattr(node, "expression", None)
    if inner is not None:
        interp.eval(inner, frame)
    return UNKNOWN


