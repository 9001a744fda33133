"""KS503 unscaled-features-observed: a dynamic-only rule, produced by ``kerassniff --dynamic`` (kerassniff/dynamic/)."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS503", "unscaled-features-observed", Severity.WARNING,
    "the arrays that reach fit() have features far outside [-10, 10] or scales that differ by orders of magnitude",
    "standardise the features (sklearn StandardScaler, or a keras.layers.Normalization layer adapted on the training data)",
    scope="dynamic",
)
