"""Precision and recall on real code: kerassniff over a corpus, compared with the project's triage.

    python benchmarks/realworld.py CORPUS_DIR [--json] [--plant] [--untriaged-tsv FILE] [--triage FILE]

CORPUS_DIR holds ``clean/`` (correct real code) and ``buggy/`` (real bugs, labelled in
``buggy/LABELS.tsv``).  kerassniff runs once, in this process, with no cache and the default
configuration, over both folders (cross-script rules included).  Every finding is keyed by
(path relative to CORPUS_DIR, line, code) and looked up in ``benchmarks/realworld_triage.tsv``,
where a person recorded, by reading the code, whether it is a true positive (TP), a false alarm
(FP) or true but useless (noise), and the one fact that decides it.  In a notebook the finding is
keyed by its code cell and its line in that cell, as kerassniff's JSON reports them.

It prints: the files checked; the clean files carrying a finding not triaged TP (the precision
figure); findings per rule and verdict; untriaged findings (to triage: ``--untriaged-tsv FILE``
writes them as TSV rows with an empty verdict); stale triage rows (no longer reported); and for
``buggy/`` each LABELS.tsv row found or missed.  ``--plant`` adds the planted-bug recall of
``benchmarks/plant.py``.  ``--json`` prints the same as one JSON object.  The exit status is 0
whatever the figures say; 2 on a usage error.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kerassniff.api import lint_paths  # noqa: E402
from kerassniff.config import Config  # noqa: E402
from kerassniff.findings import Finding  # noqa: E402

TRIAGE_PATH = Path(__file__).resolve().parent / "realworld_triage.tsv"
TRIAGE_COLUMNS = ("path", "cell", "line", "code", "verdict", "reason")
# Labelled bugs kerassniff misses, each with the fact a static analysis cannot know (path, line, reason).
MISSED_PATH = Path(__file__).resolve().parent / "realworld_missed.tsv"
VERDICTS = ("TP", "FP", "noise")
TRIAGE_HEADER = """\
# kerassniff findings on the real-code corpus (../shared/corpus), triaged by reading the code.
# One row per reported finding, keyed by (path, cell, line, code):
#   path    relative to the corpus folder: clean/<owner>__<repo>/<file> or buggy/...
#   cell    in a notebook, the code cell kerassniff reports (JSON "cell"); empty for a script
#   line    the line kerassniff reports (JSON "line": in a notebook, the line within the cell)
#   code    the rule code
#   verdict TP (a real problem in this code), FP (the finding's claim is false here),
#           noise (the claim is true but useless here)
#   reason  one sentence naming the fact that decides the verdict
# Keep it sorted by path and line (benchmarks/realworld.py --untriaged-tsv writes new rows ready to fill in).
"""

# Which rule codes can find a labelled bug of a LABELS.tsv category (matched by the category's start).
# None: the category does not say what the bug is; any finding that is not about API spelling fits.
CATEGORY_RULES: dict[str, tuple[str, ...] | None] = {
    "missing normalisation": ("KS201", "KS202", "KS204", "KS503"),
    "missing non-linearity": ("KS303",),
    "dropout rate too high": ("KS307",),
    "learning rate invalid": ("KS305",),
    "validation data taken from training data": ("KS206",),
    "wrong loss for output": ("KS104", "KS106", "KS107", "KS110"),
    "redundant softmax": ("KS104", "KS304"),
    "wrong activation on output": ("KS104", "KS106", "KS107", "KS110"),
    "wrong loss for task": ("KS101", "KS102", "KS106", "KS107", "KS108", "KS109"),
    "unknown": None,
}
# Categories of an omission (something missing): the label's line points where it is missing (often a
# commented-out line), while a rule reports where its effect shows (the fit() the raw data reaches), so a
# fitting finding anywhere in the file counts.
OMISSIONS = ("missing normalisation",)
# Codes that never count as finding a training bug: parse/limit reports and API spelling.
NOT_A_BUG_FINDING = ("KS001", "KS002", "KS402", "KS404")


@dataclass(frozen=True)
class Key:
    path: str
    line: str
    code: str

    def sort_key(self) -> tuple:
        return (self.path, _line_order(self.line), self.code)


@dataclass
class Row:
    key: Key
    verdict: str
    reason: str


@dataclass
class Observed:
    """One reported finding, reduced to what the triage needs."""

    key: Key
    message: str
    verdict: str | None = None
    reason: str = ""


@dataclass
class LabelResult:
    path: str
    line: str
    category: str
    found: bool
    by: list[str] = field(default_factory=list)
    fittable: bool = True  # False: no rule of kerassniff targets this category (or it is unknown)
    explained: str = ""  # for a missed label: why static analysis cannot decide it (realworld_missed.tsv)


@dataclass
class Comparison:
    files_checked: int
    clean_files: int
    observed: list[Observed]
    stale: list[Row]
    labels: list[LabelResult]
    crashed: list[str] = field(default_factory=list)

    @property
    def untriaged(self) -> list[Observed]:
        return [o for o in self.observed if o.verdict is None]

    def non_tp_clean_files(self) -> list[str]:
        return sorted({o.key.path for o in self.observed if o.key.path.startswith("clean/") and o.verdict != "TP"})

    def fp_noise_clean_files(self) -> list[str]:
        return sorted({o.key.path for o in self.observed
                       if o.key.path.startswith("clean/") and o.verdict in ("FP", "noise")})

    def per_rule(self) -> dict[str, dict[str, int]]:
        table: dict[str, Counter] = {}
        for o in self.observed:
            table.setdefault(o.key.code, Counter())[o.verdict or "untriaged"] += 1
        return {code: dict(sorted(c.items())) for code, c in sorted(table.items())}


def _line_order(line: str) -> tuple[int, int]:
    match = re.fullmatch(r"cell (\d+):(\d+)", line)
    if match:
        return int(match.group(1)), int(match.group(2))
    return (0, int(line)) if line.isdigit() else (0, 0)


def line_key(finding: Finding) -> str:
    """The triage's line: ``14`` in a script, ``cell 3:14`` in a notebook."""
    return f"cell {finding.cell}:{finding.line}" if finding.cell is not None else str(finding.line)


