"""Layers, the ``keras.applications`` networks a script builds, and the output head read from a path of layers.

A :class:`Layer` records the few hyper-parameters rules reason about (units or filters, activation, kernel size,
momentum); everything else stays in ``args``.  The output head of a path (:func:`head_of`) is its last layer with
units and the activation applied after it: what the loss meets.  Kept apart from :mod:`kerassniff.semantic.models`,
which builds on them (a model is its layers, its heads and the calls it records).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

import libcst as cst

from kerassniff.semantic.knowledge.layers import (
    ACTIVATION_LAYERS,
    ACTIVATION_SYNONYMS,
    BATCHNORM_APPLICATIONS,
    BATCHNORM_LAYERS,
    BUILT_IN_SCALING,
    CONV_LAYERS,
    FEATURE_LAYER_PREFIXES,
    FEATURE_LAYERS,
    NORMALIZATION_LAYERS,
    PASS_THROUGH,
    POOLING_LAYERS,
    SELF_SCALING_APPLICATIONS,
    TRAINING_NOISE_LAYERS,
    UNIT_LAYERS,
)
from kerassniff.semantic.names import short
from kerassniff.semantic.pyvalues import CallArgs, Const, Value, const_value, str_value

# Stands for a layer (or tensor operation) kerassniff cannot read: a custom layer, an unknown object.
UNKNOWN_LAYER = "Unknown"


class NestedModel(Protocol):
    """What is read of a model used as a layer (a :class:`kerassniff.semantic.models.Model`, which builds on this
    module and so is not named here)."""

    kind: str
    layers: list[Layer]
    application: Application | None

    @property
    def has_batchnorm(self) -> bool: ...

    def fresh_batchnorm(self) -> tuple[str, float] | None: ...

    def single_head(self) -> OutputHead | None: ...


@dataclass(eq=False)
class Layer:
    kind: str  # short class name: "Dense"
    qualname: str  # canonical: "keras.layers.Dense"
    node: cst.CSTNode = field(repr=False)
    args: CallArgs
    units: int | None = None  # units or filters, when known
    activation: str | None = None  # normalised name; None when unknown
    kernel_size: tuple[int, ...] | None = None
    momentum: float | None = None  # BatchNormalization only
    nested: NestedModel | None = None  # a model used as a layer
    wrapper: str | None = None  # "TimeDistributed" / "Bidirectional" when this is the wrapped inner layer
    copied: bool = False  # stands for a network's layers added one by one: pop() takes only the last of them
    wrapper_args: CallArgs | None = None  # the wrapper's own arguments (Bidirectional(LSTM(8), input_shape=...))
    # the constant factor (0-1) it multiplies its input by, when it only scales: Rescaling(1 / 255), Lambda(lambda x: x / 255)
    input_scale: float | None = None

    @property
    def name(self) -> str | None:
        """The ``name=`` given to the layer, when it is a constant (Keras matches dict losses to it)."""
        return str_value(self.args.get("name"))

    @property
    def shape_args(self) -> CallArgs:
        """The arguments that may state a model's input shape (input_shape=, input_dim=): a wrapped layer's are its
        wrapper's, since Keras builds the model from ``Bidirectional(LSTM(8), input_shape=(5, 4))`` and ignores an
        input_shape= given to the inner layer (Keras 3.15 and tf_keras 2.21 alike)."""
        if self.wrapper is None:
            return self.args
        return self.wrapper_args if self.wrapper_args is not None else CallArgs()

    @property
    def is_unknown(self) -> bool:
        return self.kind == UNKNOWN_LAYER

    @property
    def is_conv(self) -> bool:
        return self.kind in CONV_LAYERS

    @property
    def strided(self) -> bool:
        """A constant stride above 1 (``strides=2``; Keras 1's ``subsample=(2, 2)``)."""
        position = 2 if self.is_conv and not self.kind.startswith("Convolution") else None  # Keras 1: (n, rows, cols)
        strides = const_value(self.args.get("strides", position)) or const_value(self.args.get("subsample"))
        if isinstance(strides, bool):
            return False
        if isinstance(strides, int):
            return strides > 1
        return isinstance(strides, tuple) and any(isinstance(s, int) and s > 1 for s in strides)

    @property
    def downsamples(self) -> bool:
        """The layer shrinks the feature map: a local pooling layer (not one of size 1 moved by 1:
        ``MaxPooling2D(pool_size=(1, 1))`` keeps every position) or a strided layer (e.g. a DepthwiseConv)."""
        if self.kind in POOLING_LAYERS:
            return not (_all_ones(const_value(self.args.get("pool_size", 0))) and
                        _all_ones(const_value(self.args.get("strides", 1)), missing=True))
        return self.strided

    @property
    def has_batchnorm(self) -> bool:
        if self.kind in BATCHNORM_LAYERS:
            return True
        return bool(self.nested and self.nested.has_batchnorm)


@dataclass
class Application:
    """A ``keras.applications`` network built by the script."""

    name: str  # "ResNet50"
    weights: Value | None
    include_top: bool | None
    classes: int | None
    classifier_activation: str | None
    include_preprocessing: bool | None = True  # the switch of the families that rescale their input themselves

    @property
    def random_init(self) -> bool:
        return isinstance(self.weights, Const) and self.weights.value is None

    @property
    def has_batchnorm(self) -> bool:
        return any(self.name.startswith(prefix) for prefix in BATCHNORM_APPLICATIONS)

    @property
    def scales_itself(self) -> bool:
        """Whether the network may rescale 0-255 pixels itself (its switch, include_preprocessing=, not off)."""
        return self.name.startswith(SELF_SCALING_APPLICATIONS) and self.include_preprocessing is not False

    @property
    def built_in_scaling(self) -> tuple[float, float, str] | None:
        """(factor, offset, what it is) of the input scaling the network builds in (BUILT_IN_SCALING), when it is
        known to be on."""
        prefix = max((p for p in BUILT_IN_SCALING if self.name.startswith(p)), key=len, default=None)
        if prefix is None:
            return None
        factor, offset, switchable, what = BUILT_IN_SCALING[prefix]
        if switchable and self.include_preprocessing is not True:
            return None  # switched off, or not known to be on
        return factor, offset, what


@dataclass
class OutputHead:
    """The last trainable layer of one output and the activation applied to it."""

    layer: Layer  # the layer with units
    units: int | None
    activation: str | None  # None: unknown
    activation_node: cst.CSTNode = field(repr=False)  # where the activation was chosen (for messages)
    noise_after: Layer | None = None  # a Dropout (or noise) layer after the activation: training sees its output


def learns(layer: Layer) -> bool:
    """A layer with trained weights that turns inputs into features (not a normalisation or a reshape)."""
    return layer.kind in FEATURE_LAYERS or layer.kind.startswith(FEATURE_LAYER_PREFIXES)


def application_head(app: Application, node: cst.CSTNode) -> OutputHead | None:
    """The classifier a ``keras.applications`` network built at ``node`` ends with (include_top=True), when known."""
    if app.include_top is not True:
        return None
    fake = Layer("Dense", "keras.layers.Dense", node, CallArgs(), app.classes, app.classifier_activation)
    return OutputHead(fake, app.classes, app.classifier_activation, node)


def head_of(path: tuple[Layer, ...]) -> OutputHead | None:
    """Read the output head from the end of a layer path.

    The output activation is the last one that is not the identity: ``Dense(10)``,
    ``Activation("softmax")``, ``Activation("linear", dtype="float32")`` (the cast
    mixed precision asks for) is a softmax output.  Pass-through layers (Dropout,
    Flatten, ...) are skipped, and so is a normalization layer under an activation (it keeps
    the width); anything else makes the head unknown.
    """
    activation: str | None = None
    activation_node: cst.CSTNode | None = None
    noise: Layer | None = None
    for layer in reversed(path):
        if activation is None and noise is None and layer.kind in TRAINING_NOISE_LAYERS:
            noise = layer  # after every activation of the path (none seen yet, walking back from the output)
        if layer.kind == "Activation" or layer.kind in ACTIVATION_LAYERS:
            if activation is None:  # a later activation decides the output
                if layer.activation is None:
                    return None
                if layer.activation != "linear":
                    activation, activation_node = layer.activation, layer.node
            continue
        if layer.kind in PASS_THROUGH or (activation is not None and layer.kind in NORMALIZATION_LAYERS):
            continue
        head = _head_at(layer, activation, activation_node)
        return replace(head, noise_after=noise) if head is not None and noise is not None else head
    return None


def _head_at(layer: Layer, activation: str | None, activation_node: cst.CSTNode | None) -> OutputHead | None:
    """The head whose last layer that is neither an activation nor pass-through is ``layer``."""
    if layer.nested is not None:
        nested_head = layer.nested.single_head()
        if nested_head is None:
            return _activation_only(layer, activation, activation_node)
        return OutputHead(nested_head.layer, nested_head.units, activation or nested_head.activation,
                          activation_node or nested_head.activation_node)
    if layer.kind in UNIT_LAYERS:
        final = activation if activation is not None else layer.activation
        if final is None:
            return None
        return OutputHead(layer, layer.units, final, activation_node or layer.node)
    return _activation_only(layer, activation, activation_node)


def _activation_only(layer: Layer, activation: str | None, node: cst.CSTNode | None) -> OutputHead | None:
    """An activation layer after something unreadable: the output is that activation, its width unknown."""
    if activation is None or node is None:
        return None
    return OutputHead(layer, None, activation, node)


def normalise_activation(name: str | None) -> str | None:
    if name is None:
        return None
    return ACTIVATION_SYNONYMS.get(short(name).lower())


def _all_ones(value, missing: bool = False) -> bool:
    """A size or stride of 1 on every axis (``1``, ``(1, 1)``); ``missing``: what an absent (None) value counts as
    (a pooling layer's strides default to its pool size)."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 1
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, int) and v == 1 for v in value)
