"""KS304 redundant-activation: softmax after softmax, sigmoid after sigmoid."""
from __future__ import annotations

import math

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.checks._shared import layer_chains
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.architecture import AFFINE_LAYERS, activation_of, is_activation_layer, layer_text
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.knowledge.model_api import SQUASHING_FUNCTIONS
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.shapes import one_value_per_input
from kerassniff.semantic.values import const_value
from kerassniff.semantic.models import PASS_THROUGH

# Activations whose second application distorts the first one's probabilities.
SQUASHING = ("softmax", "sigmoid")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    if (finding.extra.get("facts") or {}).get("of") == "predictions":
        return None  # a script's second activation of the predictions: nothing about the built model to measure
    _, _, _, probe = run.fit_parts(finding.line)
    layers = probe.get("layers")
    if not layers:
        return None
    doubled = [(a, b) for a, b in layer_chains(layers) if a.get("activation") in SQUASHING
               and a.get("activation") == b.get("activation")]
    if not doubled:
        return Verdict(False, "no squashing activation of the built model feeds the same activation")
    a, b = doubled[0]
    text = f"the built model applies {a['activation']} in '{a['name']}' and again in '{b['name']}'"
    outputs = probe.get("outputs") or {}
    if a["activation"] == "softmax" and outputs.get("row_max_max") is not None and outputs.get("units", 1) > 1:
        bound = math.e / (math.e + outputs["units"] - 1)
        text += (f"; the largest output on a real batch is {outputs['row_max_max']:.3f} "
                 f"(at most e/(e+N-1) = {bound:.3f} for N = {outputs['units']})")
    elif a["activation"] == "sigmoid" and outputs.get("min") is not None:
        text += f"; outputs on a real batch range {outputs['min']:.3f}..{outputs['max']:.3f} (never below 0.5)"
    return Verdict(True, text)


@rule("KS304", "redundant-activation", Severity.ERROR,
      "softmax or sigmoid applied twice in a row",
      "keep one activation: drop the Activation/Softmax layer, or the activation= of the layer before it",
      verdict=verdict)
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        for path in model.output_paths():
            last: Layer | None = None  # the layer that applied the current activation
            for layer in path:
                if layer.kind in PASS_THROUGH or (is_activation_layer(layer) and layer.activation == "linear"):
                    continue
                if layer.nested is not None and layer.wrapper is None:
                    last = _squashing_output(layer.nested)  # a model used as a layer ends in its own activation
                    continue
                activation = activation_of(layer)
                if (is_activation_layer(layer) and last is not None and activation in SQUASHING
                        and activation_of(last) == activation and id(layer.node) not in reported):
                    reported.add(id(layer.node))
                    yield _report(script, layer, last, activation)
                last = layer if (layer.kind in AFFINE_LAYERS or is_activation_layer(layer)) else None
    yield from _squashed_predictions(script)


def _squashing_output(nested) -> Layer | None:
    """The last layer of a model used as a layer (``Sequential([base, Activation("sigmoid")])``), when it is the
    one that gives the model's output a softmax or sigmoid; None otherwise (or when the inner model is not known)."""
    if nested.kind not in ("sequential", "functional") or not nested.layers:
        return None
    inner = next((layer for layer in reversed(nested.layers) if layer.kind not in PASS_THROUGH), None)
    if inner is None or inner.nested is not None or activation_of(inner) not in SQUASHING:
        return None
    return inner if inner.kind in AFFINE_LAYERS or is_activation_layer(inner) else None


@across_scripts("KS304")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``load_model("flowers.h5")`` in an app, then ``tf.nn.softmax`` of its
    predictions) that another script built with that output and saved: the finding is the loading script's."""
    yield from reports_elsewhere(scripts, _squashed_predictions)


