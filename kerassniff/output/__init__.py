"""Output formats: one module a format, each a function from findings to text."""
from __future__ import annotations

from typing import Callable

from kerassniff.output import concise, full, json_format

Formatter = Callable[..., str]

FORMATS: dict[str, Formatter] = {
    "concise": concise.render,
    "full": full.render,
    "json": json_format.render,
}