def relative(path: str, corpus: Path) -> str:
    try:
        return Path(path).resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# --- triage file ------------------------------------------------------------------------------


def read_triage(path: Path) -> dict[Key, Row]:
    rows: dict[Key, Row] = {}
    if not path.exists():
        return rows
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    for record in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        if record[:3] == list(TRIAGE_COLUMNS[:3]):
            continue  # the column header
        record += [""] * (6 - len(record))
        cell, line = record[1].strip(), record[2].strip()
        key = Key(record[0], f"cell {cell}:{line}" if cell else line, record[3])
        rows[key] = Row(key, record[4].strip(), record[5].strip())
    return rows


def triage_tsv(rows: list[Row], header: bool = True) -> str:
    out = io.StringIO()
    if header:
        out.write(TRIAGE_HEADER)
        out.write("\t".join(TRIAGE_COLUMNS) + "\n")
    for row in sorted(rows, key=lambda r: r.key.sort_key()):
        reason = row.reason.replace("\t", " ").replace("\n", " ")
        cell, _, line = row.key.line[5:].partition(":") if row.key.line.startswith("cell ") else ("", "", row.key.line)
        out.write("\t".join((row.key.path, cell, line, row.key.code, row.verdict, reason)) + "\n")
    return out.getvalue()


# --- labels of buggy/ -------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    path: str
    line: str
    category: str


def read_labels(path: Path) -> list[Label]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [Label(r["local_path"], (r.get("line") or "").strip(), r["category"])
                for r in csv.DictReader(handle, delimiter="\t")]


def fitting_codes(category: str) -> tuple[str, ...] | None:
    for start, codes in CATEGORY_RULES.items():
        if category.startswith(start):
            return codes
    return ()


