"""KS002 analysis-limit: produced by the pipeline when a file cannot be analysed within the per-file time limit."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS002", "analysis-limit", Severity.WARNING,
    "a file too large or too slow to analyse within the per-file time limit, so it was not (fully) checked",
    "raise 'timeout' in [tool.kerassniff] (seconds, default 10), or exclude generated files with 'extend-exclude'",
    scope="pipeline",
)
