"""KS113 probabilities-truncated: a sigmoid or softmax model's predictions cast to integers before a threshold.

``model.predict(x).astype(int)``, ``np.int32(model.predict(x))``, ``int(model.predict(x)[0][0])``: the probabilities
lie between 0 and 1, and casting to an integer truncates every one of them to 0 (only a probability rounded to
exactly 1.0 in float32 stays 1), so every prediction is class 0 and nothing fails.  The same for probabilities
compared for equality with a class id, ``if model.predict(x)[0][0] == 1:``: true only for a saturated probability.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import PREDICTION_RESHAPING
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.values import Const, ModelValue, Symbol

# Integer dtypes, as astype() takes them (a name or a NumPy or builtin type), and the casting functions.
_INTEGER_DTYPES = frozenset({"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"})
_INTEGER_CASTS = frozenset({"builtins.int", *(f"numpy.{name}" for name in _INTEGER_DTYPES if name != "int")})
_PREDICTING = frozenset({"predict", "predict_on_batch", "__call__"})



@rule("KS113", "probabilities-truncated", Severity.ERROR,
      "a sigmoid or softmax model's predict() output cast to integers (astype(int)) or compared with 0 or 1 before "
      "any threshold or argmax",
      "threshold the probabilities first, (model.predict(x) > 0.5).astype(int), or take np.argmax(..., axis=-1)")
def check(script: Script):
    yield from _probabilities_misread(script)


@across_scripts("KS113")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``load_model("cats.h5")`` in a predict script) that another script built
    with a sigmoid or softmax output and saved: the finding is the loading script's."""
    yield from reports_elsewhere(scripts, _probabilities_misread)


def _probabilities_misread(script: Script, built: BuiltHere = HERE):
    yield from _truncated(script, built)
    yield from _compared_exactly(script, built)


def _truncated(script: Script, built: BuiltHere = HERE):
    """Casts of a sigmoid or softmax model's predictions to integers: one finding per predict() call, at its first
    cast (``if int(p[0][0]) == 0: print(names[int(p[0][0])])`` truncates the same probabilities twice)."""
    reported: set[int] = set()
    for call in script.calls:
        if call.method == "astype" and type(call.node.func) is cst.Attribute and _integer_dtype(call):
            truncated = call.node.func.value
        elif call.callee in _INTEGER_CASTS and len(call.node.args) == 1 and call.node.args[0].keyword is None:
            truncated = call.node.args[0].value
            if call.callee == "builtins.int" and _indices(truncated) < 2:
                continue  # int(model.predict(x)), int(p[0]): today's NumPy raises TypeError (2.4.6)
        else:
            continue
        value = call.receiver if call.method == "astype" else \
            (call.args.positional[0] if call.args.positional else None)
        if not isinstance(value, Predictions) and type(truncated) is not cst.Subscript:
            continue  # (known predictions, or an item of something: told without looking up any name)
        predicted = _raw_predictions(script, truncated)
        activation = _probabilities(predicted.receiver, built) if predicted is not None else None
        if activation is not None and id(predicted.node) not in reported:
            reported.add(id(predicted.node))
            yield _report(script, call, predicted, activation, built)


def _indices(node: cst.BaseExpression) -> int:
    """How many single positions index the expression down (``p[0][0]``, ``p[0, 0]``: 2; ``p.ravel()[0]``: counted as
    2, one flattened position of a 2-D output).  Python's ``int()`` takes one number: of a whole array of predictions,
    or of one row, today's NumPy raises TypeError ("only 0-dimensional arrays can be converted", on 2.4.6)."""
    count = 0
    while type(node) is cst.Subscript:
        count += sum(type(element.slice) is cst.Index for element in node.slice)
        node = node.value
        if type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in ("ravel", "flatten"):
            return count + 1
    return count


def _compared_exactly(script: Script, built: BuiltHere = HERE):
    """``prediction[0][0] == 1`` of a sigmoid or softmax model's predict(): a probability equals 1 (or 0) only once
    float32 saturates, so the test is false for nearly every input and the script's else branch names the class.
    Asked of the equality tests against a number the interpretation met (Script.number_tests), not of every node."""
    if not script.number_tests or not any(
            call.method in _PREDICTING and isinstance(call.receiver, ModelValue) and
            _probabilities(call.receiver, built) is not None for call in script.calls):
        return  # (most scripts: no probability to compare; the names bound once are then never looked up)
    for node in script.number_tests.values():
        left, right = node.left, node.comparisons[0].comparator
        side = left if _class_id(right) is not None else right if _class_id(left) is not None else None
        predicted = _raw_predictions(script, side) if side is not None and _may_be_predictions(script, side) else None
        if predicted is None and side is not None and _indexed_name(side):
            predicted = _reached_predictions(script, node)
        activation = _probabilities(predicted.receiver, built) if predicted is not None else None
        if activation is not None:
            yield _exact_report(script, node, predicted, activation, _class_id(right if side is left else left), built)


def _indexed_name(node: cst.BaseExpression) -> bool:
    """A name, indexed or not (``result``, ``result[0][0]``): nothing written between the predictions and the test
    (a cast there is a truncation, :func:`_truncated`'s finding)."""
    while type(node) is cst.Subscript:
        node = node.value
    return type(node) is cst.Name


