"""KS116 exact-accuracy-on-probabilities: ``keras.metrics.Accuracy()`` compiled for a softmax, sigmoid or linear
output.

``metrics=["accuracy"]`` lets Keras pick binary, categorical or sparse categorical accuracy from the loss and the
shapes; the class ``keras.metrics.Accuracy`` picks nothing: it counts predictions exactly equal to the labels.  A
probability (0.97) is not a label (1), so the logged accuracy stays near 0 while the model learns (it rises only as
outputs saturate to exactly 0.0 or 1.0), and a callback that watches it watches the wrong quantity.  With integer labels for a many-unit softmax the two shapes do not even match.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CROSSENTROPY_LOSSES, EXACT_ACCURACY

# Output activations whose values are real numbers, never exactly a class id.
_CONTINUOUS = frozenset({"softmax", "sigmoid", "linear", "tanh", "softplus", "softsign", "hard_sigmoid"})
_SPARSE = frozenset({"sparse_categorical_crossentropy"})
# Models whose layers kerassniff does not read (built elsewhere, loaded, subclassed): trained with a crossentropy, their
# outputs are probabilities or logits.  A Sequential or functional model whose last layer is not read (a Lambda
# rounding the probabilities) may output class ids: not judged.
_UNREAD_KINDS = frozenset({"external", "loaded", "subclassed", "library"})


@rule("KS116", "exact-accuracy-on-probabilities", Severity.ERROR,
      "keras.metrics.Accuracy() on a softmax, sigmoid or linear output: it counts exact equality, not accuracy",
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
            elif model.kind in _UNREAD_KINDS and len(heads) <= 1 and losses and \
                    all(name in CROSSENTROPY_LOSSES - _SPARSE for name in losses):
                head, outputs = None, "the model's outputs"  # probabilities, or logits: never class ids
            else:
                continue  # several outputs (which one is scored?), or outputs kerassniff cannot read
            sparse = head is not None and bool(losses) and all(name in _SPARSE for name in losses) and \
                (head.units or 0) > 1
            for metric in exact:
                if sparse and head is not None:
                    yield Report(metric.node, f"Accuracy() compares integer labels with {head.units} "
                                              f"{head.activation} outputs: fit() fails or logs 0",
                                 explanation=(f"keras.metrics.Accuracy counts predictions equal to the labels, "
                                              f"element by element: with sparse labels of shape (batch,) and "
                                              f"predictions of shape (batch, {head.units}) the shapes do not match. "
                                              f"Checked on Keras 3.15.1 and tf_keras 2.21: the first training step "
                                              f"stops (ValueError, or InvalidArgumentError on Keras 3 when the last "
                                              f"batch is shorter), unless the batch size is 1 or {head.units}, when "
                                              f"the shapes broadcast and the metric logs 0."),
                                 facts={"activation": head.activation, "units": head.units, "labels": "sparse"},
                                 mentions={"output": head.activation_node})
                    continue
                where = f"The {head.activation} output at {{output}} gives" if head is not None else \
                    f"A model trained with {losses[0]} outputs probabilities or logits:"
                yield Report(metric.node, f"Accuracy() counts only {outputs} exactly equal to the labels: the "
                                          f"accuracy it logs is wrong",
                             explanation=(f"keras.metrics.Accuracy is not metrics=['accuracy']: it counts "
                                          f"predictions exactly equal to the labels and does not threshold or "
                                          f"take the argmax. {where} real numbers (0.97, 0.03), so the logged "
                                          f"'accuracy' stays near 0 while the model is unsure and rises only as "
                                          f"outputs saturate to exactly 0.0 or 1.0 in float32; a callback that "
                                          f"monitors it watches the wrong quantity (measured on Keras 3.15.1 and "
                                          f"tf_keras 2.21: 0.0 beside a binary accuracy of 0.99 after 30 epochs; "
                                          f"0.57 beside 1.0 on data a model separates with certainty)."),
                             facts={"activation": head.activation if head is not None else None,
                                    "units": head.units if head is not None else None, "losses": losses},
                             mentions={"output": head.activation_node} if head is not None else None)
