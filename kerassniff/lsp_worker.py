"""The editor server's lint workers: child processes that lint, so the server never waits on a lint.

Both ends live here: :func:`main` is the child's loop; :class:`Linter` is the
server's scheduler (debounce, newest version first, stale work interrupted)
and :class:`Worker` its handle on one child.  Nothing here needs pygls.

Why a process and not a thread: LibCST's native parser holds the GIL while it
parses (tens of milliseconds for a 500-line script), so a lint in a thread
would stall the server's replies (a code action asked for during a lint waited
for it).  The server keeps two workers where the machine has two cores: a
keystroke that arrives while one worker is still busy with a version that is
now stale starts on the other at once.  A stale lint is interrupted with
SIGUSR1 (where the platform has it), which raises :class:`Cancelled` at the
next Python instruction, so typing never queues up stale lints.

A worker keeps the parses of the module-level statements it has seen
(:class:`~kerassniff.lsp_reparse.StatementReuse`), so a keystroke's lint parses
one statement instead of the document (half of a lint's time for a 500-line
script), and it runs each lint with the garbage collector off, collecting
once after the job (collections during a lint made its slowest tenth slower).

Each job ends with one ``("done", job_id, None)`` message; before it come
``("result", job_id, Outcome)`` unless the lint was cancelled, and
``("fixes", job_id, {finding index: edits})`` for the fixes whose minimal edits
needed the slow path (a whole-module transform), computed after the result is
sent so that they never delay the diagnostics.  Messages are length-prefixed
pickles on the child's stdin/stdout: a private pipe between two processes of
the same program.  The worker exits when its input closes, so it never
outlives the server.
"""
from __future__ import annotations

import asyncio
import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Callable, Protocol

import kerassniff
from kerassniff.api import lint_source
from kerassniff.config import Config
from kerassniff.findings import Finding
from kerassniff.fixes import Fix
from kerassniff.lsp_edits import Edit, Located, fast_fix_edits, slow_fix_edits
from kerassniff.lsp_reparse import StatementReuse

CANCEL_SIGNAL = getattr(signal, "SIGUSR1", None)
_HEADER = struct.Struct("!I")



@dataclass
class Job:
    id: int
    path: str  # ends with .ipynb for a notebook, whose text is then the notebook's JSON
    text: str
    config: Config


@dataclass
class Outcome:
    findings: list[Finding]  # without their Fix objects (LibCST nodes stay in the worker)
    edits: dict[int, list[Edit]] = field(default_factory=dict)  # finding index -> its fix's minimal edits
    slow: list[int] = field(default_factory=list)  # fixes whose edits follow in a "fixes" message
    seconds: float = 0.0  # how long the lint took (the server's debounce follows it)


class Cancelled(BaseException):
    """The job's document changed: stop (a BaseException, so the lint's own error handling lets it through)."""


def write_frame(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: BinaryIO) -> object | None:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)  # noqa: S301 - written by our own parent process


# ---------------------------------------------------------------- the server's end: scheduling

class Scheduled(Protocol):
    """What the server schedules (its Snapshot): the document's key and the job that lints it."""

    key: str
    job: Job


DEBOUNCE_SHARE = 0.05  # of the document's last lint time
MAX_DEBOUNCE_SECONDS = 0.3
FIRST_LINT_CHARS_PER_SECOND = 150_000  # a guess at the lint time before a document's first lint was timed
MAX_START_FAILURES = 3  # workers that die before answering, in a row, before the server gives up on them


def debounce_seconds(last_lint_seconds: float) -> float:
    """How long to wait after a change before linting.

    Short, because a lint the next keystroke makes stale is interrupted: an early
    start costs some CPU, not latency.  5% of the document's own lint time (a few
    ms for a 500-line script) still takes changes sent together (a paste, an
    auto-format, multi-cursor typing) as one; a huge file, whose interrupted
    lints waste the most, waits longer, up to 0.3 s.
    """
    return min(MAX_DEBOUNCE_SECONDS, DEBOUNCE_SHARE * max(last_lint_seconds, 0.0))