def _squashed_predictions(script: Script, built: BuiltHere = HERE):
    """``tf.nn.softmax(model.predict(x))`` (or of one input's row) on a model whose output is a softmax: the
    probabilities squashed again; sigmoid likewise.  ``built``: where the models behind the predictions were built
    (the script, or a trainer that saved the file a model of the script loads)."""
    for call in script.calls:
        activation = SQUASHING_FUNCTIONS.get(call.callee or "")
        predictions = call.args.positional[0] if activation and call.args.positional else None
        if not isinstance(predictions, Predictions) or predictions.model is None or predictions.decided or \
                predictions.mapped:
            continue
        model = built.output_model(predictions)
        if model is None:
            continue
        head = model.single_head()
        written = script.code_of(call.node.func)
        output = built.sentence("model's output")
        if head is not None and activation == "softmax" and head.units == 1 and one_value_per_input(model) \
                and _over_the_units(call, predictions):
            yield Report(call.node, f"{written}() of a 1-unit output's predictions is always 1.0: no confidence, "
                                    f"and its argmax is always 0",
                         "threshold the probability instead: (pred > 0.5), with confidence pred or 1 - pred",
                         explanation=(output + " at {output} has one unit, so each prediction is one "
                                      "value; a softmax over one value is exp(v) / exp(v) = 1.0 whatever the "
                                      "value, so the confidence printed is always 100% and the argmax of it is always "
                                      "class 0."),
                         mentions={"output": built.mention(head.activation_node)},
                         facts={"of": "predictions", "activation": activation, "units": 1, **built.facts()})
            continue
        if head is None or head.activation != activation or (activation == "softmax" and head.units == 1):
            continue
        if activation == "softmax" and head.units is None:  # Dense(info.features["label"].num_classes, ...)
            message = f"{written}() of a softmax's predictions: every confidence is squashed toward 1/classes"
            why = (f"{output} at {{output}} is already a softmax, so its predictions "
                   f"are probabilities; a second softmax of values in [0, 1] is nearly uniform (the largest ratio "
                   f"between two of them is e), so with N classes no confidence can exceed e/(e+N-1): 0.475 for 4 "
                   f"classes, 0.232 for 10. The argmax is unchanged, but the confidence printed or thresholded is "
                   f"wrong.")
        elif activation == "softmax":
            best = math.e / (math.e + head.units - 1)
            message = (f"{written}() of a {head.units}-class softmax's predictions: every confidence is below "
                       f"{best:.3f}")
            why = (f"{output} at {{output}} is already a softmax, so its predictions "
                   f"are probabilities; a second softmax of values in [0, 1] is nearly uniform (the largest ratio "
                   f"between two of them is e), so with {head.units} classes no confidence can exceed "
                   f"e/(e+{head.units - 1}) = {best:.3f}. "
                   f"The argmax is unchanged, but the confidence printed or thresholded is wrong.")
        else:
            message = f"{written}() of a sigmoid's predictions: every probability is at least 0.5"
            why = (output + " at {output} is already a sigmoid, so its predictions are "
                   "probabilities; the sigmoid of a value in [0, 1] lies in [0.5, 0.73], so thresholded at 0.5 "
                   "every input is positive.")
        yield Report(call.node, message, "drop the second activation: the predictions are already probabilities",
                     explanation=why, mentions={"output": built.mention(head.activation_node)},
                     facts={"of": "predictions", "activation": activation, "units": head.units, **built.facts()})


def _over_the_units(call, predictions: Predictions) -> bool:
    """The softmax runs over the output's units: its last axis (the default of TensorFlow's and keras.ops'), or any
    axis of one input's row; SciPy's default (every value at once) only over a row."""
    axis = call.args.get("axis", 1)
    if axis is None:
        return predictions.row or call.callee != "scipy.special.softmax"
    value = const_value(axis, "unknown")
    return value == -1 or (predictions.row and value == 0)


def _report(script: Script, layer: Layer, first: Layer, activation: str) -> Report:
    first_text = f"'{layer_text(first)}'" if first.kind in AFFINE_LAYERS else f"the {first.kind} layer"
    message = (f"{layer.kind} layer applies {activation} again after {first_text} ({{first}}): "
               f"outputs squashed twice")
    if activation == "softmax":
        units = first.units if first.kind in AFFINE_LAYERS else None
        best = math.e / (math.e + units - 1) if units and units > 1 else None
        bound = (f" With {units} classes no prediction can exceed e/(e+{units - 1}) = {best:.2f}, so the loss "
                 f"cannot fall below {-math.log(best):.2f}." if best is not None else "")
        why = ("A softmax of probabilities (all in [0, 1]) can only produce nearly uniform outputs: the largest "
               "ratio between two of them is e." + bound +
               " Keras computes crossentropy from the input of the last softmax, which here is the first "
               "softmax's probabilities: the model is trained against that floor.")
    else:
        why = ("A sigmoid of a probability lies in (0.5, 0.73): every prediction is at least 0.5, so thresholded "
               "at 0.5 every sample is predicted positive, and binary crossentropy cannot fall below log(2) "
               "for negative samples.")
    return Report(layer.node, message, explanation=why, mentions={"first": first.node})
