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
from typing import Callable

import libcst as cst

from kerassniff.config import Config
from kerassniff.discovery import PathProblem
from kerassniff.findings import Finding
from kerassniff.notebook import NotebookError, NotPython, map_findings, notebook_source
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

# Python 2 statements, as (what to call it, how its line looks): checked on the line where Python 3's parser stops.
# (`except E, e:` is not among them: LibCST reads it, and Python 3.14 accepts it as two exception types.)
_PY2_STATEMENTS = (
    ("print statement", re.compile(r"^\s*print(?:\s*>>|\s+[\"'\w]|[\"'])")),
    ("exec statement", re.compile(r"^\s*exec\s+[\"'\w]")),
    ("raise statement with a comma", re.compile(r"^\s*raise\s+[\w.]+\s*,")),
    ("long integer literal", re.compile(r"^[^#'\"]*\b\d+[lL]\b")),
    ("backtick repr", re.compile(r"^[^#'\"]*`")),
    ("'<>' operator", re.compile(r"^[^#'\"]*<>")),
    ("octal literal without 0o", re.compile(r"^[^#'\"]*(?<![\w.])0\d+\b")),
)
# Why a file was not analysed (FileResult.skipped; empty: it was).
NO_KERAS = "no Keras"  # found by walking a folder, and never mentions Keras
NOT_PYTHON = "kernel not Python"  # a notebook in R, Julia, ...

_PY2_MESSAGES = {"Missing parentheses in call to 'print'": "print statement",
                 "Missing parentheses in call to 'exec'": "exec statement"}

@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    script: Script | None = None
    skipped: str = ""  # why it was not analysed (NO_KERAS, NOT_PYTHON); empty when it was
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


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 1, explanation: str = "",
                        fix_hint: str | None = None) -> Finding:
    rule = get_rule("KS001")
    assert rule is not None
    return Finding(path, line, column, line, column, rule.code, rule.name, rule.severity, message,
                   fix_hint or rule.fix_hint, explanation=explanation)


def python2_statement(text: str, line: int, python_message: str = "") -> str | None:
    """What Python 2-only statement is on ``line`` (where Python 3's parser stopped), if there is one."""
    for prefix, kind in _PY2_MESSAGES.items():
        if python_message.startswith(prefix):
            return kind
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return next((kind for kind, pattern in _PY2_STATEMENTS if pattern.search(source_line)), None)


_NATIVE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _libcst_error(error: cst.ParserSyntaxError) -> tuple[int, int, str] | tuple[None, None, str]:
    """LibCST's position and reason.  Its native parser puts the true position in its message; its tokenizer
    errors carry none (LibCST says 1:1), so the position is then unknown."""
    match = _NATIVE_POSITION.search(error.message)
    if match is None:
        return None, None, error.message
    detail = match.group(3).strip()
    if detail.startswith("expected one of "):
        options = detail[len("expected one of "):].split(", ")
        shown = ", ".join(f"'{o}'" for o in options[:6])
        detail = f"unexpected token; expected one of {shown}{', ...' if len(options) > 6 else ''}"
    return int(match.group(1)), max(int(match.group(2)), 1), detail


def _python_error(text: str) -> SyntaxError | None:
    """Python's own verdict on the text: None when it parses, else its SyntaxError (real line and column)."""
    import ast

    try:
        ast.parse(text)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(str(error) or type(error).__name__)
    return None


def _indent(text: str, line: int) -> int:
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(source_line) - len(source_line.lstrip())


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


_HINT_SENTENCE = re.compile(r"\.\s+(Perhaps|Did you mean|Maybe)\b(.*?)\??$")


def _one_sentence(reason: str) -> str:
    """Python's 'invalid syntax. Perhaps you forgot a comma?' as one sentence: 'invalid syntax (perhaps ...)'."""
    return _HINT_SENTENCE.sub(lambda m: f" ({m.group(1).lower()}{m.group(2)})", reason)


