"""KS402's check of weights set on a Sequential model that Keras 3 has not built: the pretrained-embedding recipe
(``model.add(Embedding(vocab, dim, input_length=maxlen))`` then ``model.layers[0].set_weights([matrix])``).

tf.keras 2's Embedding gave a Sequential its input shape (``input_length``, or a sequence of any length), so the
model held its weights as soon as the layer was added.  Keras 3 ignores ``input_length`` (with a warning): a
Sequential with no ``keras.Input`` has no weights until something builds it (``build()``, its first call, ``fit()``,
``predict()``), and ``set_weights()`` before that raises ValueError ("the layer was expecting 0 weights"); checked
on Keras 3.15.1 for a layer of the model, one indexed by ``model.layers[i]`` and the model's own ``set_weights()``.
"""
from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import ModelValue, const_value

# What Keras 3.15 says when weights are given to a model it has not built.
_KERAS_SAYS = {"set_weights": '"the layer was expecting 0 weights"',
               "load_weights": '"loading weights into a model that has not yet been built", or a layer count mismatch '
                               'for an .h5 file'}

# A first layer's arguments that give a Keras 3 Sequential its input (and so its weights) at once.
_SHAPE_KEYWORDS = ("input_shape", "batch_input_shape", "batch_shape")


def weights_before_build(script: Script, keras_3_model: Callable[[Script, CallSite], bool]) -> list[Report]:
    """One report per model: its first ``set_weights()`` made before anything could have built it, on a Keras 3
    Sequential that starts with an Embedding and no input shape."""
    reports: list[Report] = []
    for model in script.models:
        first = _unbuilt_embedding(model)
        given = _weights_given(model) if first is not None else []
        if not given or _built_elsewhere(script, model, first):
            continue
        order, node, method = given[0]
        if any(built < order for built in _buildings(model)):
            continue
        call = script.call_at(node)
        if call is None or call.guarded or not keras_3_model(script, call):
            continue
        reports.append(_report(model, first, node, method))
    return reports


def _weights_given(model: Model) -> list[tuple[int, cst.Call, str]]:
    """(order, call, method) of each set_weights() on the model or its layers and each load_weights() into it, in
    program order."""
    given = [(change.order, change.node, "set_weights") for change in model.weight_sets]
    given += [(load.order, load.node, "load_weights") for load in model.saves if load.method == "load_weights"]
    return sorted(given, key=lambda item: item[0])


def _unbuilt_embedding(model: Model) -> Layer | None:
    """The first layer of a Keras 3 Sequential built layer by layer with no input shape, when it is an Embedding."""
    if model.kind != "sequential" or model.keras_2 or model.input_shape is not None or not model.layers:
        return None
    first = model.layers[0]
    if first.qualname != "keras.layers.Embedding" or first.wrapper is not None or first.nested is not None:
        return None
    if any(first.shape_args.has(keyword) for keyword in _SHAPE_KEYWORDS) or first.args.has("weights"):
        return None  # (weights=: Keras builds the layer in its __init__ to hold them)
    return first


def _built_elsewhere(script: Script, model: Model, first: Layer) -> bool:
    """Whether something the model's own calls do not show may build it or its first layer: a ``build()`` of a layer
    (``model.layers[0].build(...)``, ``embedding.build(...)``), the model used as a layer of another one, or its
    Embedding called in another model (a layer shared with a functional model built from an Input)."""
    if any(call.method == "build" and not isinstance(call.receiver, ModelValue) for call in script.calls):
        return True
    return any(layer.nested is model or layer is first for other in script.models if other is not model
               for layer in other.all_layers())


def _buildings(model: Model) -> list[int]:
    """When something may have built the model: build(), a call of it, a training or inference call, a save."""
    return [*model.builds, *(fit.order for fit in model.fits), *(use.order for use in model.inferences),
            *(save.order for save in model.saves if save.method != "load_weights")]


def _report(model: Model, first: Layer, node: cst.Call, method: str) -> Report:
    length = const_value(first.args.get("input_length"))
    length = length if isinstance(length, int) and not isinstance(length, bool) else None
    written = first.args.node_of("input_length")
    size = written.value.value if written is not None and type(written.value) is cst.Name else \
        str(length) if length is not None else "sequence_length"  # (the script's own name for it, when it has one)
    keras_3 = "Keras 3 ignores input_length=" if first.args.has("input_length") else "Keras 3's Embedding gives none"
    return Report(node.func, f"{model.label} has no weights yet at {method}(): Keras 3 raises ValueError",
                  f"start the model with keras.Input(shape=({size},)) (or call {model.name or 'model'}.build((None, "
                  f"{size}))) before {method}()",
                  explanation=("tf.keras 2's Embedding gave a Sequential its input shape, so the model held its weights "
                               f"as soon as the layer was added. {keras_3}: a Sequential with no keras.Input has no "
                               f"weights until build(), its first call, fit() or predict(), and {method}() before "
                               f"that raises ValueError ({_KERAS_SAYS[method]})."),
                  facts={"model": model.name or "", "input_length": length})
