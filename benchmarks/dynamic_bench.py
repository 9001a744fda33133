"""Per-fixture wall time of a static run and a dynamic run (a script, not a timed test).

    python benchmarks/dynamic_bench.py [--device cpu|gpu|auto] [FIXTURE ...]

Default fixtures: fixtures/dynamic/ (reproductions of seeds 000-004 and the dynamic-only rules).
Each line: fixture, static seconds, dynamic seconds (including the framework import in the child),
the device the harness reported, and the verdicts.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(arguments: list[str]) -> tuple[float, str, str]:
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "kerassniff", *arguments, "--no-cache", "--output-format", "json"],
                               capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, completed.stdout, completed.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixtures", nargs="*", type=Path)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"])
    options = parser.parse_args()
    folder = ROOT / "fixtures" / "dynamic"
    fixtures = options.fixtures or sorted([*folder.glob("*.py"), *[d for d in folder.iterdir() if d.is_dir()]])
    print(f"{'fixture':<36} {'static':>8} {'dynamic':>8}  device  verdicts")
    for fixture in fixtures:
        static_s, _, _ = timed([str(fixture)])
        dynamic_s, out, err = timed([str(fixture), "--dynamic", "--device", options.device])
        devices = sorted({line.rsplit(" on ", 1)[-1].split(":")[0] for line in err.splitlines() if " s on " in line})
        try:
            verdicts = " ".join(f"{f['code']}={ {True: 'confirmed', False: 'refuted', None: 'open'}[f.get('confirmed')]}"
                                for f in json.loads(out))
        except ValueError:
            verdicts = "(no JSON: " + err.strip().splitlines()[-1][:60] + ")" if err.strip() else "(no output)"
        print(f"{fixture.name:<36} {static_s:>7.1f}s {dynamic_s:>7.1f}s  {','.join(devices) or '?':<6}  {verdicts}")


if __name__ == "__main__":
    main()
