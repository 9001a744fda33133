"""KS301 decreasing-filters (seed 004).

For a classifier's convolutional trunk: as pooling or strides shrink the feature maps, the channel count
should grow.  Not reported: a dip the trunk recovers from (blocks that narrow and widen again), one narrower last
convolution after a trunk that grew (the Dense head kept small), filters that shrink at one resolution (sequence models of 'same'/'causal'
Conv1D without pooling, AlexNet-style tails), the convolution that produces the model's output (an image,
a mask, a score map, a detection head), encoder-decoder models and their encoders (the bottleneck is the
design), convolutions separated by a layer kerassniff cannot read, and the branches a concatenation joins
(an Inception module's branches each hold part of the width), and embedding networks (one linear output of
several units trained only with the script's own loss, a contrastive or triplet distance).
"""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.losses import METRIC_LEARNING_LOSSES
from kerassniff.semantic.values import Instance, Symbol, Value
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import ACTIVATION_LAYERS, PASS_THROUGH, UPSAMPLING_LAYERS, Model

# Layers that join branches side by side: the width after them is the branches' sum.
_CONCATENATIONS = frozenset({"Concatenate", "concatenate"})
# Layers that turn feature maps into one vector per sample (global pooling: any layer named Global...).
_TO_VECTOR = frozenset({"Flatten", "Reshape", "Dense"})
# Layers after the output convolution that leave it the output: activations, reshapes, dropout.
_AFTER_OUTPUT = PASS_THROUGH | set(ACTIVATION_LAYERS) | {"Activation", "Cropping1D", "Cropping2D", "Cropping3D"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit = run.fit_for(finding.line)
    filters = ((fit or {}).get("model") or {}).get("conv_filters")
    if not filters:
        return None
    decreasing = any(b < a for a, b in zip(filters, filters[1:]))
    return Verdict(decreasing, f"the built model's convolution filters: {filters}")


@rule("KS301", "decreasing-filters", Severity.WARNING,
      "convolution filter counts that shrink as the network gets deeper",
      "let filter counts grow (or stay equal) with depth, e.g. 32 -> 64 -> 128, as spatial size shrinks",
      verdict=verdict)
def check(script: Script):
    decoders = [m for m in script.models if _upsamples(m)]
    told: set[tuple[int, int]] = set()  # the pairs of layer lines reported (a model built in a loop over widths: once)
    for model in script.models:
        if model in decoders or _part_of_encoder_decoder(model, script.models, decoders) or \
                _embedding(model):
            continue
        for path in _trunks(model):
            if any(layer.kind in UPSAMPLING_LAYERS for layer in path):
                continue  # an encoder-decoder: the bottleneck is deliberate
            if _maps_out(model, path, script.models):
                continue  # a density map, a heatmap, a mask: narrowing towards the output's channels is the design
            found = _shrinking(path)
            if found is None:
                continue
            earlier, later = found
            if (id(earlier.node), id(later.node)) in told:
                continue
            told.add((id(earlier.node), id(later.node)))
            if earlier.node is later.node:
                where = f"from {earlier.units} to {later.units} between iterations of the loop at {{later}}"
            else:
                where = f"from {earlier.units} ({{earlier}}) to {later.units} ({{later}}) deeper in the network"
            yield Report(later.node, f"{later.kind} filters shrink {where}, which caps accuracy",
                         explanation=("The deeper layer sees a smaller feature map and combines more, more complex "
                                      "features, but gets fewer channels to hold them, which caps accuracy; a wide "
                                      "first layer is also the slowest part of the model."),
                         facts={"filters": [earlier.units, later.units]},
                         mentions={"earlier": earlier.node, "later": later.node})


def _shrinking(path: tuple[Layer, ...]) -> tuple[Layer, Layer] | None:
    """The first spatial convolution with fewer filters than one whose output has a higher resolution, when the
    trunk does not widen back to that width after it.

    Resolution drops at a pooling layer or at a strided convolution (its own output is the smaller
    one); convolutions at one resolution may narrow freely (bottlenecks, AlexNet's 384 -> 256 tail).  Narrowing by
    design is not reported: a dip the trunk recovers from (32-64, 32-64 blocks), and one narrower last convolution
    after a trunk that grew (32 -> 64 -> 128, then 64 to keep the Dense head small).
    """
    output = _output_layer(path)
    # A branch that a concatenation joins holds part of the width at its depth (an Inception module's 3x3 branch):
    # nothing before the last concatenation is compared.
    joined = max((index for index, layer in enumerate(path) if layer.kind in _CONCATENATIONS), default=-1)
    segments: list[list[tuple[Layer, Layer | None]]] = [[]]  # per stretch of readable layers: (conv, reference)
    last: Layer | None = None  # the latest spatial convolution
    reference: Layer | None = None  # the latest one whose output is at a higher resolution than now
    for index, layer in enumerate(path):
        if layer.is_unknown or layer.nested is not None or index <= joined:
            last = reference = None  # anything may happen in there
            segments.append([])
            continue
        if layer.is_conv and layer.units is not None and _spatial(layer):
            if layer.strided and last is not None:
                reference = last
            if layer is not output:
                segments[-1].append((layer, reference))
            last = layer
        elif layer.downsamples and last is not None:
            reference = last
    for convs in segments:
        for index, (layer, earlier) in enumerate(convs):
            if earlier is None or layer.units >= earlier.units:  # type: ignore[operator]
                continue
            after = [conv.units for conv, _ in convs[index + 1:]]
            if any(units >= earlier.units for units in after):  # type: ignore[operator]
                break  # the trunk widens again (32-64, 32-64 blocks): a dip, not a narrowing trunk
            before = [conv.units for conv, _ in convs[:index]]
            if not after and len(before) > 1 and before == sorted(before) and before[0] < before[-1]:
                break  # one narrower last convolution after a trunk that grew: the Dense head kept small
            return earlier, layer
    return None


def _output_layer(path: tuple[Layer, ...]) -> Layer | None:
    """The layer whose result is the model's output (activations and reshapes after it aside)."""
    for layer in reversed(path):
        if layer.kind not in _AFTER_OUTPUT:
            return layer
    return None


def _upsamples(model: Model, seen: frozenset[int] = frozenset()) -> bool:
    """The model (or a model inside it) grows feature maps back: a decoder or generator."""
    if id(model) in seen:
        return False
    for layer in model.all_layers():
        if layer.kind in UPSAMPLING_LAYERS:
            return True
        if layer.nested is not None and _upsamples(layer.nested, seen | {id(model)}):
            return True
    return False


def _part_of_encoder_decoder(model: Model, models: list[Model], decoders: list[Model]) -> bool:
    """An encoder: nested in an encoder-decoder, cut from its graph, or a component built beside a decoder.

    ``encoder = keras.Model(img, code)`` taken from a graph that continues into Conv2DTranspose shares its
    layers with the autoencoder's path; a sub-model that is never compiled or trained itself in a script
    that builds a decoder is a part of that encoder-decoder (subclassed encoder/decoder pairs).
    """
    for other in decoders:
        if other is model:
            continue
        if any(layer.nested is model for layer in other.all_layers()):
            return True
        for mine in model.head_paths():
            if any(path[:len(mine)] == mine and len(path) > len(mine) for path in other.head_paths()):
                return True
    trained = model.compiles or model.fits or any(
        layer.nested is model and (other.compiles or other.fits) for other in models for layer in other.all_layers())
    return bool(decoders) and not trained


def _maps_out(model: Model, path: tuple[Layer, ...], models: list[Model]) -> bool:
    """A network that predicts per position: its output is a convolution's feature map and no layer on the way makes
    the maps one vector per sample (a crowd-density or keypoint-heatmap regressor, a segmentation net of dilated
    convolutions), nor does a head after it in a model that nests this one (a trunk built as its own Sequential and
    called before a Flatten and Dense is still a classifier's)."""
    output = _output_layer(path)
    if output is None or not output.is_conv or any(_to_vector(layer) for layer in path):
        return False
    for other in models:
        for outer in _trunks(other) if other is not model else ():
            nesting = next((layer for layer in outer if layer.nested is model), None)
            if nesting is not None and (_output_layer(outer) is not nesting or any(_to_vector(layer) for layer in outer)):
                return False
    return True


def _to_vector(layer: Layer) -> bool:
    """A layer that turns feature maps into one vector per sample: a flatten, a reshape, global pooling, a Dense."""
    return layer.kind in _TO_VECTOR or layer.kind.startswith("Global")


def _trunks(model: Model) -> list[tuple[Layer, ...]]:
    return model.head_paths()


def _spatial(layer: Layer) -> bool:
    """False for 1x1 (bottleneck) convolutions and unknown kernel sizes."""
    size = layer.kernel_size
    return size is not None and any(k > 1 for k in size)


def _embedding(model: Model) -> bool:
    """A network trained to embed, not to classify: one linear output of several units, every loss compiled for it
    the script's own function (a contrastive or triplet distance) and no accuracy metric (a focal loss on logits
    compiled with metrics=["accuracy"] is a classifier's): no class accuracy for its width to cap. (Labels do not
    tell: a siamese pair's 0/1 "same" flags look like class ids.)"""
    if model.compiles and all(_metric_learning(compile_call.args.get("loss", 1)) for compile_call in model.compiles):
        return True  # tfa.losses.TripletSemiHardLoss(): an embedding, whatever ends the network (an l2 Lambda)
    head = model.single_head()
    losses = [loss for compile_call in model.compiles for loss in compile_call.losses]
    if head is None or head.activation != "linear" or (head.units or 0) <= 1 or not losses or \
            any(loss.name is not None for loss in losses):
        return False
    metrics = [metric.name or "" for compile_call in model.compiles for metric in compile_call.metrics]
    return not any("acc" in name for name in metrics)


def _metric_learning(loss: Value | None) -> bool:
    """A metric-learning loss of a library (:data:`METRIC_LEARNING_LOSSES`), as a class instance or a function."""
    name = loss.cls if isinstance(loss, Instance) else loss.name if isinstance(loss, Symbol) else None
    return name in METRIC_LEARNING_LOSSES