def read_missed(path: Path) -> dict[tuple[str, str], str]:
    """Explanations of missed labels, keyed by (path, line)."""
    if not path.exists():
        return {}
    rows = [r for r in csv.reader(path.open(encoding="utf-8"), delimiter="\t") if r and not r[0].startswith("#")]
    return {(r[0], r[1]): r[2] for r in rows[1:] if len(r) >= 3}


def match_labels(labels: list[Label], observed: list[Observed],
                 missed: dict[tuple[str, str], str] | None = None) -> list[LabelResult]:
    results = []
    for label in labels:
        codes = fitting_codes(label.category)
        hits = []
        for o in observed:
            if o.key.path != label.path or o.key.code in NOT_A_BUG_FINDING:
                continue
            if codes is not None and o.key.code not in codes:
                continue
            anywhere = not label.line or label.category.startswith(OMISSIONS)
            if not anywhere and o.key.line.rsplit(":", 1)[-1] != label.line:
                continue
            hits.append(f"{o.key.code}:{o.key.line}")
        explained = "" if hits else (missed or {}).get((label.path, label.line), "")
        results.append(LabelResult(label.path, label.line, label.category, bool(hits), hits,
                                   fittable=bool(codes), explained=explained))
    return results


# --- the run ----------------------------------------------------------------------------------


def observe(findings: list[Finding], corpus: Path, triage: dict[Key, Row]) -> list[Observed]:
    seen: dict[Key, Observed] = {}
    for finding in findings:
        key = Key(relative(finding.path, corpus), line_key(finding), finding.code)
        if key in seen:
            continue  # two findings of one rule on one line share a triage row
        row = triage.get(key)
        verdict = row.verdict if row is not None and row.verdict in VERDICTS else None
        seen[key] = Observed(key, finding.message, verdict, row.reason if row is not None else "")
    return sorted(seen.values(), key=lambda o: o.key.sort_key())


def compare(findings: list[Finding], corpus: Path, triage: dict[Key, Row], labels: list[Label],
            files_checked: int, clean_files: int, missed: dict[tuple[str, str], str] | None = None) -> Comparison:
    """Classify findings by the triage; the pure part of the harness (tests call it with made-up findings)."""
    observed = observe(findings, corpus, triage)
    reported = {o.key for o in observed}
    stale = sorted((row for key, row in triage.items() if key not in reported), key=lambda r: r.key.sort_key())
    return Comparison(files_checked, clean_files, observed, stale, match_labels(labels, observed, missed))


def run(corpus: Path, triage_path: Path = TRIAGE_PATH) -> Comparison:
    folders = [str(corpus / name) for name in ("clean", "buggy") if (corpus / name).is_dir()]
    config = Config(cache=False)
    result = lint_paths(folders, config, jobs=1, cache=None)
    checked = [f for f in result.files if not f.skipped]
    clean = [f for f in checked if relative(f.path, corpus).startswith("clean/")]
    comparison = compare(result.findings, corpus, read_triage(triage_path),
                         read_labels(corpus / "buggy" / "LABELS.tsv"), len(checked), len(clean),
                         read_missed(MISSED_PATH))
    comparison.crashed = [relative(f.path, corpus) for f in result.internal_errors]
    return comparison


# --- output -----------------------------------------------------------------------------------


def summary(c: Comparison) -> dict:
    non_tp = c.non_tp_clean_files()
    fittable = [label for label in c.labels if label.fittable]
    return {
        "files_checked": c.files_checked,
        "clean_files": c.clean_files,
        "clean_files_with_non_tp_finding": len(non_tp),
        "clean_files_with_non_tp_finding_pct": round(100 * len(non_tp) / c.clean_files, 2) if c.clean_files else 0.0,
        "non_tp_files": non_tp,
        "clean_files_with_fp_or_noise": len(c.fp_noise_clean_files()),
        "findings": len(c.observed),
        "per_rule": c.per_rule(),
        "untriaged": [{"path": o.key.path, "line": o.key.line, "code": o.key.code, "message": o.message}
                      for o in c.untriaged],
        "stale": [asdict(r.key) for r in c.stale],
        "labels_found": sum(label.found for label in c.labels),
        "labels_total": len(c.labels),
        "labels_fittable_found": sum(label.found for label in fittable),
        "labels_fittable": len(fittable),
        "labels_fittable_missed_explained": sum(bool(label.explained) for label in fittable if not label.found),
        "labels_fittable_missed_unexplained": sum(not label.explained for label in fittable if not label.found),
        "labels": [asdict(label) for label in c.labels],
        "internal_errors": c.crashed,
    }


