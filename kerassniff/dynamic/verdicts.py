"""Turn a harness report into a verdict for each static finding, and into dynamic-only findings.

A verdict is ``(confirmed, evidence)``: ``True``/``False`` when the run
measured the fact the finding claims, ``None`` when it could not tell, and one
line of evidence with the numbers.  One function per rule, named after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kerassniff.findings import Finding

Verdict = tuple[bool | None, str]


@dataclass
class Report:
    """A harness report with the lookups verdicts need."""

    data: dict
    linked: list["Report"] = field(default_factory=list)  # reports of the scripts that trained a loaded model

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

    @property
    def note(self) -> str:
        synthetic = self.data.get("synthetic") or []
        return f" (synthetic stand-in for {', '.join(sorted(set(synthetic)))}: not on this machine)" if synthetic else ""


def range_text(stats: dict | None, shape: bool = False) -> str:
    """'uint8 0..255' (with the shape: 'uint8 [32, 28, 28] in 0..255') for an array's recorded statistics."""
    if not stats or stats.get("min") is None:
        return "of unknown range" if shape else "unknown"
    where = f" {stats['shape']} in " if shape else " "
    return f"{stats['dtype']}{where}{stats['min']:.3g}..{stats['max']:.3g}"


def _scale_ratio(a: dict | None, b: dict | None) -> float | None:
    if not a or not b or a.get("max") in (None, 0) or b.get("max") in (None, 0):
        return None
    return max(abs(a["max"]), 1e-12) / max(abs(b["max"]), 1e-12)


def facts(finding: Finding) -> dict:
    """The typed facts the rule recorded with its finding (``Report(facts=...)``): verdicts read these, never the
    message, so a reworded message cannot change a verdict."""
    return finding.extra.get("facts") or {}


