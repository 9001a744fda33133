"""Static shape inference: the per-sample output shape of each layer on a model's output path.

Rules such as "a Dense layer applied to an un-flattened convolutional feature map" need to know the
rank of the tensor each layer receives.  This module walks one output path of a model (the layers a
Sequential holds, or a functional model's chain from its ``keras.Input``) from the input shape the
script states (``keras.Input(shape=...)``, ``input_shape=``, ``input_dim=``) and applies each layer's
shape rule, read from a table keyed by layer class.

Shapes are per sample (the batch axis is left out), channels-last, and a dimension Keras itself
would only know at run time is ``None``.  Whatever this module cannot follow (a layer missing from
the table, an argument that is not a constant, ``data_format="channels_first"``, a merge of several
tensors) makes the shape unknown from that layer on: rules stay silent on unknown shapes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Optional

from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import PASS_THROUGH, Model
from kerassniff.semantic.values import CallArgs, Const, Seq, const_value, int_value

Dim = Optional[int]
Shape = tuple[Dim, ...]


@dataclass(frozen=True)
class ShapedLayer:
    """A layer with the per-sample shapes it receives and produces (None: unknown)."""

    layer: Layer
    input_shape: Shape | None
    output_shape: Shape | None


def model_input_shape(model: Model) -> Shape | None:
    """The per-sample input shape the script states for a model, or None.  A shape written with sizes the analysis
    does not know (``input_shape=(x_train.shape[1],)``) still gives the rank: each such size is None."""
    shape = _input_dim_shape(model)
    if shape is None:
        return _rank_only(model)
    dims = _dims(shape)
    if _looks_channels_first(dims):
        return (None,) * len(dims)  # (3, 32, 32): the rank holds in either layout, the sizes would not
    return dims


def _rank_only(model: Model) -> Shape | None:
    """``input_shape=(x_train.shape[1],)`` on a model's first layer: a tuple written out, of sizes not all known."""
    if model.input_shape is not None or not model.layers:
        return None
    written = model.layers[0].shape_args.get("input_shape")
    if not isinstance(written, Seq) or not written.items or written.kind != "tuple":
        return None
    return tuple(int_value(item) for item in written.items)


def _input_dim_shape(model: Model) -> tuple | None:
    """``Model.sample_shape``, with Keras 1/2's ``input_dim=`` read as the first layer reads it.

    ``input_dim`` is the feature axis of a Dense layer's ``(input_dim,)`` input, the last axis of a
    recurrent or Conv1D layer's ``(input_length, input_dim)`` input, and the *vocabulary size* of an
    Embedding, whose input is ``(input_length,)``.
    """
    shape = model.sample_shape()
    if shape is None or model.input_shape is not None or not model.layers:
        return shape
    first = model.layers[0]
    if any(first.shape_args.get(keyword) is not None for keyword in ("input_shape", "batch_input_shape")):
        return shape
    meaning = INPUT_DIM_MEANINGS.get(first.kind, "features")
    length = int_value(first.shape_args.get("input_length"))
    if meaning == "vocabulary":
        return (length,) if length else None
    if meaning == "steps":
        return (length or None,) + tuple(shape)
    return shape


# What ``input_dim=`` means on a model's first layer, where it is not the feature axis of a flat input.
INPUT_DIM_MEANINGS = {"Embedding": "vocabulary", "SimpleRNN": "steps", "LSTM": "steps", "GRU": "steps",
                      "Conv1D": "steps", "Convolution1D": "steps"}


def _dims(shape: tuple) -> Shape:
    return tuple(d if isinstance(d, int) and not isinstance(d, bool) and d > 0 else None for d in shape)


def _looks_channels_first(shape: tuple) -> bool:
    """An image shape with the channels first, as Theano-era scripts state it (often under a global
    ``set_image_dim_ordering("th")`` that a layer's own arguments do not show)."""
    dims = _dims(shape)
    return len(dims) >= 3 and dims[0] in (1, 3, 4) and dims[-1] is not None and dims[-1] > 4


def infer_path(path: tuple[Layer, ...] | list[Layer], input_shape: Shape | None) -> list[ShapedLayer]:
    """Each layer of ``path`` with its input and output shape, in order."""
    shaped: list[ShapedLayer] = []
    shape = input_shape
    for layer in path:
        output = layer_output_shape(layer, shape)
        shaped.append(ShapedLayer(layer, shape, output))
        shape = output
    return shaped


