"""Many files at once: the content-hash cache, worker processes, and the cross-script rules.

:func:`lint_paths` is what the command line runs: it collects the files, takes
unchanged ones from the cache, analyses the rest (in worker processes for
large runs, which die with the main process), then links scripts that save
and load the same model file and runs the cross-script rules over them.  A
script that loads a model no file in the run saves gets its trainer looked up
beside it (:func:`sibling_trainers`), so naming one file (pre-commit, an
editor) still finds cross-script bugs.

The selection is resolved once per run (a :class:`~kerassniff.config.RuleSet`)
and handed to every file's analysis, worker processes included.  Each file's
durable :class:`FileResult` is kept apart from its transient
:class:`Analysis`: only the analyses of files that take part in a save/load
link are held until the cross-script rules have read them (``keep_models``
keeps every one, for ``--show-model`` and dynamic mode).
"""
from __future__ import annotations

import io
import os
import re
import signal
import sys
import threading
import time
import tokenize
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from kerassniff.config import Config, RuleSet
from kerassniff.discovery import SOURCE_SUFFIXES, Target, collect
from kerassniff.engine.cache import Cache
from kerassniff.engine.lint_file import is_notebook, lint_decoded, lint_file, rule_set, to_finding, unique_findings
from kerassniff.engine.results import Analysis, FileResult, RunResult, Status
from kerassniff.findings import Finding
from kerassniff.registry import Withdrawal, all_rules, load_rules
from kerassniff.semantic.links import files_in_links, link_keys, same_file
from kerassniff.sources import SourceError, decode_source, read_bytes
from kerassniff.suppressions import filter_findings


@dataclass(frozen=True)
class Job:
    """One file to analyse: where its result goes, and its bytes (or why they could not be read)."""

    index: int
    display: str
    explicit: bool
    raw: bytes | SourceError
    cache_key: str | None


# Below this many files to analyse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 16
# What a file that saves a trained model or loads one says (a link key comes only from these calls).  In a run
# with worker processes such files are analysed in the main process, beside the workers: a model cannot travel
# back from a worker, and the cross-script rules would otherwise need a second analysis of each linked file.
LINK_HINT = re.compile(rb"load_model|load_weights|\.(?:save|save_weights|export)\s*\(")


def lint_paths(paths: list[str], config: Config, *, jobs: int = 1, cache: Cache | None = None,
               keep_models: bool = False, rules: RuleSet | None = None) -> RunResult:
    """Analyse files and folders: per-file results (cached, in parallel for large runs), then cross-script rules.

    Only the analyses that cross-script rules need are kept (``keep_models`` keeps every one, for
    ``--show-model`` and dynamic mode, attached to the results): a thousand parsed modules would otherwise stay
    in memory.  ``rules`` is the configuration's selection, resolved once (here, when the caller has not).
    """
    rules = rules if rules is not None else rule_set(config)
    targets, problems = collect(paths, config)
    results, work = _from_cache(targets, cache)
    analyses: dict[str, Analysis] = {}
    cross_script = reads_across_scripts(rules)
    for job, (result, analysis) in zip(work, _run_jobs(work, config, rules, jobs, keep_models, cross_script)):
        results[job.index] = result
        if analysis is not None:
            analyses[result.path] = analysis
        if cache is not None and job.cache_key is not None and not result.internal_error and not result.timed_out:
            cache.put(job.cache_key, result)
    files = [r for r in results if r is not None]
    if cross_script:
        _link_scripts(files, analyses, config, rules)
    if keep_models:
        files = [replace(f, analysis=analyses.get(f.path)) for f in files]
    return RunResult(files, problems)


def _from_cache(targets: list[Target], cache: Cache | None) -> tuple[list[FileResult | None], list[Job]]:
    """Each target's cached result (None where there is none), and the jobs for the others."""
    results: list[FileResult | None] = [None] * len(targets)
    work: list[Job] = []
    for index, target in enumerate(targets):
        display = str(target.path)
        raw = read_bytes(target.path)
        key = cache.key(display, raw) if cache is not None and isinstance(raw, bytes) else None
        hit = cache.get(key, display) if cache is not None and key is not None else None
        if hit is not None:
            results[index] = hit
        else:
            work.append(Job(index, display, target.explicit, raw, key))
    return results, work


def reads_across_scripts(rules: RuleSet) -> bool:
    """Whether an enabled rule compares scripts (a project rule).  Only then are the analyses of files that save
    or load a model kept until the run ends, trainers beside the run's files read, and files that may link
    analysed in this process: with ``--select`` leaving none, a run keeps no parsed module."""
    return any(rule.project_check is not None and rule.code in rules for rule in all_rules())


