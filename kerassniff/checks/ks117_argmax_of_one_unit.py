"""KS117 argmax-of-one-unit: the class taken as the argmax of the predictions of a model with one output unit.

A binary classifier with ``Dense(1, activation="sigmoid")`` gives one probability per input.  ``np.argmax(pred,
axis=1)`` picks the largest of that one value: always index 0, so every input is "class 0" whatever the model
says, and an accuracy or a confusion matrix built from it is the share of class 0.  Without ``axis=`` the argmax
runs over the flattened predictions and gives the row of the most confident input (0 for a single input), never
a class.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.layer_facts import OutputHead
from kerassniff.semantic.models import Model
from kerassniff.semantic.shapes import one_value_per_input
from kerassniff.semantic.training import BINARY_LOSSES, CallSite
from kerassniff.semantic.values import const_value

# The argmax functions of the array libraries, with the position of their axis and whether it defaults to a
# flattened argmax (NumPy, keras.ops) or to axis 0 (TensorFlow).
_ARGMAX_FUNCTIONS = {"numpy.argmax": True, "keras.ops.argmax": True, "keras.backend.argmax": False,
                     "tensorflow.argmax": False, "tensorflow.math.argmax": False}


@rule("KS117", "argmax-of-one-unit", Severity.ERROR,
      "the argmax of the predictions of a model with one output unit (a sigmoid): always 0, never the class",
      "threshold the probability instead: (pred > 0.5).astype(int), or (pred[:, 0] > 0.5) for one column")
def check(script: Script):
    yield from _argmaxes(script)


@across_scripts("KS117")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``model_from_json(...)`` and ``load_weights("model.h5")`` in a test
    script) that another script built with one output unit and saved: the finding is the loading script's."""
    yield from reports_elsewhere(scripts, _argmaxes)


def _argmaxes(script: Script, built: BuiltHere = HERE):
    for call in script.calls:
        found = _argmax_of_predictions(call)
        if found is None:
            continue
        predictions, axis = found
        model = built.output_model(predictions)
        if model is None:
            continue
        head = model.single_head()
        if head is None or head.units != 1 or predictions.reshaped or not _binary_classifier(model, head) or \
                not one_value_per_input(model) or predictions.squashed == "softmax":
            continue  # (the argmax of a softmax the script wrote of them: KS304 reports that softmax)
        written = script.code_of(call.node)
        if len(written) > 40:
            written = "np.argmax(...)" if call.callee == "numpy.argmax" else "argmax(...)"
        output = "sigmoid output" if head.activation == "sigmoid" else "output"
        last_layer = built.sentence("model's last layer")
        if predictions.row:
            message, why = _STORIES["row"]
        else:
            message, why = _STORIES["axis" if axis in (-1, 1) else "flattened"]
        yield Report(call.node, message.format(written=written, output=output),
                     explanation=f"{last_layer} at {{output}} has one unit{why}",
                     facts={"units": 1, "axis": axis, "activation": head.activation,
                            **({"row": True} if predictions.row else {}), **built.facts()},
                     mentions={"output": built.mention(head.activation_node)})


# What each argmax of a 1-unit output does: (message, the explanation after "The model's last layer ... has one unit").
_STORIES = {
    "row": ("{written} of one input's 1-unit {output} is always 0: never the class",
            ", so one input's prediction is an array of one probability; its argmax is its only index, 0, whatever "
            "the probability, and every input is read as class 0."),
    "axis": ("{written} of a 1-unit {output} is always 0: every input is class 0",
             ", so each prediction is a row of one value; the argmax over that row is its only index, 0, whatever "
             "the probability. Every input is then class 0, and a score computed from these classes is the share of "
             "class 0 in the labels."),
    "flattened": ("{written} of a 1-unit {output}'s predictions is a row index, not a class",
                  ", and an argmax with no axis runs over all the predictions flattened: it gives the position of the "
                  "largest probability among the inputs (0 when there is one input), never the predicted class."),
}


def _argmax_of_predictions(call: CallSite) -> tuple[Predictions, int | None] | None:
    """(the predictions, the axis) of ``np.argmax(pred, axis=1)``, ``tf.argmax(pred, axis=-1)``,
    ``pred.argmax(axis=1)``, ``np.argmax(model.predict(x))``; None for any other call, an axis that is not a
    constant, or an argmax over the inputs (axis 0: the most confident input, which a script may want)."""
    if call.callee in _ARGMAX_FUNCTIONS:
        first = call.args.positional[0] if call.args.positional else None
        given = call.args.get("axis", 1)
        flattens = _ARGMAX_FUNCTIONS[call.callee]
    elif call.method == "argmax" and call.callee is None:
        first = call.receiver
        given = call.args.get("axis", 0)
        flattens = True
    else:
        return None
    if not isinstance(first, Predictions) or not _whole(call, first):
        return None
    axis = None if given is None else const_value(given, "unknown")
    if isinstance(axis, bool):
        return None
    if first.row:  # one input's predictions, one axis: flattened, axis 0 or -1 all give its only index
        return (first, axis) if axis in (0, -1, None) else None
    if given is None:
        return (first, None) if flattens else None
    if axis not in (-1, 1, None):
        return None
    return first, axis


def _whole(call: CallSite, predictions: Predictions) -> bool:
    """The predictions are written whole: a name or the predict() call itself (``pred.ravel()``, ``pred[:, 0]`` may
    be the one column, whose argmax over the inputs is deliberate), or one input's row of them (``pred[0]``)."""
    node = call.node
    written = node.args[0].value if call.callee is not None and node.args else \
        node.func.value if type(node.func) is cst.Attribute else None
    if predictions.row and type(written) is cst.Subscript:
        return True
    return type(written) in (cst.Name, cst.Call) and not (
        type(written) is cst.Call and type(written.func) is cst.Attribute and
        written.func.attr.value in ("ravel", "flatten", "squeeze", "reshape"))


def _binary_classifier(model: Model, head: OutputHead) -> bool:
    """A sigmoid output, or a linear one trained with a binary crossentropy (logits): a score per input whose argmax
    is meant as a class.  (A regression's argmax, ``np.argmax(prices)``, is the row of the largest: deliberate.)"""
    if head.activation == "sigmoid":
        return True
    losses = [loss.name for compile_call in model.compiles for loss in compile_call.losses]
    return head.activation == "linear" and bool(losses) and all(name in BINARY_LOSSES for name in losses)
