"""One file in, findings out: the pipeline every front end uses.

source text -> LibCST module -> semantic model -> rule reports -> findings
-> noqa and selection (one filter, :func:`kerassniff.suppressions.filter_findings`).
The editor server calls :func:`lint_source`; the CLI calls
:func:`kerassniff.engine.lint_paths.lint_paths`, which runs this per file.
The selection arrives resolved (a :class:`~kerassniff.config.RuleSet`); a
caller that passes none gets it resolved from the configuration here.
"""
from __future__ import annotations

import gc
import re
import time
import traceback
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable

import libcst as cst

from kerassniff.config import Config, RuleSet
from kerassniff.engine.parse_errors import (
    NOT_ANALYSED,
    broken_cells,
    cell_error_finding,
    limit_finding,
    misplaced_future_import,
    parse,
    parse_error_finding,
    python2_cell,
)
from kerassniff.engine.results import Analysis, FileResult, Status
from kerassniff.findings import Finding
from kerassniff.parsing import parse_module
from kerassniff.notebook import (
    NotebookError,
    NotebookSource,
    NotPython,
    map_findings,
    notebook_source,
    commented_block_python,
    ipython_script_python,
    percent_script_python,
)
from kerassniff.registry import Report, Rule, all_rules
from kerassniff.semantic import AnalysisTimeout, Script, build_script
from kerassniff.semantic.knowledge.model_api import LIBRARY_MODEL_PACKAGES
from kerassniff.semantic.links import link_keys
from kerassniff.semantic.reach import may_leave_definitions_unreached, unreached_definitions
from kerassniff.semantic.siblings import HelperFinder
from kerassniff.sources import SourceError, SourceText, decode_source, read_source
from kerassniff.suppressions import filter_findings

# A file that mentions none of these cannot hold Keras code; it is skipped
# without parsing when it was found by walking a folder (a script that imports only keras_hub trains Keras models).
_KERAS_PACKAGES = ("keras", "tensorflow", "tf_keras", *sorted({p.split(".")[0] for p in LIBRARY_MODEL_PACKAGES}))
KERAS_HINT = re.compile(rf"\b(?:{'|'.join(_KERAS_PACKAGES)})\b")
# A script that imports its model from a helper module (``from net import model``) or is a notebook's fragment may
# never name a Keras package: a compile(loss=..., optimizer=...) (not re.compile, torch.compile) beside a
# fit/evaluate/predict call is Keras's training workflow, and fit_generator(), predict_classes() or a History's
# .history["loss"] only Keras's; such a file is read too.  (load_weights() beside a fit or predict is not enough: a
# Darknet or PyTorch Lightning project has both.)
_COMPILE_CALL = re.compile(r"\.compile\s*\([^()]*\b(?:loss|optimizer)\s*=")
_TRAINING_CALL = re.compile(r"\.(?:fit|evaluate|predict)(?:_generator)?\s*\(")
_KERAS_ONLY_CALL = re.compile(r"\.(?:fit|evaluate|predict)_generator\s*\(|\.predict_classes\s*\(|"
                              r"\.history\s*\[\s*['\"]")


def _balanced_part(levels: int) -> str:
    """A regex for one character or one parenthesised group of text whose parentheses are balanced, nested at most
    ``levels`` deep."""
    part = r"[^()]"
    for _ in range(levels):
        part = rf"(?:[^()]|\({part}*\))"
    return part


# A fit() given the keywords that count its steps (a module of training functions that gets its model from its
# caller): only Keras's fit() takes them (PyTorch's OneCycleLR also takes steps_per_epoch=, never inside a fit()).
_FIT_NESTING = 4  # fit(flow(load(path(...))), steps_per_epoch=...): a deeper argument leaves the file unread
_FIT_KEYWORD = re.compile(rf"\.fit(?:_generator)?\s*\({_balanced_part(_FIT_NESTING - 1)}*?"
                          r"\b(?:steps_per_epoch|validation_steps)\s*=(?!=)")


