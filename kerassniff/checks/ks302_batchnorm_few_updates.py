"""KS302 batchnorm-few-updates (seeds 001 and 000)."""
from __future__ import annotations

import math

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import FitCall
from kerassniff.semantic.values import Const, DataValue, const_value, int_value

STALE_WEIGHT = 0.05  # flag while the initial moving statistics still weigh more than this


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    checks = run.checks(finding.line)
    modes = checks.get("modes")
    if not modes:
        return None
    updates = checks.get("updates")
    text = f"after {updates} updates, training-mode and inference-mode outputs differ by up to " \
           f"{modes['max_abs_difference']:.2f}"
    if "training_mode_accuracy" in modes:
        text += (f"; argmax accuracy on the same batch: training mode {modes['training_mode_accuracy']:.2f}, "
                 f"inference mode {modes['inference_mode_accuracy']:.2f}")
    disagreement = modes.get("argmax_disagreement", 0.0)
    return Verdict((disagreement > 0 or modes["max_abs_difference"] > 0.1), text)


@rule("KS302", "batchnorm-few-updates", Severity.WARNING,
      "BatchNormalization trained for too few updates before evaluate/predict",
      "train for a few hundred updates or more, lower BatchNormalization momentum (e.g. 0.9), "
      "or start from pretrained weights", verdict=verdict)
def check(script: Script):
    for model in script.models:
        fresh = model.fresh_batchnorm()
        if fresh is None or not model.fits:
            continue
        source, momentum = fresh
        updates = 0
        parts = []
        for fit in model.fits:
            counted = _updates(fit)
            if counted is None:
                break
            updates += counted[0]
            parts.append(counted[1])
        else:
            first_fit = min(f.order for f in model.fits)
            later = [c for c in model.inferences if c.order > first_fit]
            if not later or updates == 0:
                continue
            stale = momentum ** updates
            if stale <= STALE_WEIGHT:
                continue
            needed = math.ceil(math.log(STALE_WEIGHT) / math.log(momentum))
            call = later[0]
            verb = "evaluate()" if call.method == "evaluate" else ("predict()" if call.method == "predict" else "model(x)")
            yield Report(call.node, (
                f"{model.label} gets only {updates} update{'s' if updates != 1 else ''} before {verb}: its "
                f"BatchNormalization statistics are still {stale:.0%} initial"),
                explanation=(f"{model.label} has {source}, trained for {'; '.join(parts)}. With momentum "
                             f"{momentum:g} the moving mean/variance are still {stale:.0%} their initial values (0 "
                             f"and 1), so inference-mode outputs differ from what fit() showed and evaluate/predict "
                             f"report far worse (often constant) predictions; about {needed} updates are needed."),
                facts={"updates": updates, "momentum": momentum, "needed": needed})


def _updates(fit: FitCall) -> tuple[int, str] | None:
    if fit.in_unknown_loop:
        return None
    epochs = int_value(fit.epochs)
    if epochs is None:
        return None
    steps = int_value(fit.steps_per_epoch)
    if steps is not None:
        total = epochs * steps * fit.repeat
        return total, f"{epochs} epoch{'s' if epochs != 1 else ''} x {steps} steps"
    if fit.method == "fit_generator":
        return None
    samples = None
    for value in (fit.x, fit.y):
        if isinstance(value, DataValue) and value.data.n_samples is not None and not value.data.batches:
            samples = value.data.n_samples
            break
    if samples is None:
        return None
    batch = int_value(fit.batch_size) if not (isinstance(fit.batch_size, Const) and fit.batch_size.value is None) else 32
    if batch is None or batch <= 0:
        return None
    split = const_value(fit.validation_split, 0.0) or 0.0
    if not isinstance(split, (int, float)):
        return None
    used = samples - math.ceil(samples * split) if split else samples
    batches = max(1, math.ceil(used / batch))
    total = epochs * batches * fit.repeat
    return total, (f"{epochs} epoch{'s' if epochs != 1 else ''} x {batches} batch{'es' if batches != 1 else ''} "
                   f"of {min(batch, used)} from {samples} samples")
