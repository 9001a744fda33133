"""KS111 output-units-vs-classes: a softmax head whose width differs from the labels' class count.

The class count comes from the labels that reach ``fit``: ``to_categorical(y, 10)``, ``np.eye(10)[y]``,
one-hot literals, or a Keras dataset whose classes are known (CIFAR-100's integer ids go to 99).
Integer labels are reported only when some class id cannot be scored (more classes than units);
a head wider than the classes only wastes units.
"""
from __future__ import annotations

from kerassniff.checks._shared import loss_heads, shape_failure
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CATEGORICAL_LOSSES


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    failure = shape_failure(run)
    if failure is not None:
        return failure
    fit, _, data, probe = run.fit_parts(finding.line)
    labels = data.get("labels") or {}
    units = (fit.get("model") or {}).get("output_units") or (probe.get("outputs") or {}).get("units")
    if labels.get("onehot_width"):
        classes, how = labels["onehot_width"], f"one-hot rows of width {labels['onehot_width']}"
    elif labels.get("integral") and labels.get("max") is not None and labels.get("min", 0) >= 0:
        classes = int(labels["max"]) + 1
        how = f"class ids {labels['min']:.0f}..{labels['max']:.0f} in {labels['rows']} rows"
    else:
        return None
    if not units or units == 1:
        return None
    return Verdict(classes != units,
                   f"the labels are {how} ({classes} classes); the built output layer has {units} units")


@rule("KS111", "output-units-vs-classes", Severity.ERROR,
      "a softmax output whose number of units differs from the number of classes in the labels",
      "give the last Dense layer one unit per class: Dense(num_classes, activation='softmax')", verdict=verdict)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in CATEGORICAL_LOSSES or head.activation != "softmax" or head.units is None:
            continue
        if head.units < 2:
            continue  # KS103 reports a 1-unit softmax
        for data in script.fit_labels(model):
            if data.conditional or data.n_classes is None:
                continue
            onehot_mismatch = data.encoding == "onehot" and loss.name != "sparse_categorical_crossentropy" \
                and data.n_classes != head.units
            ids_out_of_range = data.encoding == "int" and loss.name == "sparse_categorical_crossentropy" \
                and data.n_classes > head.units
            if not (onehot_mismatch or ids_out_of_range):
                continue
            if onehot_mismatch:
                message = (f"the {head.units}-unit softmax output does not match the {data.n_classes} classes "
                           f"of the labels {data.label}")
                explanation = (f"categorical crossentropy compares each one-hot row of {data.n_classes} columns with "
                               f"{head.units} predicted probabilities; Keras 3 stops at the first training step "
                               f"('target' and 'output' must have the same shape).")
            else:
                message = (f"the {head.units}-unit softmax output cannot score the class ids up to "
                           f"{data.n_classes - 1} in {data.label}")
                explanation = (f"sparse categorical crossentropy needs every class id below the number of units "
                               f"({head.units}); ids {head.units}..{data.n_classes - 1} cannot be scored. TensorFlow "
                               f"raises on the CPU and returns NaN for those samples' loss and gradients on a GPU.")
            yield Report(head.layer.node, message, explanation=explanation)
            break
