"""KS109 binary-loss-on-class-ids: binary crossentropy on integer labels of more than two classes."""
from __future__ import annotations

from kerassniff.checks._shared import loss_heads, quoted
from kerassniff.evidence import Measurements, Verdict, range_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.training import BINARY_LOSSES

# Steps that keep every label's value and every class. Not "slice": a subset picked by a mask or an
# index array (cats and dogs out of cifar10) may hold only two of the classes.
VALUE_PRESERVING = {"reshape", "cast"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit, checks, _, _ = run.fit_parts(finding.line)
    y = fit.get("y") or {}
    if y.get("max") is None:
        return None
    losses = checks.get("losses") or []
    negative = f"; the loss is negative ({min(losses):.3g}) after training" if losses and min(losses) < 0 else ""
    if y["max"] > 1 or y["min"] < 0:
        return Verdict(True, f"fit() y is {range_text(y)}: labels outside 0..1 under binary crossentropy{negative}")
    return Verdict(False, f"fit() y is {range_text(y)}: every label is 0 or 1")


@rule("KS109", "binary-loss-on-class-ids", Severity.ERROR,
      "binary crossentropy on a 1-unit sigmoid fed integer labels of more than two classes",
      "for N classes use Dense(N, activation='softmax') with loss='sparse_categorical_crossentropy'", verdict=verdict)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in BINARY_LOSSES or head.units != 1 or head.activation != "sigmoid" or loss.from_logits:
            continue
        for data in script.fit_labels(model):
            classes = _class_count(data)
            if classes is None or classes <= 2:
                continue
            yield Report(loss.node, (
                f"{loss.name} on a 1-unit sigmoid ({{head}}) with class ids "
                f"0..{classes - 1}: ids above 1 read as probabilities"),
                explanation=(
                    f"The loss {quoted(script, loss.node)} meets the labels {data.label}, integer ids of {classes} "
                    f"classes. "
                    f"Binary crossentropy computes -(y·log p + (1 - y)·log(1 - p)) and expects y in [0, 1]. With "
                    f"y = {classes - 1} the loss keeps falling as p -> 1 (Keras clips p at 1 - 1e-7, where it is about "
                    f"{-(classes - 2) * 16.12:.0f}), so the loss goes negative and the "
                    f"single output learns only 'class 0 or not'; the other {classes - 1} classes are never told "
                    f"apart. The labels come from {data.source.description}."),
                mentions={"head": head.activation_node})
            break


def _class_count(data: Data) -> int | None:
    """The number of classes of integer labels whose values were not changed since they were loaded."""
    if data.encoding != "int" or data.conditional or data.n_classes is None:
        return None
    if any(step.kind not in VALUE_PRESERVING for step in data.steps):
        return None
    return data.n_classes
