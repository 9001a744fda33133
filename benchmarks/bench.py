"""Time kerassniff against bare LibCST parsing, in one run (a script, not a timed test).

    python benchmarks/bench.py [FOLDER ...] [--quick] [--profile]

Default corpus: fixtures/ plus, when Keras 3 is installed, its applications and
layers packages (real model-building code).  Prints, for that corpus:

* bare ``libcst.parse_module`` vs a full single-process lint, scripts and notebooks' code cells (5 rounds, each
  file parsed bare and then linted in turn: the medians and the median of the rounds' ratios; a file's analysis
  is kept, as the CLI keeps it, only when a cross-script rule will read it);
* peak memory (max RSS) of the CLI linting 1,000 files;
* the CLI with 1 job vs 2 jobs over 100+ files (the parallel speed-up);
* the CLI re-run over unchanged files with the cache (vs without);
* re-linting one 500-line script, as the editor server does on every change.

``--quick`` prints only the parse/lint figures; ``--profile`` adds where a lint's time goes: the pipeline's
steps timed by wall clock (a profiler would add a cost per Python call, inflating the interpreter against LibCST's
native parser), and two parts of the semantic model's step: interpreting the functions nobody calls (with unknown
arguments, so that nothing in the file goes unseen) and the helper modules found beside a script.  Neither side
keeps what it made: each parsed module and each lint's result is dropped before the next file, as the CLI drops
them (keeping 300 modules alive makes the collector's passes, and so both sides, slower, and flatters the ratio).
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerassniff.api import lint_source  # noqa: E402
from kerassniff.config import Config  # noqa: E402
from kerassniff.engine.lint_file import rule_set  # noqa: E402
from kerassniff.engine.lint_paths import analysis_kept, reads_across_scripts  # noqa: E402


def default_folders() -> list[Path]:
    folders = [ROOT / "fixtures"]
    # Found without importing Keras: a benchmark process holding TensorFlow would make every child it
    # forks look that large in the peak-memory figure.
    spec = importlib.util.find_spec("keras")
    if spec is not None and spec.submodule_search_locations:
        source = Path(list(spec.submodule_search_locations)[0]) / "src"
        folders += [f for f in (source / "applications", source / "layers") if f.is_dir()]
    return folders


def corpus(folders: list[Path]) -> list[tuple[Path, str]]:
    """The scripts and notebooks under the folders that LibCST parses, as (path, text to lint)."""
    files = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".py", ".ipynb"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
                cst.parse_module(parse_text(path, text))
            except Exception:  # noqa: BLE001 - the corpus may hold broken files on purpose
                continue
            files.append((path, text))
    return files


def parse_text(path: Path, text: str) -> str:
    """What a bare parse of the file reads: a script's text, or a notebook's joined code cells."""
    if path.suffix == ".ipynb":
        from kerassniff.notebook import notebook_source

        return notebook_source(text).text
    return text


def best_of(repeats: int, function) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def cli(folder: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kerassniff", str(folder), "-q", "--exit-zero", *args],
                   stdout=subprocess.DEVNULL, cwd=folder, check=True)
    return time.perf_counter() - start


_MEASURE = """
import resource, sys
from kerassniff.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def cli_peak_memory(folder: Path) -> int:
    """The CLI's own peak RSS in KB, measured inside it (a forked child would inherit this process's size)."""
    completed = subprocess.run([sys.executable, "-c", _MEASURE, str(folder), "-q", "--exit-zero", "--no-cache",
                                "-j", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=folder,
                               check=True)
    return int(completed.stderr.strip().splitlines()[-1])


def copy_corpus(files: list[tuple[Path, str]], count: int, target: Path) -> None:
    for index in range(count):
        path, text = files[index % len(files)]
        (target / f"f{index:05d}_{path.name}").write_text(text, encoding="utf-8")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time kerassniff against a bare LibCST parse.")
    parser.add_argument("folders", nargs="*", type=Path, help="folders of scripts and notebooks (default: fixtures/ "
                        "and Keras's own applications and layers)")
    parser.add_argument("--quick", action="store_true", help="only the parse/lint figures")
    parser.add_argument("--profile", action="store_true", help="also print where a lint's time goes")
    options = parser.parse_args()
    missing = [str(f) for f in options.folders if not f.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    return options


# The pipeline's steps, wrapped and timed by wall clock for the phase table (no profiler: cProfile adds a fixed
# cost per Python call, which inflates the interpreter's many small calls against LibCST's native parser).
_PHASES = (("parse", "libcst parse"), ("notebook_source", "notebook cells"), ("build_script", "semantic model"),
           ("run_rules", "rules (and the facts they ask for)"), ("to_finding", "positions and findings"))
# Parts of the semantic model, timed inside its step (printed under it, not added to the whole): the interpreter's
# methods that run them, wrapped on its class.
_MODEL_PARTS = (("_run_uncalled", "  of it, functions nobody calls"),
                ("load_helper", "  of it, helper modules beside it"))


def forget_memos() -> None:
    """Empty kerassniff's in-process memos, its ``functools`` caches (canonical names, IPython's reading of a cell, ...)
    so that a round does not reuse what the previous round over the same files remembered: rounds after the first
    would otherwise find every notebook's cells and every name already answered, which one run over a folder never
    does.  What one round remembers for its own later files still counts, as in a real run."""
    for obj in gc.get_objects():
        clear = getattr(obj, "cache_clear", None) if callable(obj) else None  # (a functools cache's wrapper)
        if clear is not None and str(getattr(obj, "__module__", "")).startswith("kerassniff"):
            clear()


def interleaved(files: list[tuple[Path, str]], config: Config, rounds: int = 5,
                phases: bool = False) -> tuple[float, float, float, list[tuple[str, float]]]:
    """Each file parsed bare and then linted, in turn, ``rounds`` times over the files: the median round's parse
    and lint seconds, the median of the rounds' lint/parse ratios (interleaving file by file keeps the ratio
    steady on a machine whose speed drifts), and with ``phases`` each pipeline step's share of the lint."""
    from kerassniff.engine import lint_file as pipeline
    from kerassniff.semantic.interpreter import Interpreter

    spent = {label: 0.0 for _, label in _PHASES}
    parts = {label: 0.0 for _, label in _MODEL_PARTS}
    originals = {name: getattr(pipeline, name) for name, _ in _PHASES}
    methods = {name: getattr(Interpreter, name) for name, _ in _MODEL_PARTS}

    running: set[str] = set()

    def timed(step, label, into=spent):
        def run(*args, **kwargs):
            if label in running:  # a helper module importing another: counted once, in the outer one
                return step(*args, **kwargs)
            running.add(label)
            start = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                into[label] += time.perf_counter() - start
                running.discard(label)
        return run

    collecting = {"in_lint": False, "since": 0.0, "seconds": 0.0}

    def collector_time(phase: str, info: dict) -> None:
        # The collector is held off during a lint's steps (kerassniff.engine.lint_file.collector_paused); its
        # pass as the lint ends is timed here, apart from the steps.
        if phase == "start":
            collecting["since"] = time.perf_counter()
        elif collecting["in_lint"]:
            collecting["seconds"] += time.perf_counter() - collecting["since"]

    if phases:
        for name, label in _PHASES:
            setattr(pipeline, name, timed(originals[name], label))
        for name, label in _MODEL_PARTS:
            setattr(Interpreter, name, timed(methods[name], label, parts))
        gc.callbacks.append(collector_time)
    sources = [parse_text(path, text) for path, text in files]
    rules = rule_set(config)  # resolved once, as the CLI does
    keep = analysis_kept(reads_across_scripts(rules), keep_models=False)  # as the CLI keeps them
    parses, lints, ratios = [], [], []
    try:
        for _ in range(rounds):
            forget_memos()  # each round as a fresh process runs it: no answer remembered from the round before
            parse_s = lint_s = 0.0
            for (path, text), source in zip(files, sources):
                start = time.perf_counter()
                cst.parse_module(source)  # dropped before the next file, as a lint drops its module
                middle = time.perf_counter()
                collecting["in_lint"] = True
                lint_source(text, str(path), config, rules=rules, keep_analysis=keep)
                collecting["in_lint"] = False
                parse_s += middle - start
                lint_s += time.perf_counter() - middle
            parses.append(parse_s)
            lints.append(lint_s)
            ratios.append(lint_s / parse_s)
    finally:
        for name, step in originals.items():
            setattr(pipeline, name, step)
        for name, method in methods.items():
            setattr(Interpreter, name, method)
        if collector_time in gc.callbacks:
            gc.callbacks.remove(collector_time)
    total = sum(lints)
    rows = [(label, seconds / total) for label, seconds in spent.items()]
    rows.append(("collector's pass as the lint ends", collecting["seconds"] / total))
    rows.append(("the rest (pipeline, noqa, output)", max(0.0, 1 - sum(share for _, share in rows))))
    model = next(index for index, (label, _) in enumerate(rows) if label == "semantic model")
    rows[model + 1:model + 1] = [(label, seconds / total) for label, seconds in parts.items()]
    return statistics.median(parses), statistics.median(lints), statistics.median(ratios), rows


def main() -> None:
    options = arguments()
    folders = options.folders or default_folders()
    files = corpus(folders)
    if not files:
        sys.exit(f"bench.py: no scripts or notebooks LibCST can parse under {', '.join(map(str, folders))}")
    lines = sum(parse_text(path, text).count("\n") + 1 for path, text in files)
    config = Config()
    parse_s, lint_s, ratio, rows = interleaved(files, config, phases=options.profile)
    with_findings = sum(1 for path, text in files if lint_source(text, str(path), config).findings)
    print(f"kerassniff measured     : {_measured_checkout()}")
    print(f"corpus                  : {len(files)} files ({sum(p.suffix == '.ipynb' for p, _ in files)} notebooks), "
          f"{lines:,} lines, {with_findings} with findings")
    print(f"                          ({', '.join(str(f) for f in folders)})")
    print(f"bare libcst.parse_module: {parse_s:.2f} s  {lines / parse_s:,.0f} lines/s (median of 5 rounds)")
    print(f"kerassniff, 1 process   : {lint_s:.2f} s  {lines / lint_s:,.0f} lines/s")
    print(f"ratio lint / parse      : {ratio:.2f}x (median of the rounds' ratios; each file parsed, then linted)")
    if options.profile:
        print("where the lint's time goes (wall clock per pipeline step, no profiler):")
        for part, share in rows:
            print(f"  {part:<34}: {share:6.1%}  ({share * ratio:.3f} of a parse)")
    if options.quick:
        return

    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "thousand"
        big.mkdir()
        copy_corpus(files, 1000, big)
        print(f"peak memory, 1000 files : {cli_peak_memory(big) / 1024:.0f} MB (max RSS of the CLI, one process)")

        many = Path(scratch) / "many"
        many.mkdir()
        copy_corpus(files, max(200, len(files)), many)
        one = min(cli(many, "--no-cache", "-j", "1") for _ in range(2))
        two = min(cli(many, "--no-cache", "-j", "2") for _ in range(2))
        print(f"parallel, {len(list(many.iterdir()))} files      : -j1 {one:.2f} s, -j2 {two:.2f} s, "
              f"speed-up {one / two:.2f}x ({os.cpu_count()} cores)")

        shutil.rmtree(many / ".kerassniff_cache", ignore_errors=True)
        cold = cli(many, "-j", "1")
        warm = min(cli(many, "-j", "1") for _ in range(3))
        print(f"cache                   : first run {cold:.2f} s, unchanged re-run {warm:.2f} s "
              f"({cold / warm:.1f}x faster; includes ~0.2 s of interpreter start)")

    script = _five_hundred_line_script(files)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        lint_source(script, "train.py", config)
        times.append(time.perf_counter() - start)
    print(f"editor re-lint          : {script.count(chr(10))}-line script, median {statistics.median(times) * 1000:.0f} ms "
          f"(bare parse {best_of(5, lambda: cst.parse_module(script)) * 1000:.0f} ms)")


def _measured_checkout() -> str:
    """The checkout whose kerassniff this run imports, and its commit: always the one this file belongs to (its
    folder goes first on ``sys.path``, whatever PYTHONPATH says), so to time another commit, run that checkout's
    own ``benchmarks/bench.py``."""
    import kerassniff

    folder = Path(kerassniff.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "commit unknown"
    return f"{folder} ({commit})"


def _five_hundred_line_script(files: list[tuple[Path, str]]) -> str:
    """A realistic long training script: the seed fixtures back to back, up to about 500 lines."""
    seeds = sorted((ROOT / "fixtures" / "seeds").rglob("*.py"))
    parts, count = [], 0
    while count < 500:
        for path in seeds:
            text = path.read_text(encoding="utf-8")
            parts.append(text)
            count += text.count("\n")
            if count >= 500:
                break
    return "".join(parts)


if __name__ == "__main__":
    main()
