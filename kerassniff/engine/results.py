"""What a run reports, and what it keeps only while it needs it.

A :class:`FileResult` is the durable report of one file (its findings, the
model files it links to, the helper modules it read, a :class:`Status`); it
is what the cache stores, worker processes send back and output formats read.
The :class:`Analysis` (the parsed script and its text) is transient: it is
attached only where a caller asked for it (an editor buffer, ``--show-model``,
dynamic mode) and otherwise dropped as soon as cross-script rules are done.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import Enum

from kerassniff.discovery import PathProblem
from kerassniff.findings import Finding
from kerassniff.semantic import Script
from kerassniff.semantic.links import LinkKeys


class Status(Enum):
    """How one file's analysis ended."""

    CHECKED = "checked"  # analysed (or could not be parsed: its KS001 says why)
    NO_KERAS = "no Keras"  # found by walking a folder, and never mentions Keras: not analysed
    NOT_PYTHON = "kernel not Python"  # a notebook in R, Julia, ...: not analysed
    TIMED_OUT = "timed out"  # the per-file limit ran out (its KS002 says so)
    INTERNAL_ERROR = "internal error"  # a bug in kerassniff (FileResult.error holds the traceback)

    @property
    def skipped(self) -> bool:
        """Not analysed at all (the summary counts these apart from the files checked)."""
        return self in (Status.NO_KERAS, Status.NOT_PYTHON)


@dataclass(frozen=True)
class Analysis:
    """The parsed script behind a result: large, so kept only while something will read it."""

    script: Script
    text: str  # the analysed text (a notebook's: its code cells joined)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    status: Status = Status.CHECKED
    links: LinkKeys = field(default_factory=LinkKeys)  # model files it saves/loads (cross-script rules)
    helpers: tuple[str, ...] = ()  # helper modules its analysis read (cache dependencies)
    cached: bool = False  # taken from the cache, not analysed in this run
    error: str = ""  # the traceback of an internal error
    analysis: Analysis | None = field(default=None, repr=False, compare=False)

    @property
    def skipped(self) -> str:
        """Why the file was not analysed (a :class:`Status` value); empty when it was."""
        return self.status.value if self.status.skipped else ""

    @property
    def timed_out(self) -> bool:
        return self.status is Status.TIMED_OUT

    @property
    def internal_error(self) -> str | None:
        return self.error if self.status is Status.INTERNAL_ERROR else None

    @property
    def script(self) -> Script | None:
        return self.analysis.script if self.analysis is not None else None

    @property
    def text(self) -> str | None:
        return self.analysis.text if self.analysis is not None else None


@dataclass
class RunResult:
    files: list[FileResult]
    problems: list[PathProblem] = field(default_factory=list)  # paths that could not be checked at all (exit 2)

    @property
    def findings(self) -> list[Finding]:
        found = [f for result in self.files for f in result.findings]
        return sorted(found, key=Finding.sort_key)

    @property
    def internal_errors(self) -> list[FileResult]:
        return [r for r in self.files if r.status is Status.INTERNAL_ERROR]


def internal_error_message(result: FileResult) -> str:
    last = (result.error or "").strip().splitlines()[-1:] or ["unknown error"]
    return (f"kerassniff: internal error while analysing {result.path}: {last[0]}\n"
            f"  This is a bug in kerassniff, not in your file; the other files were still checked.")


def print_internal_errors(results: RunResult) -> None:
    for result in results.internal_errors:
        print(internal_error_message(result), file=sys.stderr)
