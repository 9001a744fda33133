"""One file in, findings out: the pipeline every front end uses.

source text -> LibCST module -> semantic model -> rule reports -> findings
-> suppression and selection.  The editor server calls :func:`lint_source`;
the CLI calls :func:`kerassniff.batch.lint_paths`, which runs this per file.
"""
from __future__ import annotations

import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from kerassniff.config import Config
from kerassniff.discovery import PathProblem
from kerassniff.findings import Finding
from kerassniff.notebook import NotebookError, map_findings, notebook_source
from kerassniff.parsing import TooDeep, parse_module
from kerassniff.project import LinkKeys, link_keys
from kerassniff.registry import Report, Rule, all_rules, get_rule, load_rules
from kerassniff.semantic import AnalysisTimeout, Script, build_script
from kerassniff.semantic.positions import resolve_markers
from kerassniff.sources import (
    SourceError,
    SourceText,
    decode_source,
    read_source,
)
from kerassniff.suppressions import Suppressions

# A file that mentions none of these cannot hold Keras code; it is skipped
# without parsing when it was found by walking a folder.
KERAS_HINT = re.compile(r"\b(?:keras|tensorflow|tf_keras)\b")
# Files are not parsed when parsing alone could pass the per-file time limit, at
# this conservative rate (LibCST parses dense code at 160-400 KB/s on a typical machine).
PARSE_CHARS_PER_SECOND = 100_000

_PY2_HINTS = (
    re.compile(r"^[ \t]*print[ \t]+[\"'\w][^=(]*$", re.MULTILINE),
    re.compile(r"^[ \t]*except[ \t]+[\w.]+\s*,\s*\w+\s*:", re.MULTILINE),
    re.compile(r"^[ \t]*exec[ \t]+[\"']", re.MULTILINE),
    re.compile(r"^[ \t]*raise[ \t]+[\w.]+[ \t]*,", re.MULTILINE),
    re.compile(r"^[^#'\"\n]*\b\d+L\b", re.MULTILINE),
)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    script: Script | None = None
    skipped: bool = False  # pre-filtered: no Keras in it
    text: str | None = field(default=None, repr=False)  # kept for cross-script suppression
    internal_error: str | None = None
    timed_out: bool = False
    links: LinkKeys = field(default_factory=LinkKeys)  # model files it saves/loads (cross-script rules)
    helpers: list[str] = field(default_factory=list)  # helper modules its analysis read (cache dependencies)
    cached: bool = False


@dataclass
class RunResult:
    files: list[FileResult]
    problems: list[PathProblem] = field(default_factory=list)  # paths that could not be checked at all (exit 2)

    @property
    def findings(self) -> list[Finding]:
        found = [f for result in self.files for f in result.findings]
        return sorted(found, key=Finding.sort_key)

    @property
    def internal_errors(self) -> list[FileResult]:
        return [r for r in self.files if r.internal_error]


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    rule = get_rule("KS001")
    assert rule is not None
    return Finding(path, line, column, line, column, rule.code, rule.name, rule.severity, message, rule.fix_hint)


def python2_statement_line(text: str) -> int | None:
    """The line of the first Python 2-only statement, if the text has one."""
    for pattern in _PY2_HINTS:
        match = pattern.search(text)
        if match is not None:
            return text.count("\n", 0, match.start()) + 1
    return None


_NATIVE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _syntax_error_position(error: cst.ParserSyntaxError) -> tuple[int, int, str]:
    """LibCST's native parser puts the true position in its message; prefer it."""
    match = _NATIVE_POSITION.search(error.message)
    if match is None:
        return max(error.raw_line, 1), error.raw_column + 1, error.message
    detail = match.group(3).strip()
    if detail.startswith("expected one of "):
        options = detail[len("expected one of "):].split(", ")
        shown = ", ".join(f"'{o}'" for o in options[:6])
        detail = f"unexpected token; expected one of {shown}{', ...' if len(options) > 6 else ''}"
    return int(match.group(1)), max(int(match.group(2)), 1), detail

def parse(text: str, path: str) -> cst.Module | Finding:
    try:
        return parse_module(text)
    except TooDeep as error:
        return parse_error_finding(path, f"the file is nested too deeply to parse: {error}")
    except cst.ParserSyntaxError as error:
        line, column, detail = _syntax_error_position(error)
        if _valid_for_cpython(text):
            return parse_error_finding(path, (
                f"valid Python that LibCST, the parser kerassniff is built on, does not support (line {line}, "
                f"column {column}: {detail}); the file was not analysed"), line, column)
        message = f"syntax error: {detail}"
        python2_line = python2_statement_line(text)
        if python2_line is not None:
            message += "; this looks like Python 2 code (kerassniff analyses Python 3 only)"
            line, column = python2_line, 1
        return parse_error_finding(path, message, line, column)
    except RecursionError:
        return parse_error_finding(path, "the file is nested too deeply to parse")
    except Exception as error:  # noqa: BLE001 - LibCST raises assorted errors on odd input
        return parse_error_finding(path, f"the file could not be parsed: {type(error).__name__}: {error}")


def _valid_for_cpython(text: str) -> bool:
    import ast

    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def lint_source(text: str, path: str, config: Config | None = None, *, explicit: bool = True) -> FileResult:
    """Analyse one script's (or notebook's) text.  Never raises for bad input."""
    config = config or Config()
    result = FileResult(path)
    if not explicit and not KERAS_HINT.search(text):
        result.skipped = True
        return result
    if is_notebook(path):
        return _lint_notebook(text, path, config)
    return _lint_python(text, path, config)


