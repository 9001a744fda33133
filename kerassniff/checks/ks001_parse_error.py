"""KS001 parse-error: produced by the pipeline (api.parse, sources.read_source)."""
from kerassniff.findings import Severity
from kerassniff.registry import declare

declare(
    "KS001", "parse-error", Severity.ERROR,
    "a file that cannot be read or parsed as Python 3 source",
    "fix the syntax (or convert Python 2 code with a tool such as 'pyupgrade'/'2to3') so the script can be analysed",
    scope="pipeline",
)