def _link_scripts(files: list[FileResult], analyses: dict[str, Analysis], config: Config, rules: RuleSet) -> None:
    """Add the cross-script findings to the files that save and load the same model files (trainers beside the
    run's files included); ``analyses`` gains those that had to be made here."""
    siblings = sibling_trainers(files, config, rules)
    needed = files_in_links({f.path: f.links for f in files + siblings if f.links})
    for result in files:
        if result.path in needed and result.path not in analyses:
            # taken from the cache (so not analysed in this run), or a worker's file whose links come from a
            # helper module it imports (its own text had no LINK_HINT): the cross-script rules need it here
            analysis = lint_file(Path(result.path), config, explicit=True, rules=rules).analysis
            if analysis is not None:
                analyses[result.path] = analysis
    linked = [analyses[f.path] for f in files if f.path in needed and f.path in analyses]
    linked += [s.analysis for s in siblings if s.path in needed and s.analysis is not None]
    note_unfollowed_savers(linked, files + siblings)
    by_path = {f.path: f for f in files}
    found, withdrawals = cross_script_results(linked, rules)
    withdrawn = {place for place, because in withdrawals if all(path in by_path for path in because)}
    for result in by_path.values():
        if withdrawn and result.findings:
            result.findings[:] = [f for f in result.findings if _place(f) not in withdrawn]
    for finding in found:
        if finding.path in by_path:  # a sibling read for its links only gets no findings
            by_path[finding.path].findings.append(finding)


def _place(finding: Finding) -> "Place":
    return finding.path, finding.code, finding.line, finding.column


def cross_script_findings(linked: list[Analysis], rules: RuleSet) -> list[Finding]:
    """The project rules' findings over the analyses of scripts that save and load the same model files (what they
    take back is dropped: for an editor's buffer and the trainers read beside it, which are not files of a run)."""
    return cross_script_results(linked, rules)[0]


Place = tuple[str, str, int, int]  # a finding's path, code, line and column


def cross_script_results(linked: list[Analysis],
                         rules: RuleSet) -> tuple[list[Finding], list[tuple[Place, tuple[str, ...]]]]:
    """The project rules' findings over the analyses of scripts that save and load the same model files, and the
    places of the script rules' own findings that those checks take back, each with the scripts that justify it
    (:class:`~kerassniff.registry.Withdrawal`).  (A notebook's findings are placed in its cells, a withdrawal in its
    joined code: a notebook's finding is not taken back.)"""
    scripts = [a.script for a in linked]
    if len(scripts) < 2:
        return [], []
    texts = {a.script.path: a.text for a in linked}
    findings: list[Finding] = []
    withdrawn: list[tuple[Place, tuple[str, ...]]] = []
    for rule in all_rules():
        project_check = rule.project_check
        if project_check is None or rule.code not in rules:
            continue
        try:
            reports = list(project_check(scripts))
        except Exception:  # noqa: BLE001 - a bug in one cross-script check must not stop the run
            last = traceback.format_exc().strip().splitlines()[-1]
            print(f"kerassniff: internal error in {rule.code}'s check across scripts: {last}\n  This is a bug in "
                  f"kerassniff, not in your files; the other findings were still reported.", file=sys.stderr)
            continue
        for script, report in reports:
            if isinstance(report, Withdrawal):
                position = script.position(report.node)
                if position is not None and not is_notebook(script.path):
                    place = (script.path, rule.code, position.start.line, position.start.column + 1)
                    withdrawn.append((place, report.because))
                continue
            finding = to_finding(script, rule, report)
            if finding is not None:
                findings.extend(filter_findings([finding], texts.get(script.path, ""), rules))
    return unique_findings(findings), withdrawn


# Bounds on the search for trainers beside a loading script (pre-commit and editors name one file at a time).
MAX_SIBLINGS_READ = 200  # files whose text is searched for the model file's name
MAX_SIBLINGS_ANALYSED = 8  # files that mention it, analysed for their links


