"""KS301 decreasing-filters (seed 004)."""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.models import UPSAMPLING_LAYERS, Layer, Model


@rule("KS301", "decreasing-filters", Severity.WARNING,
      "convolution filter counts that shrink as the network gets deeper",
      "let filter counts grow (or stay equal) with depth, e.g. 32 -> 64 -> 128, as spatial size shrinks")
def check(script: Script):
    for model in script.models:
        for path in _trunks(model):
            if any(layer.kind in UPSAMPLING_LAYERS for layer in path):
                continue  # an encoder-decoder: the bottleneck is deliberate
            convs = [layer for layer in path if layer.is_conv and layer.units is not None and _spatial(layer)]
            for earlier, later in zip(convs, convs[1:]):
                if later.units < earlier.units:  # type: ignore[operator]
                    if earlier.node is later.node:
                        where = f"from {earlier.units} to {later.units} between iterations of the loop at " \
                                f"{script.where(later.node)}"
                    else:
                        where = (f"from {earlier.units} ({script.where(earlier.node)}) to {later.units} "
                                 f"({script.where(later.node)}) deeper in the network")
                    yield Report(later.node, f"{later.kind} filters shrink {where}, which caps accuracy",
                                 explanation=("The deeper layer combines more, more complex features but gets fewer "
                                              "channels to hold them, which caps accuracy; a wide first layer is also "
                                              "the slowest part of the model."),
                                 facts={"filters": [earlier.units, later.units]})
                    break


def _trunks(model: Model) -> list[tuple[Layer, ...]]:
    if model.outputs is not None:
        return model.outputs
    return [tuple(model.layers)] if model.layers else []


def _spatial(layer: Layer) -> bool:
    """False for 1x1 (bottleneck) convolutions and unknown kernel sizes."""
    size = layer.kernel_size
    return size is not None and any(k > 1 for k in size)
