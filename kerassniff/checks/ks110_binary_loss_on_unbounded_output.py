"""KS110 binary-loss-on-unbounded-output: binary crossentropy reading relu/tanh/... outputs as probabilities."""
from __future__ import annotations

from kerassniff.checks._shared import describe_head, head_mention, loss_heads, quoted
from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import BINARY_LOSSES
from kerassniff.semantic.values import const_value

# Known activations whose outputs are not probabilities (linear is KS104's).
UNBOUNDED = {"relu", "tanh", "elu", "selu", "softplus", "leaky_relu", "exponential", "gelu", "swish",
             "softsign", "mish", "prelu"}
# Activations that never go negative: as logits of a sigmoid they never predict below 0.5.
NON_NEGATIVE = {"relu", "softplus", "exponential"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, _, probe = run.fit_parts(finding.line)
    outputs = probe.get("outputs")
    if not outputs:
        return None
    from_logits = facts(finding).get("from_logits", probe.get("from_logits"))
    shown = (f"outputs on a real batch range {outputs['min']:.3g}..{outputs['max']:.3g}, "
             f"{outputs['outside_unit']:.0%} of them outside the open interval (0, 1)")
    if from_logits is True:
        never_negative = outputs["min"] >= 0
        tail = ": as logits none is negative, so no predicted probability falls below 0.5" if never_negative else ""
        return Verdict(never_negative, shown + tail)
    if outputs["outside_unit"] > 0:
        return Verdict(True, shown + ": binary crossentropy clips them to [1e-7, 1 - 1e-7]")
    return Verdict(None, shown + ": this batch stays inside, other inputs need not")


@rule("KS110", "binary-loss-on-unbounded-output", Severity.ERROR,
      "binary crossentropy on an output that is not a probability (relu, tanh, ...)",
      "use activation='sigmoid' on the last layer, or no activation and from_logits=True", verdict=verdict)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name in BINARY_LOSSES and head.activation == "sigmoid" and head.noise_after is not None and \
                loss.from_logits is False and model.fits and _changes_values(head.noise_after):
            yield _noise_after_sigmoid(script, loss, head)
        if loss.name not in BINARY_LOSSES or head.activation not in UNBOUNDED:
            continue
        if not model.fits:
            continue  # compiled only to predict (a GAN's generator): the loss never trains anything
        activation = head.activation
        where = describe_head(head)
        if loss.from_logits is False:
            yield Report(loss.node, f"{loss.name} on the {where}: {activation} outputs are not probabilities",
                         explanation=(
                             f"The loss {quoted(script, loss.node)} expects probabilities. Binary crossentropy with "
                             f"from_logits=False takes log(p) and log(1 - p), so Keras first clips the outputs into "
                             f"[1e-7, 1 - 1e-7]; clipping has zero gradient, so every sample whose output is outside "
                             f"(0, 1) - {_outside(activation)} - stops learning and its loss is a constant. "
                             f"(Categorical losses on such outputs are KS106's; a linear output is KS104's.)"),
                         mentions=head_mention(head))
        elif loss.from_logits is True and activation in NON_NEGATIVE:
            yield Report(loss.node, (
                f"{loss.name}(from_logits=True) on the {where}: no prediction can fall below 0.5"),
                explanation=(f"The loss {quoted(script, loss.node)} takes the output as logits and applies sigmoid to "
                             f"it; {activation} outputs are >= 0 and sigmoid(0) = 0.5, so no predicted probability is "
                             f"below 0.5: the negative class can "
                             f"never be predicted with confidence and the loss of every negative sample stays at or "
                             f"above log(2) = 0.69."),
                mentions=head_mention(head))


def _changes_values(layer) -> bool:
    """A dropout or noise layer whose rate (or stddev) is not the constant 0: Dropout(0.0) changes nothing."""
    first = layer.args.get("rate", 0) if layer.args is not None else None
    if layer.kind == "GaussianNoise" and layer.args is not None:
        first = layer.args.get("stddev", 0)
    return const_value(first) != 0


def _noise_after_sigmoid(script: Script, loss, head) -> Report:
    """``Dense(1, activation="sigmoid"), Dropout(0.1)``: while training, Dropout zeroes outputs and scales the others
    by 1 / (1 - rate), so the loss reads zeros and values above 1 as probabilities (at inference it passes them)."""
    noise = head.noise_after
    return Report(noise.node, f"{noise.kind} after the sigmoid output: in training the loss reads 0s and values above 1",
                  "move it before the output layer (or drop it): the output layer's activation should come last",
                  explanation=(f"{noise.kind} acts only while training: it sets some outputs to 0 and (Dropout) "
                               f"scales the others by 1 / (1 - rate), so the probabilities the loss "
                               f"{quoted(script, loss.node)} reads are 0 or above 1 for some samples. Binary "
                               f"crossentropy clips them into [1e-7, 1 - 1e-7]: a positive sample whose output was "
                               f"zeroed, or a negative one pushed above 1, gets a loss of about 16 and no gradient, "
                               f"and the loss and accuracy logged while training are not the model's. At inference "
                               f"the layer passes the sigmoid's outputs unchanged."),
                  mentions=head_mention(head))


OUTSIDE = {"relu": "every output at 0 or above 1", "tanh": "every output at 0 or below",
           "softsign": "every output at 0 or below", "softplus": "every output above 1",
           "exponential": "every output above 1"}


def _outside(activation: str) -> str:
    return OUTSIDE.get(activation, "every output at 0 or below, and any above 1")
