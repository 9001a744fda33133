"""KS406 argument-in-another-place: an argument that says what it is for, given in another parameter's place.

``model.fit(X, y, epochs)``: fit()'s third parameter is batch_size, so the model trains one epoch (the default) in
batches of ``epochs`` samples, and nothing fails.  ``fit(X, y, epochs, batch_size)`` swaps the two.  Only the places
of counts (batch_size, epochs): a count in the place of x or y makes Keras fail on its own.  A library constant of
another family (``cv2.imread(path, cv2.COLOR_BGR2GRAY)``, ``cv2.resize(img, size, cv2.INTER_AREA)``) is
:mod:`kerassniff.checks._ks406_constants`'s.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._ks406_constants import misplaced_constants
from kerassniff.findings import Severity
from kerassniff.fixes import as_keyword, unsafe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.array_names import name_words
from kerassniff.semantic.knowledge.model_api import POSITIONAL_PARAMETERS
from kerassniff.semantic.values import Const, ModelValue


@rule("KS406", "argument-in-another-place", Severity.ERROR,
      "fit()/evaluate()/predict() given a variable named for one parameter (epochs) in another's place "
      "(batch_size), or an OpenCV constant in another family's place (imread(path, cv2.COLOR_BGR2GRAY))",
      "pass it by keyword: model.fit(x, y, epochs=epochs, batch_size=batch_size)")
def check(script: Script):
    yield from misplaced_constants(script)
    for call in script.calls:
        parameters = POSITIONAL_PARAMETERS.get(call.method or "")
        # (a model Keras builds, whose own fit() runs: a subclass's fit(), a model of a module kerassniff does not
        # read, another library's object may take other arguments)
        if parameters is None or not isinstance(call.receiver, ModelValue) or \
                not call.receiver.model.keras_runs(call.method) or any(arg.star for arg in call.node.args):
            continue
        positional = [arg for arg in call.node.args if arg.keyword is None]
        given = {arg.keyword.value for arg in call.node.args if arg.keyword is not None}
        misplaced = [(index, arg, parameters[index], meant) for index, arg in enumerate(positional[:len(parameters)])
                     if parameters[index] in _COUNTS and (meant := _parameter_named(arg.value)) in _COUNTS and
                     meant != parameters[index] and meant in parameters and meant not in given and
                     parameters[index] not in given]  # (given twice: Python's TypeError says so)
        swapped = len(misplaced) == 2 and misplaced[0][2] == misplaced[1][3] and misplaced[0][3] == misplaced[1][2]
        if swapped:
            yield _swapped(script, call, misplaced[0][1], misplaced[1][1])
            continue
        for index, arg, place, meant in misplaced:
            yield _report(script, call, arg, place, meant, index, filled=len(positional) > parameters.index(meant),
                          last=arg is positional[-1])


# The parameters that take a count, whose places this rule judges.
_COUNTS = frozenset({"batch_size", "epochs"})


def _report(script: Script, call, arg: cst.Arg, place: str, meant: str, index: int, filled: bool,
            last: bool) -> Report:
    """One argument in another parameter's place (``filled``: the parameter it was meant for gets another
    positional argument; ``last``: no positional argument follows it, so it can become a keyword argument)."""
    name = script.code_of(arg.value)
    method = f"{call.method}()"
    value = call.args.positional[index] if index < len(call.args.positional) else None
    number = value.value if isinstance(value, Const) and isinstance(value.value, int) else None
    if place == "batch_size" and meant == "epochs" and not filled:
        consequence = "one epoch is trained" + (f", in batches of {number}" if number else "")
    elif place == "epochs" and number:
        consequence = f"it trains {number} epochs"
    else:
        consequence = f"{place} gets {number}" if number else f"{place} gets its value"
    return Report(arg, f"'{name}' is {method}'s {place} by position, not {meant}: {consequence}",
                  f"pass it by keyword: {meant}={name}", _keyword_fix(arg, meant) if last else None,
                  explanation=(f"{method} takes its first arguments in the order "
                               f"{', '.join(POSITIONAL_PARAMETERS[call.method])} (in Keras 2 and 3), so '{name}', "
                               f"named for {meant}, is read as {place}: {consequence}, and nothing fails. Keyword "
                               f"arguments say which is which."),
                  facts={"argument": name, "place": place, "meant": meant})


def _swapped(script: Script, call, first: cst.Arg, second: cst.Arg) -> Report:
    """Two arguments each in the other's place: ``fit(x, y, epochs, batch_size)``."""
    a, b = script.code_of(first.value), script.code_of(second.value)
    method = f"{call.method}()"
    meant_a, meant_b = _parameter_named(first.value), _parameter_named(second.value)
    return Report(first, f"'{a}' and '{b}' are swapped in {method}: it takes {meant_b} before {meant_a}",
                  f"pass them by keyword: {meant_a}={a}, {meant_b}={b}",
                  explanation=(f"{method} takes its first arguments in the order "
                               f"{', '.join(POSITIONAL_PARAMETERS[call.method])} (in Keras 2 and 3), so '{a}' is "
                               f"read as {meant_b} and '{b}' as {meant_a}, and nothing fails: the model trains for as "
                               f"many epochs as the batch was meant to hold samples."),
                  facts={"arguments": [a, b], "swapped": [meant_a, meant_b]})


def _keyword_fix(arg: cst.Arg, keyword: str):
    return unsafe_fix(f"pass it as {keyword}=", arg, as_keyword(arg, keyword))


def _parameter_named(node: cst.BaseExpression) -> str | None:
    """The data-method parameter a variable's name says it holds: ``epochs``, ``n_epochs``, ``EPOCHS`` (epochs),
    ``batch_size``, ``BATCH_SZ``, ``bs`` (batch_size); None for other names and for names that mix them
    (``steps_per_epoch``, ``epoch_steps``, ``num_batches``, ``batch_count``, ``batch``: a batch of data)."""
    if type(node) is cst.Attribute:
        node = node.attr
    if type(node) is not cst.Name:
        return None
    words = set(name_words(node.value))
    if words & {"step", "steps"}:
        return None  # steps_per_epoch, epoch_steps: a count of another parameter, not judged
    if words & {"epoch", "epochs"} and not words & _NOT_A_COUNT_OF_EPOCHS:
        return "epochs"
    if ("batch" in words and words & {"size", "sz"} and not words & _NOT_A_BATCH_SIZE) or words == {"bs"}:
        return "batch_size"  # (a variable named ``batch`` alone holds a batch of data)
    return None


_NOT_A_COUNT_OF_EPOCHS = frozenset({"step", "steps", "size", "len", "length", "per", "iter", "iterations", "batch",
                                    "batches", "initial", "start", "first", "last", "current", "idx", "index", "i"})
_NOT_A_BATCH_SIZE = frozenset({"batches", "num", "n", "count", "steps", "step", "epoch", "epochs", "idx", "index",
                               "i", "x", "y", "data", "images", "labels", "gen", "generator"})

