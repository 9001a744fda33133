"""KS001 parse-error: produced by the pipeline (api.parse, sources.read_source)."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS001", "parse-error", Severity.ERROR,
    "a file that cannot be read or parsed as Python 3 source",
    "fix what the message names (the syntax, the encoding) so the file can be analysed",
    scope="pipeline",
)
