"""SARIF 2.1.0: one run, one ``rule`` per code (with its help link), one ``result`` per finding.

Code-scanning services (GitHub, Azure DevOps) read this.  Every registered rule
is listed, not only those with findings, so that a result's ``ruleIndex``
stays stable between runs.  The run's invocation records whether it succeeded:
a path that could not be checked (mistyped, a link loop) or an internal error
makes ``executionSuccessful`` false, with one notification for each.
"""
from __future__ import annotations

import json
from pathlib import Path

from kerassniff import __version__
from kerassniff.findings import Finding, Severity, docs_home_url, rule_url
from kerassniff.output.notebook_lines import NotebookLines
from kerassniff.registry import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    candidate = Path(path)
    return candidate.as_posix() if not candidate.is_absolute() else candidate.as_uri()


def render(findings: list[Finding], problems: list[str] | None = None, **_: object) -> str:
    rules = list(all_rules())
    index = {rule.code: position for position, rule in enumerate(rules)}
    descriptors = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary}. Fix: {rule.fix_hint}"},
        "helpUri": rule_url(rule.code),
        "help": {"text": f"{rule.fix_hint}. See {rule_url(rule.code)}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
    } for rule in rules]
    results = []
    notebooks = NotebookLines()
    for f in findings:
        region = {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column}
        if f.cell is not None:  # the line of the .ipynb file that holds the source line (see notebook_lines)
            start, end = notebooks.line(f.path, f.cell, f.line), notebooks.line(f.path, f.cell, f.end_line)
            if start is not None:
                region = {"startLine": start.file_line, "endLine": max((end or start).file_line, start.file_line)}
        result = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)}, "region": region}}],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.cell is not None:
            result["properties"] = {"cell": f.cell, "cellLine": f.line, "cellColumn": f.column}
        if f.fix_hint:
            result.setdefault("properties", {})["fixHint"] = f.fix_hint
        if "evidence" in f.extra:  # dynamic mode's verdict
            result.setdefault("properties", {}).update(confirmed=f.extra.get("confirmed"), evidence=f.extra["evidence"])
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kerassniff", "version": __version__, "semanticVersion": __version__,
                                "informationUri": docs_home_url(), "rules": descriptors}},
            "invocations": [_invocation(problems or [])],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _invocation(problems: list[str]) -> dict:
    """``executionSuccessful`` is false when some path could not be checked; each problem is a notification."""
    invocation: dict = {"executionSuccessful": not problems}
    if problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": problem}}
            for problem in problems]
    return invocation
