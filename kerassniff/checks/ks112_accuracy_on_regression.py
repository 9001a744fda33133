"""KS112 accuracy-on-regression: metrics=['accuracy'] on a regression loss with continuous targets."""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.training import REGRESSION_LOSSES

CONTINUOUS_STEPS = {"standardize", "minmax"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, checks, data, _ = run.fit_parts(finding.line)
    labels = data.get("labels") or {}
    if not labels.get("distinct"):
        return None
    counted = f"fit() y has {labels['distinct']} distinct values in its first {labels['sampled']} rows"
    reported = ((checks.get("accuracy") or {}).get("reported") or {}).get("accuracy")
    if labels.get("integral") is False and labels["distinct"] > 20:
        tail = f"; Keras reports 'accuracy' {reported:.2f} on them" if reported is not None else ""
        return Verdict(True, counted + ": continuous targets, which an exact-match accuracy cannot score" + tail)
    if labels.get("integral") and labels["distinct"] <= 20:
        return Verdict(False, counted + ": class labels")
    return Verdict(None, counted)


@rule("KS112", "accuracy-on-regression", Severity.WARNING,
      "an 'accuracy' metric on a regression loss whose targets are continuous",
      "report a regression metric instead: metrics=['mae'] (or 'mse', 'RootMeanSquaredError')", verdict=verdict)
def check(script: Script):
    for model in script.models:
        heads = model.heads()
        if not heads or any(h is None or h.activation in ("softmax", "sigmoid") for h in heads):
            continue
        targets = [d for d in script.fit_labels(model) if _continuous(d)]
        if not targets:
            continue
        for call in model.compiles:
            if not call.losses or any(loss.name not in REGRESSION_LOSSES for loss in call.losses):
                continue
            for metric in call.metrics:
                if metric.name != "accuracy":
                    continue
                data = targets[0]
                yield Report(metric.node, (
                    f"'accuracy' on a {call.losses[0].name} regression of continuous targets {data.label}: "
                    f"it measures nothing"),
                    explanation=(
                        f"The targets ({_why(data)}) are real numbers. Keras turns 'accuracy' into binary accuracy "
                        f"for a 1-unit output (prediction > 0.5 compared for equality with the target) and into "
                        f"categorical accuracy (argmax agreement) for wider ones: neither says how close the "
                        f"predictions are, and binary accuracy stays near 0 on continuous targets."))


def _continuous(data: Data) -> bool:
    if data.conditional or data.encoding is not None:
        return False
    if any(step.kind in CONTINUOUS_STEPS for step in data.steps):
        return True
    rng = data.source.value_range
    if any(step.kind == "scale" and step.detail in _ROUNDINGS for step in data.steps):
        return False  # np.round(y): whole numbers now, whatever the range was
    # a regression set's targets (boston_housing), or a known range with a fractional end: no class ids
    return rng is not None and (data.source.kind == "dataset" or any(bound != int(bound) for bound in rng))


# Scaling steps that leave whole numbers (the array's values rounded).
_ROUNDINGS = frozenset({"round", "rint", "around", "floor", "ceil", "trunc", "fix"})


def _why(data: Data) -> str:
    steps = [s.kind for s in data.steps if s.kind in CONTINUOUS_STEPS]
    if steps:
        return f"{data.label}, {'standardised' if steps[0] == 'standardize' else 'min-max scaled'}"
    low, high = data.source.value_range  # type: ignore[misc]
    return f"{data.label} from {data.source.description}, {low:g} to {high:g}"
