"""The data every layer shares: a finding and its severity.

Findings are frozen so that formatters, suppression and caching can pass them
around without copying or fear of mutation.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Where the rule documents are published, when they are: the one setting every link follows (finding URLs,
# full output's '= see:', SARIF's helpUri/informationUri, the editor's code links). The environment variable
# overrides it. Unset, links point at the documents that ship inside the package (a file:// URI), which resolve
# for anyone who has kerassniff installed.
PUBLISHED_DOCS_URL: str | None = None
DOCS_URL_ENV = "KERASSNIFF_DOCS_URL"


def docs_base_url() -> str | None:
    """The public base URL of the rule documents (``.../rules/``), or None: use the shipped copies."""
    return os.environ.get(DOCS_URL_ENV, "").strip() or PUBLISHED_DOCS_URL


def rule_url(code: str) -> str:
    """A link to rule CODE's document that resolves: the published page, or the document shipped with the package."""
    base = docs_base_url()
    if base:
        return f"{base.rstrip('/')}/{code}.md"
    from kerassniff.rule_docs import document_uri

    return document_uri(code)


def docs_home_url() -> str:
    """Where the rule documents live (SARIF's informationUri)."""
    base = docs_base_url()
    if base:
        return base.rstrip("/") + "/"
    from kerassniff.rule_docs import folder_uri

    return folder_uri()


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
