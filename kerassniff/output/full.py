"""The concise line, the offending source line with a caret, and the fix hint."""
from __future__ import annotations

from pathlib import Path

from kerassniff.findings import Finding, docs_base_url, rule_url
from kerassniff.output.concise import line
from kerassniff.output.notebook_lines import NotebookLines


def _source_line(finding: Finding, cache: dict[str, list[str]]) -> str | None:
    lines = cache.get(finding.path)
    if lines is None:
        try:
            lines = Path(finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        cache[finding.path] = lines
    if 1 <= finding.line <= len(lines):
        return lines[finding.line - 1]
    return None


def see(code: str) -> str:
    """Where to read more: the published page when there is one; else the command and the shipped document."""
    if docs_base_url():
        return rule_url(code)
    return f"kerassniff rule {code} (or {rule_url(code)})"


def render(findings: list[Finding], unsafe_fixes: bool = False, **_: object) -> str:
    cache: dict[str, list[str]] = {}  # each file's lines, read once
    notebooks = NotebookLines()
    out = []
    for finding in findings:
        out.append(f"{line(finding, unsafe_fixes)}  [{finding.severity.value}: {finding.name}]")
        if finding.cell is None:
            text = _source_line(finding, cache)
        else:  # the line of the cell, as the notebook stores it
            found = notebooks.line(finding.path, finding.cell, finding.line)
            text = found.text if found is not None else None
        if text is not None:
            gutter = f"{finding.line:>5} | "
            out.append(gutter + text.rstrip())
            width = max(1, (finding.end_column - finding.column) if finding.end_line == finding.line else len(text) - finding.column + 1)
            out.append(" " * (len(gutter) + finding.column - 1) + "^" * max(1, width))
        if finding.explanation:
            out.append(f"  = why: {finding.explanation}")
        if finding.fix_hint:
            out.append(f"  = fix: {finding.fix_hint}")
        out.append(f"  = see: {see(finding.code)}")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")