def parse(text: str, path: str, cells: list[tuple[int, int]] | None = None,
          parser: Callable[[str], cst.Module] = parse_module) -> cst.Module | Finding:
    """The LibCST module, or the KS001 finding that says why there is none.

    When LibCST refuses a file, Python's own parser decides what the user is
    told: if Python refuses it too, its message and position (real line and
    column, also for tokenizer errors where LibCST has none) name the syntax
    error, and a Python 2 statement on that line is named as such; if Python
    accepts it, the file is valid and LibCST is the limit.  ``cells`` (a
    notebook's script line -> (cell, line in cell)) makes the text name the cell.
    """
    try:
        return parser(text)
    except TooDeep as error:
        return parse_error_finding(path, f"the file is nested too deeply to parse: {error}")
    except cst.ParserSyntaxError as error:
        return _syntax_error_finding(text, path, error, cells)
    except RecursionError:
        return parse_error_finding(path, "the file is nested too deeply to parse")
    except Exception as error:  # noqa: BLE001 - LibCST raises assorted errors on odd input
        return parse_error_finding(path, f"the file could not be parsed: {type(error).__name__}: {error}")


def _syntax_error_finding(text: str, path: str, error: cst.ParserSyntaxError,
                          cells: list[tuple[int, int]] | None) -> Finding:
    libcst_line, libcst_column, detail = _libcst_error(error)
    python_error = _python_error(text)
    if python_error is None:
        where = f" at line {libcst_line}, column {libcst_column}" if libcst_line is not None else ""
        return parse_error_finding(
            path, "valid Python that LibCST, the parser kerassniff is built on, cannot read; not analysed",
            libcst_line or 1, libcst_column or 1,
            explanation=(f"Python {_python_version()} parses this file, but LibCST stops{where} ({detail}), so the file "
                         f"was not analysed; newer LibCST releases follow newer Python syntax."))
    reason = _one_sentence(python_error.msg or "invalid syntax")
    line = python_error.lineno or libcst_line or 1
    column = python_error.offset or (libcst_column if python_error.lineno is None else None) or 1
    kind = python2_statement(text, line, reason)
    where = f"line {line}"
    if cells and 0 < line <= len(cells):
        where = "cell {}, line {}".format(*cells[line - 1])
    if kind is not None:
        return parse_error_finding(
            path, f"Python 2 code ({kind} on {where}): kerassniff analyses Python 3 only", line, _indent(text, line) + 1,
            fix_hint="port the script to Python 3 (print(...), 'except E as e:', 'raise E(msg)')",
            explanation=(f"Python {_python_version()} stops at {where}: {_sentence(reason)} kerassniff, like Keras 3 "
                         f"and TensorFlow 2, needs Python 3. The 2to3 tool shipped with Python 3.12 and older does "
                         f"the mechanical part of a port (it was removed in 3.13); pyupgrade cannot read Python 2."))
    return parse_error_finding(
        path, f"syntax error: {reason}", line, column,
        explanation=(f"Python {_python_version()} stops at {where}, column {column}: {_sentence(reason)} The file "
                     f"was not analysed; fix the syntax and run kerassniff again."))


def lint_source(text: str, path: str, config: Config | None = None, *, explicit: bool = True,
                parser: Callable[[str], cst.Module] = parse_module) -> FileResult:
    """Analyse one script's (or notebook's) text.  Never raises for bad input.  ``parser`` stands in for
    :func:`~kerassniff.parsing.parse_module` (the editor's workers reuse unchanged statements' parses)."""
    config = config or Config()
    result = FileResult(path)
    if not explicit and not KERAS_HINT.search(text):
        result.skipped = NO_KERAS
        return result
    if is_notebook(path):
        return _lint_notebook(text, path, config, parser)
    return _lint_python(text, path, config, parser=parser)


def unreadable(path: str, finding: Finding, config: Config) -> FileResult:
    """The result for a file that could not be read or parsed: its KS001 (no noqa applies to it)."""
    return FileResult(path, [finding] if config.enabled_for("KS001", path) else [])


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def _lint_notebook(text: str, path: str, config: Config,
                   parser: Callable[[str], cst.Module] = parse_module) -> FileResult:
    try:
        source = notebook_source(text)
    except NotPython:  # an R or Julia notebook: nothing to analyse (ruff skips them too)
        return FileResult(path, skipped=NOT_PYTHON)
    except NotebookError as error:
        return unreadable(path, parse_error_finding(path, str(error)), config)
    result = _lint_python(source.text, path, config, source.cell_of_line, parser)
    result.findings = map_findings(result.findings, source)
    return result


def _lint_python(text: str, path: str, config: Config, cells: list[tuple[int, int]] | None = None,
                 parser: Callable[[str], cst.Module] = parse_module) -> FileResult:
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
    module = parse(text, path, cells, parser)
    if isinstance(module, Finding):
        return unreadable(path, module, config)
    try:
        script = build_script(module, path, deadline=started + config.timeout, cells=cells, text=text)
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
