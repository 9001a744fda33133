"""``path:line:col: CODE message``, the format editors and CI parse."""
from __future__ import annotations

from kerassniff.findings import Finding


def line(finding: Finding) -> str:
    return f"{finding.location}: {finding.code} {finding.message}"


def render(findings: list[Finding], **_: object) -> str:
    return "".join(line(f) + "\n" for f in findings)
