"""Formats CI systems read: GitHub annotations, GitLab Code Quality, pylint-style lines, JSON lines.

Each is a function from findings to text, like the other formats.  Paths are
shown as given (relative when the user passed relative paths), which is what
GitHub and GitLab resolve against the checkout.
"""
from __future__ import annotations

import hashlib
import json

from kerassniff.findings import Finding, Severity
from kerassniff.output.notebook_lines import NotebookLines

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _escape_github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(text: str) -> str:
    return _escape_github_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: list[Finding], **_: object) -> str:
    """GitHub Actions workflow commands: ``::error file=...,line=...::message``.

    A notebook finding is annotated on the line of the ``.ipynb`` file that holds its source line (without
    columns, which mean nothing in the JSON); the message names the cell and the line in it.
    """
    out = []
    notebooks = NotebookLines()
    for f in findings:
        location = f"cell {f.cell}, " if f.cell is not None else ""
        position = f"line={f.line},col={f.column},endLine={f.end_line},endColumn={f.end_column}"
        if f.cell is not None:
            start, end = notebooks.line(f.path, f.cell, f.line), notebooks.line(f.path, f.cell, f.end_line)
            if start is not None:
                location = f"cell {f.cell}, line {f.line}: "
                position = f"line={start.file_line},endLine={(end or start).file_line}"
        properties = (f"file={_escape_github_property(f.path)},{position},"
                      f"title={_escape_github_property(f'{f.code} {f.name}')}")
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {properties}::{_escape_github_data(location + f.code + ' ' + f.message)}")
    return "".join(line + "\n" for line in out)


def pylint(findings: list[Finding], **_: object) -> str:
    """``path:line: [KS101] message``, the format many editors and report tools parse."""
    return "".join(f"{f.path}:{f.line}: [{f.code}] {f.message}\n" for f in findings)


def json_lines(findings: list[Finding], **_: object) -> str:
    """One JSON object per line (the same keys as ``json``)."""
    return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in findings)


def gitlab(findings: list[Finding], **_: object) -> str:
    """GitLab Code Quality report (a JSON array of issues with a stable fingerprint each)."""
    issues = []
    seen: dict[str, int] = {}
    for f in findings:
        base = hashlib.sha256(f"{f.path}:{f.code}:{f.message}".encode()).hexdigest()
        seen[base] = seen.get(base, 0) + 1  # identical findings in one file stay distinct
        fingerprint = hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()[:32]
        issues.append({
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": f.line, "end": f.end_line}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
