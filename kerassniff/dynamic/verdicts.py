"""Ask each finding's rule for its verdict on a run (the verdicts themselves live with their rules).

A rule that a run can settle declares ``@rule(..., verdict=...)`` in its module
(``kerassniff/checks/ks101_*.py``); this module only applies what every verdict
shares: data that was a random stand-in cannot settle a rule that compares
values, a verdict that breaks on a partial record counts as "could not tell",
and a run that stopped early says where.
"""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding
from kerassniff.registry import get_rule


def verdict_for(finding: Finding, run: Measurements) -> Verdict:
    rule = get_rule(finding.code)
    function = rule.verdict if rule is not None else None
    stand_ins = run.data.get("synthetic_ranges") or [p for r in run.linked for p in
                                                     r.data.get("synthetic_ranges") or []]
    if rule is not None and rule.compares_values and stand_ins:
        return Verdict(None, (f"the data ({', '.join(sorted(set(stand_ins)))}) is not on this machine: random "
                              f"stand-in values say nothing about its scaling"))
    result = None
    if function is not None:
        try:
            result = function(finding, run)
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            result = None
    if result is not None:
        return Verdict(result[0], result[1] + run.note)
    if run.data.get("status") == "crashed" and not run.fits():
        crash = run.data.get("crash") or {}
        return Verdict(None, f"the script stopped before fit(): {crash.get('error')} (line {crash.get('line')})")
    if function is None:
        return Verdict(None, "nothing to measure at run time for this rule")
    return Verdict(None, "the run did not reach what this finding is about" + run.note)
