"""Output formats: one module a format, each a function from findings to text."""
from __future__ import annotations

from typing import Callable

from kerassniff.output import ci_formats, concise, full, json_format, sarif

Formatter = Callable[..., str]

FORMATS: dict[str, Formatter] = {
    "concise": concise.render,
    "full": full.render,
    "json": json_format.render,
    "json-lines": ci_formats.json_lines,
    "github": ci_formats.github,
    "gitlab": ci_formats.gitlab,
    "pylint": ci_formats.pylint,
    "sarif": sarif.render,
}
