"""The data every layer shares: a finding and its severity.

Findings are frozen so that formatters, suppression and caching can pass them
around without copying or fear of mutation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


DOCS_BASE_URL = "https://github.com/kerassniff/kerassniff/blob/main/rules/"


def rule_url(code: str) -> str:
    return f"{DOCS_BASE_URL}{code}.md"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    fix_hint: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    fix_applicability: str | None = None  # "safe" (--fix) or "unsafe" (--unsafe-fixes); None: no automatic fix
    fix_message: str | None = None  # what the automatic fix does
    fix: object = field(default=None, compare=False, hash=False, repr=False)  # the Fix, in the run that found it
    explanation: str = ""  # the why and the numbers behind the one-sentence message (full, JSON, editor)

    @property
    def url(self) -> str:
        return rule_url(self.code)

    @property
    def cell(self) -> int | None:
        """The code cell of a notebook finding (its line and column are within that cell)."""
        return self.extra.get("cell")

    @property
    def location(self) -> str:
        """``path:line:col``, or ``nb.ipynb:cell 3:4:5`` in a notebook."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}"

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in _JSON_FIELDS}
        applicability = self.fix_applicability
        data["fix"] = None if applicability is None else {
            "applicability": applicability, "message": self.fix_message}
        extra = dict(self.extra)
        data["severity"] = self.severity.value
        data["url"] = self.url
        data.update(extra)
        return data


_JSON_FIELDS = ("path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
                "explanation", "fix_hint")
