"""KS108 regression-loss-on-classifier: mse/mae on a softmax (or multi-unit sigmoid) trained on one-hot labels."""
from __future__ import annotations

from kerassniff.checks._shared import describe_head, loss_heads, onehot_fit_labels, quoted
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
            f"regression loss {quoted(script, loss.node)} trains the {describe_head(script, head)} on one-hot "
            f"labels {labels[0].label}: use {better}"),
            explanation=(
                f"The labels are one-hot class indicators, so this is classification trained as regression. "
                f"Through a {head.activation} the squared/absolute error's gradient carries a factor p·(1 - p) that "
                f"vanishes when the model is confidently wrong (p of the true class near 0), so those samples "
                f"barely learn; crossentropy's gradient (p - y) does not vanish. Training is slower and usually "
                f"ends at lower accuracy."))
