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


def _file_lines(f: Finding, notebooks: NotebookLines) -> tuple[str, int, int] | None:
    """For a notebook finding: ('cell 2, line 3: ', first line, last line of the .ipynb file holding its source);
    None for a script's finding, or a notebook that cannot be mapped (its per-cell position is kept)."""
    if f.cell is None:
        return None
    start, stop = notebooks.line(f.path, f.cell, f.line), notebooks.line(f.path, f.cell, f.end_line)
    if start is None:
        return None
    return f"cell {f.cell}, line {f.line}: ", start.file_line, max((stop or start).file_line, start.file_line)


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
        mapped = _file_lines(f, notebooks)
        if mapped is not None:
            location = mapped[0]
            position = f"line={mapped[1]},endLine={mapped[2]}"
        properties = (f"file={_escape_github_property(f.path)},{position},"
                      f"title={_escape_github_property(f'{f.code} {f.name}')}")
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {properties}::{_escape_github_data(location + f.code + ' ' + f.message)}")
    return "".join(line + "\n" for line in out)


def pylint(findings: list[Finding], **_: object) -> str:
    """``path:line: [KS101] message``, the format many editors and report tools parse.

    A notebook finding's line is that of the ``.ipynb`` file (what a tool that opens the path at the line shows);
    the message starts with the cell and the line in it.
    """
    notebooks = NotebookLines()
    out = []
    for f in findings:
        mapped = _file_lines(f, notebooks)
        location, line = (mapped[0], mapped[1]) if mapped else (f"cell {f.cell}, " if f.cell is not None else "", f.line)
        out.append(f"{f.path}:{line}: [{f.code}] {location}{f.message}\n")
    return "".join(out)


def json_lines(findings: list[Finding], **_: object) -> str:
    """One JSON object per line (the same keys as ``json``)."""
    return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in findings)


def gitlab(findings: list[Finding], **_: object) -> str:
    """GitLab Code Quality report (a JSON array of issues with a stable fingerprint each).

    A notebook finding's lines are those of the ``.ipynb`` file that hold its source lines (a merge request shows
    the annotation there, as for ``github``); the description names the cell and the line in it.
    """
    issues = []
    seen: dict[str, int] = {}
    notebooks = NotebookLines()
    for f in findings:
        base = hashlib.sha256(f"{f.path}:{f.code}:{f.message}".encode()).hexdigest()
        seen[base] = seen.get(base, 0) + 1  # identical findings in one file stay distinct
        fingerprint = hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()[:32]
        location = f"cell {f.cell}, " if f.cell is not None else ""
        begin, end = f.line, f.end_line
        mapped = _file_lines(f, notebooks)
        if mapped is not None:
            location, begin, end = mapped
        issues.append({
            "description": f"{location}{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": begin, "end": end}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
