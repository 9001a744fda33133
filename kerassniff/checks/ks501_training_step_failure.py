"""KS501 training-step-failure: a dynamic-only rule, produced by ``kerassniff --dynamic`` (kerassniff/dynamic/)."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS501", "training-step-failure", Severity.ERROR,
    "one training step on the script's own batch raises an error",
    "change what the message names (labels shape, loss, input shape) so one step runs",
    scope="dynamic",
)