class Worker:
    """One lint worker process; a thread reads its answers and hands them to the server's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_message: Callable, on_exit: Callable) -> None:
        package_parent = str(Path(kerassniff.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from kerassniff.lsp_worker import main; main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.snapshot: Scheduled | None = None  # the job in flight
        self.cancelled = False
        self.answered = False  # it has sent a message: it started
        self.loop = loop
        threading.Thread(target=self._read, args=(on_message, on_exit), daemon=True).start()

    def _read(self, on_message: Callable, on_exit: Callable) -> None:
        assert self.process.stdout is not None
        while True:
            try:
                message = read_frame(self.process.stdout)
            except Exception:  # noqa: BLE001 - a torn stream is the same as a closed one
                message = None
            try:
                if message is None:
                    self.loop.call_soon_threadsafe(on_exit, self)
                    return
                self.loop.call_soon_threadsafe(on_message, self, message)
            except RuntimeError:  # the server's loop has closed: it is shutting down
                return

    def start(self, snapshot: Scheduled) -> bool:
        """Send it a job; False if it has gone (its reader thread reports the exit)."""
        assert self.process.stdin is not None
        try:
            write_frame(self.process.stdin, snapshot.job)
        except OSError:
            return False
        self.snapshot, self.cancelled = snapshot, False
        return True

    def cancel(self) -> None:
        """Interrupt the job in flight (its result would be dropped anyway)."""
        if CANCEL_SIGNAL is not None and not self.cancelled and self.process.poll() is None:
            self.cancelled = True
            self.process.send_signal(CANCEL_SIGNAL)

    def stop(self) -> None:
        if self.snapshot is not None:
            self.cancel()
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()  # the worker exits at the end of its input
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class Linter:
    """Schedules lints of open documents on the workers: debounced, newest version first, stale work cut short."""

    def __init__(self, snapshot: Callable[[str], Scheduled], deliver: Callable[[Scheduled, Outcome], None],
                 deliver_fixes: Callable[[Scheduled, dict[int, list[Edit]]], None]) -> None:
        self.snapshot, self.deliver, self.deliver_fixes = snapshot, deliver, deliver_fixes
        self.size = 2 if (os.cpu_count() or 1) >= 2 else 1
        self.workers: list[Worker] = []
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.waiting: dict[str, Scheduled] = {}
        self.seconds: dict[str, float] = {}  # key -> how long its last lint took
        self.failures = 0  # workers in a row that stopped before they answered

    def start(self) -> None:
        """Start the workers ahead of the first lint (a worker takes a moment to load)."""
        while len(self.workers) < self.size:
            self.workers.append(Worker(asyncio.get_running_loop(), self._on_message, self._on_exit))

    def stop(self) -> None:
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop()

    def request(self, key: str, delay: float, *, supersedes: bool = True) -> None:
        """Lint ``key`` after ``delay`` seconds; ``supersedes``: its text changed, so running lints are stale."""
        if supersedes:
            for worker in self.workers:
                if worker.snapshot is not None and worker.snapshot.key == key:
                    worker.cancel()
        self.waiting.pop(key, None)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        if delay <= 0:
            self._ready(key)
        else:
            self.timers[key] = asyncio.get_running_loop().call_later(delay, self._ready, key)

    def debounce(self, key: str, size: int) -> float:
        return debounce_seconds(self.seconds.get(key, size / FIRST_LINT_CHARS_PER_SECOND))

    def forget(self, key: str) -> None:
        for worker in self.workers:
            if worker.snapshot is not None and worker.snapshot.key == key:
                worker.cancel()
        self.waiting.pop(key, None)
        self.seconds.pop(key, None)
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def _ready(self, key: str) -> None:
        self.timers.pop(key, None)
        snapshot = self.snapshot(key)
        if snapshot is not None:
            self.waiting[key] = snapshot
            self._dispatch()

    def _dispatch(self) -> None:
        while self.waiting and self.failures < MAX_START_FAILURES:
            worker = next((w for w in self.workers if w.snapshot is None and w.process.poll() is None), None)
            if worker is None:
                if len(self.workers) >= self.size:
                    return
                worker = Worker(asyncio.get_running_loop(), self._on_message, self._on_exit)
                self.workers.append(worker)
            key = next(iter(self.waiting))
            if not worker.start(self.waiting[key]):
                return  # it has gone: its exit dispatches again
            del self.waiting[key]

    def _on_message(self, worker: Worker, message: tuple) -> None:
        worker.answered, self.failures = True, 0
        kind, job_id, payload = message
        snapshot = worker.snapshot
        if snapshot is None or snapshot.job.id != job_id:
            return
        if kind == "result":
            self.seconds[snapshot.key] = payload.seconds
            self.deliver(snapshot, payload)
        elif kind == "fixes":
            self.deliver_fixes(snapshot, payload)
        elif kind == "done":
            self.deliver_fixes(snapshot, {})  # fixes cut short by a cancel: none will come, stop waiting for them
            worker.snapshot = None
            self._dispatch()

    def _on_exit(self, worker: Worker) -> None:
        if worker not in self.workers:
            return  # stopped on purpose
        self.workers.remove(worker)
        code = worker.process.wait()
        if not worker.answered:
            self.failures += 1
            if self.failures == MAX_START_FAILURES:
                print(f"kerassniff: {MAX_START_FAILURES} lint workers in a row stopped (exit code {code}) before "
                      f"they answered; the server publishes no more diagnostics", file=sys.stderr)
        if worker.snapshot is not None:
            self.deliver_fixes(worker.snapshot, {})
        if worker.answered and worker.snapshot is not None:
            print(f"kerassniff: a lint worker stopped (exit code {code}) while linting {worker.snapshot.job.path}; "
                  f"a new one takes over", file=sys.stderr)
        self._dispatch()


# ---------------------------------------------------------------- the worker process

FULL_COLLECTION_EVERY = 32  # jobs (a collection of the youngest generation follows every job)
_state = {"cancellable": False, "cancelled": False, "jobs": 0}


def _on_cancel(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    if _state["cancellable"]:
        _state["cancellable"] = False  # at most one Cancelled per job
        _state["cancelled"] = True  # read again after the lint: a raise inside a __del__ or callback is swallowed
        raise Cancelled


def _send(out: BinaryIO, message: object) -> None:
    """Write a message; a cancel signal during the write is ignored (half a message would break the stream)."""
    was = _state["cancellable"]
    _state["cancellable"] = False
    write_frame(out, message)
    _state["cancellable"] = was


def _run(out: BinaryIO, job: Job, parser: StatementReuse) -> None:
    started = time.perf_counter()
    result = lint_source(job.text, job.path, job.config, explicit=True, parser=parser)
    if _state["cancelled"]:
        raise Cancelled  # the signal's own Cancelled was swallowed where it landed
    findings = result.findings
    outcome = Outcome([replace(f, fix=None) for f in findings])
    located = Located(result, job.path, job.text) if any(isinstance(f.fix, Fix) for f in findings) else None
    for index, finding in enumerate(findings):
        if located is not None and isinstance(finding.fix, Fix):
            spans = fast_fix_edits(result, finding.fix, located.positions)
            if spans is None:
                outcome.slow.append(index)
            else:
                edits = located.edits(spans)
                if edits is not None:
                    outcome.edits[index] = edits
    outcome.seconds = time.perf_counter() - started
    _send(out, ("result", job.id, outcome))
    if outcome.slow and located is not None:
        slow = {}
        for index in outcome.slow:
            edits = located.edits(slow_fix_edits(result, findings[index].fix))
            if edits is not None:
                slow[index] = edits
        _send(out, ("fixes", job.id, slow))


def serve_job(out: BinaryIO, job: Job, parser: StatementReuse) -> None:
    """Lint one job and answer it, ending with its "done".

    The garbage collector is off while the job runs: a lint allocates hundreds
    of thousands of short-lived objects, and the collections they triggered
    (some of them full ones) added tens of milliseconds to a lint's slowest
    tenth.  Everything the lint allocated is then in the youngest generation,
    so collecting that one (a few ms; with the warm-up's objects frozen, see
    :func:`main`) frees the lint's cycles; a full collection runs every
    ``FULL_COLLECTION_EVERY`` jobs.  It runs before "done", not after: the
    server gives its next job to a worker that has said "done", and that job
    would wait for the collection.
    """
    gc.disable()
    try:
        _state["cancelled"], _state["cancellable"] = False, True
        _run(out, job, parser)
        _state["cancellable"] = False  # inside the try: a signal landing just before this is still caught
    except Cancelled:
        pass
    _state["cancellable"] = False
    gc.enable()
    _state["jobs"] += 1
    gc.collect(2 if _state["jobs"] % FULL_COLLECTION_EVERY == 0 else 0)
    write_frame(out, ("done", job.id, None))


def main() -> None:
    """The worker's loop: read a job, lint it, answer; until the server closes the pipe."""
    source = sys.stdin.buffer
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not break the message stream
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which ends us by closing the pipe
    if CANCEL_SIGNAL is not None:
        signal.signal(CANCEL_SIGNAL, _on_cancel)
    lint_source("import keras\n", "warm_up.py", Config())  # load the rules before the first job is timed
    gc.collect()
    gc.freeze()  # what is loaded now lives as long as the worker: no collection need look at it again
    parser = StatementReuse()  # a document's next version parses only the statements that changed
    while True:
        job = read_frame(source)
        if not isinstance(job, Job):
            return
        serve_job(out, job, parser)


if __name__ == "__main__":  # pragma: no cover - started by the server as a child process
    main()
