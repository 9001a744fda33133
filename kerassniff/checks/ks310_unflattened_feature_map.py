"""KS310 unflattened-feature-map: a classifier's Dense head applied to a convolutional feature map.

Keras's Dense acts on the last axis only, so ``Dense(10)`` on a ``(None, 13, 13, 32)`` feature map
makes ten scores per pixel, ``(None, 13, 13, 10)``, not one row of class scores per image.  The
shapes come from :mod:`kerassniff.semantic.shapes`; the rule only speaks when the per-sample labels
are known to be one class id or one-hot row per image, so per-pixel (segmentation) models, whose
labels are masks, are never reported.
"""
from __future__ import annotations

from kerassniff.checks._shared import loss_heads
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.shapes import describe_shape, model_shapes
from kerassniff.semantic.training import CROSSENTROPY_LOSSES


@rule("KS310", "unflattened-feature-map", Severity.ERROR,
      "a classifier's Dense head applied to a convolutional feature map that was never flattened",
      "add Flatten() or GlobalAveragePooling2D() between the last convolution/pooling layer and the Dense layers")
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in CROSSENTROPY_LOSSES or loss.output is not None:
            continue
        labels = script.fit_labels(model)
        if not labels or any(d.encoding not in ("int", "onehot") or d.conditional for d in labels):
            continue  # per-pixel masks, or labels we cannot see: a per-pixel head may be intended
        for path in model_shapes(model):
            if not path or path[-1].layer is not head.layer and head.layer not in [s.layer for s in path]:
                continue
            first_dense = next((s for s in path if s.layer.kind == "Dense" and s.input_shape is not None
                                and len(s.input_shape) >= 3), None)
            final = path[-1].output_shape
            if first_dense is None or final is None or len(final) < 2:
                continue
            yield Report(
                first_dense.layer.node,
                f"Dense on an unflattened {describe_shape(first_dense.input_shape)} feature map predicts per "
                f"pixel, not per image",
                explanation=(
                    f"Dense acts on the last axis only, so every pixel of the "
                    f"{describe_shape(first_dense.input_shape)} map gets its own class scores and the model's "
                    f"output is {describe_shape(final)}; the labels are one class per image. Keras 3 stops at the "
                    f"first training step with a shape error ('target' and 'output' must have the same rank).",
                ))
            break