def may_hold_keras(text: str) -> bool:
    """Whether a file found by walking a folder is worth parsing: it names a Keras package, or it compiles and
    trains a model it got from elsewhere, or gives fit() the keywords that count its steps, or calls what only
    Keras's models have."""
    return bool(KERAS_HINT.search(text) or _KERAS_ONLY_CALL.search(text) or
                _FIT_KEYWORD.search(text) or (_COMPILE_CALL.search(text) and _TRAINING_CALL.search(text)))
# ``from model import build_model``, ``from .nets import cnn``, ``import net``: the modules a script imports, which
# may be files beside it (found by the interpreter's own resolver, :class:`kerassniff.semantic.siblings.HelperFinder`).
_IMPORTED = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.MULTILINE)
# How much of a sibling module is read to tell whether it names Keras.
_SIBLING_CHARS = 200_000


def sibling_modules(text: str, path: str) -> list[str]:
    """The files beside a script that its imports name (``from network import build_classifier``, ``import net``),
    as the interpreter finds helper modules: a script found by walking a folder that names no Keras package is still
    read when one of them does (it trains or serves a Keras model built there)."""
    finder = HelperFinder(path)
    found: dict[str, None] = {}
    for match in _IMPORTED.finditer(text):
        dots, module = (match.group(1) or ""), match.group(2) if match.group(3) is None else match.group(3)
        helper = finder.find(module, len(dots))
        if helper is not None:
            found.setdefault(helper[0])
    return list(found)


