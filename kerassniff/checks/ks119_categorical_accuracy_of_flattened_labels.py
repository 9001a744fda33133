"""KS119 categorical-accuracy-of-flattened-labels: ``CategoricalAccuracy`` updated with flattened label arrays.

A multi-label evaluation loop written after a popular tutorial flattens each batch's labels and predictions
(``y_true.flatten()``, ``yhat.flatten()``) and feeds them to ``Precision``, ``Recall`` and ``CategoricalAccuracy``.
Precision and recall count each value; categorical accuracy takes one argmax over the whole flattened vector and
scores one 0/1 per batch: "is the single highest score of the batch on a positive label".  The number printed as
the model's accuracy measures nothing about the task.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.values import FlatArray, Instance, Value, data_of

# Keras's categorical accuracy (class and function, by canonical name): an argmax over the last axis, which for a
# flat vector is the whole vector (checked on 3.15.1; the top-k ones raise on one axis: "predictions must be
# 2-dimensional").
_METRIC_CLASSES = frozenset({"keras.metrics.CategoricalAccuracy"})
_METRIC_FUNCTIONS = frozenset({"keras.metrics.categorical_accuracy"})
_ARGUMENTS = (("y_true", 0), ("y_pred", 1))


@rule("KS119", "categorical-accuracy-of-flattened-labels", Severity.ERROR,
      "CategoricalAccuracy updated with flattened labels: one argmax over the whole batch, not an accuracy",
      "score each label with BinaryAccuracy() (multi-label), or pass the 2-D arrays unflattened (one class each)")
def check(script: Script):
    for call in script.calls:
        if call.method == "update_state" and isinstance(call.receiver, Instance) and \
                call.receiver.cls in _METRIC_CLASSES:
            name = call.receiver.cls.rsplit(".", 1)[-1]
        elif call.callee in _METRIC_FUNCTIONS:
            name = call.callee.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        else:
            continue
        values = [call.args.get(keyword, position) for keyword, position in _ARGUMENTS]
        flat = [index for index, value in enumerate(values) if _flattened(value)]
        if not flat or any(_one_sample(value) for value in values):
            continue  # (one input's row, flattened, is that row: a per-sample accuracy)
        written = call.args.node_of(*_ARGUMENTS[flat[0]])
        shown = script.code_of(written.value) if written is not None else "y"
        yield Report(call.node, (
            f"{name} gets flattened labels ('{shown}'): one argmax over the whole batch, not an accuracy"),
            explanation=(f"{name} takes the argmax of each row's last axis. Flattened, a batch of labels is one row: "
                         f"the metric compares the position of the single highest score of the batch with that of "
                         f"the first positive label, one 0 or 1 per batch, whatever the model gets right. For "
                         f"several independent labels per input (sigmoid outputs), BinaryAccuracy() scores each "
                         f"label; for one class per input, pass the 2-D arrays as they are."),
            facts={"metric": name, "flattened": shown})


def _flattened(value: Value | None) -> bool:
    """Whether the model knows the value as flattened to one axis: an array it does not follow, flattened
    (:class:`~kerassniff.semantic.pyvalues.FlatArray`), or one whose last reshape flattens it."""
    if isinstance(value, FlatArray):
        return True
    data = data_of(value)
    last = next((step for step in reversed(data.steps) if step.kind == "reshape"), None) if data is not None else None
    return last is not None and last.flattens


def _one_sample(value: Value | None) -> bool:
    """One input's labels or predictions (``y_test[i]``, ``y[i:i + 1]``, ``model.predict(x[i:i + 1])[0]``):
    flattened, still one row."""
    if isinstance(value, Predictions):
        return value.row
    data = data_of(value)
    return data is not None and (data.is_sample or data.n_samples == 1)
