"""KS202 unscaled-input (seeds 002 and 004)."""
from __future__ import annotations

from kerassniff.checks._shared import events, input_path_known, pretrained_network, trainer_name
from kerassniff.evidence import Measurements, Verdict, range_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent, Step, data_of
from kerassniff.semantic.knowledge.layers import NORMALIZED_STEM_APPLICATIONS, PREPROCESSING_MODES
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import const_value

# Layers that pass inputs on without weights: a normalisation right after them sees the raw inputs.
PASS_THROUGH_LAYERS = frozenset(
    "Flatten Reshape InputLayer Permute Dropout GaussianNoise SpatialDropout1D SpatialDropout2D "
    "ZeroPadding2D Cropping2D RandomFlip RandomRotation RandomZoom RandomTranslation RandomCrop RandomBrightness "
    "RandomContrast RandomHeight RandomWidth Resizing CenterCrop".split())
BOUNDED_ACTIVATIONS = frozenset({"sigmoid", "tanh", "softmax", "hard_sigmoid", "softsign"})
NORMALIZATION_LAYERS = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit = run.at(finding.line, "fit") or run.fit_for(finding.line)
    if not fit or not fit.get("x"):
        return None
    raw = fit["x"]["max"] > 2.0
    return Verdict(raw, f"fit() x is {range_text(fit['x'])}")


@rule("KS202", "unscaled-input", Severity.WARNING,
      "raw 0-255 pixel data reaches fit() with no scaling anywhere",
      "divide by 255 (x = x.astype('float32') / 255), use ImageDataGenerator(rescale=1/255), "
      "or add keras.layers.Rescaling(1/255) as the model's first layer", verdict=verdict, compares_values=True)
def check(script: Script):
    for model in script.models:
        if not input_path_known(model) or model.scales_inputs or _normalizes_inputs(model):
            continue  # a model we cannot see into may rescale its inputs itself
        for event in events(script, model, "x", ("fit",)):
            data = event.data
            multiplied = _multiplied_pixels(data)
            if multiplied is not None:
                yield _pixels_multiplied(event.call_node, data, multiplied, trainer_name(script, event.call_node))
                break
            if not data.raw_pixels or any(step.kind == "scale" for step in data.steps):
                continue
            if _reproduces_raw_inputs(script, event) and _outputs_unbounded(model):
                continue
            pretrained = pretrained_network(model)
            if pretrained is not None:
                yield _without_preprocess_input(event.call_node, data, pretrained)
                break
            yield _raw_pixels(event.call_node, data, trainer_name(script, event.call_node),
                              "training may stall near chance", "")
            break
        else:
            yield from _raw_pixels_in_training_calls(model)


def _raw_pixels_in_training_calls(model: Model):
    """A hand-written training loop: ``model(x_batch, training=True)`` on raw pixels (reported once per model)."""
    if model.weightless:
        return  # an augmentation pipeline called with training=True: nothing in it is trained
    for call in model.inferences:
        data = data_of(call.x)
        if call.method != "__call__" or const_value(call.args.get("training")) is not True or data is None or \
                not data.raw_pixels or any(step.kind == "scale" for step in data.steps):
            continue
        if _outputs_unbounded(model) and not any("crossentropy" in (loss.name or "") for loss in model.loss_calls):
            return  # no classification loss seen: perhaps an autoencoder asked for the 0-255 values themselves
        pretrained = pretrained_network(model)
        if pretrained is not None:
            yield _without_preprocess_input(call.node, data, pretrained)
        else:
            yield _raw_pixels(call.node, data, f"{model.name or 'the model'}(..., training=True)",
                              "training may stall", ", before this training step of a hand-written loop")
        return


def _raw_pixels(node, data, where: str, consequence: str, when: str) -> Report:
    """Raw pixels reaching a training step (``where``: fit(), or a hand-written loop's model call)."""
    return Report(node, f"{data.label} reaches {where} as raw 0-255 pixels that nothing scales: {consequence}",
                  explanation=(f"The pixels come from {data.source.description} ({{source}}) and nothing scales them, "
                               f"in the arrays or in the model{when}: inputs hundreds of times larger than the initial "
                               f"weights expect saturate activations, so training is slow or stuck near chance "
                               f"accuracy."),
                  mentions={"source": data.source.node})


# Above what raw pixels reach (255) with room for a shift: values a division by 255 cannot have made.
_BEYOND_PIXELS = 256.0


def _multiplied_pixels(data) -> tuple[float, Step] | None:
    """Pixels scaled up instead of down (``rescale=1/.255``, a typo of ``1./255`` that multiplies by 3.92;
    ``x * 255``): the largest value they can now have and the step that multiplied them, when every value step on
    them is a known constant (:meth:`~kerassniff.semantic.dataflow.Data.value_range`) and the values exceed 255."""
    if not data.source.pixels or data.source.may_be_unit_range:
        return None
    rng = data.value_range
    if rng is None or max(abs(rng[0]), abs(rng[1])) <= _BEYOND_PIXELS:
        return None
    multiplying = [step for step in data.steps if step.kind == "scale" and step.detail.startswith("*")]
    return (max(abs(rng[0]), abs(rng[1])), multiplying[-1]) if multiplying else None


