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
from kerassniff.fixes import Fix, apply_fixes
from kerassniff.lsp_worker import Job, _Positions, fast_fix_edits, minimal_edits, read_frame, slow_fix_edits, write_frame

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
            spans = fast_fix_edits(result, finding.fix, _Positions(text))
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
