"""KS310 unflattened-feature-map: a classifier's Dense head applied to a convolutional feature map.

Keras's Dense acts on the last axis only, so ``Dense(10)`` on a ``(None, 13, 13, 32)`` feature map
makes ten scores per pixel, ``(None, 13, 13, 10)``, not one row of class scores per image.  The
shapes come from :mod:`kerassniff.semantic.shapes`; the rule speaks when the per-sample labels are
known to be one class id or one-hot row per image, or, when the labels are not seen, when the trunk
shrank its maps by pooling or strides and never grows them back: per-pixel (segmentation) models,
whose labels are masks, are not reported.
"""
from __future__ import annotations

from kerassniff.checks._shared import layer_shapes, loss_heads, shape_failure
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.models import UPSAMPLING_LAYERS
from kerassniff.semantic.shapes import ShapedLayer, describe_shape
from kerassniff.semantic.training import CROSSENTROPY_LOSSES


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    failure = shape_failure(run)
    if failure is not None:
        return failure
    _, checks, _, probe = run.fit_parts(finding.line)
    error = str(checks.get("training_error") or "")
    if "shape" in error or "rank" in error:
        return Verdict(True, f"training stops with: {error}")
    layers = [layer for layer in probe.get("layers") or [] if layer.get("output_shape") and not layer.get("nested")]
    if not layers:
        return None
    spatial = [layer for layer in layers if layer["class"] == "Dense" and len(layer.get("input_shape") or []) > 2]
    if spatial and len(layers[-1]["output_shape"]) > 2:
        return Verdict(True, (f"the built Dense '{spatial[0]['name']}' reads {spatial[0]['input_shape']} and the model "
                              f"outputs {layers[-1]['output_shape']}: one prediction per position, not per sample"))
    if not spatial:
        return Verdict(False, "every Dense layer of the built model reads a flat [batch, features] input")
    return None


@rule("KS310", "unflattened-feature-map", Severity.ERROR,
      "a classifier's Dense head applied to a convolutional feature map that was never flattened",
      "add Flatten() or GlobalAveragePooling2D() between the last convolution/pooling layer and the Dense layers",
      verdict=verdict)
def check(script: Script):
    for model, _, loss, head in loss_heads(script):
        if loss.name not in CROSSENTROPY_LOSSES or loss.output is not None:
            continue
        labels = script.fit_labels(model)
        if any(d.encoding not in ("int", "onehot") or d.conditional for d in labels):
            continue  # per-pixel masks, or labels we cannot read: a per-pixel head may be intended
        for path in layer_shapes(script, model):
            if not path or path[-1].layer is not head.layer and head.layer not in [s.layer for s in path]:
                continue
            index = next((i for i, s in enumerate(path) if s.layer.kind == "Dense" and s.input_shape is not None
                          and len(s.input_shape) >= 3), None)
            final = path[-1].output_shape
            if index is None or final is None or len(final) < 2:
                continue
            if not labels and not _pooled_trunk(path, index):
                continue  # labels unseen: only a trunk that pooled its maps away is a per-image classifier
            first_dense = path[index]
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


def _pooled_trunk(path: list[ShapedLayer], index: int) -> bool:
    """The Dense at ``index`` reads a map that pooling or strides shrank, in a model that never grows it back.

    A per-pixel (segmentation) head keeps or restores the input's resolution, so its labels are masks; a
    trunk that only shrinks its maps towards a Dense head is a per-image classifier whose labels are one
    class per image, whether or not the script shows them.
    """
    if any(s.layer.kind in UPSAMPLING_LAYERS for s in path):
        return False
    return any(s.layer.downsamples and s.input_shape is not None and len(s.input_shape) >= 3 for s in path[:index])
