"""Keras layers as the model records them: the hyper-parameters rules read of each kind (units or filters,
activation, kernel size, momentum, a constant input scale), wrappers read as their inner layer, and the layers
that stand in for what cannot be read (an unknown layer, a model used as a layer).

Split from :mod:`.keras`, which builds models and tensors from these layers.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic.knowledge.layers import (
    ACTIVATION_LAYERS,
    ACTIVATION_MODULES,
    RECURRENT_DEFAULT_ACTIVATION,
    UNIT_LAYERS,
    WRAPPER_LAYERS,
)
from kerassniff.semantic.layer_facts import UNKNOWN_LAYER, Layer, normalise_activation
from kerassniff.semantic.names import short
from kerassniff.semantic.syntax import lambda_scale
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    FunctionValue,
    LayerValue,
    ModelValue,
    Symbol,
    Value,
    const_value,
    int_value,
)


def make_layer(name: str, args: CallArgs, node: cst.Call) -> Layer:
    kind = short(name)
    if kind in WRAPPER_LAYERS:
        return unwrap(kind, name, args, node)
    layer = Layer(kind, name, node, args)
    reader = _layer_reader(kind)
    if reader is not None:
        reader(layer, args)
    return layer


def _layer_reader(kind: str) -> Callable[[Layer, CallArgs], None] | None:
    """Which hyper-parameters of a layer kind rules read."""
    if kind in UNIT_LAYERS:
        return _read_unit_layer
    if kind == "Activation":
        return _read_activation_layer
    if kind in ACTIVATION_LAYERS:
        return _read_named_activation
    if kind.startswith("BatchNormalization"):
        return _read_batchnorm
    if kind == "Rescaling":
        return _read_rescaling
    if kind == "Lambda":
        return _read_lambda
    return None


def _read_rescaling(layer: Layer, args: CallArgs) -> None:
    """Rescaling(scale, offset): the scale, when a constant between 0 and 1 (1 / 255)."""
    scale = const_value(args.get("scale", 0))
    if isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0 < scale < 1:
        layer.input_scale = float(scale)


def _read_lambda(layer: Layer, args: CallArgs) -> None:
    """Lambda(function): its constant factor when the function only scales its input (``lambda x: x / 255``)."""
    function = args.get("function", 0)
    if isinstance(function, FunctionValue):
        layer.input_scale = lambda_scale(function.node)


def _read_unit_layer(layer: Layer, args: CallArgs) -> None:
    """Dense, Conv, recurrent layers: width (units or filters, Keras 1 spellings too), activation, kernel."""
    kind = layer.kind
    width = args.get(UNIT_LAYERS[kind], 0)
    if width is None:
        width = args.get("nb_filter") or args.get("output_dim")
    layer.units = int_value(width)
    given = args.get("activation", 1 if kind == "Dense" else None)
    if given is None and args.open_keywords:
        layer.activation = None  # Conv2D(32, **conv_args): an activation may be in the dict kerassniff did not read
    elif given is None:
        layer.activation = RECURRENT_DEFAULT_ACTIVATION.get(kind, "linear")
    else:
        layer.activation = resolve_activation(given)
    if layer.is_conv or kind.endswith("Transpose"):
        layer.kernel_size = kernel_size(args, kind)


def _read_activation_layer(layer: Layer, args: CallArgs) -> None:
    layer.activation = resolve_activation(args.get("activation", 0) or UNKNOWN)


def _read_named_activation(layer: Layer, args: CallArgs) -> None:
    layer.activation = ACTIVATION_LAYERS[layer.kind]  # Softmax(), ReLU() ...


def _read_batchnorm(layer: Layer, args: CallArgs) -> None:
    given = args.get("momentum", 1)
    momentum = const_value(given)
    if isinstance(momentum, (int, float)) and not isinstance(momentum, bool):
        layer.momentum = float(momentum)
    else:
        layer.momentum = 0.99 if given is None else None  # Keras's default; a value not known


def unwrap(kind: str, name: str, args: CallArgs, node: cst.Call) -> Layer:
    """``TimeDistributed(Dense(10, activation="softmax"))`` is read as its inner layer, for every rule.

    ``Bidirectional`` concatenates both directions by default (twice the units); with another
    ``merge_mode`` the width is left unknown.
    """
    inner = args.get("layer", 0)
    if not isinstance(inner, LayerValue):
        return Layer(kind, name, node, args)  # the wrapped layer is unknown: so is this one
    layer = replace(inner.layer, wrapper=kind, wrapper_args=args)
    if kind == "Bidirectional":
        merge = args.get("merge_mode", 1)
        concat = merge is None or const_value(merge) == "concat"
        layer.units = 2 * layer.units if concat and layer.units is not None else None
    return layer


def unknown_layer(node: cst.CSTNode) -> Layer:
    """A layer or tensor operation kerassniff cannot read, kept in place so the layers after it still count."""
    return Layer(UNKNOWN_LAYER, "", node, CallArgs())


def kernel_size(args: CallArgs, kind: str) -> tuple[int, ...] | None:
    value = const_value(args.get("kernel_size", 1))
    if value is None:
        rows, cols = int_value(args.get("nb_row", 1)), int_value(args.get("nb_col", 2))
        if rows is not None and cols is not None:  # Keras 1: Convolution2D(filters, rows, cols)
            return (rows, cols)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if kind.startswith("Convolution") and len(args.positional) >= 3:
            cols = int_value(args.positional[2])  # Keras 1: Convolution2D(filters, rows, cols)
            if cols is not None:
                return (value, cols)
        return (value,)
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return value
    return None


def resolve_activation(value: Value) -> str | None:
    if isinstance(value, Const):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str):
            return normalise_activation(value.value)
        return None
    if isinstance(value, Symbol):
        name = value.name
        if name.startswith(ACTIVATION_MODULES):
            return normalise_activation(short(name))
        return None
    if isinstance(value, LayerValue):
        return value.layer.activation
    return None


def as_layer(value: Value) -> Layer | None:
    if isinstance(value, LayerValue):
        return value.layer
    if isinstance(value, ModelValue):
        model = value.model
        return Layer("Model", "keras.models.Model", model.node, CallArgs(), nested=model)
    return None
