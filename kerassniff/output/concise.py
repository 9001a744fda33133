"""``path:line:col: CODE message``, the format editors and CI parse."""
from __future__ import annotations

from kerassniff.findings import Finding


def line(finding: Finding, unsafe_fixes: bool = False) -> str:
    fixable = finding.fix_applicability == "safe" or (unsafe_fixes and finding.fix_applicability == "unsafe")
    text = f"{finding.location}: {finding.code}{' [*]' if fixable else ''} {finding.message}"
    if "evidence" in finding.extra:
        confirmed = finding.extra.get("confirmed")
        label = {True: "confirmed", False: "refuted", None: "unconfirmed"}[confirmed]
        text += f" [{label}: {finding.extra['evidence']}]"
    return text


def render(findings: list[Finding], unsafe_fixes: bool = False, **_: object) -> str:
    return "".join(line(f, unsafe_fixes) + "\n" for f in findings)
