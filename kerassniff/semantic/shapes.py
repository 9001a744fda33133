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

from dataclasses import dataclass, replace
from typing import Callable

from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.layer_shape_rules import PASS_THROUGH_SHAPE, SHAPE_RULES, Shape
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import CallArgs, Seq, const_value, int_value


@dataclass(unsafe_hash=True)
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
