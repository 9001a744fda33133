"""KS101 binary-crossentropy-multiclass (seed 002)."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import describe_head, head_mention, loss_heads, loss_text
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import unsafe_fix, with_quotes_of
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import BINARY_LOSSES


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    checks = run.checks(finding.line)
    readings = checks.get("accuracy") or {}
    reported = (readings.get("reported") or {}).get("accuracy")
    categorical, binary = readings.get("categorical"), readings.get("binary")
    if categorical is None:
        return None
    keras = ", ".join(run.data.get("keras") or ["Keras"])
    if reported is not None and abs(reported - categorical) > 0.1:
        return Verdict(True, (f"{keras} reports 'accuracy' {reported:.2f} after {checks.get('updates')} updates; "
                              f"the true categorical accuracy of the same predictions is {categorical:.2f}"))
    row_sums = checks.get("after_output") or {}
    tail = f" (Keras <= 2.3 would have shown binary accuracy {binary:.2f})" if binary is not None else ""
    if row_sums.get("row_sum_std", 0) > 0.05 or abs(row_sums.get("row_sum_mean", 1.0) - 1.0) > 0.05:
        shown = reported if reported is not None else categorical
        return Verdict(True, (f"{keras} reports 'accuracy' {shown:.2f}, the true categorical accuracy: the metric "
                              f"is not misreported on this Keras{tail}, but the loss trains independent sigmoids "
                              f"(row sums {row_sums['row_sum_mean']:.2f} ± {row_sums['row_sum_std']:.2f}, not 1)"))
    return Verdict(None, (f"{keras} reports 'accuracy' {categorical:.2f}, the true categorical accuracy: not "
                          f"misreported on this Keras{tail}"))


@rule("KS101", "binary-crossentropy-multiclass", Severity.ERROR,
      "binary crossentropy on a single-label output of several classes",
      "use loss='categorical_crossentropy' for one-hot labels or 'sparse_categorical_crossentropy' for integer labels",
      verdict=verdict)
def check(script: Script):
    for model, compile_call, loss, head in loss_heads(script):
        if loss.name not in BINARY_LOSSES:
            continue
        labels = script.fit_labels(model)
        units = head.units
        # Two units: binary crossentropy on two complementary one-hot columns is the categorical loss over
        # again (softmax), or two yes/no heads that train fine (sigmoid), and binary accuracy over the two
        # columns equals categorical accuracy: nothing misleads, so two units are never reported.
        if head.activation == "softmax":
            if units is None:
                known = {d.n_classes for d in labels if d.encoding == "onehot" and d.n_classes}
                units = known.pop() if len(known) == 1 else None
            if units is None or units <= 2:
                continue
        elif head.activation == "sigmoid":
            if units is None or units <= 2 or not labels or any(d.encoding != "onehot" for d in labels):
                continue  # multi-label (multi-hot) targets are what sigmoid + binary crossentropy is for
            if any(m.name == "binary_accuracy" for m in compile_call.metrics):
                continue
        else:
            continue
        chance = (units - 1) / units
        message = (f"loss {loss_text(script, loss)} on the {describe_head(head)} scores each class as "
                   f"an independent yes/no")
        explanation = (f"Binary crossentropy scores each of the {units} classes as an independent yes/no question, so "
                       f"nothing makes the model pick one class per sample.")
        if any(m.name == "accuracy" for m in compile_call.metrics):
            explanation += (f" With Keras <= 2.3 or TF1, 'accuracy' then becomes binary accuracy, which reads "
                            f"~{chance:.2f} for a model at chance (tf.keras 2 and Keras 3 choose the accuracy from the "
                            f"output shape instead).")
        hint = None
        if head.activation == "sigmoid":
            hint = ("one label per sample: use activation='softmax' on the last layer and "
                    "loss='categorical_crossentropy' (one-hot labels)")
        fix = None
        if head.activation == "softmax" and labels and all(d.encoding == "onehot" for d in labels) and \
                isinstance(loss.node, cst.SimpleString):
            fix = unsafe_fix("use loss 'categorical_crossentropy' (the labels are one-hot)", loss.node,
                             with_quotes_of(loss.node, "categorical_crossentropy"))
        yield Report(loss.node, message, hint, fix, explanation=explanation,
                     facts={"loss": loss.name, "units": units, "activation": head.activation},
                     mentions=head_mention(head))