def one_value_per_input(model: Model) -> bool:
    """The model's output is one value per input, shape (inputs, 1): not a sequence of them (``LSTM(...,
    return_sequences=True)`` then ``Dense(1)``), a map (``Conv2D(1, 1)``) or a 1-unit layer reshaped after it, whose
    axis 1 is time or rows (what an argmax or a softmax over the last axis of its predictions runs over)."""
    paths = model_shapes(model)
    return len(paths) == 1 and bool(paths[0]) and paths[0][-1].output_shape == (1,)


def model_shapes(model: Model) -> list[list[ShapedLayer]]:
    """The shaped layers of each output path of a model, as far as it is known.

    An unknown layer (a custom layer, an unreadable sub-model) makes the shapes after it unknown until a
    layer whose output rank is fixed (a convolution, a pooling, Flatten) is met.
    """
    # a partly known functional graph's path may not start at its Input; a Sequential's always does
    start = model_input_shape(model) if model.structure_known or model.structure_kind == "sequential" else None
    paths = [infer_path(path, start) for path in model.head_paths()]
    if start is not None and all(d is None for d in start) and _looks_channels_first(model.sample_shape() or ()):
        # channels first: which axis holds the channels is not known either, only the rank
        paths = [[ShapedLayer(s.layer, _blank(s.input_shape), _blank(s.output_shape)) for s in path]
                 for path in paths]
    return paths


def _blank(shape: Shape | None) -> Shape | None:
    return None if shape is None else (None,) * len(shape)


def layer_output_shape(layer: Layer, shape: Shape | None) -> Shape | None:
    """The per-sample output shape of one layer given its input shape; None when not known.

    An unknown input still gives a known output *rank* for a layer that accepts one input rank only
    (Keras 3 checks ``ndim`` exactly: a Conv2D's input is (rows, cols, channels) per sample, so its
    output is (rows', cols', filters) whatever came before), and for Flatten or a Reshape to a constant
    target; the sizes Keras would compute from the input stay None.
    """
    return _form(layer)(layer, shape)


def _form(layer: Layer) -> Callable[[Layer, Shape | None], Shape | None]:
    """How a layer's output is computed: its layout, a wrapper, a nested model, or its own shape rule."""
    if _channels_first(layer.args):
        return _channels_first_output
    if layer.wrapper is not None:
        return WRAPPER_OUTPUTS.get(layer.wrapper, _wrapped_output)
    if layer.nested is not None:
        return _nested_output
    return _plain_output


def _channels_first_output(layer: Layer, shape: Shape | None) -> Shape | None:
    """The rank holds; the sizes are not computed for this layout."""
    placeholder = _placeholder_input(layer)
    if placeholder is None or layer.wrapper is not None or (shape is not None and len(shape) != len(placeholder)):
        return None
    output = _apply(layer, placeholder)
    return None if output is None else (None,) * len(output)


def _time_distributed_output(layer: Layer, shape: Shape | None) -> Shape | None:
    """The inner layer applied to each step of axis 1."""
    if shape is not None and not shape:
        return None
    inner = layer_output_shape(replace(layer, wrapper=None), None if shape is None else shape[1:])
    return None if inner is None else (shape[0] if shape else None,) + inner


def _wrapped_output(layer: Layer, shape: Shape | None) -> Shape | None:
    """Bidirectional: the inner layer's shape, with its (doubled) width."""
    inner = layer_output_shape(replace(layer, wrapper=None), shape)
    return None if not inner else inner[:-1] + (layer.units,)


WRAPPER_OUTPUTS = {"TimeDistributed": _time_distributed_output}


def _nested_output(layer: Layer, shape: Shape | None) -> Shape | None:
    """A model used as a layer: the output of its one path, when every layer of it is known."""
    nested = layer.nested
    if nested is None or nested.kind not in ("sequential", "functional") or not nested.structure_known:
        return None
    paths = nested.output_paths()
    if len(paths) != 1:
        return None
    shaped = infer_path(paths[0], shape)
    return shaped[-1].output_shape if shaped else shape


def _plain_output(layer: Layer, shape: Shape | None) -> Shape | None:
    if shape is None:
        shape = _placeholder_input(layer)
        if shape is None:
            return None
    if layer.kind in PASS_THROUGH_SHAPE:
        return shape
    return _apply(layer, shape)


