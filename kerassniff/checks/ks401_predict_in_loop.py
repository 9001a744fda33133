"""KS401 predict-in-loop (seed 002)."""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.values import DataValue, RangeValue, Value, ZipValue


@rule("KS401", "predict-in-loop", Severity.WARNING,
      "model.predict() or model(x) called once per sample inside a loop over a dataset",
      "predict the whole array in one call (preds = model.predict(x_test)) and loop over the results")
def check(script: Script):
    for call in script.inferences():
        if call.method not in ("predict", "__call__") or call.loop is None:
            continue
        if not (isinstance(call.x, DataValue) and call.x.data.is_sample):
            continue
        loop = _sample_loop(call.loop)
        if loop is None:
            continue
        what = "model.predict()" if call.method == "predict" else "calling the model"
        over = _iterable_name(loop.iterable)
        yield Report(call.node, (
            f"{what} runs once per sample in the loop over {over} ({script.where(loop.node)}), typically 10-100x "
            f"slower"),
            explanation="Each call pays the full per-call overhead for a single row; one batched call over the "
                        "whole array costs about as much as one of them.")


def _sample_loop(loop: LoopContext | None) -> LoopContext | None:
    while loop is not None:
        if loop.per_sample:
            return loop
        loop = loop.parent
    return None


def _iterable_name(value: Value) -> str:
    if isinstance(value, DataValue):
        return value.data.label
    if isinstance(value, ZipValue):
        names = [p.data.label for p in value.parts if isinstance(p, DataValue)]
        return ", ".join(names) if names else "the dataset"
    if isinstance(value, RangeValue) and value.over is not None:
        return f"the indices of {value.over.label}"
    return "the dataset"
