"""KS116 exact-accuracy-on-probabilities: ``keras.metrics.Accuracy()`` compiled for a softmax, sigmoid or linear
output.

``metrics=["accuracy"]`` lets Keras pick binary, categorical or sparse categorical accuracy from the loss and the
shapes; the class ``keras.metrics.Accuracy`` picks nothing: it counts predictions exactly equal to the labels.  A
probability (0.97) never equals a label (1), so the logged accuracy stays at 0 while the model learns, and a callback
that watches it sees a constant.  With integer labels for a many-unit softmax the two shapes do not even match.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CROSSENTROPY_LOSSES, EXACT_ACCURACY

# Output activations whose values are real numbers, never exactly a class id.
_CONTINUOUS = frozenset({"softmax", "sigmoid", "linear", "tanh", "softplus", "softsign", "hard_sigmoid"})
_SPARSE = frozenset({"sparse_categorical_crossentropy"})


@rule("KS116", "exact-accuracy-on-probabilities", Severity.ERROR,
      "keras.metrics.Accuracy() on a softmax, sigmoid or linear output: it counts exact equality, so it stays near 0",
      "use metrics=['accuracy'] (Keras picks binary or categorical accuracy), or BinaryAccuracy() / "
      "CategoricalAccuracy() / SparseCategoricalAccuracy()")
def check(script: Script):
    for model in script.models:
        for compile_call in model.compiles:
            exact = [metric for metric in compile_call.metrics if metric.name == EXACT_ACCURACY]
            if not exact:
                continue
            heads = model.heads_when_compiled(compile_call)
            losses = [loss.name for loss in compile_call.losses]
            head = heads[0] if len(heads) == 1 else None
            if head is not None and head.activation in _CONTINUOUS:
                outputs = f"the {head.activation} outputs"
            elif len(heads) <= 1 and losses and all(name in CROSSENTROPY_LOSSES - _SPARSE for name in losses):
                head, outputs = None, "the model's outputs"  # probabilities, or logits: never class ids
            else:
                continue  # several outputs (which one is scored?), or outputs kerassniff cannot read
            sparse = head is not None and bool(losses) and all(name in _SPARSE for name in losses) and \
                (head.units or 0) > 1
            for metric in exact:
                if sparse and head is not None:
                    yield Report(metric.node, f"Accuracy() compares integer labels with {head.units} "
                                              f"{head.activation} outputs: fit() raises ValueError",
                                 explanation=(f"keras.metrics.Accuracy counts predictions equal to the labels, "
                                              f"element by element: with sparse labels of shape (batch,) and "
                                              f"predictions of shape (batch, {head.units}) the shapes do not match "
                                              f"and the first training step stops with ValueError (checked on "
                                              f"Keras 3.15.1 and tf_keras 2.21)."),
                                 facts={"activation": head.activation, "units": head.units, "labels": "sparse"},
                                 mentions={"output": head.activation_node})
                    continue
                where = f"The {head.activation} output at {{output}} gives" if head is not None else \
                    f"A model trained with {losses[0]} outputs probabilities or logits:"
                yield Report(metric.node, f"Accuracy() tests {outputs} for exact equality with the labels: it "
                                          f"stays near 0",
                             explanation=(f"keras.metrics.Accuracy is not metrics=['accuracy']: it counts "
                                          f"predictions exactly equal to the labels and does not threshold or "
                                          f"take the argmax. {where} real numbers (0.97, 0.03), not 0 or 1, so the "
                                          f"logged 'accuracy' stays near 0 whatever the model learns, and a "
                                          f"callback that monitors it sees a constant (measured on Keras 3.15.1 "
                                          f"and tf_keras 2.21: 0.0 beside a binary accuracy of 0.99 on the same "
                                          f"sigmoid model)."),
                             facts={"activation": head.activation if head is not None else None,
                                    "units": head.units if head is not None else None, "losses": losses},
                             mentions={"output": head.activation_node} if head is not None else None)