def sibling_trainers(files: list[FileResult], config: Config, rules: RuleSet) -> list[FileResult]:
    """Scripts outside this run that save a model file a script in it loads, analysed for their links only.

    ``kerassniff evaluate.py`` (or a pre-commit run with only evaluate.py staged) would otherwise never see that
    train.py beside it saved the model it loads.  Only files in the loading script's folder and the folders this
    run already covers are looked at, only those that mention the model file's name are analysed, and both are
    capped; their own findings are never reported.  The results carry their analyses.
    """
    in_run = {Path(f.path).absolute() for f in files}
    saved = {key for f in files for key in f.links.saves}
    saved |= {PurePosixPath(key).name for key in saved}
    wanted: dict[str, list[str]] = {}  # model file name -> folders to look in
    for result in files:
        for key in result.links.loads:
            if key in saved or PurePosixPath(key).name in saved:
                continue
            wanted.setdefault(PurePosixPath(key).name, []).append(str(Path(result.path).parent))
    if not wanted:
        return []
    folders = [folder for names in wanted.values() for folder in names]
    folders += sorted({str(Path(f.path).parent) for f in files} - set(folders))
    found: list[FileResult] = []
    unreadable: list[FileResult] = []
    for path in sibling_candidates(folders, in_run, config, MAX_SIBLINGS_READ):
        raw = read_bytes(path)
        if not isinstance(raw, bytes) or not any(name.encode() in raw for name in wanted):
            continue
        result = _lint_raw(str(path), False, raw, config, rules, analysis_kept(True, False))
        if any(PurePosixPath(key).name in wanted for key in result.links.saves):
            found.append(result)
            if len(found) >= MAX_SIBLINGS_ANALYSED:
                break
        elif unread(result) and len(unreadable) < MAX_SIBLINGS_ANALYSED:
            unreadable.append(result)  # (names the model file and does not parse: perhaps its maker)
    return found + unreadable


def unread(result: FileResult) -> bool:
    """A file that could not be analysed because it does not parse (its KS001 says why)."""
    return result.analysis is None and any(finding.code == "KS001" for finding in result.findings)


# A line that may write a model file: a save()/save_weights()/save_model() call or a checkpoint callback.  In a file
# that does not parse, any such word; in one read whose save was not followed, the call itself (a settings module's
# ``MODEL_SAVE_PATH = "model.h5"`` saves nothing).
_SAVING_LINE = re.compile(rb"save|checkpoint", re.IGNORECASE)
_SAVING_CALL = re.compile(rb"\.save(?:_weights)?\s*\(|\bsave_model\s*\(|ModelCheckpoint\s*\(")


def note_unfollowed_savers(linked: list[Analysis], beside_files: list[FileResult]) -> None:
    """Tell each loading script which files beside it seem to save a model file it loads without kerassniff having
    followed that save: a file that does not parse whose line naming the file saves or makes a checkpoint, or a file
    read (or skipped as holding no Keras) whose code, comments left out, passes the name to a save(), save_model() or
    ModelCheckpoint() call that its analysis did not record (a model built by a module kerassniff cannot read).  One
    of them may have made that file, so no other script is taken for its maker (semantic.links)."""
    for analysis in linked:
        names = {PurePosixPath(key).name for key in link_keys(analysis.script).loads}
        folder = Path(analysis.script.path).parent
        beside = [result for result in beside_files if Path(result.path).parent == folder and
                  result.path != analysis.script.path] if names else []
        texts = {result.path: read_bytes(Path(result.path)) for result in beside}
        analysis.script.unread_savers = tuple(
            (result.path, name) for result in beside for name in sorted(names)
            if not any(same_file(saved, name) for saved in result.links.saves) and
            isinstance(texts[result.path], bytes) and
            _saves(texts[result.path], name.encode(), _SAVING_LINE if unread(result) else _SAVING_CALL))


def _saves(text: bytes, name: bytes, saving: re.Pattern[bytes]) -> bool:
    """Whether a line of the text, its comment left out, names the file (as a whole name: "best_model50.keras" is
    not "model50.keras") and saves."""
    named = re.compile(rb"(?<![\w.-])" + re.escape(name) + rb"(?![\w.-])")
    return any(name in line and saving.search(line) and named.search(line) for line in _code_lines(text))


