"""Each layer's shape rule: its per-sample output shape from its arguments and its input's shape (channels-last,
the batch axis left out, None for what Keras knows only at run time), in a table keyed by layer class.  A rule
returns None for what it cannot follow; :mod:`kerassniff.semantic.shapes` walks a model's layers with them."""
from __future__ import annotations

import math
from typing import Callable, Optional

from kerassniff.semantic.models import PASS_THROUGH
from kerassniff.semantic.values import CallArgs, Const, const_value, int_value

Dim = Optional[int]
Shape = tuple[Dim, ...]


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