def _names_keras(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return bool(KERAS_HINT.search(handle.read(_SIBLING_CHARS)))
    except OSError:
        return False


# Files are not parsed when parsing alone could pass the per-file time limit, at
# this conservative rate (LibCST parses dense code at 160-400 KB/s on a typical machine).
PARSE_CHARS_PER_SECOND = 100_000


def known_codes() -> list[str]:
    """Every registered rule's code, in order (what selectors are checked and resolved against)."""
    return [rule.code for rule in all_rules()]


def rule_set(config: Config) -> RuleSet:
    """The configuration's selection, resolved once against the registered rules."""
    return config.rule_set(known_codes())


def lint_source(text: str, path: str, config: Config | None = None, *, explicit: bool = True,
                rules: RuleSet | None = None, parser: Callable[[str], cst.Module] = parse_module,
                keep_analysis: Callable[[FileResult], bool] | None = None) -> FileResult:
    """Analyse one script's (or notebook's) text; the result carries its :class:`Analysis` unless
    ``keep_analysis`` says it will not be read (then it is released and dropped before the collector resumes, so
    that it is freed at once; see :func:`collector_paused`).  Never raises for bad input.  ``parser`` stands in
    for :func:`~kerassniff.parsing.parse_module` (the editor's workers reuse unchanged statements' parses)."""
    config = config or Config()
    rules = rules if rules is not None else rule_set(config)
    if not explicit and not may_hold_keras(text):
        siblings = sibling_modules(text, path)
        if not any(_names_keras(sibling) for sibling in siblings):
            # (the siblings read are cache dependencies: one that comes to name Keras makes the script worth reading)
            return FileResult(path, status=Status.NO_KERAS, helpers=tuple(siblings))
    with collector_paused():
        if is_notebook(path):
            result = _lint_notebook(text, path, config, rules, parser)
        else:
            result = _lint_python(text, path, config, rules, parser=parser,
                                  repair=lambda error: _lint_commented_blocks(text, path, config, rules, parser,
                                                                              error) or
                                  _lint_percent_script(text, path, config, rules, parser))
        if keep_analysis is not None and result.analysis is not None and not keep_analysis(result):
            result.analysis.script.release()
            result = replace(result, analysis=None)
        return result


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector held off while one file is linted.

    A lint allocates a few hundred thousand container objects (LibCST's tree, the model's values); the
    collections they trigger include older-generation ones that walk the parse tree again and again: about a
    tenth of a parse and a fifth of the model on the clean corpus.  When the collector resumes, the first
    allocation runs the collection the file's objects call for, before the lint returns (so it is counted
    in the lint's time), with the collector's usual cascade to older generations.  (An explicit
    ``gc.collect(0)`` here would not cascade: the cycles it promotes would wait for a full collection that
    never comes, and 1,000 files peaked at 376 MB instead of about 245.)  A caller that turned the collector off
    (the editor's workers) keeps it off.  The switch is the process's: two threads linting at once leave it
    on when both are done, though one may run part of its lint with the collector on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def lint_file(path: Path, config: Config, explicit: bool = True, rules: RuleSet | None = None) -> FileResult:
    return lint_decoded(read_source(path), str(path), config, explicit, rules)


def lint_bytes(data: bytes, display: str, config: Config, explicit: bool = True,
               rules: RuleSet | None = None) -> FileResult:
    return lint_decoded(decode_source(data), display, config, explicit, rules)


def lint_decoded(source: SourceText | SourceError, display: str, config: Config, explicit: bool,
                 rules: RuleSet | None = None, keep_analysis: Callable[[FileResult], bool] | None = None) -> FileResult:
    """A decoded file's result; one that could not be read or decoded gets its KS001."""
    rules = rules if rules is not None else rule_set(config)
    if isinstance(source, SourceError):
        finding = parse_error_finding(display, source.message, source.line, source.column)
        return unreadable(display, finding, rules)
    return lint_source(source.text, display, config, explicit=explicit, rules=rules, keep_analysis=keep_analysis)


def unreadable(path: str, finding: Finding, rules: RuleSet) -> FileResult:
    """The result for a file that could not be read or parsed: its KS001 (no noqa applies to it)."""
    return FileResult(path, [finding] if rules.applies("KS001", path) else [])


def is_notebook(path: str) -> bool:
    return path.lower().endswith(".ipynb")


def _lint_notebook(text: str, path: str, config: Config, rules: RuleSet,
                   parser: Callable[[str], cst.Module] = parse_module) -> FileResult:
    try:
        source = notebook_source(text)
    except NotPython:  # an R or Julia notebook: nothing to analyse (ruff skips them too)
        return FileResult(path, status=Status.NOT_PYTHON)
    except NotebookError as error:
        return unreadable(path, parse_error_finding(path, str(error)), rules)
    result = _lint_python(source.text, path, config, rules, source.cell_of_line, parser,
                          repair=lambda _: _lint_without_broken_cells(source, path, config, rules, parser))
    result.findings = map_findings(result.findings, source)
    return result


def _lint_without_broken_cells(source: NotebookSource, path: str, config: Config, rules: RuleSet,
                               parser: Callable[[str], cst.Module]) -> FileResult | None:
    """A notebook whose joined code does not parse: the cells Python refuses on their own are left out (their lines
    become comments, so every position stays) and the rest is analysed, as Jupyter runs it; one KS001 names them.
    None when no cell or every cell is at fault, or a cell is Python 2 code (the whole file's KS001 then stands)."""
    lines = source.text.split("\n")
    cells: dict[int, list[str]] = {}
    first: dict[int, int] = {}
    for index, (cell, _) in enumerate(source.cell_of_line):
        cells.setdefault(cell, []).append(lines[index])
        first.setdefault(cell, index + 1)
    broken = broken_cells(cells)
    if not broken or len(broken) == len(cells) or any(python2_cell(cells[n], e) for n, e in broken.items()):
        return None  # nothing to leave out, nothing left, or Python 2 code: the whole file's KS001 says so
    kept = [("# (cell not analysed: a syntax error)" if source.cell_of_line[index][0] in broken else line)
            for index, line in enumerate(lines[:len(source.cell_of_line)])]
    result = _lint_python("\n".join(kept) + "\n", path, config, rules, source.cell_of_line, parser)
    if any(f.code == "KS001" for f in result.findings) or (result.analysis is None and not result.findings):
        return None  # LibCST still refuses what is left: the whole file's KS001 says why
    numbers = sorted(broken)
    error = cell_error_finding(path, numbers[0], cells[numbers[0]], broken[numbers[0]], first[numbers[0]], numbers[1:])
    result.findings = ([error] if rules.applies("KS001", path) else []) + result.findings
    return result


def _lint_percent_script(text: str, path: str, config: Config, rules: RuleSet,
                         parser: Callable[[str], cst.Module]) -> FileResult | None:
    """A script that does not parse because it is a notebook saved in the percent format (``# %%`` cells) with
    IPython lines (``!pip install x``), or a notebook cell pasted into a ``.py`` file with them: read as the notebook
    it is, every line in place.  Its findings carry no automatic fix (a fix would write the Python that stands for
    the IPython lines into the file).  When it still does not parse, its KS001 names the real error (every line is in
    its place), not the first IPython line.  None when the text has no such lines: the script's KS001 stands."""
    python = percent_script_python(text) or ipython_script_python(text)
    if python is None:
        return None
    result = _lint_python(python, path, config, rules, parser=parser)
    if result.analysis is None and not any(f.code == "KS001" for f in result.findings):
        return None
    result.findings = [replace(f, fix=None, fix_applicability=None, fix_message=None) for f in result.findings]
    return result


def _lint_commented_blocks(text: str, path: str, config: Config, rules: RuleSet,
                           parser: Callable[[str], cst.Module], error: Finding) -> FileResult | None:
    """A script that does not parse because a block holds only comments (Colab's export of a cell whose IPython
    magic it commented out, under ``try:``): its KS001 stands, and the rest of it is analysed with a ``pass`` in
    each such block (:func:`~kerassniff.notebook.commented_block_python`), every line in place, without automatic
    fixes (IPython lines read as a notebook's are).  None when the text has no such block, or still does not parse
    with them filled."""
    if commented_block_python(text) is None:  # (a cheap scan first: the IPython reading below is not)
        return None
    ipython = ipython_script_python(text)  # (Colab's export keeps its !pip lines too)
    python = commented_block_python(ipython or text)
    if python is None:
        return None
    if ipython is not None:  # the error to report is the one left once the IPython lines are read
        left = parse(ipython, path, None, parser)
        error = left if isinstance(left, Finding) else error
    result = _lint_python(python, path, config, rules, parser=parser)
    if result.analysis is None or any(f.code == "KS001" for f in result.findings):
        return None
    kept = [replace(f, fix=None, fix_applicability=None, fix_message=None) for f in result.findings]
    explained = replace(error, explanation=error.explanation.replace(
        NOT_ANALYSED,
        "The rest of the file was analysed with a pass in each block that holds only comments (what Colab's export "
        "leaves of a commented-out IPython magic); give such a block a statement of its own."))
    result.findings = ([explained] if rules.applies("KS001", path) else []) + kept
    return result


def _lint_python(text: str, path: str, config: Config, rules: RuleSet,
                 cells: list[tuple[int, int]] | None = None,
                 parser: Callable[[str], cst.Module] = parse_module,
                 repair: Callable[[Finding], FileResult | None] | None = None) -> FileResult:
    """Lint one script (or a notebook's joined cells); ``repair`` is asked for another result when the text does not
    parse, given the text's KS001 (a notebook analyses its other cells)."""
    if len(text) > config.timeout * PARSE_CHARS_PER_SECOND:
        # LibCST's parser cannot be interrupted: a file it could not parse within the limit is not started.
        message = f"not checked: this {len(text) / 1e6:.1f} MB file is too large to parse within the per-file limit"
        explanation = (f"The per-file limit is {config.timeout:g} s. LibCST's parser cannot be interrupted, so a file "
                       f"it could not parse within the limit is not started.")
        return FileResult(path, filter_findings([limit_finding(path, message, explanation)], text, rules),
                          Status.TIMED_OUT)
    started = time.monotonic()
    module = parse(text, path, cells, parser)
    if isinstance(module, Finding):
        repaired = repair(module) if repair is not None else None
        return repaired if repaired is not None else unreadable(path, module, rules)
    analysis: Analysis | None = None
    try:
        script = build_script(module, path, deadline=started + config.timeout, cells=cells, text=text)
        analysis = Analysis(script, text)
        reports = run_rules(script, rules)
        for _, report in reports:
            for node in (report.node, *report.mentioned_nodes()):
                script.positions.want(node)  # one position pass for all of them
        made = [(report, to_finding(script, rule, report)) for rule, report in reports]
        findings = outside_unreached_definitions(script, [(report, f) for report, f in made if f is not None])
        refused = misplaced_future_import(text, path, module, cells) if "KS001" in rules else None
        if refused is not None:
            findings.insert(0, refused)
    except AnalysisTimeout:
        message = f"analysis stopped at the {config.timeout:g} s per-file limit: this file was not checked"
        explanation = "The analysis was abandoned when the limit ran out, so no finding of this file is reported."
        return FileResult(path, filter_findings([limit_finding(path, message, explanation)], text, rules),
                          Status.TIMED_OUT)
    except RecursionError:
        found = [parse_error_finding(path, "the file is nested too deeply to analyse")]
        return FileResult(path, filter_findings(found, text, rules), analysis=analysis)
    except Exception:  # noqa: BLE001 - an analyser bug must not stop the other files
        return FileResult(path, status=Status.INTERNAL_ERROR, error=traceback.format_exc(), analysis=analysis)
    return FileResult(path, filter_findings(unique_findings(findings), text, rules), links=link_keys(script),
                      helpers=tuple(script.helpers), analysis=analysis)


# The rules silent inside a definition a run never reaches: those about a model's output, loss and compile (KS1xx) and
# its architecture (KS3xx), whose model is never trained there, and KS402 and KS405, whose code there never runs.
RULES_SILENT_WHERE_UNREACHED = ("KS1", "KS3", "KS402", "KS405")


def outside_unreached_definitions(script: Script, made: list[tuple[Report, Finding]]) -> list[Finding]:
    """The findings less those of :data:`RULES_SILENT_WHERE_UNREACHED` inside a module-level function or class that a
    run of the script never reaches (a model builder left behind when the list that used it was edited, in a script
    that trains at module level, :func:`~kerassniff.semantic.reach.unreached_definitions`): the model it builds is
    never trained, its code never fails.  The rules about data and predictions still judge such a function: a
    predict helper nobody calls in the file is kept for the user to call."""
    judged = [report for report, finding in made if finding.code.startswith(RULES_SILENT_WHERE_UNREACHED)]
    if not judged or not may_leave_definitions_unreached(script):
        return [finding for _, finding in made]
    # the statement the positions pass found for the node, else the one the interpreter recorded for it (a module
    # rendered whole tells none)
    recorded = script.node_statements()
    holders: dict[int, int | None] = {}
    for report in judged:
        top = script.positions.holder(report.node)
        holders[id(report)] = top if top is not None else recorded.get(id(report.node))
    unreached = unreached_definitions(script, holders.values())
    return [finding for report, finding in made if holders.get(id(report)) not in unreached]


def run_rules(script: Script, rules: RuleSet) -> list[tuple[Rule, Report]]:
    """Every enabled per-script rule's reports on one script."""
    reports: list[tuple[Rule, Report]] = []
    for rule in all_rules():
        if rule.check is None or rule.scope != "script" or rule.code not in rules:
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
                   report.render(report.message, script.describe) or "", report.render(hint, script.describe),
                   fix_applicability=fix.applicability if fix is not None else None,
                   fix_message=fix.description if fix is not None else None, fix=fix,
                   explanation=report.render(report.explanation, script.describe) or "",
                   extra={"facts": dict(report.facts)} if report.facts else {})


def unique_findings(findings: list[Finding]) -> list[Finding]:
    """The findings less repeats of one (file, code, position, message).

    A function is interpreted once per distinct abstract input (its summary is reused for the same input), so
    the same inputs never report twice; but one body interpreted for two inputs (``train(new_model)`` and
    ``train(loaded_model)``) can find the same problem at the same line in both, and a user reads it once."""
    seen: set[tuple] = set()
    unique = []
    for finding in findings:
        key = (finding.path, finding.code, finding.line, finding.column, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
