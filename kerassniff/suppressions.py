"""``# noqa`` comments: on the reported line, and file-wide ``# kerassniff: noqa``.

:func:`filter_findings` is the one filter every finding passes: the run's
selection and per-file ignores (a resolved :class:`~kerassniff.config.RuleSet`)
and the file's noqa comments.  The editor's "disable for this line" action
reads and extends comments with :func:`noqa_comment`, the same expression.

Comments are found with a regular expression on the lines that carry a
finding, which costs nothing when there are no findings (the common case in an
editor).  A ``# noqa`` inside a string literal on a flagged line is taken as a
comment too; that is the same trade-off flake8 made before it had tokens.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kerassniff.config import RuleSet
from kerassniff.findings import Finding

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?", re.IGNORECASE)
_FILE_NOQA = re.compile(
    r"^\s*#\s*kerassniff\s*:\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


def noqa_comment(line: str) -> re.Match[str] | None:
    """The line's ``# noqa`` comment; its ``codes`` group holds the listed codes, if any.

    Public so that the editor's "disable for this line" action extends exactly what this module reads.
    """
    return _NOQA.search(line)


@dataclass(frozen=True)
class Suppressions:
    lines: tuple[str, ...]
    file_all: bool
    file_codes: frozenset[str]

    @classmethod
    def from_text(cls, text: str) -> "Suppressions":
        file_all = False
        codes: set[str] = set()
        if "kerassniff" in text:
            for match in _FILE_NOQA.finditer(text):
                if match.group("codes"):
                    codes.update(c.upper() for c in _CODE.findall(match.group("codes")))
                else:
                    file_all = True
        return cls(tuple(text.splitlines()), file_all, frozenset(codes))

    def suppressed(self, code: str, line: int) -> bool:
        if code == "KS001":
            return False  # a file we could not read is never silently skipped
        if self.file_all or code in self.file_codes:
            return True
        if not 1 <= line <= len(self.lines):
            return False
        text = self.lines[line - 1]
        if "#" not in text:
            return False
        match = _NOQA.search(text)
        if match is None:
            return False
        listed = match.group("codes")
        return listed is None or code in {c.upper() for c in _CODE.findall(listed)}


def filter_findings(findings: list[Finding], text: str, rules: RuleSet) -> list[Finding]:
    """The findings the run reports: selected for their file, and not silenced by a noqa comment in ``text``."""
    if not findings:
        return findings
    suppressions = Suppressions.from_text(text)
    return [f for f in findings if rules.applies(f.code, f.path) and not suppressions.suppressed(f.code, f.line)]