def _code_lines(text: bytes) -> list[bytes]:
    """The text's lines without their comments (``# exported with model.save("model.h5")`` saves nothing), read by
    Python's tokenizer; a text it cannot read (a file that does not parse) as it is."""
    lines = text.splitlines()
    try:
        comments = [token.start for token in tokenize.tokenize(io.BytesIO(text).readline)
                    if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return lines
    for row, column in comments:
        line = lines[row - 1]
        lines[row - 1] = line[:len(line.decode("utf-8", "replace")[:column].encode("utf-8"))]
    return lines


def sibling_findings(result: FileResult, config: Config) -> list[Finding]:
    """Cross-script findings for one analysed file (an editor's buffer, with its analysis) against the trainers
    beside it."""
    if result.analysis is None or not result.links.loads:
        return []
    rules = rule_set(config)
    if not reads_across_scripts(rules):
        return []
    found = sibling_trainers([result], config, rules)
    siblings = [s.analysis for s in found if s.analysis is not None]
    if not siblings:
        return []
    note_unfollowed_savers([result.analysis, *siblings], found)
    return [f for f in cross_script_findings([result.analysis, *siblings], rules) if f.path == result.path]


def sibling_candidates(folders: list[str], skip: set[Path], config: Config, limit: int) -> Iterator[Path]:
    """Python files in these folders (not below them), in order, that a run could link to: not in ``skip``
    (absolute paths), not excluded, at most ``limit`` of them."""
    seen: set[str] = set()
    given = 0
    for folder in folders:
        if folder in seen:
            continue
        seen.add(folder)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            path = Path(folder) / name
            if not name.endswith(SOURCE_SUFFIXES) or path.absolute() in skip or config.is_excluded(path):
                continue
            if not path.is_file():
                continue
            yield path
            given += 1
            if given >= limit:
                return


def _run_jobs(work: list[Job], config: Config, rules: RuleSet, jobs: int, keep_models: bool,
              cross_script: bool) -> list[tuple[FileResult, Analysis | None]]:
    """Each job's durable result, and its analysis where one will be read (its file links to a model file and a
    cross-script rule is enabled, or ``keep_models``); the others are dropped as soon as their file is done.

    With worker processes, files that may link (:data:`LINK_HINT`) are analysed here while the workers analyse
    the rest, so that the analyses the cross-script rules read are the first and only ones.
    """
    def stays_here(job: Job) -> bool:
        return cross_script and isinstance(job.raw, bytes) and bool(LINK_HINT.search(job.raw))

    here = [job for job in work if stays_here(job)]
    elsewhere = [job for job in work if not stays_here(job)]
    if jobs <= 1 or len(work) < PARALLEL_MIN_FILES or len(elsewhere) < PARALLEL_MIN_FILES // 2:
        return [_lint_here(job, config, rules, keep_models, cross_script) for job in work]
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(32, len(elsewhere) // (jobs * 4)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config, rules))
    try:
        remote = pool.map(_worker_job, elsewhere, chunksize=chunk)  # submitted now; collected below
        done = {job.index: _lint_here(job, config, rules, keep_models, cross_script) for job in here}
        done.update((job.index, (result, None)) for job, result in zip(elsewhere, remote))
    except BaseException:  # Ctrl-C (or a bug): stop the workers now rather than let them finish the queue
        _stop(pool)
        raise
    pool.shutdown()
    return [done[job.index] for job in work]


def _lint_here(job: Job, config: Config, rules: RuleSet, keep_models: bool,
               cross_script: bool) -> tuple[FileResult, Analysis | None]:
    """One file analysed in this process: its durable result, and its analysis if something will read it."""
    result = _lint_raw(job.display, job.explicit, job.raw, config, rules, analysis_kept(cross_script, keep_models))
    return replace(result, analysis=None), result.analysis


def analysis_kept(cross_script: bool, keep_models: bool) -> Callable[[FileResult], bool]:
    """Whether a run keeps a file's analysis once the file is done: when a cross-script rule will read it (the
    file saves or loads a model file) or every model is asked for (``keep_models``)."""
    return lambda result: keep_models or (cross_script and bool(result.links))


def _stop(pool) -> None:
    processes = list(getattr(pool, "_processes", {}).values())  # CPython keeps them there; best effort elsewhere
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=2)


def _lint_raw(display: str, explicit: bool, raw: bytes | SourceError, config: Config, rules: RuleSet,
              keep_analysis: Callable[[FileResult], bool]) -> FileResult:
    source = raw if isinstance(raw, SourceError) else decode_source(raw)
    return lint_decoded(source, display, config, explicit, rules, keep_analysis)


_worker_settings: tuple[Config, RuleSet] | None = None


# How often a worker checks that the process that started it is still there.
PARENT_POLL_SECONDS = 0.2


def _init_worker(config: Config, rules: RuleSet) -> None:
    """Set up a worker process: the configuration, the resolved selection, the rules, and the watch on its parent.

    Ctrl-C reaches every process of the terminal's foreground group; the main
    process handles it (one line, exit 130) and stops the workers, so they
    ignore it instead of printing tracebacks.  A main process killed outright
    (SIGKILL, or SIGTERM, which runs no cleanup) cannot stop them: each worker
    watches its parent and exits when it is gone, instead of waiting forever
    on the pool's queue.
    """
    global _worker_settings
    _worker_settings = (config, rules)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="kerassniff-parent-watch",
                     daemon=True).start()
    load_rules()


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:  # re-parented: the process that started this worker has died
            os._exit(1)


def _worker_job(job: Job) -> FileResult:
    """Runs in a worker process: the durable result travels back; the (large) analysis and the fixes' LibCST nodes
    stay in the worker."""
    assert _worker_settings is not None
    try:
        result = _lint_raw(job.display, job.explicit, job.raw, *_worker_settings, analysis_kept(False, False))
    except Exception:  # noqa: BLE001 - never lose the whole run to one file
        return FileResult(job.display, status=Status.INTERNAL_ERROR, error=traceback.format_exc())
    return replace(result, analysis=None, findings=[replace(f, fix=None) for f in result.findings])
