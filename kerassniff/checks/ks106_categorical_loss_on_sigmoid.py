"""KS106 categorical-loss-on-sigmoid."""
from __future__ import annotations

from kerassniff.checks._shared import describe_head, loss_heads, loss_text
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CATEGORICAL_LOSSES

NOT_A_DISTRIBUTION = {"sigmoid", "relu", "tanh", "elu", "selu", "softplus", "exponential", "leaky_relu", "gelu",
                      "swish", "softsign", "prelu"}


@rule("KS106", "categorical-loss-on-sigmoid", Severity.ERROR,
      "categorical crossentropy on a many-unit output that is not a softmax distribution",
      "use activation='softmax' on the last layer (or binary_crossentropy with sigmoid for multi-label targets)")
def check(script: Script):
    for _, _, loss, head in loss_heads(script):
        if loss.name not in CATEGORICAL_LOSSES or loss.from_logits is not False:
            continue
        if head.activation not in NOT_A_DISTRIBUTION or head.units is None or head.units < 2:
            continue
        yield Report(loss.node, (
            f"loss {loss_text(script, loss)} on the {describe_head(script, head)}, which is not a distribution"),
            explanation=(f"Categorical crossentropy assumes the {head.units} outputs are a probability distribution "
                         f"that sums to 1, but {head.activation} outputs don't: the loss rewards pushing every output "
                         f"up, and the reported loss and accuracy mislead."),
            facts={"loss": loss.name, "units": head.units, "activation": head.activation})
