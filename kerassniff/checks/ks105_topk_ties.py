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
                detail = (f"the output has only {units} units, so every label is always within the top {k} "
                          f"and the metric reads 1.0")
            else:
                of = f" of the {units} scores" if units else " of the scores"
                detail = (f"Keras computes it with in_top_k, which counts ties at the k-th place as hits: when the "
                          f"softmax saturates and most{of} are exactly 0.0, they all tie and top-{k} accuracy reads "
                          f"1.00 while top-1 accuracy is at chance")
            yield Report(metric.node, f"metric '{metric.name}' (k={k}): {detail}")
