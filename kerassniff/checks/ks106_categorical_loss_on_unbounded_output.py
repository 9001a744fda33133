"""KS106 categorical-loss-on-unbounded-output: categorical crossentropy on outputs that can be 0 or negative.

Keras turns the outputs into a distribution itself: categorical crossentropy divides them by their sum and
sparse categorical crossentropy takes their log before a softmax, both after clipping into [1e-7, 1 - 1e-7].
Strictly positive outputs (sigmoid, softplus, exponential) survive that and train (their rows just do not sum
to 1); outputs that reach 0 or go negative (relu, tanh, elu, ...) are clipped to 1e-7, where the loss is huge
and no gradient flows, or divide by a sum near 0 (NaN).  Measured on Keras 3.15 with a 10-class problem a
softmax learns perfectly: relu + categorical crossentropy gives NaN and 10% accuracy, tanh 16%; sigmoid 100%.
"""
from __future__ import annotations

from kerassniff.checks._shared import describe_head, head_mention, loss_heads, onehot_fit_labels
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CATEGORICAL_LOSSES

# Output activations that reach 0 or go below it (softmax, sigmoid, softplus and exponential do not).
NOT_POSITIVE = {"relu", "tanh", "elu", "selu", "leaky_relu", "gelu", "swish", "softsign", "prelu", "mish"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    checks = run.checks(finding.line)
    output = checks.get("after_output") or checks.get("output")
    if not output or output.get("min") is None:
        return None
    losses = [loss for loss in checks.get("losses") or [] if loss is not None]
    non_finite = any(loss != loss or loss in (float("inf"), float("-inf")) for loss in losses)
    if output["min"] <= 0 or non_finite:
        tail = "; the loss became NaN/inf" if non_finite else ""
        return Verdict(True, f"the outputs reach {output['min']:.3g} (clipped to 1e-7 by the loss){tail}")
    return Verdict(False, (f"every output stayed above 0 (minimum {output['min']:.3g}) in {checks.get('updates')} "
                           f"updates"))


@rule("KS106", "categorical-loss-on-unbounded-output", Severity.ERROR,
      "categorical crossentropy on a many-unit output that can be 0 or negative (relu, tanh, ...)",
      "use activation='softmax' on the last layer, or no activation with from_logits=True in the loss", verdict=verdict)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in CATEGORICAL_LOSSES or loss.from_logits is not False:
            continue
        if head.activation not in NOT_POSITIVE or (head.units is not None and head.units < 2):
            continue
        if head.units is None and not (loss.name == "categorical_crossentropy" and onehot_fit_labels(script, model)):
            continue  # a width from the data (Dense(len(vocab))): many units when it is trained on one-hot rows
        outputs = f"{head.units} outputs" if head.units is not None else "outputs (one per class of the one-hot labels)"
        yield Report(
            loss.node,
            f"{loss.name} on the {describe_head(head)}: {head.activation} outputs of 0 or less break the loss",
            explanation=(
                f"Keras makes a distribution of the {outputs} itself (categorical crossentropy divides "
                f"them by their sum, the sparse loss takes their log), after clipping them into [1e-7, 1 - 1e-7]. "
                f"{head.activation} outputs at or below 0 are clipped to 1e-7: those samples get a huge loss and no "
                f"gradient, and a row of zeros divides by ~0 (NaN). On Keras 3.15 a relu output with categorical "
                f"crossentropy ends in NaN at chance accuracy on a task a softmax learns perfectly."),
            mentions=head_mention(head))