def unreadable(path: str, finding: Finding, config: Config) -> FileResult:
    """The result for a file that could not be read or parsed: its KS001 (no noqa applies to it)."""
    return FileResult(path, [finding] if config.enabled_for("KS001", path) else [])


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def _lint_notebook(text: str, path: str, config: Config) -> FileResult:
    try:
        source = notebook_source(text)
    except NotebookError as error:
        return unreadable(path, parse_error_finding(path, str(error)), config)
    result = _lint_python(source.text, path, config, source.cell_of_line)
    result.findings = map_findings(result.findings, source)
    return result


def _lint_python(text: str, path: str, config: Config, cells: list[tuple[int, int]] | None = None) -> FileResult:
    result = FileResult(path)
    if len(text) > config.timeout * PARSE_CHARS_PER_SECOND:
        # LibCST's parser cannot be interrupted: a file it could not parse within the limit is not started.
        message = f"not checked: this {len(text) / 1e6:.1f} MB file is too large to parse within the per-file limit"
        result.timed_out = True
        explanation = (f"The per-file limit is {config.timeout:g} s. LibCST's parser cannot be interrupted, so a file "
                       f"it could not parse within the limit is not started.")
        result.findings = filter_findings([limit_finding(path, message, explanation)], text, config)
        return result
    started = time.monotonic()
    module = parse(text, path)
    if isinstance(module, Finding):
        return unreadable(path, module, config)
    try:
        script = build_script(module, path, deadline=started + config.timeout, cells=cells)
        result.script = script
        result.text = text
        reports = run_rules(script, config)
        for _, report in reports:
            script.positions.want(report.node)  # one position pass for all of them
        findings = [f for f in (to_finding(script, rule, report) for rule, report in reports) if f is not None]
    except AnalysisTimeout:
        result.script = None
        result.timed_out = True
        message = f"analysis stopped at the {config.timeout:g} s per-file limit: this file was not checked"
        explanation = "The analysis was abandoned when the limit ran out, so no finding of this file is reported."
        result.findings = filter_findings([limit_finding(path, message, explanation)], text, config)
        return result
    except RecursionError:
        result.findings = filter_findings([parse_error_finding(path, "the file is nested too deeply to analyse")],
                                          text, config)
        return result
    except Exception:  # noqa: BLE001 - an analyser bug must not stop the other files
        result.internal_error = traceback.format_exc()
        return result
    result.findings = filter_findings(_dedupe(findings), text, config)
    result.links = link_keys(script)
    result.helpers = list(script.helpers)
    return result


def limit_finding(path: str, message: str, explanation: str = "") -> Finding:
    rule = get_rule("KS002")
    assert rule is not None
    return Finding(path, 1, 1, 1, 1, rule.code, rule.name, rule.severity, message, rule.fix_hint,
                   explanation=explanation)


def run_rules(script: Script, config: Config) -> list[tuple[Rule, Report]]:
    load_rules()
    reports: list[tuple[Rule, Report]] = []
    for rule in all_rules():
        if rule.check is None or rule.scope != "script" or not config.enabled(rule.code):
            continue
        for report in rule.check(script):
            reports.append((rule, report))
    return reports


def to_finding(script: Script, rule: Rule, report: Report) -> Finding | None:
    """The finding for a rule's report; None for a node in an imported helper module (the helper's own run
    reports it)."""
    position = script.position(report.node)
    if position is None:
        return None
    line, column = position.start.line, position.start.column + 1
    end_line, end_column = position.end.line, position.end.column + 1
    hint = report.fix_hint if report.fix_hint is not None else rule.fix_hint
    fix = report.fix
    return Finding(script.path, line, column, end_line, end_column, rule.code, rule.name, rule.severity,
                   resolve_markers(report.message) or "", resolve_markers(hint),
                   fix_applicability=fix.applicability if fix is not None else None,
                   fix_message=fix.description if fix is not None else None, fix=fix,
                   explanation=resolve_markers(report.explanation) or "",
                   extra={"facts": dict(report.facts)} if report.facts else {})


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.line, finding.column, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def filter_findings(findings: list[Finding], text: str, config: Config) -> list[Finding]:
    if not findings:
        return findings
    suppressions = Suppressions.from_text(text)
    return [f for f in findings
            if config.enabled_for(f.code, f.path) and not suppressions.suppressed(f.code, f.line)]


def lint_file(path: Path, config: Config, explicit: bool = True) -> FileResult:
    return _lint_decoded(read_source(path), str(path), config, explicit)


def lint_bytes(data: bytes, display: str, config: Config, explicit: bool = True) -> FileResult:
    return _lint_decoded(decode_source(data), display, config, explicit)


def _lint_decoded(source: SourceText | SourceError, display: str, config: Config, explicit: bool) -> FileResult:
    if isinstance(source, SourceError):
        finding = parse_error_finding(display, source.message, source.line, source.column)
        return unreadable(display, finding, config)
    return lint_source(source.text, display, config, explicit=explicit)


def internal_error_message(result: FileResult) -> str:
    last = (result.internal_error or "").strip().splitlines()[-1:] or ["unknown error"]
    return (f"kerassniff: internal error while analysing {result.path}: {last[0]}\n"
            f"  This is a bug in kerassniff, not in your file; the other files were still checked.")


def print_internal_errors(results: RunResult) -> None:
    for result in results.internal_errors:
        print(internal_error_message(result), file=sys.stderr)