def print_report(c: Comparison, out=sys.stdout) -> None:
    s = summary(c)
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"files checked: {s['files_checked']} ({s['clean_files']} in clean/)")
    p(f"clean files with a finding not triaged TP: {s['clean_files_with_non_tp_finding']} "
      f"({s['clean_files_with_non_tp_finding_pct']:.1f}% of clean files)")
    p(f"  of which with a finding triaged FP or noise: {s['clean_files_with_fp_or_noise']}; the others have "
      f"untriaged findings")
    for path in s["non_tp_files"]:
        codes = sorted({f"{o.key.code}:{o.verdict or '?'}" for o in c.observed if o.key.path == path})
        p(f"  {path}  {' '.join(codes)}")
    p(f"\nfindings per rule and verdict ({s['findings']} findings):")
    for code, counts in s["per_rule"].items():
        p(f"  {code}  " + "  ".join(f"{verdict} {n}" for verdict, n in counts.items()))
    p(f"\nuntriaged findings: {len(c.untriaged)}")
    for o in c.untriaged:
        p(f"  {o.key.path}:{o.key.line} {o.key.code} {o.message}")
    p(f"\nstale triage rows (no longer reported): {len(c.stale)}")
    for row in c.stale:
        p(f"  {row.key.path}:{row.key.line} {row.key.code} ({row.verdict})")
    p(f"\nbuggy/ labels: {s['labels_found']} of {s['labels_total']} found; of the {s['labels_fittable']} "
      f"whose category some rule targets: {s['labels_fittable_found']} found")
    for label in c.labels:
        state = "FOUND  " if label.found else ("missed " if label.fittable else "no rule")
        where = f"{label.path}:{label.line or '-'}"
        p(f"  {state}  {where}  [{label.category}]" + (f"  by {', '.join(label.by)}" if label.by else "")
          + (f"  (explained: {label.explained})" if label.explained and label.fittable else ""))
    p(f"missed labels of a targeted category: {s['labels_fittable_missed_explained']} explained in "
      f"{MISSED_PATH.name}, {s['labels_fittable_missed_unexplained']} unexplained")
    if c.crashed:
        p(f"\ninternal errors: {', '.join(c.crashed)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="folder holding clean/ and buggy/")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of the report")
    parser.add_argument("--plant", action="store_true", help="also plant known bugs into clean/ and measure recall")
    parser.add_argument("--untriaged-tsv", type=Path, metavar="FILE",
                        help="write the untriaged findings as triage rows (empty verdict) to FILE")
    parser.add_argument("--triage", type=Path, default=TRIAGE_PATH, help="the triage file (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.corpus / "clean").is_dir() and not (args.corpus / "buggy").is_dir():
        print(f"realworld.py: {args.corpus} has neither clean/ nor buggy/", file=sys.stderr)
        return 2
    started = time.monotonic()
    comparison = run(args.corpus, args.triage)
    elapsed = time.monotonic() - started
    planted = None
    if args.plant:
        from plant import plant_corpus, plant_summary, print_plant_report  # noqa: PLC0415

        planted = plant_corpus(args.corpus / "clean", args.corpus)
    if args.untriaged_tsv is not None:
        rows = [Row(o.key, "", "") for o in comparison.untriaged]
        args.untriaged_tsv.write_text(triage_tsv(rows, header=False), encoding="utf-8")
    if args.json:
        data = summary(comparison)
        data["seconds"] = round(elapsed, 1)
        if planted is not None:
            data["planted"] = plant_summary(planted)
        print(json.dumps(data, indent=2))
    else:
        print_report(comparison)
        if planted is not None:
            print()
            print_plant_report(planted)
        print(f"\n({elapsed:.1f} s for the corpus run)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
