"""Robustness campaign: lint every .py file under the given folders (default: this interpreter's site-packages).

Run by hand (not a test), e.g. after installing tensorflow and keras:

    python benchmarks/campaign.py [FOLDER ...] [--jobs N] [--out report.json]

Every file is analysed as if named on the command line (no Keras pre-filter), with
the default 10 s per-file limit.  Prints the number of files and lines, internal
errors (kerassniff bugs: the bar is zero), files slower than 2 s, KS001/KS002
counts, and findings per rule; exits 1 if there was any internal error.
"""
from __future__ import annotations

import argparse
import json
import os
import site
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerassniff.api import lint_file  # noqa: E402
from kerassniff.config import Config  # noqa: E402

SLOW_SECONDS = 2.0


def python_files(folders: list[Path]) -> list[Path]:
    files = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames.sort()
            files.extend(Path(dirpath) / name for name in sorted(filenames) if name.endswith(".py"))
    return files


def analyse(path: Path) -> dict:
    start = time.perf_counter()
    try:
        result = lint_file(path, Config(), explicit=True)
        error = result.internal_error
        codes = [f.code for f in result.findings]
    except BaseException as exc:  # noqa: BLE001 - the campaign counts escapes too
        error, codes = f"escaped: {type(exc).__name__}: {exc}", []
    seconds = time.perf_counter() - start
    try:
        lines = path.read_bytes().count(b"\n") + 1
    except OSError:
        lines = 0
    return {"path": str(path), "seconds": seconds, "lines": lines, "codes": codes,
            "error": (error or "").strip().splitlines()[-1] if error else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=None, help="write every file's record as JSON here")
    args = parser.parse_args()
    folders = args.folders or [Path(p) for p in site.getsitepackages()]
    files = python_files(folders)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        records = list(pool.map(analyse, files, chunksize=16))
    wall = time.perf_counter() - start
    errors = [r for r in records if r["error"]]
    slow = sorted((r for r in records if r["seconds"] > SLOW_SECONDS), key=lambda r: -r["seconds"])
    codes = Counter(code for r in records for code in r["codes"])
    lines = sum(r["lines"] for r in records)
    print(f"folders        : {', '.join(str(f) for f in folders)}")
    print(f"files          : {len(records)} ({lines:,} lines) in {wall:.0f} s with {args.jobs} jobs")
    print(f"internal errors: {len(errors)}")
    for record in errors[:20]:
        print(f"  {record['path']}: {record['error']}")
    print(f"slower than {SLOW_SECONDS:g} s: {len(slow)}")
    for record in slow[:10]:
        print(f"  {record['seconds']:.1f} s  {record['lines']} lines  {record['path']}")
    print(f"KS001 (unparsable) {codes.get('KS001', 0)}, KS002 (over the limit) {codes.get('KS002', 0)}")
    print("findings by rule: " + ", ".join(f"{code} {count}" for code, count in sorted(codes.items())
                                           if code not in ("KS001", "KS002")))
    if args.out:
        args.out.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