def _apply(layer: Layer, shape: Shape) -> Shape | None:
    rule = SHAPE_RULES.get(layer.kind)
    if rule is None:
        return None
    try:
        return rule(layer.args, shape)
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None


def _placeholder_input(layer: Layer) -> Shape | None:
    """An all-unknown input of the one rank the layer accepts; None when its input rank is not fixed."""
    if layer.kind in ("Flatten", "Reshape"):
        return (None,)  # their output rank does not depend on the input's
    rank = INPUT_RANK.get(layer.kind)
    return None if rank is None else (None,) * rank


# -- the shape rules ---------------------------------------------------------------------------------
def _dense(args: CallArgs, shape: Shape) -> Shape | None:
    if not shape:
        return None
    units = int_value(args.get("units", 0)) or int_value(args.get("output_dim"))
    return shape[:-1] + (units,)  # the width may be unknown; the rank is the input's


def _ints(value: object, rank: int) -> tuple[int, ...] | None:
    """An int or a tuple of ints spread over ``rank`` spatial axes (Keras's normalize_tuple)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) * rank
    if isinstance(value, tuple) and len(value) == rank and all(isinstance(v, int) and not isinstance(v, bool)
                                                                for v in value):
        return value
    return None


def _spatial(size: Dim, kernel: int, stride: int, padding: str, dilation: int = 1) -> Dim:
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / stride)
    if padding in ("valid", "causal"):
        if padding == "causal":
            return math.ceil(size / stride)
        effective = (kernel - 1) * dilation + 1
        out = (size - effective) // stride + 1
        return out if out > 0 else None
    raise ValueError(padding)


def _padding(args: CallArgs) -> str | None:
    value = const_value(args.get("padding"), "valid")
    if value is None:
        value = const_value(args.get("border_mode"), "valid")  # Keras 1
    return value.lower() if isinstance(value, str) else None


def _conv(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1:
            return None
        filters = int_value(args.get("filters", 0))
        kernel = _ints(const_value(args.get("kernel_size", 1)), rank)
        strides = _ints(const_value(args.get("strides"), 1), rank)
        dilation = _ints(const_value(args.get("dilation_rate"), 1), rank)
        padding = _padding(args)
        if kernel is None or strides is None or dilation is None or padding is None:
            return (None,) * rank + (filters,)  # sizes unknown; the rank is the input's
        spatial = tuple(_spatial(size, k, s, padding, d) for size, k, s, d in zip(shape[:-1], kernel, strides, dilation))
        if any(d is None for d, size in zip(spatial, shape[:-1]) if size is not None):
            return None  # a kernel larger than its input: Keras raises; nothing to infer
        return spatial + (filters,)
    return rule


def _conv_transpose(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1 or args.get("output_padding") is not None:
            return None
        filters = int_value(args.get("filters", 0))
        kernel = _ints(const_value(args.get("kernel_size", 1)), rank)
        strides = _ints(const_value(args.get("strides"), 1), rank)
        padding = _padding(args)
        if filters is None or kernel is None or strides is None or padding not in ("same", "valid"):
            return None
        spatial = []
        for size, k, s in zip(shape[:-1], kernel, strides):
            if size is None:
                spatial.append(None)
            elif padding == "same":
                spatial.append(size * s)
            else:
                spatial.append(size * s + max(k - s, 0))
        return tuple(spatial) + (filters,)
    return rule


def _pool(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1:
            return None
        pool = _ints(const_value(args.get("pool_size", 0), 2), rank)
        given_strides = const_value(args.get("strides", 1))
        strides = pool if given_strides is None else _ints(given_strides, rank)
        padding = _padding(args)
        if pool is None or strides is None or padding is None:
            return None
        spatial = tuple(_spatial(size, p, s, padding) for size, p, s in zip(shape[:-1], pool, strides))
        return spatial + shape[-1:]
    return rule


def _global_pool(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1:
            return None
        if const_value(args.get("keepdims"), False):
            return (1,) * rank + shape[-1:]
        return shape[-1:]
    return rule


def _flatten(args: CallArgs, shape: Shape) -> Shape | None:
    if any(d is None for d in shape):
        return (None,)
    return (math.prod(shape),) if shape else (1,)


def _reshape(args: CallArgs, shape: Shape) -> Shape | None:
    target = const_value(args.get("target_shape", 0))
    if not isinstance(target, tuple) or not all(isinstance(d, int) and not isinstance(d, bool) for d in target):
        return None
    if target.count(-1) > 1:
        return None
    return _fill_inferred(target, shape) if -1 in target else target


def _fill_inferred(target: tuple[int, ...], shape: Shape) -> Shape | None:
    """The ``-1`` of a Reshape target: what is left of the input's size (None when a size is unknown)."""
    if any(d is None for d in shape):
        return tuple(None if d == -1 else d for d in target)
    known = math.prod(d for d in target if d != -1)
    total = math.prod(shape)  # type: ignore[arg-type]
    if known <= 0 or total % known:
        return None
    return tuple(total // known if d == -1 else d for d in target)


def _embedding(args: CallArgs, shape: Shape) -> Shape | None:
    output_dim = int_value(args.get("output_dim", 1))
    return None if output_dim is None else shape + (output_dim,)


def _recurrent(args: CallArgs, shape: Shape) -> Shape | None:
    units = int_value(args.get("units", 0))
    if units is None or len(shape) != 2:
        return None
    if const_value(args.get("return_sequences"), False):
        return (shape[0], units)
    return (units,)


def _repeat_vector(args: CallArgs, shape: Shape) -> Shape | None:
    n = int_value(args.get("n", 0))
    return None if n is None or len(shape) != 1 else (n,) + shape


def _upsampling(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1:
            return None
        size = _ints(const_value(args.get("size", 0), 2), rank)
        if size is None:
            return None
        return tuple(None if d is None else d * s for d, s in zip(shape[:-1], size)) + shape[-1:]
    return rule


def _pad_or_crop(rank: int, sign: int, keyword: str) -> Callable[[CallArgs, Shape], Shape | None]:
    """ZeroPadding (sign 1) and Cropping (sign -1): ``n``, ``(a, b)`` per axis, or ``((before, after), ...)``."""
    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        if len(shape) != rank + 1:
            return None
        value = const_value(args.get(keyword, 0), 1 if sign > 0 else 0)
        amounts = _pair_totals(value, rank)
        if amounts is None:
            return (None,) * rank + shape[-1:]
        spatial = tuple(None if d is None else d + sign * a for d, a in zip(shape[:-1], amounts))
        return None if any(d is not None and d <= 0 for d in spatial) else spatial + shape[-1:]
    return rule


def _pair_totals(value: object, rank: int) -> tuple[int, ...] | None:
    """The total padding or cropping per spatial axis, as Keras normalises the argument."""
    if _is_int(value):
        return (2 * value,) * rank  # type: ignore[operator]
    if not isinstance(value, tuple):
        return None
    if rank == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (value[0] + value[1],)  # 1D: (before, after)
    if len(value) != rank:
        return None
    totals = [_pair_total(item) for item in value]
    return None if None in totals else tuple(totals)  # type: ignore[arg-type]


def _pair_total(item: object) -> int | None:
    """One axis's total: ``n`` (n on each side) or ``(before, after)``."""
    if _is_int(item):
        return 2 * item  # type: ignore[operator]
    if isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, int) for v in item):
        return item[0] + item[1]
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _depthwise(rank: int) -> Callable[[CallArgs, Shape], Shape | None]:
    """DepthwiseConv: a convolution per channel, ``depth_multiplier`` outputs each."""
    conv = _conv(rank)

    def rule(args: CallArgs, shape: Shape) -> Shape | None:
        given = args.get("depth_multiplier", 3)  # (kernel_size, strides, padding, depth_multiplier, ...)
        multiplier = 1 if given is None else int_value(given)
        channels = None if not shape or shape[-1] is None or multiplier is None else shape[-1] * multiplier
        known = {"filters": Const(1)}
        for position, name in enumerate(("kernel_size", "strides", "padding")):
            value = args.get(name, position)
            if value is not None:
                known[name] = value
        if args.get("dilation_rate") is not None:
            known["dilation_rate"] = args.get("dilation_rate")  # type: ignore[assignment]
        spatial = conv(CallArgs(keywords=tuple(known.items())), shape)
        return None if spatial is None else spatial[:-1] + (channels,)
    return rule