# -- one function per rule ---------------------------------------------------------------------------------------
def ks101(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    readings = checks.get("accuracy") or {}
    reported = (readings.get("reported") or {}).get("accuracy")
    categorical, binary = readings.get("categorical"), readings.get("binary")
    if categorical is None:
        return None
    keras = ", ".join(report.data.get("keras") or ["Keras"])
    if reported is not None and abs(reported - categorical) > 0.1:
        return True, (f"{keras} reports 'accuracy' {reported:.2f} after {checks.get('updates')} updates; the true "
                      f"categorical accuracy of the same predictions is {categorical:.2f}")
    row_sums = checks.get("after_output") or {}
    tail = f" (Keras <= 2.3 would have shown binary accuracy {binary:.2f})" if binary is not None else ""
    if row_sums.get("row_sum_std", 0) > 0.05 or abs(row_sums.get("row_sum_mean", 1.0) - 1.0) > 0.05:
        return True, (f"{keras} reports 'accuracy' {reported if reported is not None else categorical:.2f}, the "
                      f"true categorical accuracy: the metric is not misreported on this Keras{tail}, but the loss "
                      f"trains independent sigmoids (row sums {row_sums['row_sum_mean']:.2f} ± "
                      f"{row_sums['row_sum_std']:.2f}, not 1)")
    return None, (f"{keras} reports 'accuracy' {categorical:.2f}, the true categorical accuracy: not misreported "
                  f"on this Keras{tail}")


def ks102(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    if not fit or not fit.get("y"):
        return None
    others = [(name, fit.get(name)) for name in ("validation_y",)] + \
             [(f"{c['kind']}() y", c.get("y")) for c in report.calls if c["kind"] == "evaluate"]
    for name, stats in others:
        if stats and stats.get("onehot") != fit["y"].get("onehot"):
            def encoding(s):
                return "one-hot" if s.get("onehot") else "integer" if s.get("integer_labels") else "other"
            return True, (f"fit() y is {encoding(fit['y'])} {fit['y']['shape']}, {name} is {encoding(stats)} "
                          f"{stats['shape']}")
    return None


def ks103(finding: Finding, report: Report) -> Verdict | None:
    output = report.checks(finding.line).get("output")
    if not output:
        return None
    constant = output.get("all_ones") or (output["min"] == output["max"] == 1.0)
    return bool(constant), f"outputs on the first batch range {output['min']:.3g}..{output['max']:.3g}"


def ks104(finding: Finding, report: Report) -> Verdict | None:
    output = report.checks(finding.line).get("output")
    if not output:
        return None
    probabilities = output["min"] >= 0.0 and output["max"] <= 1.0
    sums = f", rows sum to {output['row_sum_mean']:.2f}" if "row_sum_mean" in output else ""
    shown = f"outputs range {output['min']:.3g}..{output['max']:.3g}{sums}"
    if facts(finding).get("from_logits") is True:
        return probabilities, shown + (": probabilities, fed to a loss that expects logits" if probabilities else "")
    return (not probabilities), shown


def ks105(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    k = str(facts(finding).get("k", 5))
    before, after = (checks.get("ties") or {}).get(k), (checks.get("after_ties") or {}).get(k)
    if before is None and after is None:
        return None
    worst = max(v for v in (before, after) if v is not None)
    measured = (f"{before or 0:.0%} of the rows of a real batch tie at the {k}th score before training, "
                f"{after or 0:.0%} after {checks.get('updates')} updates")
    if worst <= 0.05:  # ties appear once the softmax saturates, which a short run may not reach
        return None, measured + "; ties appear once the softmax saturates"
    reported = ((checks.get("accuracy") or {}).get("reported") or {})
    top_k = next((v for name, v in reported.items() if "top_k" in name), None)
    if top_k is not None and reported.get("accuracy") is not None:
        measured += f" (Keras reported top-{k} accuracy {top_k:.2f} with top-1 at {reported['accuracy']:.2f})"
    return True, measured


def ks106(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    output = checks.get("after_output") or checks.get("output")
    if not output or output.get("min") is None:
        return None
    losses = [loss for loss in checks.get("losses") or [] if loss is not None]
    non_finite = any(loss != loss or loss in (float("inf"), float("-inf")) for loss in losses)
    if output["min"] <= 0 or non_finite:
        tail = "; the loss became NaN/inf" if non_finite else ""
        return True, f"the outputs reach {output['min']:.3g} (clipped to 1e-7 by the loss){tail}"
    return False, f"every output stayed above 0 (minimum {output['min']:.3g}) in {checks.get('updates')} updates"


def ks107(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    output = ((fit or {}).get("checks") or {}).get("output")
    if not fit or not output or not fit.get("y"):
        return None
    outside = fit["y"]["min"] < output["min"] - 1e-6 or fit["y"]["max"] > 1.0
    return outside, f"targets {range_text(fit['y'])}, outputs {output['min']:.3g}..{output['max']:.3g}"


def _scaling_verdict(train: dict | None, used: dict | None, where: str) -> Verdict | None:
    ratio = _scale_ratio(train, used)
    if ratio is None:
        return None
    differs = ratio > 10 or ratio < 0.1
    return differs, f"fit() x {range_text(train)}; {where} x {range_text(used)}"


def ks201(finding: Finding, report: Report) -> Verdict | None:
    used = report.at(finding.line)
    fit = report.fit_for(0)
    if used is None or fit is None:
        return None
    if used["kind"] == "fit":
        return _scaling_verdict(fit.get("x"), used.get("validation_x"), "validation")
    return _scaling_verdict(fit.get("x"), used.get("x"), f"{used['kind']}()")


def ks202(finding: Finding, report: Report) -> Verdict | None:
    fit = report.at(finding.line, "fit") or report.fit_for(finding.line)
    if not fit or not fit.get("x"):
        return None
    raw = fit["x"]["max"] > 2.0
    return raw, f"fit() x is {range_text(fit['x'])}"


def ks203(finding: Finding, report: Report) -> Verdict | None:
    used = report.at(finding.line)
    trainer_fits = [fit for linked in report.linked for fit in linked.fits()]
    if used is None or not trainer_fits:
        return None
    verdict = _scaling_verdict(trainer_fits[0].get("x"), used.get("x"), f"{used['kind']}() here")
    if verdict is None:
        return None
    return verdict[0], "training script's " + verdict[1]


def ks204(finding: Finding, report: Report) -> Verdict | None:
    return ks201(finding, report)


def ks301(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    filters = ((fit or {}).get("model") or {}).get("conv_filters")
    if not filters:
        return None
    decreasing = any(b < a for a, b in zip(filters, filters[1:]))
    return decreasing, f"the built model's convolution filters: {filters}"


def ks302(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    modes = checks.get("modes")
    if not modes:
        return None
    updates = checks.get("updates")
    text = f"after {updates} updates, training-mode and inference-mode outputs differ by up to " \
           f"{modes['max_abs_difference']:.2f}"
    if "training_mode_accuracy" in modes:
        text += (f"; argmax accuracy on the same batch: training mode {modes['training_mode_accuracy']:.2f}, "
                 f"inference mode {modes['inference_mode_accuracy']:.2f}")
    disagreement = modes.get("argmax_disagreement", 0.0)
    return (disagreement > 0 or modes["max_abs_difference"] > 0.1), text


def ks401(finding: Finding, report: Report) -> Verdict | None:
    calls = [c for c in report.calls if c["line"] == finding.line and c["kind"] == "predict" and "seconds" in c]
    if len(calls) < 2:
        return None
    per_call = sum(c["seconds"] for c in calls[1:]) / len(calls[1:])
    rows = calls[0].get("x", {}) or {}
    return True, (f"predict() ran {len(calls)} times at this line with {rows.get('shape', ['?'])[0]} row(s) each, "
                  f"{per_call * 1000:.0f} ms per call (one batched call costs about the same)")


def ks402(finding: Finding, report: Report) -> Verdict | None:
    removed = [r for r in report.data.get("removed_api", []) if r["line"] == finding.line]
    if not removed:
        return None
    keras = ", ".join(report.data.get("keras") or ["Keras"])
    if report.data.get("has_fit_generator") is False:
        return True, f"{keras} has no Model.{removed[0]['name']}: the script fails here with AttributeError"
    return False, f"{keras} still has Model.{removed[0]['name']} (deprecated)"


def _shape_failure(report: Report) -> Verdict | None:
    """The first training step failed on a shape: what KS111 and KS310 predict."""
    crash = report.data.get("crash") or {}
    error = str(crash.get("error") or "")
    if report.data.get("status") != "crashed" or not error:
        return None
    if "shape" in error or "rank" in error or "outside the valid range" in error:
        return True, f"training stops with: {error}"
    return None


def ks111(finding: Finding, report: Report) -> Verdict | None:
    return _shape_failure(report)


def ks207(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    stats = (fit or {}).get("x")
    if not stats or stats.get("max") is None:
        return None
    if stats["max"] < 0.05:
        return True, f"fit() x is {range_text(stats)}"
    return None  # the arrays look right: a second rescaling inside the model is not measured


def ks310(finding: Finding, report: Report) -> Verdict | None:
    return _shape_failure(report)


VERDICTS: dict[str, Callable[[Finding, Report], Verdict | None]] = {
    "KS101": ks101, "KS102": ks102, "KS103": ks103, "KS104": ks104, "KS105": ks105, "KS106": ks106, "KS107": ks107,
    "KS201": ks201, "KS202": ks202, "KS203": ks203, "KS204": ks204, "KS301": ks301, "KS302": ks302, "KS401": ks401,
    "KS402": ks402, "KS111": ks111, "KS207": ks207, "KS310": ks310,
}


# Rules whose verdict compares the values of the arrays: random stand-ins for missing files cannot settle them.
RANGE_RULES = frozenset({"KS201", "KS202", "KS203", "KS204", "KS107", "KS207"})


def verdict_for(finding: Finding, report: Report) -> Verdict:
    status = report.data.get("status")
    function = VERDICTS.get(finding.code)
    stand_ins = report.data.get("synthetic_ranges") or [p for r in report.linked for p in
                                                         r.data.get("synthetic_ranges") or []]
    if finding.code in RANGE_RULES and stand_ins:
        return None, (f"the data ({', '.join(sorted(set(stand_ins)))}) is not on this machine: random stand-in "
                      f"values say nothing about its scaling")
    result = None
    if function is not None:
        try:
            result = function(finding, report)
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            result = None
    if result is not None:
        return result[0], result[1] + report.note
    if status == "crashed" and not report.fits():
        crash = report.data.get("crash") or {}
        return None, f"the script stopped before fit(): {crash.get('error')} (line {crash.get('line')})"
    if function is None:
        return None, "nothing to measure at run time for this rule"
    return None, "the run did not reach what this finding is about" + report.note
