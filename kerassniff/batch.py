"""Many files at once: the content-hash cache, worker processes, and the cross-script rules.

:func:`lint_paths` is what the command line runs: it collects the files, takes
unchanged ones from the cache, analyses the rest (in worker processes for
large runs, which die with the main process), then links scripts that save
and load the same model file and runs the cross-script rules over them.  A
script that loads a model no file in the run saves gets its trainer looked up
beside it (:func:`sibling_trainers`), so naming one file (pre-commit, an
editor) still finds cross-script bugs.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from kerassniff.api import FileResult, RunResult, _lint_decoded, lint_file
from kerassniff.cache import Cache
from kerassniff.config import Config
from kerassniff.discovery import collect
from kerassniff.findings import Finding
from kerassniff.project import cross_script_findings, files_in_links, sibling_candidates
from kerassniff.registry import load_rules
from kerassniff.sources import SourceError, decode_source, read_bytes


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


def lint_paths(paths: list[str], config: Config, *, jobs: int = 1, cache: Cache | None = None,
               keep_models: bool = False) -> RunResult:
    """Analyse files and folders: per-file results (cached, in parallel for large runs), then cross-script rules.

    Only the semantic models that cross-script rules need are kept (``keep_models`` keeps every one, for
    ``--show-model`` and dynamic mode): a thousand parsed modules would otherwise stay in memory.
    """
    targets, problems = collect(paths, config)
    results: list[FileResult | None] = [None] * len(targets)
    work: list[Job] = []
    for index, target in enumerate(targets):
        display = str(target.path)
        raw = read_bytes(target.path)
        key = cache.key(display, raw) if cache is not None and isinstance(raw, bytes) else None
        hit = cache.get(key) if cache is not None and key is not None else None
        if hit is not None:
            results[index] = FileResult(display, hit.findings, skipped=hit.skipped, links=hit.links, cached=True)
        else:
            work.append(Job(index, display, target.explicit, raw, key))

    for job, result in zip(work, _run_jobs(work, config, jobs, keep_models)):
        results[job.index] = result
        if cache is not None and job.cache_key is not None and not result.internal_error and not result.timed_out:
            cache.put(job.cache_key, result.findings, result.skipped, result.links, result.helpers)

    files = [r for r in results if r is not None]
    siblings = sibling_trainers(files, config)
    needed = files_in_links({f.path: f.links for f in files + siblings if f.links})
    for result in files:
        if result.path in needed and result.script is None:
            # from the cache or a worker process, which do not carry the model: analyse this one here
            fresh = lint_file(Path(result.path), config, explicit=True)
            result.script, result.text = fresh.script, fresh.text
        elif result.path not in needed and not keep_models:
            result.script, result.text = None, None
    linked = [f for f in files if f.script is not None] + [s for s in siblings if s.path in needed]
    cross = cross_script_findings(linked, config)
    by_path = {f.path: f for f in files}
    for finding in cross:
        if finding.path in by_path:  # a sibling read for its links only gets no findings
            by_path[finding.path].findings.append(finding)
    return RunResult(files, problems)


# Bounds on the search for trainers beside a loading script (pre-commit and editors name one file at a time).
MAX_SIBLINGS_READ = 200  # files whose text is searched for the model file's name
MAX_SIBLINGS_ANALYSED = 8  # files that mention it, analysed for their links


def sibling_trainers(files: list[FileResult], config: Config) -> list[FileResult]:
    """Scripts outside this run that save a model file a script in it loads, analysed for their links only.

    ``kerassniff evaluate.py`` (or a pre-commit run with only evaluate.py staged) would otherwise never see that
    train.py beside it saved the model it loads.  Only files in the loading script's folder and the folders this
    run already covers are looked at, only those that mention the model file's name are analysed, and both are
    capped; their own findings are never reported.
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
    for path in sibling_candidates(folders, in_run, config, MAX_SIBLINGS_READ):
        raw = read_bytes(path)
        if not isinstance(raw, bytes) or not any(name.encode() in raw for name in wanted):
            continue
        result = _lint_raw(str(path), False, raw, config)
        if any(PurePosixPath(key).name in wanted for key in result.links.saves):
            found.append(result)
            if len(found) >= MAX_SIBLINGS_ANALYSED:
                break
    return found


def sibling_findings(result: FileResult, config: Config) -> list[Finding]:
    """Cross-script findings for one analysed file (an editor's buffer) against the trainers beside it."""
    if result.script is None or not result.links.loads:
        return []
    siblings = [s for s in sibling_trainers([result], config) if s.script is not None]
    if not siblings:
        return []
    return [f for f in cross_script_findings([result, *siblings], config) if f.path == result.path]


def _run_jobs(work: list[Job], config: Config, jobs: int, keep_models: bool) -> list[FileResult]:
    if jobs <= 1 or len(work) < PARALLEL_MIN_FILES:
        results = []
        for job in work:
            result = _lint_raw(job.display, job.explicit, job.raw, config)
            if not result.links and not keep_models:
                result.script, result.text = None, None  # nothing will read it: free the parsed module now
            results.append(result)
        return results
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(32, len(work) // (jobs * 4)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config,))
    try:
        results = list(pool.map(_worker_job, work, chunksize=chunk))
    except BaseException:  # Ctrl-C (or a bug): stop the workers now rather than let them finish the queue
        _stop(pool)
        raise
    pool.shutdown()
    return results


def _stop(pool) -> None:
    processes = list(getattr(pool, "_processes", {}).values())  # CPython keeps them there; best effort elsewhere
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=2)


def _lint_raw(display: str, explicit: bool, raw: bytes | SourceError, config: Config) -> FileResult:
    source = raw if isinstance(raw, SourceError) else decode_source(raw)
    return _lint_decoded(source, display, config, explicit)


_worker_config: Config | None = None


# How often a worker checks that the process that started it is still there.
PARENT_POLL_SECONDS = 0.2


def _init_worker(config: Config) -> None:
    """Set up a worker process: the configuration, the rules, and the watch on its parent.

    Ctrl-C reaches every process of the terminal's foreground group; the main
    process handles it (one line, exit 130) and stops the workers, so they
    ignore it instead of printing tracebacks.  A main process killed outright
    (SIGKILL, or SIGTERM, which runs no cleanup) cannot stop them: each worker
    watches its parent and exits when it is gone, instead of waiting forever
    on the pool's queue.
    """
    global _worker_config
    _worker_config = config
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
    """Runs in a worker process: the result travels back without its (large, unpicklable-in-spirit) model."""
    assert _worker_config is not None
    try:
        result = _lint_raw(job.display, job.explicit, job.raw, _worker_config)
    except Exception:  # noqa: BLE001 - never lose the whole run to one file
        return FileResult(job.display, internal_error=traceback.format_exc())
    result.script = None
    result.text = None
    result.findings = [replace(f, fix=None) for f in result.findings]  # LibCST nodes stay in the worker
    return result