# Layers whose output has the shape of their input.
PASS_THROUGH_SHAPE = (PASS_THROUGH - {"Flatten", "Reshape", "Permute", "RepeatVector"}) | {
    "Activation", "Softmax", "ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU",
    "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
    "Rescaling", "Normalization", "Masking",
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness",
}

SHAPE_RULES: dict[str, Callable[[CallArgs, Shape], Shape | None]] = {
    "Dense": _dense,
    "Conv1D": _conv(1), "Conv2D": _conv(2), "Conv3D": _conv(3),
    "Convolution1D": _conv(1), "Convolution2D": _conv(2), "Convolution3D": _conv(3),
    "SeparableConv1D": _conv(1), "SeparableConv2D": _conv(2),
    "Conv1DTranspose": _conv_transpose(1), "Conv2DTranspose": _conv_transpose(2),
    "Conv3DTranspose": _conv_transpose(3),
    "MaxPooling1D": _pool(1), "MaxPooling2D": _pool(2), "MaxPooling3D": _pool(3),
    "AveragePooling1D": _pool(1), "AveragePooling2D": _pool(2), "AveragePooling3D": _pool(3),
    "MaxPool1D": _pool(1), "MaxPool2D": _pool(2), "MaxPool3D": _pool(3),
    "AvgPool1D": _pool(1), "AvgPool2D": _pool(2), "AvgPool3D": _pool(3),
    "GlobalAveragePooling1D": _global_pool(1), "GlobalAveragePooling2D": _global_pool(2),
    "GlobalAveragePooling3D": _global_pool(3), "GlobalMaxPooling1D": _global_pool(1),
    "GlobalMaxPooling2D": _global_pool(2), "GlobalMaxPooling3D": _global_pool(3),
    "GlobalAvgPool1D": _global_pool(1), "GlobalAvgPool2D": _global_pool(2),
    "GlobalMaxPool1D": _global_pool(1), "GlobalMaxPool2D": _global_pool(2),
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Embedding": _embedding,
    "SimpleRNN": _recurrent, "LSTM": _recurrent, "GRU": _recurrent,
    "RepeatVector": _repeat_vector,
    "UpSampling1D": _upsampling(1), "UpSampling2D": _upsampling(2), "UpSampling3D": _upsampling(3),
    "ZeroPadding1D": _pad_or_crop(1, 1, "padding"), "ZeroPadding2D": _pad_or_crop(2, 1, "padding"),
    "ZeroPadding3D": _pad_or_crop(3, 1, "padding"), "Cropping1D": _pad_or_crop(1, -1, "cropping"),
    "Cropping2D": _pad_or_crop(2, -1, "cropping"), "Cropping3D": _pad_or_crop(3, -1, "cropping"),
    "DepthwiseConv1D": _depthwise(1), "DepthwiseConv2D": _depthwise(2),
}


