"""KS105 topk-ties (seed 000).

On by default, but only where the code makes a misleading top-k reading plausible: the output has
no more units than k (the metric is always 1.0), or a known softmax output is judged by top-k alone
(no top-1 accuracy next to it to show the gap).  Logit outputs do not tie, and a top-1 metric beside
top-k exposes a saturated model at once: on real code those findings were all noise (rules/KS105.md).
"""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CompileCall

TOPK = ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")
TOP1 = ("accuracy", "categorical_accuracy", "sparse_categorical_accuracy")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    checks = run.checks(finding.line)
    k = str(facts(finding).get("k", 5))
    before, after = (checks.get("ties") or {}).get(k), (checks.get("after_ties") or {}).get(k)
    if before is None and after is None:
        return None
    worst = max(v for v in (before, after) if v is not None)
    measured = (f"{before or 0:.0%} of the rows of a real batch tie at the {k}th score before training, "
                f"{after or 0:.0%} after {checks.get('updates')} updates")
    if worst <= 0.05:  # ties appear once the softmax saturates, which a short run may not reach
        return Verdict(None, measured + "; ties appear once the softmax saturates")
    reported = ((checks.get("accuracy") or {}).get("reported") or {})
    top_k = next((v for name, v in reported.items() if "top_k" in name), None)
    if top_k is not None and reported.get("accuracy") is not None:
        measured += f" (Keras reported top-{k} accuracy {top_k:.2f} with top-1 at {reported['accuracy']:.2f})"
    return Verdict(True, measured)


@rule("KS105", "topk-ties", Severity.INFO,
      "top-k accuracy counts tied scores at the k-th place as hits",
      "read top-k together with top-1 accuracy and the loss; a top-k near 1.0 while top-1 sits at chance means "
      "saturated (tied) outputs, not a good model", verdict=verdict)
def check(script: Script):
    for compile_call in script.compiles():
        head = compile_call.model.single_head()
        if head is None or head.units is None:
            continue
        units = head.units
        for metric in compile_call.metrics:
            if metric.name not in TOPK:
                continue
            k = metric.k or 5
            if units <= k:
                message = f"top-{k} accuracy on a {units}-unit output always reads 1.0"
                detail = f"Every label is always within the top {k} of {units} scores."
            elif head.activation == "softmax" and _judged_by_topk_alone(compile_call):
                message = f"top-{k} accuracy counts tied scores as hits: it can read 1.0 while top-1 is at chance"
                detail = (f"Keras computes '{metric.name}' with in_top_k, which counts ties at the k-th place as "
                          f"hits: when the softmax saturates and most of the {units} scores are exactly 0.0, they "
                          f"all tie and top-{k} accuracy reads 1.00 while top-1 accuracy is at chance, and no "
                          f"top-1 metric is compiled beside it to show the gap.")
            else:
                continue
            yield Report(metric.node, message, explanation=detail, facts={"k": k, "units": units})


def _judged_by_topk_alone(compile_call: CompileCall) -> bool:
    """No top-1 accuracy beside the top-k metric (and no metric we cannot read, which might be one)."""
    return all(m.name is not None and m.name not in TOP1 for m in compile_call.metrics)