def _pixels_multiplied(node, data, multiplied: tuple[float, Step], where: str) -> Report:
    high, step = multiplied
    factor = f"{float(step.detail[1:]):.3g}"
    typo = " (1/.255 is 3.92: a typo of 1./255)" if factor == "3.92" else ""
    return Report(node, f"{data.label} reaches {where} as pixels multiplied by {factor} (up to {high:.0f}): "
                        f"training may stall",
                  "divide the pixels by 255 (rescale=1./255, x / 255): a factor above 1 multiplies them",
                  explanation=(f"The pixels come from {data.source.description} ({{source}}) in 0-255, and {{step}} "
                               f"multiplies them by {factor}{typo} where a scaling to 0-1 divides them by 255: the "
                               f"model sees values up to {high:.0f} instead of 0-1, far larger than the initial "
                               f"weights expect, so activations saturate and training is slow or stuck near chance "
                               f"accuracy."),
                  mentions={"source": data.source.node, "step": step.node}, facts={"factor": factor, "max": high})


# What each preprocessing mode does to the pixels, and so what raw pixels get wrong (PREPROCESSING_MODES).
_MODE_STORIES = {
    "caffe": ("BGR pixels less the ImageNet channel means", "The scale is right, but each channel is off centre by its "
              "ImageNet mean (104 to 124){swapped}"),
    "tf": ("pixels scaled to -1..1", "Raw 0-255 pixels are up to 255 times larger than the inputs its filters and "
           "BatchNormalization statistics were learned on"),
    "torch": ("pixels scaled to 0-1, less the ImageNet channel means, over their standard deviations",
              "Raw 0-255 pixels are about 60 to 100 times larger than the standardised inputs it was trained on"),
}


def _without_preprocess_input(node, data, network: str) -> Report:
    """Raw pixels into a network with ImageNet weights: it expects what its preprocess_input makes of them.  Every
    preprocess_input takes RGB pixels (caffe's turns them into BGR itself), so BGR pixels (OpenCV's) are converted
    first in the fix, and the explanation says which channels are swapped as the pixels are."""
    mode, module = PREPROCESSING_MODES[network]
    expected, wrong = _MODE_STORIES[mode]
    order = data.source.color if data.source.color in ("rgb", "bgr") else None  # (as read, or as a conversion left it)
    if mode == "caffe":  # (the network learnt BGR: raw RGB pixels have red and blue swapped, raw BGR ones do not)
        wrong = wrong.format(swapped="" if order == "bgr" else " and red and blue are swapped" if order == "rgb" else
                             " and, for RGB images, red and blue are swapped")
    elif order == "bgr":  # (the network learnt RGB)
        wrong += ", and red and blue are swapped (the network learnt RGB)"
    convert = "convert the images to RGB (cv2.cvtColor(image, cv2.COLOR_BGR2RGB)), then " if order == "bgr" else ""
    return Report(node, (
        f"{data.label} reaches the pretrained {network} as raw pixels, without its preprocess_input"),
        f"{convert}pass the images through keras.applications.{module}.preprocess_input (for a generator: "
        f"ImageDataGenerator(preprocessing_function=preprocess_input))" + ("; do not divide by 255" if mode == "caffe"
                                                                          else ""),
        explanation=(f"{network}'s ImageNet weights were trained on what its preprocess_input makes of RGB pixels: "
                     f"{expected} (the pixels from {{source}} are {order.upper() + ', ' if order else ''}0-255 here). "
                     f"{wrong}, so "
                     f"the pretrained features are computed on inputs unlike those they were learned from and transfer "
                     f"worse."),
        mentions={"source": data.source.node}, facts={"application": network, "mode": mode})


def _normalizes_inputs(model: Model) -> bool:
    """A normalisation layer before any non-linearity makes the model blind to the input scale.

    ``BatchNormalization`` first standardises the raw inputs; after one linear layer (``Dense(100)``,
    ``Conv2D(32, 3)`` with no activation) it divides that layer's output by its spread, which cancels any
    factor on the inputs.
    """
    if model.application is not None:
        return _normalizing_stem(model)
    paths = model.output_paths()
    return bool(paths) and all(_normalized_path(path) for path in paths)


def _normalizing_stem(model: Model) -> bool:
    """A keras.applications network trained from scratch (weights=None) whose first convolution is followed at once by
    BatchNormalization (NORMALIZED_STEM_APPLICATIONS): blind to the input scale."""
    app = model.application
    return app is not None and app.random_init and app.name in NORMALIZED_STEM_APPLICATIONS


def _normalized_path(path) -> bool:
    linear_seen = False
    for layer in path:
        if layer.kind in PASS_THROUGH_LAYERS:
            continue
        if layer.kind.startswith(NORMALIZATION_LAYERS) or (layer.nested is not None and
                                                             _normalizing_stem(layer.nested)):
            return True
        if linear_seen or layer.units is None or layer.activation != "linear":
            return False
        linear_seen = True
    return False


def _outputs_unbounded(model: Model) -> bool:
    """Every output can produce values like 255 (linear, relu ...): not squashed into (0, 1) or (-1, 1)."""
    heads = model.heads()
    return bool(heads) and all(h is not None and h.activation is not None and h.activation not in BOUNDED_ACTIVATIONS
                               for h in heads)


def _reproduces_raw_inputs(script: Script, event: DataEvent) -> bool:
    """fit(x, x): the targets are the same raw pixels; with an unbounded output the 0-255 scale is the task's."""
    return any(other.call_node is event.call_node and other.role == "y" and _same_values(other.data, event.data)
               for other in script.data_events)


def _same_values(a, b) -> bool:
    """One array under two names: the same object, or copies made of it by binding names (``for images, targets in
    pairs:`` of a Sequence returning ``(images, images)``), which keep its source, steps and node."""
    return a is b or (a.source is b.source and a.node is b.node and a.steps == b.steps)