def _reached_predictions(script: Script, node: cst.Comparison) -> CallSite | None:
    """The predict() whose untouched output the interpretation found compared at ``node`` (a name bound by several
    predict() calls, ``result = model.predict(a)`` and later ``result = model.predict(b)``: the one that reaches it)."""
    predictions = script.compared_predictions.get(id(node))
    if predictions is None or predictions.decided or predictions.squashed or predictions.mapped:  # (indexed or
        # reshaped: still them; mapped by np.exp: no longer probabilities)
        return None
    site = script.call_at(predictions.call)
    if site is None or site.method not in _PREDICTING or not isinstance(site.receiver, ModelValue):
        return None
    return site


def _may_be_predictions(script: Script, node: cst.BaseExpression) -> bool:
    """Whether an operand may hold a predict()'s output, told from the text before any binding is looked up: a call,
    or a name (indexed or not) that the text assigns from a line calling predict (``result = model.predict(x)``)."""
    while type(node) is cst.Subscript:
        node = node.value
    if type(node) is not cst.Name:
        return type(node) is cst.Call
    text = script.text if script.text is not None else script.module.code
    return re.search(rf"\b{re.escape(node.value)}\s*=[^=\n]*\b(?:predict\w*|__call__)\s*\(", text) is not None


def _probabilities(model: ModelValue, built: BuiltHere) -> str | None:
    """The activation of a model whose one output gives probabilities ("sigmoid", "softmax"), the model built where
    ``built`` says; None otherwise."""
    architecture = built.model_of(model.model)
    head = architecture.single_head() if architecture is not None else None
    return head.activation if head is not None and head.activation in ("sigmoid", "softmax") else None


def _class_id(node: cst.BaseExpression) -> int | None:
    """0 or 1 written as a number (``1``, ``1.0``)."""
    if type(node) in (cst.Integer, cst.Float):
        value = float(node.value.replace("_", ""))  # type: ignore[attr-defined]
        return int(value) if value in (0.0, 1.0) else None
    return None


def _exact_report(script: Script, node: cst.Comparison, predicted: CallSite, activation: str, label: int,
                  built: BuiltHere) -> Report:
    model = predicted.receiver.model
    operator = "==" if type(node.comparisons[0].operator) is cst.Equal else "!="
    instead = ("threshold them: model.predict(x) > 0.5" if activation == "sigmoid" else
               "compare the most likely class: np.argmax(model.predict(x), axis=-1) == k")
    return Report(node, f"'{operator} {label}' compares the {activation} probabilities of {model.label} exactly: only a "
                        f"saturated one equals {label}",
                  instead,
                  explanation=(f"{built.preface()}{model.label} ends in a {activation}, so predict() ({{predict}}) "
                               f"returns probabilities between 0 and 1; one equals {label} only where float32 rounds it "
                               f"to "
                               f"exactly {label}.0 (a saturated output). The test is "
                               f"{'false' if operator == '==' else 'true'} for every other input, "
                               f"so the branch it chooses, or the class ids it makes, mostly ignore what the "
                               f"model predicts."),
                  mentions={"predict": predicted.node},
                  facts={"activation": activation, "compared_with": label, **built.facts()})


def _report(script: Script, call: CallSite, predicted: CallSite, activation: str, built: BuiltHere) -> Report:
    model = predicted.receiver.model
    cast = f"{call.method}()" if call.method == "astype" else f"{script.code_of(call.node.func)}()"
    instead = ("threshold them first: (model.predict(x) > 0.5).astype(int)" if activation == "sigmoid" else
               "take the most likely class: np.argmax(model.predict(x), axis=-1)")
    return Report(call.node, f"{cast} truncates the {activation} probabilities of {model.label} to 0: every prediction "
                             f"is class 0", instead,
                  explanation=(f"{built.preface()}{model.label} ends in a {activation}, so predict() ({{predict}}) "
                               f"returns probabilities between 0 and 1; casting them to integers truncates each one "
                               f"to 0 "
                               f"(only a probability that float32 rounds to exactly 1.0 stays 1). Every prediction "
                               f"is then class 0, and the scores or the submission made of them say nothing about "
                               f"the model."),
                  mentions={"predict": predicted.node}, facts={"activation": activation, **built.facts()})


def _integer_dtype(call: CallSite) -> bool:
    dtype = call.args.positional[0] if call.args.positional else call.args.get("dtype")
    if isinstance(dtype, Const) and isinstance(dtype.value, str):
        return dtype.value in _INTEGER_DTYPES
    return isinstance(dtype, Symbol) and dtype.name in _INTEGER_CASTS


def _raw_predictions(script: Script, node: cst.BaseExpression, depth: int = 0) -> CallSite | None:
    """The predict() call whose output ``node`` is, untouched but for indexing and reshaping (``model.predict(x)``,
    ``model.predict(x)[:, 0]``, ``model.predict(x).flatten()``, or a name the file binds once to one of those); None
    for anything else, a threshold or a rounding included."""
    while True:  # indexing and reshaping keep the probabilities: pred[:, 0], pred.flatten(), np.squeeze(pred)
        if type(node) is cst.Subscript:
            node = node.value
        elif type(node) is cst.Call and type(node.func) is cst.Attribute and \
                node.func.attr.value in PREDICTION_RESHAPING:
            site = script.call_at(node)
            if site is not None and site.callee is not None:  # np.squeeze(pred): the array is the argument
                if not node.args:
                    return None
                node = node.args[0].value
            else:  # pred.flatten(), pred.reshape(-1)
                node = node.func.value
        else:
            break
    if type(node) is cst.Name and depth == 0:
        bound = script.single_binding(node.value)
        return _raw_predictions(script, bound, depth + 1) if bound is not None else None
    if type(node) is not cst.Call:
        return None
    site = script.call_at(node)
    if site is None or site.method not in _PREDICTING or not isinstance(site.receiver, ModelValue):
        return None
    return site
