"""KS105 topk-ties (seed 000)."""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script

TOPK = ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy")


@rule("KS105", "topk-ties", Severity.INFO,
      "top-k accuracy counts tied scores at the k-th place as hits",
      "read top-k together with top-1 accuracy and the loss; a top-k near 1.0 while top-1 sits at chance means "
      "saturated (tied) outputs, not a good model")
def check(script: Script):
    for compile_call in script.compiles():
        head = compile_call.model.single_head()
        units = head.units if head is not None else None
        for metric in compile_call.metrics:
            if metric.name not in TOPK:
                continue
            k = metric.k or 5
            if units is not None and units <= k:
                message = f"top-{k} accuracy on a {units}-unit output always reads 1.0"
                detail = f"Every label is always within the top {k} of {units} scores."
            else:
                of = f" of the {units} scores" if units else " of the scores"
                message = f"top-{k} accuracy counts tied scores as hits: it can read 1.0 while top-1 is at chance"
                detail = (f"Keras computes '{metric.name}' with in_top_k, which counts ties at the k-th place as "
                          f"hits: when the softmax saturates and most{of} are exactly 0.0, they all tie and top-{k} "
                          f"accuracy reads 1.00 while top-1 accuracy is at chance.")
            yield Report(metric.node, message, explanation=detail, facts={"k": k, "units": units})
