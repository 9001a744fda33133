"""KS101 binary-crossentropy-multiclass (seed 002)."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import describe_head, loss_heads, loss_text
from kerassniff.findings import Severity
from kerassniff.fixes import unsafe_fix, with_quotes_of
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import BINARY_LOSSES


@rule("KS101", "binary-crossentropy-multiclass", Severity.ERROR,
      "binary crossentropy on a single-label output of several classes",
      "use loss='categorical_crossentropy' for one-hot labels or 'sparse_categorical_crossentropy' for integer labels")
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
        message = (f"loss {loss_text(script, loss)} on the {describe_head(script, head)} scores each class as "
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
                     facts={"loss": loss.name, "units": units, "activation": head.activation})
