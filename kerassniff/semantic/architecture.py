"""Architecture facts several rules ask of a model: which layer directly feeds which.

:meth:`Model.output_paths` gives each output's chain of layers, but a functional chain
only records one branch of a merge (``Add``, ``Concatenate``, attention): a layer whose
output also reaches a residual add looks like a plain hidden layer.  The rules here
reason about *direct* neighbours (a linear layer feeding another linear layer, an
activation repeated by the next layer), so they only read chains that are exactly the
model: Sequential models, and functional models without any merge or attention layer.
Everything else is unknown, and rules stay silent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from kerassniff.semantic.knowledge.layers import (
    ACTIVATION_LAYERS,
    AFFINE_LAYERS,
    LINEAR_TRANSPARENT,
    MAX_POOLING_LAYERS,
    MERGE_LAYERS,
    WIDTH_PRESERVING,
)
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import Model

__all__ = ["AFFINE_LAYERS", "LINEAR_TRANSPARENT", "MAX_POOLING_LAYERS", "MERGE_LAYERS", "WIDTH_PRESERVING", "Neighbours", "activation_of",
           "affine_neighbours", "exact_chains", "is_activation_layer", "layer_text"]


@dataclass(unsafe_hash=True)
class Neighbours:
    """An affine layer, the layers between it and the next affine layer, and that layer."""

    layer: Layer
    between: tuple[Layer, ...]
    following: Layer
    input_width: int | None  # units/filters/features reaching ``layer``, when known


def exact_chains(model: Model) -> list[tuple[Layer, ...]]:
    """Each output's chain when it is exactly the model's graph (no merge, no nested model)."""
    paths = model.output_paths()
    if model.kind == "functional" and any(layer.kind in MERGE_LAYERS for path in paths for layer in path):
        return []
    return paths


def _pretrained_network(layer: Layer) -> bool:
    """A keras.applications network in a chain: opaque, like an unknown part (``base.layers[-2].output`` cuts it
    inside), with the layers after it each applied to the one before."""
    return layer.nested is not None and layer.nested.kind == "application"


def _chains_known_from(model: Model) -> list[tuple[tuple[Layer, ...], int]]:
    """Each output's chain with the index its exactly known part starts at: the whole chain when the graph is known
    (:func:`exact_chains`); for a functional model whose chain begins with what kerassniff could not follow (an
    inner layer's output, ``backbone.get_layer("block5").output``, a custom layer, a pretrained network cut inside)
    or that merges branches, the
    layers after the last unknown part or merge, each applied to the one before.  A sequential model's layers are not cut so: when they are not all
    known, they may hold two branches' alternatives."""
    exact = exact_chains(model)
    if exact or model.kind != "functional" or model.outputs is None:
        return [(chain, 0) for chain in exact]
    tails = []
    for chain in model.head_paths():
        # after the last unknown part or merge: a merge's other branches are not in the chain, the layers after it are
        known_from = max((i + 1 for i, layer in enumerate(chain) if layer.kind == "Unknown" or
                          layer.kind in MERGE_LAYERS or _pretrained_network(layer)), default=0)
        if not any(layer.nested is not None for layer in chain[known_from:]):
            tails.append((chain, known_from))
    return tails


def activation_of(layer: Layer) -> str | None:
    """The activation a layer applies: its activation= for Dense/Conv, the function of an activation layer."""
    if layer.kind == "Activation" or layer.kind in ACTIVATION_LAYERS:
        return layer.activation
    if layer.kind in AFFINE_LAYERS:
        return layer.activation
    return None


def is_activation_layer(layer: Layer) -> bool:
    return layer.kind == "Activation" or layer.kind in ACTIVATION_LAYERS


def affine_neighbours(model: Model) -> Iterator[Neighbours]:
    """Pairs of affine layers joined only by layers that add no non-linearity.

    A pair is yielded whatever the activations of the two layers; ``between`` holds the
    layers in between (dropout, pooling, BatchNormalization, linear Activation layers); a max
    pooling layer among them is the pair's only non-linearity.
    A non-linear activation layer, or any layer kerassniff does not know to be linear,
    ends the search.
    """
    seen: set[tuple[int, int]] = set()
    for chain, known_from in _chains_known_from(model):
        for index, layer in enumerate(chain):
            if index < known_from or layer.kind not in AFFINE_LAYERS:
                continue
            following = _next_affine(chain, index)
            if following is not None:
                nxt, between = following
                key = (id(layer), id(nxt))
                if key not in seen:
                    seen.add(key)
                    yield Neighbours(layer, between, nxt, _input_width(model, chain, index))


def _linear_link(layer: Layer) -> bool:
    """A layer that adds no non-linearity, or only max pooling's (kept in ``between``: rules say so)."""
    if layer.kind in LINEAR_TRANSPARENT or layer.kind in MAX_POOLING_LAYERS:
        return True
    return is_activation_layer(layer) and layer.activation == "linear"


def _next_affine(chain: tuple[Layer, ...], index: int) -> tuple[Layer, tuple[Layer, ...]] | None:
    between: list[Layer] = []
    for layer in chain[index + 1:]:
        if layer.kind in AFFINE_LAYERS:
            return layer, tuple(between)
        if not _linear_link(layer):
            return None
        between.append(layer)
    return None


def _input_width(model: Model, chain: tuple[Layer, ...], index: int) -> int | None:
    """The width reaching ``chain[index]``: the previous affine layer's units, or the input's last dimension."""
    for layer in reversed(chain[:index]):
        if layer.kind in AFFINE_LAYERS:
            return layer.units
        if layer.kind not in WIDTH_PRESERVING and not is_activation_layer(layer):
            return None
    shape = model.sample_shape()
    last = shape[-1] if shape else None
    return last if isinstance(last, int) else None


def layer_text(layer: Layer) -> str:
    """'Dense(128)', 'Conv2D(64)', 'Dense' for messages."""
    return f"{layer.kind}({layer.units})" if layer.units is not None else layer.kind
