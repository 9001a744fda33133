"""Time kerassniff against bare LibCST parsing on a corpus of Keras scripts.

Run by hand (not a test):  python benchmarks/bench.py [FOLDER ...]
Default corpus: fixtures/ (plus every .py of an installed keras/tensorflow if present).
Prints lines/s, the ratio to bare parsing, and peak memory.
"""
from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerassniff.api import lint_source  # noqa: E402
from kerassniff.config import Config  # noqa: E402


def corpus(folders: list[Path]) -> list[tuple[Path, str]]:
    files = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            try:
                files.append((path, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return files


def best_of(repeats: int, function) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT / "fixtures"]
    files = corpus(folders)
    parsable = []
    for path, text in files:
        try:
            cst.parse_module(text)
            parsable.append((path, text))
        except Exception:  # noqa: BLE001 - the corpus may hold broken files on purpose
            pass
    lines = sum(text.count("\n") + 1 for _, text in parsable)
    config = Config()

    def parse_all() -> None:
        for _, text in parsable:
            cst.parse_module(text)

    def lint_all() -> None:
        for path, text in parsable:
            lint_source(text, str(path), config)

    parse_s = best_of(3, parse_all)
    lint_s = best_of(3, lint_all)
    tracemalloc.start()
    lint_all()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"corpus: {len(parsable)} files, {lines} lines ({', '.join(str(f) for f in folders)})")
    print(f"bare libcst.parse_module : {parse_s:.3f} s  {lines / parse_s:,.0f} lines/s")
    print(f"kerassniff (full lint)   : {lint_s:.3f} s  {lines / lint_s:,.0f} lines/s")
    print(f"ratio lint / parse       : {lint_s / parse_s:.2f}x")
    print(f"slowest file             : {max((_time_one(p, t, config) for p, t in parsable), default=(0, ''))}")
    print(f"peak traced memory       : {peak / 1e6:.1f} MB")


def _time_one(path: Path, text: str, config: Config) -> tuple[float, str]:
    start = time.perf_counter()
    lint_source(text, str(path), config)
    return round(time.perf_counter() - start, 4), str(path)


if __name__ == "__main__":
    main()
