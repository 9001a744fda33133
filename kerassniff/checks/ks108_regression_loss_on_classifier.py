"""KS108 regression-loss-on-classifier: mse/mae on a softmax (or multi-unit sigmoid) trained on one-hot labels."""
from __future__ import annotations

from kerassniff.checks._shared import fits_under, loss_heads, onehot_fit_labels, quoted
from kerassniff.evidence import Measurements, Verdict, losses_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import REGRESSION_LOSSES


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit, checks, data, _ = run.fit_parts(finding.line)
    labels = data.get("labels") or {}
    loss = (fit.get("model") or {}).get("loss") or "a regression loss"
    if labels.get("onehot_width") or (fit.get("y") or {}).get("onehot"):
        width = labels.get("onehot_width") or (fit.get("y") or {}).get("shape", [0, "?"])[-1]
        return Verdict(True, f"fit() y is one-hot ({width} columns), trained with {loss}{losses_text(checks)}")
    if labels and labels.get("integral") is False:
        return Verdict(False, f"fit() y has {labels.get('distinct')} distinct non-integer values: regression targets")
    return None


@rule("KS108", "regression-loss-on-classifier", Severity.WARNING,
      "a regression loss (mse, mae, ...) on a classifier head trained on one-hot labels",
      "use loss='categorical_crossentropy' for a softmax over one-hot labels "
      "('binary_crossentropy' for independent sigmoid outputs)", verdict=verdict)
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
        if not labels or _compared_with_crossentropy(script, model):
            continue
        better = "categorical_crossentropy" if head.activation == "softmax" else "binary_crossentropy"
        yield Report(loss.node, (
            f"{loss.name} on a {_head(head)} with one-hot labels: classification trained as regression"),
            explanation=(
                f"The loss {quoted(script, loss.node)} is a regression loss, but the labels {labels[0].label} are "
                f"one-hot class indicators and the output is a {head.activation} classifier: use {better}. "
                f"Through a {head.activation} the squared/absolute error's gradient carries a factor p·(1 - p) that "
                f"vanishes when the model is confidently wrong (p of the true class near 0), so those samples "
                f"barely learn; crossentropy's gradient (p - y) does not vanish. Training is slower and usually "
                f"ends at lower accuracy."),
            mentions={"head": head.activation_node})


def _compared_with_crossentropy(script: Script, model: Model) -> bool:
    """An experiment comparing the losses, where the regression loss is the point: the script also trains the same
    network with a crossentropy loss (the same model compiled again, another model built by the same code,
    ``a = net(); b = net()``, or one written out with the same layers), and reads the training history of both
    (``plt.plot(h_mse.history["val_accuracy"])`` beside the crossentropy one's).  A network trained again with
    crossentropy whose history nobody reads is a retraining, not a comparison."""
    read = {id(fit) for fit, _, _ in script.history_reads}
    if not any(id(fit) in read for compile_call in model.compiles for fit in fits_under(compile_call)):
        return False
    labels = {_identity(data) for data in onehot_fit_labels(script, model)}
    for other in script.models:
        if other is not model and other.node is not model.node and not _same_layers(other, model):
            continue
        for compile_call in other.compiles:
            if any("crossentropy" in (loss.name or "") for loss in compile_call.losses) and \
                    any(id(fit) in read and _identity(data_of(fit.y)) in labels for fit in fits_under(compile_call)):
                return True  # (on the same labels: one builder for two tasks is no comparison)
    return False


def _identity(data) -> object:
    """The labels as one array: their samples and every step that made them (``y`` and ``y % 2`` differ)."""
    return (data.group, data.steps, data.encoding) if data is not None else None


def _same_layers(one: Model, other: Model) -> bool:
    """Two models written out with the same layers (kinds, widths, activations), all of them known."""
    def signature(model: Model) -> tuple | None:
        if not model.complete or not model.layers or any(layer.is_unknown for layer in model.layers):
            return None
        return tuple((layer.kind, layer.units, layer.activation) for layer in model.layers)
    mine = signature(one)
    return mine is not None and mine == signature(other)


def _head(head) -> str:
    """'10-unit softmax ({head})': the report mentions the head's activation as ``head``."""
    units = f"{head.units}-unit " if head.units is not None else ""
    return f"{units}{head.activation} ({{head}})"
