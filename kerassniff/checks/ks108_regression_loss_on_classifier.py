"""KS108 regression-loss-on-classifier: mse/mae on a softmax (or multi-unit sigmoid) trained on one-hot labels."""
from __future__ import annotations

from kerassniff.checks._shared import loss_heads, onehot_fit_labels, quoted
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import REGRESSION_LOSSES


@rule("KS108", "regression-loss-on-classifier", Severity.WARNING,
      "a regression loss (mse, mae, ...) on a classifier head trained on one-hot labels",
      "use loss='categorical_crossentropy' for a softmax over one-hot labels "
      "('binary_crossentropy' for independent sigmoid outputs)")
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in REGRESSION_LOSSES:
            continue
        if head.activation == "softmax":
            if head.units is not None and head.units < 2:
                continue  # KS103's single-unit softmax
        elif head.activation != "sigmoid" or head.units is None or head.units < 2:
            continue
        labels = onehot_fit_labels(script, model)
        if not labels:
            continue
        better = "categorical_crossentropy" if head.activation == "softmax" else "binary_crossentropy"
        yield Report(loss.node, (
            f"{loss.name} on a {_head(script, head)} with one-hot labels: classification trained as regression"),
            explanation=(
                f"The loss {quoted(script, loss.node)} is a regression loss, but the labels {labels[0].label} are "
                f"one-hot class indicators and the output is a {head.activation} classifier: use {better}. "
                f"Through a {head.activation} the squared/absolute error's gradient carries a factor p·(1 - p) that "
                f"vanishes when the model is confidently wrong (p of the true class near 0), so those samples "
                f"barely learn; crossentropy's gradient (p - y) does not vanish. Training is slower and usually "
                f"ends at lower accuracy."))


def _head(script: Script, head) -> str:
    units = f"{head.units}-unit " if head.units is not None else ""
    return f"{units}{head.activation} ({script.where(head.activation_node)})"
