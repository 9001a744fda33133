"""KS002 analysis-timeout: produced by the pipeline when a file's analysis passes the per-file time limit."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS002", "analysis-timeout", Severity.WARNING,
    "a file whose analysis took longer than the per-file time limit, so it was not fully checked",
    "raise 'timeout' in [tool.kerassniff] (seconds, default 10), or exclude generated files with 'extend-exclude'",
    scope="pipeline",
)
