"""KS311 batchnorm-single-sample-batches: BatchNormalization over dense features trained one sample at a time.

In training mode BatchNormalization normalises each feature with the mean and variance of the current batch.
With one sample per batch the mean is the sample itself and the variance is 0, so a BatchNormalization over
dense features outputs exactly its offset (beta, 0 at first) whatever the input: the layers before it get no
gradient.  The facts are the fit call's constant ``batch_size`` (or a training set known to hold one sample)
and the shape of the tensor each BatchNormalization receives (:mod:`kerassniff.semantic.shapes`), or, without
a known shape, a Dense layer right before it.
"""
from __future__ import annotations

from kerassniff.checks._shared import layer_shapes
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import FitCall
from kerassniff.semantic.values import DataValue, int_value

BATCHNORM = ("BatchNormalization", "BatchNormalizationV2", "SyncBatchNormalization")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, _, probe = run.fit_parts(finding.line)
    layers = probe.get("batchnorm_one_sample")
    if not layers:
        return None
    size = f" (fit() batch_size={probe['batch_size']})" if "batch_size" in probe else ""
    collapsed = [layer for layer in layers if layer["max_from_beta"] < 1e-5]
    if collapsed:
        return Verdict(True, (f"on a one-sample batch, '{collapsed[0]['name']}' in training mode outputs exactly "
                              f"its beta (largest difference {collapsed[0]['max_from_beta']:.1g}): the sample is "
                              f"erased{size}"))
    largest = max(layer["max_from_beta"] for layer in layers)
    return Verdict(False, (f"on a one-sample batch every BatchNormalization layer's training-mode output still varies "
                           f"(largest difference from beta {largest:.3g}){size}"))


@rule("KS311", "batchnorm-single-sample-batches", Severity.ERROR,
      "BatchNormalization over dense features trained with batches of one sample",
      "train with batches of at least 16-32 samples, or use LayerNormalization, which does not depend on the batch",
      verdict=verdict)
def check(script: Script):
    for model in script.models:
        layer = _dense_batchnorm(script, model)
        if layer is None:
            continue
        for fit in model.fits:
            if not _one_sample_batches(fit):
                continue
            argument = fit.args.node_of("batch_size")
            yield Report(
                argument if argument is not None else fit.node,
                "batches of one sample through BatchNormalization ({layer}): it outputs "
                "zeros in training",
                explanation=(
                    "In training mode BatchNormalization subtracts the batch mean and divides by the batch's "
                    "standard deviation. With one sample per batch the mean is the sample and the variance 0, so "
                    "every dense feature becomes exactly beta (0 at first): the layers before it get no gradient, "
                    "and the moving statistics used by evaluate()/predict() never match training."),
                mentions={"layer": layer.node})
            break


def _one_sample_batches(fit: FitCall) -> bool:
    if fit.method not in ("fit", "fit_generator"):
        return False
    if int_value(fit.batch_size) == 1:
        return True
    samples = fit.x.data.n_samples if isinstance(fit.x, DataValue) and not fit.x.data.batches else None
    return samples == 1


def _dense_batchnorm(script: Script, model: Model) -> Layer | None:
    """A BatchNormalization whose input is a vector of features (rank 1 per sample)."""
    for path in layer_shapes(script, model):
        for shaped in path:
            if shaped.layer.kind in BATCHNORM and shaped.input_shape is not None and len(shaped.input_shape) == 1:
                return shaped.layer
    for path in model.output_paths():
        for before, layer in zip(path, path[1:]):
            if layer.kind in BATCHNORM and before.kind == "Dense":
                return layer
    return None
