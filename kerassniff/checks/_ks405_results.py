"""KS405's question of a call: is its result its only effect, and which variable does it leave unchanged?

``x.astype("float32")``, ``np.expand_dims(img, 0)``, ``cv2.resize(img, size)``, ``df.dropna()``, ``ds.shuffle(1000)``,
``scaler.transform(x)``: each returns a new object and leaves its input as it was.  The tables are
:mod:`kerassniff.semantic.knowledge.results`'s; the rule asks this of dropped statements and of results bound to a
name nothing reads.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.results import (
    ARRAY_METHODS,
    DATASET_METHODS,
    PANDAS_INPLACE_METHODS,
    PANDAS_ONLY_METHODS,
    RESULT_ONLY_FUNCTIONS,
    TRANSFORM_METHODS,
)
from kerassniff.semantic.in_place import output_argument
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.values import Const, DataValue, Instance, Unknown, const_value


def result_only(script: Script, call: CallSite) -> tuple[str, cst.BaseExpression, str, bool] | None:
    """For a call whose result is its only effect, on a variable (not a model's load: its own story): how a message
    names the call, the variable it leaves unchanged, what it returns ("array", "DataFrame or Series", "dataset"),
    and whether it is pandas'; None for any other call."""
    node = call.node
    if call.callee is not None:
        known = RESULT_ONLY_FUNCTIONS.get(call.callee)
        if known is None or known.returns == "model" or \
                writes_an_output(node, known.output_position, known.output_keyword):
            return None
        first = node.args[0].value if node.args and node.args[0].keyword is None and node.args[0].star == "" \
            else None
        return (f"{script.code_of(node.func)}()", first, known.returns, False) if variable(first) else None
    method, receiver = call.method, call.receiver
    func = node.func
    if method is None or type(func) is not cst.Attribute or not variable(func.value):
        return None  # (a method of a value just computed, loan_data.corr()["x"].sort_values(): a look at the data)
    unfollowed = type(receiver) in (Unknown, Predictions)  # (a model's predictions: an array of unknown values)
    if isinstance(receiver, DataValue) or (unfollowed and method in ARRAY_METHODS | PANDAS_ONLY_METHODS):
        if method in PANDAS_INPLACE_METHODS:
            inplace = call.args.get("inplace")
            if inplace is not None and not (isinstance(inplace, Const) and const_value(inplace) is False):
                return None  # inplace=True (or not known): the DataFrame itself changes
            if method in _FILLING_METHODS and _already_filled(script, receiver):
                return None  # read_csv(...).fillna(" ") before: no NaN is left to fill or drop
            return f"{script.code_of(func)}()", func.value, "DataFrame or Series", True
        if method in ARRAY_METHODS:
            return f"{script.code_of(func)}()", func.value, "array", False
        if method in DATASET_METHODS and not unfollowed and receiver.data.batches and \
                not receiver.data.keras_iterator:
            return f"{script.code_of(func)}()", func.value, "dataset", False
        return None
    if isinstance(receiver, Instance) and _transforms(receiver, method) and not _may_copy_less(call.args.get("copy")):
        first = node.args[0].value if node.args and node.args[0].keyword is None else None
        if variable(first):
            return f"{script.code_of(func)}()", first, "array", False
    return None


# pandas methods that change nothing once every NaN has been filled.
_FILLING_METHODS = frozenset({"fillna", "dropna"})


def _already_filled(script: Script, receiver) -> bool:
    """Whether a followed frame's history already holds a fillna() of every value by one constant (of the whole
    frame or of what it was taken from, not ``fillna({"age": 0})``): a dropped fillna()/dropna() after it leaves
    nothing unfilled."""
    if not isinstance(receiver, DataValue):
        return False
    for step in receiver.data.steps:
        call = script.call_at(step.node) if step.kind == "reshape" and step.detail == "fillna" else None
        value = call.args.get("value", 0) if call is not None else None
        if isinstance(value, Const) and isinstance(value.value, (str, int, float)):
            return True
    return False


def variable(node: cst.BaseExpression | None) -> bool:
    """A name, an attribute of one, or an item of one (``x``, ``self.x``, ``df["age"]``): what a script means to
    change when it calls a method of it or passes it first.  A value just computed (``df.corr()["x"]``, a literal)
    is looked at, not changed."""
    while type(node) in (cst.Attribute, cst.Subscript):
        node = node.value  # type: ignore[union-attr]
    return type(node) is cst.Name


def writes_an_output(node: cst.Call, position: int | None, keyword: str | None) -> bool:
    """Whether the call is given an array to write its result into (NumPy's out=, OpenCV's dst), by keyword or at
    its position, other than None."""
    if any(arg.star for arg in node.args):
        return True  # (*args, **options): what they hold is not read
    return output_argument(node, position, keyword) is not None


def _transforms(receiver: Instance, method: str) -> bool:
    """A fitted preprocessing object's method that returns the transformed data (a Keras Tokenizer's
    texts_to_sequences, a scikit-learn scaler's transform), not on a transformer built with copy=False."""
    for prefix, methods in TRANSFORM_METHODS.items():
        if method in methods and (receiver.cls == prefix or (prefix.endswith(".") and receiver.cls.startswith(prefix))):
            return not _may_copy_less(receiver.args.get("copy"))
    return False


def _may_copy_less(copy) -> bool:
    """Whether a ``copy=`` given to a scikit-learn transformer (or its transform()) may make it work in place: given,
    and not the constant True."""
    return copy is not None and not (isinstance(copy, Const) and copy.value is True)


