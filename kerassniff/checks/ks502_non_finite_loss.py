"""KS502 non-finite-loss: a dynamic-only rule, produced by ``kerassniff --dynamic`` (kerassniff/dynamic/)."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS502", "non-finite-loss", Severity.ERROR,
    "the loss or the weights become NaN or infinite within the first training steps",
    "scale the inputs, lower the learning rate, or use a loss with from_logits=True instead of a hand-written log",
    scope="dynamic",
)
