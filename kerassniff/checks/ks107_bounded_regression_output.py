"""KS107 bounded-regression-output."""
from __future__ import annotations

from kerassniff.checks._shared import describe_head, events, head_mention, loss_heads, loss_text, onehot_fit_labels
from kerassniff.evidence import Measurements, Verdict, range_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import PREDICTIONS_SETTING, Data
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.models import FitCall, Model
from kerassniff.semantic.training import REGRESSION_LOSSES

RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit = run.fit_for(finding.line)
    output = ((fit or {}).get("checks") or {}).get("output")
    if not fit or not output or not fit.get("y"):
        return None
    outside = fit["y"]["min"] < output["min"] - 1e-6 or fit["y"]["max"] > 1.0
    return Verdict(outside, f"targets {range_text(fit['y'])}, outputs {output['min']:.3g}..{output['max']:.3g}")


@rule("KS107", "bounded-regression-output", Severity.ERROR,
      "a regression loss on an output whose activation cannot reach the targets",
      "use a linear output (no activation) for regression, or scale the targets into the activation's range",
      verdict=verdict, compares_values=True)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in REGRESSION_LOSSES:
            continue
        if head.activation == "softmax":
            if onehot_fit_labels(script, model) or (not model.fits and _onehot_evaluated(script, model)):
                continue  # one-hot targets a softmax can reach: KS108 (classification trained as regression)
            if not _beyond_a_softmax(script, model):
                continue  # targets not known to leave (0, 1) (not trained here, read where the analysis cannot see,
                # or of unknown values): one-hot rows or probabilities, which a softmax can approach, are as likely
            if _targets_from_predictions(model):
                continue
            yield Report(loss.node, (
                f"regression loss {loss_text(script, loss)} on the {describe_head(head)} cannot fit the "
                f"targets"),
                explanation=("Softmax outputs are positive and sum to 1, so the predictions cannot follow the targets "
                             "and the error stays high whatever the model learns."),
                facts={"loss": loss.name, "activation": head.activation}, mentions=head_mention(head))
            continue
        for data in script.fit_labels(model):
            problem = _out_of_reach(head.activation or "", data)
            if problem:
                yield Report(loss.node, (
                    f"regression loss {loss_text(script, loss)} on the {describe_head(head)} cannot reach "
                    f"the targets {data.label}"),
                    explanation=(f"The targets {data.label} {problem}: the error can never fall below the part of the "
                                 f"targets the activation cannot reach."),
                    facts={"loss": loss.name, "activation": head.activation}, mentions=head_mention(head))
                break


def _out_of_reach(activation: str, data: Data) -> str | None:
    if data.conditional:
        return None
    if activation in RANGES:
        low, high = RANGES[activation]
        if data.is_scaled:  # scaled: judged only when the scaling is known constants ((x - 127.5) / 127.5)
            rng = data.value_range
            if rng is not None and (rng[0] < low - 1e-6 or rng[1] > high + 1e-6):
                return (f"are scaled to {rng[0]:g}..{rng[1]:g} ({_steps_text(data)}) while {activation} stays in "
                        f"({low:g}, {high:g})")
            return None
        if data.source.pixels and data.role != "y":
            return f"are raw pixels in 0..255 (from {data.source.description}) while {activation} stays in ({low:g}, {high:g})"
        rng = data.source.value_range
        if rng is not None and (rng[0] < low or rng[1] > high):
            return (f"range {rng[0]:g}..{rng[1]:g} (from {data.source.description}) while {activation} stays in "
                    f"({low:g}, {high:g})")
        return None
    if activation == "relu":
        if any(step.kind == "standardize" for step in data.steps):
            return "are standardised (about half are negative) while relu outputs are never negative"
        rng = data.source.value_range
        if rng is not None and rng[0] < 0 and not data.is_scaled:
            return f"go down to {rng[0]:g} (from {data.source.description}) while relu outputs are never negative"
    return None


def _beyond_a_softmax(script: Script, model: Model) -> bool:
    """Whether the model trains on targets known to leave (0, 1), which no softmax row can follow: values of a known
    range beyond it, raw pixels, or a regressor's predictions (not probabilities).  Targets read from a file, built by
    the script as distributions, or not seen at all may be rows summing to 1."""
    if any(isinstance(fit.y, Predictions) and not _probabilities(fit.y) for fit in model.fits):
        return True
    return any(_out_of_reach("sigmoid", data) for data in script.fit_labels(model))


def _steps_text(data: Data) -> str:
    """'- 127.5, / 127.5': the value steps a range was derived from, in order."""
    return ", ".join(f"{step.detail[0]} {step.detail[1:]}" for step in data.steps if step.kind in ("shift", "scale"))


def _targets_from_predictions(model: Model) -> bool:
    """Every fit's targets are probabilities a model predicts: a teacher's softmax (distillation), or the model's own
    masked by the actions taken (``model.predict(s) * actions_onehot``, a policy-gradient surrogate weighted by the
    returns), with nothing done to them since. How close a softmax can come to them is not known here."""
    def probabilities(fit: FitCall) -> bool:
        if isinstance(fit.y, Predictions):
            return _probabilities(fit.y)
        data = fit.data(fit.y)
        last = data.last_value_step() if data is not None else None
        masked = last.setting(PREDICTIONS_SETTING) if last is not None else None
        return isinstance(masked, Predictions) and _probabilities(masked)
    return bool(model.fits) and all(probabilities(fit) for fit in model.fits)


def _probabilities(predictions: Predictions) -> bool:
    """Predictions that may still be a softmax's or sigmoid's outputs: not class decisions, not mapped to other
    values, of a model whose output layers are either not known (a teacher loaded from a file) or all such."""
    if predictions.decided or predictions.mapped:
        return False
    heads = predictions.model.heads() if predictions.model is not None else []
    return all(head is None or head.activation in ("softmax", "sigmoid", None) for head in heads)


def _onehot_evaluated(script: Script, model) -> bool:
    """A model never fit itself (trained inside another model, or loaded) whose loss only scores evaluate() on
    one-hot labels: the loss is a score there, one a softmax can approach."""
    labels = [e.data for e in events(script, model, "y", ("evaluate",))]
    return bool(labels) and all(d.encoding == "onehot" and not d.conditional for d in labels)
