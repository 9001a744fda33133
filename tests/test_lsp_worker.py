"""The editor server's lint worker: minimal fix edits, and interrupting a stale lint."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kerassniff.api import lint_source
from kerassniff.config import Config
from kerassniff.api import apply_fixes
from kerassniff.fixes import Fix
from kerassniff.lsp_edits import Positions, fast_fix_edits, minimal_edits, slow_fix_edits
from kerassniff.lsp_worker import Job, read_frame, write_frame

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, new_text in sorted(spans, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("a = 600 / 32\n", "a = 600 // 32\n", [(9, 9, "/")]),
    ("x = 'binary'\ny = 2\n", "x = 'categorical'\ny = 2\n", [(5, 11, "categorical")]),
    ("a\nb\nc\n", "a\nc\n", [(2, 4, "")]),
    ("a\nb\n", "a\nb\nc\n", [(4, 4, "c\n")]),
    ("same\n", "same\n", []),
])
def test_minimal_edits_are_the_changed_characters(old: str, new: str, expected: list) -> None:
    assert minimal_edits(old, new) == expected
    assert _apply(old, minimal_edits(old, new)) == new


def test_every_fixture_fix_as_edits_equals_applying_it() -> None:
    """Both ways of computing a fix's edits give exactly the text the CLI's --fix writes."""
    fixes = fast = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        result = lint_source(text, str(path), Config())
        for finding in result.findings:
            if not isinstance(finding.fix, Fix):
                continue
            fixes += 1
            expected = apply_fixes(result.script.module, [finding.fix])
            assert _apply(text, slow_fix_edits(result, finding.fix)) == expected
            spans = fast_fix_edits(result, finding.fix, Positions(text))
            if spans is not None:
                fast += 1
                assert _apply(text, spans) == expected, (path, finding.code)
    assert fixes >= 10 and fast >= fixes // 2  # most fixes need no module transform


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 on this platform")
def test_a_stale_lint_is_interrupted() -> None:
    block = "def f{n}(x):\n    y = keras.layers.Dense(8, activation='relu')(x)\n    return keras.Model(x, y)\n\n"
    script = "import keras\n" + "".join(block.format(n=n) for n in range(1500))
    worker = subprocess.Popen([sys.executable, "-c", "from kerassniff.lsp_worker import main; main()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert worker.stdin is not None and worker.stdout is not None
        write_frame(worker.stdin, Job(1, "small.py", "import keras\n", Config()))
        assert [read_frame(worker.stdout)[0] for _ in range(2)] == ["result", "done"]
        write_frame(worker.stdin, Job(2, "big.py", script, Config()))
        time.sleep(0.05)
        started = time.monotonic()
        worker.send_signal(signal.SIGUSR1)
        assert read_frame(worker.stdout) == ("done", 2, None)  # no result: it stopped
        assert time.monotonic() - started < 5
        write_frame(worker.stdin, Job(3, "small.py", "import keras\n", Config()))  # and works on
        assert read_frame(worker.stdout)[:2] == ("result", 3)
    finally:
        worker.kill()
        worker.wait()


class _FakeWorker:
    """Stands in for a worker process: records what it is sent; the test plays its answers."""

    made: list["_FakeWorker"] = []

    def __init__(self, loop, on_message, on_exit) -> None:
        self.on_message, self.on_exit = on_message, on_exit
        self.snapshot = None
        self.sent: list = []
        self.cancels = 0
        self.answered = False
        self.process = self
        _FakeWorker.made.append(self)

    def poll(self):
        return None

    def wait(self):
        return 1

    def start(self, snapshot) -> bool:
        self.snapshot = snapshot
        self.sent.append(snapshot)
        return True

    def cancel(self) -> None:
        self.cancels += 1

    def stop(self) -> None:
        pass


class _Snap:
    def __init__(self, key: str, version: int) -> None:
        self.key, self.version = key, version
        self.job = Job(version, key, "", Config())


def test_the_linter_runs_the_newest_version_and_interrupts_stale_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from kerassniff import lsp_worker
    from kerassniff.lsp_worker import Linter, Outcome

    monkeypatch.setattr(lsp_worker, "Worker", _FakeWorker)
    _FakeWorker.made = []
    versions = {"a": 0}
    delivered = []

    async def scenario() -> None:
        def snapshot(key):
            return _Snap(key, versions[key])
        fixes = []
        linter = Linter(snapshot, lambda s, o: delivered.append(s.version), lambda s, e: fixes.append((s.version, e)))
        linter.size = 1
        for version in (1, 2, 3):  # a burst: one lint, of the newest version
            versions["a"] = version
            linter.request("a", 0.01)
        await asyncio.sleep(0.05)
        (worker,) = _FakeWorker.made
        assert [s.version for s in worker.sent] == [3]
        versions["a"] = 4
        linter.request("a", 0.01)  # its text changed while version 3 is linted: interrupt that
        assert worker.cancels == 1
        worker.on_message(worker, ("done", 3, None))  # it stopped without a result
        await asyncio.sleep(0.05)
        assert [s.version for s in worker.sent] == [3, 4]
        worker.on_message(worker, ("result", 4, Outcome([], seconds=0.1)))
        worker.on_message(worker, ("done", 4, None))
        assert delivered == [4] and linter.debounce("a", 0) == pytest.approx(0.005)
        assert fixes[-1] == (4, {})  # a job's end releases code actions waiting for its slow fixes

        # workers that die before they answer are replaced, but not forever
        versions["b"] = 1
        for _ in range(5):  # the first had answered; the ones started after it never do
            dead = _FakeWorker.made[-1]
            dead.on_exit(dead)
            linter.request("b", 0)
        assert len(_FakeWorker.made) == 1 + lsp_worker.MAX_START_FAILURES

    asyncio.run(scenario())


def _script(blocks: int, units: int = 8) -> str:
    block = ("def build_{n}(x):\n    y = keras.layers.Dense({units}, activation='softmax')(x)\n"
             "    model = keras.Model(x, y)\n    model.compile(loss='binary_crossentropy')\n    return model\n\n\n")
    return "import keras\n\n\n" + "".join(block.format(n=n, units=units if n == 1 else 8) for n in range(blocks))


def _answers(stream) -> list:
    stream.seek(0)
    return list(iter(lambda: read_frame(stream), None))


def test_a_job_reuses_the_previous_versions_statements_and_finds_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import io

    from kerassniff import lsp_worker
    from kerassniff.lsp_reparse import StatementReuse

    parser = StatementReuse()
    seen_gc = []
    real_lint = lsp_worker.lint_source

    def lint(*args, **kwargs):
        seen_gc.append(gc.isenabled())
        return real_lint(*args, **kwargs)

    monkeypatch.setattr(lsp_worker, "lint_source", lint)
    first, edited = _script(24), _script(24, units=1)
    lsp_worker.serve_job(io.BytesIO(), Job(1, "/tmp/a.py", first, Config()), parser)
    class Out(io.BytesIO):
        young: list[int] = []

        def write(self, data: bytes) -> int:
            self.young.append(gc.get_count()[0])  # objects allocated since the youngest generation's collection
            return super().write(data)

    out = Out()
    lsp_worker.serve_job(out, Job(2, "/tmp/a.py", edited, Config()), parser)
    assert parser.parsed == 1 and parser.reused == 24  # only the edited function was parsed again
    (kind, job_id, outcome), done = _answers(out)
    assert (kind, job_id, done) == ("result", 2, ("done", 2, None))
    expected = lint_source(edited, "/tmp/a.py", Config()).findings
    assert [(f.code, f.line, f.column, f.message) for f in outcome.findings] == \
        [(f.code, f.line, f.column, f.message) for f in expected] and expected
    assert seen_gc == [False, False] and gc.isenabled()  # no collection during a lint
    # more objects than a collection lets pile up: none ran during the lint; then collected before "done" (the
    # server's next job waits not)
    assert Out.young[0] > gc.get_threshold()[0] and Out.young[-1] < 100


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="no SIGUSR1 on this platform")
def test_a_cancel_swallowed_where_it_landed_still_drops_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signal's exception can land in a __del__ or a weakref callback, which swallows it: the lint then
    runs to its end, and its result must still not be sent."""
    import io

    from kerassniff import lsp_worker
    from kerassniff.lsp_reparse import StatementReuse

    def lint(*args, **kwargs):
        try:
            lsp_worker._on_cancel(signal.SIGUSR1, None)
        except BaseException:  # noqa: BLE001 - as a finalizer would
            pass
        return lint_source(*args, **{k: v for k, v in kwargs.items() if k != "parser"})

    monkeypatch.setattr(lsp_worker, "lint_source", lint)
    out = io.BytesIO()
    lsp_worker.serve_job(out, Job(7, "/tmp/a.py", _script(2), Config()), StatementReuse())
    assert _answers(out) == [("done", 7, None)]
