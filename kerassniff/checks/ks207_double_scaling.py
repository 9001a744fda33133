"""KS207 double-scaling: 0-255 pixels scaled into [0, 1] twice on their way into the model, or once on their way into
a pretrained network whose weights expect 0-255 pixels.

The facts are the array's scaling steps (``x / 255``, ``ImageDataGenerator(rescale=1/255)``, a
``.map`` through ``Rescaling``) and the model's own input rescaling (a ``Rescaling(1/255)`` layer, or an
EfficientNetB0-B7, which always starts with one), or the range a pretrained ``keras.applications`` network's
``preprocess_input`` gives (VGG16: 0-255 less the ImageNet means).  The rule multiplies the known factors: only when
every step's factor is known and their product leaves the values a twentieth as wide as the network expects does it
speak.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerassniff.checks._shared import EVENT_WORDS, events, input_path_known, pretrained_network
from kerassniff.evidence import Measurements, Verdict, facts as facts_of, range_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Elsewhere, Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, Step
from kerassniff.semantic.links import model_links
from kerassniff.semantic.knowledge.layers import (
    AUGMENTATION_LAYERS,
    NORMALIZED_STEM_APPLICATIONS,
    PREPROCESSING_AFFINE,
    PREPROCESSING_MODES,
)
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import const_value

PIXEL_MAX = 255.0
TOO_SMALL = 0.05  # the spread of the inputs after scaling, below which they are squashed (times a preprocess_input's)
# preprocess_input's mode by the module that holds it (vgg16 -> caffe)
_PREPROCESS_MODE = {module: mode for mode, module in PREPROCESSING_MODES.values()}


@dataclass(frozen=True)
class Scaling:
    """One multiplication applied to the pixels, and where it happens."""

    factor: float
    node: cst.CSTNode
    description: str  # "divided by 255" for an array step; "EfficientNetB0, which ..." for the model's own
    in_model: bool = False
    offset: float = 0.0  # added after the multiplication (MobileNetV3's Rescaling(1/127.5, offset=-1))
    expects: float | None = None  # a preprocess_input: the spread of the values it gives 0-255 pixels
    # a preprocess_input: the (factor, offset) of each colour channel (caffe subtracts another mean from each);
    # ``factor`` and ``offset`` are the first channel's
    channels: tuple[tuple[float, float], ...] = ()
    network: str | None = None  # a preprocess_input: the module it belongs to (vgg16, mobilenet_v2)


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit = run.fit_for(finding.line)
    stats = (fit or {}).get("x")
    if not stats or stats.get("max") is None:
        return None
    expects = facts_of(finding).get("expects")
    if expects and stats.get("min") is not None:  # divided before a pretrained network that expects 0-255 pixels
        network = facts_of(finding).get("application")
        seen = f"fit() x is {range_text(stats)}; {network} expects a {expects:.3g}-wide range"
        return Verdict(stats["max"] - stats["min"] < TOO_SMALL * expects, seen)
    if stats["max"] < 0.05:
        return Verdict(True, f"fit() x is {range_text(stats)}")
    rescaled = ((fit or {}).get("probe") or {}).get("rescaled")
    if not rescaled:
        return None  # the arrays look right and the model has no Rescaling layer to measure after
    seen = (f"fit() x is {range_text(stats)}; after the model's Rescaling layer '{rescaled['layer']}' the "
            f"network sees {rescaled['min']:.3g}..{rescaled['max']:.3g}")
    return Verdict(True, seen) if rescaled["max"] < 0.05 else Verdict(None, seen)


@rule("KS207", "double-scaling", Severity.ERROR,
      "0-255 pixels divided by 255 twice (in the arrays, a generator, a Rescaling layer or the model itself), or "
      "once before a pretrained network that expects 0-255 pixels",
      "scale once: keep either the array division / rescale=1/255, or the model's Rescaling layer, not both",
      verdict=verdict, compares_values=True)
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        in_model = model_rescaling(model)
        network = pretrained_network(model)
        pretrained = network is not None
        # a network whose first BatchNormalization, trained, standardises each channel's response: a channel squeezed
        # by the means subtracted after a division is restored there (judged across channels, as before)
        per_channel = not (network in NORMALIZED_STEM_APPLICATIONS and not _frozen_somewhere(model))
        for event in events(script, model, "x"):
            data = event.data
            if not data.source.pixels or data.conditional:
                continue
            scalings = data_scalings(data)
            if scalings is None:
                continue
            scalings += in_model
            squeezed = _squeezed(scalings, pretrained, per_channel)
            if squeezed is None:
                continue
            low, high, preprocess = squeezed
            span, ending = _spread_words(scalings, low, high)
            expected = (f"the {preprocess.expects:.3g}-wide range {_network(preprocess)}'s preprocess_input gives "
                        f"0-255 pixels" if preprocess else
                        "[0, 1]" if not any(s.offset for s in scalings) else "the range the network expects")
            first, second = scalings[0], scalings[1]
            # the fix is to drop an array step: point at the second one, or at the first when the model scales
            where = first if second.in_model else second
            # a step in an imported helper module: reported at the call it reaches (the helper's own run cannot
            # see this model), the step named by where it is
            node = where.node if script.position(where.node) is not None else event.call_node
            if (id(node), id(where.node)) in reported:
                continue
            reported.add((id(node), id(where.node)))
            if node is not where.node:  # "'x' is divided by 255 (helpers.py line 7) and divided by 255 again"
                again = f"by {second.description}" if second.in_model else f"{second.description} again"
                message = f"{data.label} is {first.description} ({{first}}) and {again}"
            elif first.in_model and second.in_model:  # two of the model's own: its Rescaling and a network's
                message = f"{first.description} and {second.description} ({{scaled}}) both scale {data.label}"
            elif second.in_model:
                model_text = f"{second.description} ({{scaled}})"
                message = f"{data.label} is {first.description} here and again by {model_text}"
            else:
                message = f"{data.label} is {second.description} after being {first.description} ({{scaled}})"
            fix = (f"scale once: {_network(preprocess)}'s preprocess_input already prepares 0-255 pixels for the "
                   f"network, so drop the other scaling" if preprocess else None)
            yield Report(
                node,
                f"{message}: {span}",
                fix,
                explanation=(
                    f"{data.label} holds 0-255 pixels (from {data.source.description}); "
                    + ", then ".join(s.description for s in scalings)
                    + f", which leaves the values reaching {EVENT_WORDS[event.kind]} {ending} instead "
                    f"of {expected}. The network still trains, but on inputs squeezed hundreds of times closer "
                    f"together than its weights expect: learning is slow and accuracy lower, with no error anywhere."),
                mentions={"scaled": second.node if second.in_model else first.node, "first": first.node})
        yield from _narrowed_for_pretrained(script, model, in_model, reported)


def _narrowed_for_pretrained(script: Script, model: Model, in_model: list[Scaling], reported: set):
    """Pixels divided by 255 (in the arrays or a generator) on their way into a pretrained network whose weights
    were trained on what its preprocess_input makes of 0-255 pixels, with nothing in the model scaling them: VGG's
    and ResNet's [-124, 152] ("caffe") is 255 times wider than [0, 1]. ("tf" networks' [-1, 1] and DenseNet's
    standardised pixels are 2 to 5 times wider than [0, 1]: not a twentieth, not reported.)"""
    network = pretrained_network(model)
    if network is None or not input_path_known(model) or \
            model.scales_inputs_besides(frozenset(id(scaling.node) for scaling in in_model), look_inside=True):
        return  # (a scaling in the model that is not read: a Normalization, a Lambda doing more than scale)
    if network in NORMALIZED_STEM_APPLICATIONS and not _frozen_somewhere(model):
        return  # trained unfrozen, its first BatchNormalization standardises the first convolution: the factor cancels
    mode, module = PREPROCESSING_MODES[network]
    expects = PIXEL_MAX * PREPROCESSING_AFFINE[mode][0][0]
    arrays = events(script, model, "x")
    # fit()'s arrays; validation or test data when fit()'s are not known (when they are, a split scaled otherwise
    # is KS201's finding)
    for event in [e for e in arrays if e.kind == "fit"] or arrays:
        data = event.data
        scalings = data_scalings(data) if data.source.pixels and not data.conditional else None
        if scalings is None:
            continue
        scalings += in_model  # the model's own Rescaling(1/255) in front of the network narrows the pixels as well
        if not scalings or any(s.expects is not None for s in scalings):
            continue  # unscaled anywhere (KS202's), or through a preprocess_input (the double scaling above)
        low, high = pixel_range(scalings)
        if high - low >= TOO_SMALL * expects:
            continue
        first = scalings[0]
        node = first.node if script.position(first.node) is not None else event.call_node
        if (id(node), id(first.node)) in reported:
            return
        reported.add((id(node), id(first.node)))
        span = _span(low, high)
        message = (f"{data.label} is {first.description} before the pretrained {network}, which expects 0-255 pixels"
                   if not first.in_model else
                   f"{first.description} scales {data.label} to {span} before the pretrained {network}: it expects 0-255")
        fix = (f"drop the division by 255 and pass the pixels through keras.applications.{module}.preprocess_input "
               f"(for a generator: ImageDataGenerator(preprocessing_function=preprocess_input))" if not first.in_model
               else f"replace the Rescaling layer by keras.applications.{module}.preprocess_input on the inputs (in the "
                    f"pipeline, or in the model before {network})")
        yield Report(
            node, message, fix,
            explanation=(f"{data.label} holds 0-255 pixels (from {data.source.description}); "
                         + ", then ".join(f"scaled by {s.description}" if s.in_model else s.description
                                          for s in scalings)
                         + f", which leaves the values reaching {EVENT_WORDS[event.kind]} ({{call}}) in {span}. "
                         f"{network}'s ImageNet weights were trained on what its preprocess_input makes of the "
                         f"pixels, 0-255 less the ImageNet channel means ({expects:.3g} wide): its filters see inputs "
                         f"hundreds of times weaker than they were learned on, so the pretrained features transfer "
                         f"worse and accuracy is lower, with no error anywhere."),
            mentions={"call": event.call_node},
            facts={"application": network, "mode": mode, "expects": expects})
        return


def _frozen_somewhere(model: Model, seen: frozenset[int] = frozenset()) -> bool:
    """Whether the script sets ``trainable = False`` on the model, a model inside it, or their layers (a frozen
    base's BatchNormalization layers run on their ImageNet statistics, so the input's scale reaches the features)."""
    if id(model) in seen:
        return False
    if any(change.attribute == "trainable" and const_value(change.value) is False for change in model.attribute_sets):
        return True
    return any(layer.nested is not None and _frozen_somewhere(layer.nested, seen | {id(model)})
               for layer in model.all_layers())


def pixel_range(scalings: list[Scaling]) -> tuple[float, float]:
    """Where 0-255 pixels end after the scalings, in order: the lowest and highest value of any colour channel
    (caffe's preprocess_input leaves blue in [-104, 151] and red in [-124, 131])."""
    ranges = _channel_ranges(scalings)
    return min(low for low, _ in ranges), max(high for _, high in ranges)


def pixel_spread(scalings: list[Scaling]) -> float:
    """How wide one colour channel's values are after the scalings (the widest channel): what the network's first
    layer can tell apart.  Pixels divided by 255 and then through caffe's preprocess_input span [-124, -123] in red
    and [-104, -103] in blue: 1 wide each, though together they reach from -124 to -103."""
    return max(high - low for low, high in _channel_ranges(scalings))


def _channel_ranges(scalings: list[Scaling]) -> list[tuple[float, float]]:
    count = max((len(scaling.channels) for scaling in scalings), default=0) or 1
    ranges = []
    for channel in range(count):
        low, high = 0.0, PIXEL_MAX
        for scaling in scalings:
            factor, offset = scaling.channels[channel] if scaling.channels else (scaling.factor, scaling.offset)
            low, high = sorted((low * factor + offset, high * factor + offset))
        ranges.append((low, high))
    return ranges


def _network(preprocess: Scaling) -> str:
    return preprocess.network or "the network"


def _preprocessing(family: str, node: cst.CSTNode, in_model: bool = False) -> Scaling | None:
    """A keras.applications ``preprocess_input`` of module ``family``: an affine map of 0-255 pixels of known mode
    (per colour channel); None for a module whose mode is not known."""
    mode = _PREPROCESS_MODE.get(family)
    if mode is None:
        return None
    channels = PREPROCESSING_AFFINE[mode]
    factor, offset = channels[0]
    description = "the model's preprocess_input" if in_model else f"preprocessed for {family}"
    return Scaling(factor, node, description, in_model=in_model, offset=offset, expects=PIXEL_MAX * factor,
                   channels=channels, network=family)


def data_scalings(data: Data) -> list[Scaling] | None:
    """The multiplications applied to an array, in order; None when any scaling step is not a known factor."""
    scalings = []
    for step in data.steps:
        if not step.is_scaling or step.kind == "shift":
            continue
        if step.kind == "preprocess":  # a keras.applications preprocess_input: an affine map of known mode
            preprocessing = _preprocessing(step.detail, step.node)
            if preprocessing is None:
                return None
            scalings.append(preprocessing)
            continue
        factor = _factor(step)
        if factor is None:
            return None
        if factor != 1.0:
            scalings.append(Scaling(factor, step.node, _describe_step(step)))
    return scalings


def _squeezed(scalings: list[Scaling], pretrained: bool,
              per_channel: bool = True) -> tuple[float, float, Scaling | None] | None:
    """Where two or more scalings leave 0-255 pixels (low, high, and the preprocess_input whose range a pretrained
    network expects, if any) when that spread is below a twentieth of the one the network expects: what its
    preprocess_input gives 0-255 pixels, else [0, 1]'s (only a pretrained network expects its preprocess_input's
    range: a network trained from scratch is fine with its [-0.49, 0.59] after a division by 255); None otherwise.
    The spread is one colour channel's (:func:`pixel_spread`), or with ``per_channel`` False all channels' together."""
    if len(scalings) < 2:
        return None
    preprocess = next((s for s in reversed(scalings) if s.expects is not None), None) if pretrained else None
    low, high = pixel_range(scalings)
    spread = pixel_spread(scalings) if per_channel else high - low
    if spread >= TOO_SMALL * (preprocess.expects if preprocess else 1.0):
        return None
    return low, high, preprocess


@across_scripts("KS207")
def check_across(scripts: list[Script]):
    """The same across scripts: a script that loads a model another one saved, whose graph scales its own inputs (a
    ``Rescaling(1/255)`` layer, ``preprocess_input`` on its input tensor, an EfficientNet), and scales the pixels it
    gives that model as well (``/ 255``, the network's ``preprocess_input``).  One finding per scaling step."""
    reported: set[int] = set()
    for link in model_links(scripts):
        in_model = model_rescaling(link.trained)
        if not in_model or not _trained_on_raw_pixels(link.trainer, link.trained):
            continue
        pretrained = pretrained_network(link.trained) is not None
        for event in events(link.user, link.loaded, "x"):
            data = event.data
            scalings = data_scalings(data) if data.source.pixels and not data.conditional else None
            if not scalings or id(scalings[-1].node) in reported:
                continue
            squeezed = _squeezed(scalings + in_model, pretrained)
            if squeezed is None:
                continue
            reported.add(id(scalings[-1].node))
            yield link.user, _report_elsewhere(link, event, scalings, in_model[0], squeezed)


def _trained_on_raw_pixels(trainer: Script, model: Model) -> bool:
    """Whether the trainer gave the model 0-255 pixels, scaled by nothing but the model itself: then a scaling in the
    loading script is one the model never saw.  (A trainer that scales them too has the double scaling itself, this
    rule's finding there; a loader that copies it matches its training, and one that does not is KS203's.)"""
    fitted = [event.data for event in events(trainer, model, "x", ("fit",)) if event.data.source.pixels]
    return bool(fitted) and all(not data.conditional and data_scalings(data) == [] for data in fitted)


def _report_elsewhere(link, event, scalings: list[Scaling], own: Scaling,
                      squeezed: tuple[float, float, Scaling | None]) -> Report:
    low, high, preprocess = squeezed
    data, last = event.data, scalings[-1]
    trainer = link.trainer.file_name
    span, ending = _spread_words(scalings + [own], low, high)
    applied = f"{own.network}'s preprocess_input" if own.network else own.description.removeprefix("the model's ")
    fix = f"drop this scaling: the model {trainer} saved already applies {applied} to 0-255 pixels"
    return Report(last.node, f"{data.label} is {last.description} here and again in {trainer}'s model ({{scaled}}): "
                             f"{span}", fix,
                  explanation=(f"{data.label} holds 0-255 pixels (from {data.source.description}); "
                               + ", then ".join(s.description for s in scalings)
                               + f", then {own.description}, which {link.trainer.path} built into the model it saved "
                               f"and this script loads: the values reaching {EVENT_WORDS[event.kind]} end "
                               f"{ending}"
                               + (f" instead of the {preprocess.expects:.3g}-wide range {_network(preprocess)}'s "
                                  f"preprocess_input gives 0-255 pixels" if preprocess else " instead of [0, 1]")
                               + ". The model answers all but the same for every input, with no error anywhere."),
                  facts={"trainer": link.trainer.path},
                  mentions={"scaled": Elsewhere(own.node, link.trainer.describe)})


def model_rescaling(model: Model, seen: frozenset[int] = frozenset()) -> list[Scaling]:
    """The input rescaling a model applies itself: Rescaling layers with a known scale, a keras.applications network
    that scales its input (EfficientNet; EfficientNetV2, ConvNeXt, MobileNetV3 unless include_preprocessing=False)."""
    if id(model) in seen:
        return []
    built_in = model.application.built_in_scaling if model.application is not None else None
    if built_in is not None:
        factor, offset, what = built_in
        return [Scaling(factor, model.node, f"{model.application.name}'s own {what}", in_model=True, offset=offset)]
    scalings = []
    for layer in model.all_layers():
        factor = layer.input_scale
        if factor is not None and (layer.kind != "Lambda" or model.before_learning(layer)):
            # (a Lambda at the input: not a residual branch's scaling after a convolution)
            scalings.append(Scaling(factor, layer.node, f"the model's {layer.kind} layer", in_model=True))
        in_graph = _preprocessing_in_graph(model, layer)
        if in_graph is not None:
            scalings.append(in_graph)
        if factor is None and layer.nested is not None and model.before_any_network(layer):
            scalings += model_rescaling(layer.nested, seen | {id(model)})  # (not a head after the network)
    return scalings


def _preprocessing_in_graph(model: Model, layer) -> Scaling | None:
    """``x = preprocess_input(inputs)`` in a functional model, on the inputs as given (only layers that move, crop or
    resize pixels before it: :data:`_PIXEL_KEEPING`): the model prepares its own pixels, as the network's
    preprocess_input would outside it.  Not after anything that may change their scale (``Rescaling(255.0)``,
    ``inputs * 255.0``, a custom layer): what reaches it is not known."""
    name = layer.qualname
    if layer.kind != "Lambda" or not name.startswith("keras.applications.") or not name.endswith(".preprocess_input") \
            or name.count(".") != 3:
        return None
    paths = [path for path in model.head_paths() if any(step is layer for step in path)]
    before = [step for path in paths for step in path[:[id(s) for s in path].index(id(layer))]]
    if not paths or not all(_keeps_pixels(step) for step in before):
        return None
    return _preprocessing(name.split(".")[2], layer.node, in_model=True)


def _keeps_pixels(layer, depth: int = 0) -> bool:
    """A layer that moves, crops or resizes pixels and keeps their scale, or a model made only of such layers (an
    augmentation pipeline used as a layer)."""
    nested = layer.nested
    if nested is None:
        return layer.kind in _PIXEL_KEEPING
    return depth < 3 and nested.structure_known and nested.complete and bool(nested.layers) and \
        all(_keeps_pixels(inner, depth + 1) for inner in nested.layers)


# Layers between a model's input and its own preprocess_input that keep the pixels' scale.
_PIXEL_KEEPING = AUGMENTATION_LAYERS | {"InputLayer", "Resizing", "Cropping2D", "ZeroPadding2D"}


def _spread_words(scalings: list[Scaling], low: float, high: float) -> tuple[str, str]:
    """Where the pixels end, for the message ("inputs in [-1, -0.99]") and for the explanation, after "the values
    reaching fit()" ("in [-1, -0.99]"); "each colour channel 1 wide" when the channels end far apart but each of them
    narrow (divided by 255, then caffe's means subtracted)."""
    spread, span = pixel_spread(scalings), _span(low, high)
    if high - low > 2 * spread:
        channels = f"each colour channel {spread:.2g} wide, in {span}"
        return channels, f"with {channels}"
    return f"inputs in {span}", f"in {span}"


def _span(low: float, high: float) -> str:
    """A range in two significant digits, or four where two would print one number twice ([-2.118, -2.101], not
    [-2.1, -2.1])."""
    if min(abs(low), abs(high)) >= 10:  # (caffe's channels: [-124, -103], not [-1.2e+02, -1e+02])
        return f"[{low:.0f}, {high:.0f}]"
    digits = 2 if f"{low:.2g}" != f"{high:.2g}" else 4
    return f"[{low:.{digits}g}, {high:.{digits}g}]"


def _factor(step: Step) -> float | None:
    if step.kind != "scale" or _is_dtype_conversion(step.node):
        return None if step.kind != "scale" else 1.0
    detail = step.detail
    try:
        if detail.startswith("/") and not detail.startswith("//"):
            return 1 / float(detail[1:].split("+")[0].split("-")[0])
        if detail.startswith("*"):
            return float(detail[1:])
    except (ValueError, ZeroDivisionError):
        return None
    return None


def _is_dtype_conversion(node: cst.CSTNode) -> bool:
    """tf.image.convert_image_dtype scales only integer images, so it proves nothing about float arrays."""
    return isinstance(node, cst.Call) and isinstance(node.func, (cst.Attribute, cst.Name)) and \
        (node.func.attr.value if isinstance(node.func, cst.Attribute) else node.func.value) == "convert_image_dtype"


def _describe_step(step: Step) -> str:
    amount = f"1{step.detail}" if step.detail.startswith("/") else step.detail[1:]
    if isinstance(step.node, cst.Call):
        return f"rescaled by {amount}"
    return f"divided by {step.detail[1:]}" if step.detail.startswith("/") else f"multiplied by {amount}"
