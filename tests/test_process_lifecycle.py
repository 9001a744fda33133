"""Worker processes die with the main process; Ctrl-C is one line and exit 130.

These run the real command in a subprocess over enough files that a ``-j2``
run lasts, interrupt it once its workers exist, and look for survivors in
/proc.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")

SCRIPT = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense({units}, activation='softmax', input_shape=(4,))])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    + "".join(f"x{i} = [value * {i} for value in range({i})]\n" for i in range(300))
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """A -j2 run over 96 files (seconds of work), once both its workers are running."""
    for index in range(96):
        (tmp_path / f"train_{index:03}.py").write_text(SCRIPT.format(units=index + 2))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "kerassniff", str(tmp_path), "-j2", "--no-cache"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        workers = _children(process.pid)
    assert len(workers) >= 2, "the run ended before its workers could be seen"
    time.sleep(0.2)  # let them take work
    return process, workers


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if _alive(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_do_not_outlive_a_killed_main_process(tmp_path: Path, sig: signal.Signals) -> None:
    process, workers = _start(tmp_path)
    try:
        os.kill(process.pid, sig)
        process.wait(timeout=10)
        left = _gone_within(workers, 3)
    finally:
        process.kill()
        for pid in workers:  # never leave them behind, even when the test fails
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert left == [], f"orphaned workers after {sig.name}: {left}"


def test_ctrl_c_is_one_line_exit_130_and_stops_the_workers(tmp_path: Path) -> None:
    process, workers = _start(tmp_path)
    try:
        os.killpg(process.pid, signal.SIGINT)  # what a terminal sends: to the whole foreground group
        _, stderr = process.communicate(timeout=10)
        left = _gone_within(workers, 3)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert stderr.decode() == "kerassniff: interrupted\n"
    assert process.returncode == 130
    assert left == []
