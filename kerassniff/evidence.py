"""What a dynamic run measured, as the rules' verdicts read it (a floor module: data types and lookups only).

``kerassniff --dynamic`` runs a script in a harness that records each ``fit``/``predict``/``evaluate`` call and
what it measured (array statistics, output ranges, the built model).  Each rule that can be settled by a run
declares a verdict function with its ``@rule(..., verdict=...)``; the function receives the static finding and
the run's :class:`Measurements` and returns a :class:`Verdict`.  Verdicts read the rule's typed facts
(:func:`facts`), never the message text, so rewording a message cannot change a verdict.

This module sits on the floor of the layering: the rule modules (``kerassniff.checks``) read it, and
``kerassniff.dynamic`` fills it; it imports neither.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from kerassniff.findings import Finding


class Verdict(NamedTuple):
    """A run's answer to a finding: ``confirmed`` is True/False when the run measured the fact the finding
    claims, None when it could not tell; ``evidence`` is one line with the numbers."""

    confirmed: bool | None
    evidence: str


@dataclass
class Measurements:
    """One harness run's record (``data``, the JSON the child wrote) with the lookups verdicts need."""

    data: dict
    linked: list["Measurements"] = field(default_factory=list)  # runs of the scripts that trained a loaded model

    @property
    def calls(self) -> list[dict]:
        return self.data.get("calls", [])

    def fits(self) -> list[dict]:
        return [c for c in self.calls if c["kind"] == "fit"]

    def at(self, line: int, kind: str | None = None) -> dict | None:
        return next((c for c in self.calls if c["line"] == line and (kind is None or c["kind"] == kind)), None)

    def fit_for(self, line: int) -> dict | None:
        """The fit at this line, else the first fit after it, else the first fit."""
        fits = self.fits()
        exact = [c for c in fits if c["line"] == line]
        later = [c for c in fits if c["line"] > line]
        return (exact or later or fits or [None])[0]

    def checks(self, line: int) -> dict:
        fit = self.fit_for(line)
        return (fit or {}).get("checks") or {}

    def fit_parts(self, line: int) -> tuple[dict, dict, dict, dict]:
        """(fit record, its checks, its data probe, its built-model probe) of the fit a finding at ``line`` is
        about."""
        fit = self.fit_for(line) or {}
        return fit, fit.get("checks") or {}, fit.get("data") or {}, fit.get("probe") or {}

    @property
    def note(self) -> str:
        synthetic = self.data.get("synthetic") or []
        if not synthetic:
            return ""
        return f" (synthetic stand-in for {', '.join(sorted(set(synthetic)))}: not on this machine)"


VerdictFunction = Callable[[Finding, Measurements], "Verdict | tuple[bool | None, str] | None"]


def facts(finding: Finding) -> dict:
    """The typed facts the rule recorded with its finding (``Report(facts=...)``): verdicts read these, never the
    message, so a reworded message cannot change a verdict."""
    return finding.extra.get("facts") or {}


def range_text(stats: dict | None, shape: bool = False) -> str:
    """'uint8 0..255' (with the shape: 'uint8 [32, 28, 28] in 0..255') for an array's recorded statistics."""
    if not stats or stats.get("min") is None:
        return "of unknown range" if shape else "unknown"
    where = f" {stats['shape']} in " if shape else " "
    return f"{stats['dtype']}{where}{stats['min']:.3g}..{stats['max']:.3g}"


def scale_ratio(a: dict | None, b: dict | None) -> float | None:
    """How many times larger ``a``'s largest value is than ``b``'s (None when either is unknown or zero)."""
    if not a or not b or a.get("max") in (None, 0) or b.get("max") in (None, 0):
        return None
    return max(abs(a["max"]), 1e-12) / max(abs(b["max"]), 1e-12)


def losses_text(checks: dict) -> str:
    """'; loss 2.3 -> 0.4 over 50 updates' for a fit's recorded losses ('' without any)."""
    losses = checks.get("losses") or []
    if not losses:
        return ""
    return f"; loss {losses[0]:.3g} -> {losses[-1]:.3g} over {len(losses)} updates"