def _input_ranks() -> dict[str, int]:
    """The per-sample input rank of each layer that accepts exactly one (Keras 3's ``InputSpec(ndim=...)``)."""
    ranks: dict[str, int] = {}
    for kind in SHAPE_RULES:
        digits = [c for c in kind if c.isdigit()]
        if len(digits) == 1 and kind[-1] == "D" and kind.startswith(_FIXED_RANK_FAMILIES):
            ranks[kind] = int(digits[0]) + 1
    ranks.update({"SimpleRNN": 2, "LSTM": 2, "GRU": 2, "RepeatVector": 1})
    return ranks


# Layer families whose input is (spatial..., channels) with as many spatial axes as the digit in their name.
_FIXED_RANK_FAMILIES = ("Conv", "Convolution", "SeparableConv", "DepthwiseConv", "MaxPool", "AveragePool", "AvgPool",
                        "GlobalMaxPool", "GlobalAveragePool", "GlobalAvgPool", "UpSampling", "ZeroPadding",
                        "Cropping")
INPUT_RANK = _input_ranks()


def _channels_first(args: CallArgs) -> bool:
    """``data_format="channels_first"``, or Keras 1's ``dim_ordering="th"``."""
    return const_value(args.get("data_format")) == "channels_first" or const_value(args.get("dim_ordering")) == "th"


def describe_shape(shape: Shape | None) -> str:
    """'(None, 26, 26, 32)' as Keras prints it (with the batch axis), or '?' when unknown."""
    if shape is None:
        return "?"
    return "(" + ", ".join(["None"] + ["None" if d is None else str(d) for d in shape]) + ")"
