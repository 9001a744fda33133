"""KS313 input-shape-mismatch: an array whose samples do not have the shape the model declares for its input.

mnist loaded as ``(N, 28, 28)`` and fed to a model built with ``input_shape=(784,)`` fails at the first
``fit`` step, after the data was loaded and the model built.  The model's input shape is the one the
script states (``keras.Input(shape=...)``, ``input_shape=``, ``input_dim=``); the array's per-sample shape
comes from its history (:mod:`kerassniff.semantic.sample_shapes`).  Keras 3 adapts a rank that differs by a
trailing axis of 1 (``(28, 28)`` into ``(28, 28, 1)`` and back), and layers that do not depend on a size
(convolutions, pooling) accept other sizes: the rule reports only what Keras rejects.
"""
from __future__ import annotations

from typing import Any

from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.models import Layer, Model
from kerassniff.semantic.sample_shapes import Shape, calls_by_node, sample_shape
from kerassniff.semantic.shapes import PASS_THROUGH_SHAPE, describe_shape, model_input_shape

# Layers whose weights are sized by the last axis of their input when the model is built: fed another
# width, the first step fails on the weights' shape.
LAST_AXIS_WEIGHTS = frozenset({
    "Dense", "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SimpleRNN", "LSTM", "GRU",
    "BatchNormalization", "LayerNormalization",
})
MODEL_KINDS = ("sequential", "functional")
EVENT_CALLS = {"fit": "fit()", "validation": "fit()", "evaluate": "evaluate()", "predict": "predict()"}
EVENT_KINDS = {"fit": "fit()", "validation": "fit() as validation data", "evaluate": "evaluate()",
               "predict": "predict()"}


@rule("KS313", "input-shape-mismatch", Severity.ERROR,
      "an array whose samples do not have the input shape the model declares",
      "reshape the array to the model's input shape (or declare the input shape the data has)")
def check(script: Script):
    calls = calls_by_node(script.calls)
    reported: set[int] = set()
    for event in script.data_events:
        model = event.model
        if event.role != "x" or event.kind not in EVENT_KINDS or not isinstance(model, Model) or \
                model.structure_kind not in MODEL_KINDS or id(event.call_node) in reported:
            continue
        declared = model_input_shape(model)
        given = sample_shape(event.data, calls)
        if declared is None or given is None:
            continue
        problem = mismatch(given, declared, model)
        if problem is None:
            continue
        reported.add(id(event.call_node))
        name = event.data.label
        yield Report(
            event.call_node,
            f"{name} has samples of shape {_text(given)} but {model.label} expects {_text(declared)}: "
            f"{EVENT_CALLS[event.kind]} fails",
            explanation=(
                f"{name} reaches {EVENT_KINDS[event.kind]} with samples of shape {_text(given)} "
                f"(batches {describe_shape(given)}), but {model.label} was built for inputs of shape "
                f"{_text(declared)} (batches {describe_shape(declared)}): {problem}"
            ),
            facts={"call": event.kind, "sample_shape": list(given), "model_input": list(declared)})


def mismatch(given: Shape, declared: Shape, model: Model) -> str | None:
    """Why Keras 3 rejects samples of shape ``given`` for a model whose input is ``declared``; None if it does not."""
    adapted = adapt_rank(given, declared)
    if adapted is None:
        return (f"Keras 3 adapts only a trailing axis of size 1, so the first step stops with 'Invalid input "
                f"shape' (rank {len(given) + 1} for rank {len(declared) + 1}).")
    last, expected = adapted[-1] if adapted else None, declared[-1] if declared else None
    if last is None or expected is None or last == expected:
        return None
    layer = first_weighted_layer(model)
    if layer is None:
        return None
    return (f"the first {layer.kind} layer builds its weights for {expected} values on the last axis and receives "
            f"{last}, so Keras 3 stops at the first step ('expected axis -1 of input shape to have value "
            f"{expected}').")


def adapt_rank(given: Shape, declared: Shape) -> Shape | None:
    """The sample shape as Keras 3 hands it to the model (``Functional._adjust_input_rank``); None: rejected."""
    if len(given) == len(declared):
        return given
    if len(given) == len(declared) + 1 and given[-1] == 1:
        return given[:-1]  # squeezed
    if len(given) + 1 == len(declared) and declared[-1] == 1:
        return given + (1,)  # expanded
    if len(given) == len(declared) + 1 and given[-1] is None or len(given) + 1 == len(declared) and \
            declared[-1] is None:
        return given  # an unknown size may be the 1 Keras adapts: not a rank error we can prove
    return None


def first_weighted_layer(model: Model) -> Layer | None:
    """The layer every path from the input meets first, when its weights are sized by the input's last axis."""
    paths = model.output_paths()
    firsts = {id(layer): layer for path in paths for layer in _first_consumer(path)}
    if len(firsts) != 1:
        return None
    layer = next(iter(firsts.values()))
    return layer if layer.kind in LAST_AXIS_WEIGHTS and layer.wrapper is None and layer.nested is None else None


def _first_consumer(path: tuple[Layer, ...]) -> list[Layer]:
    """The first layer of a path that does more than pass the input on unchanged (Dropout, Rescaling...)."""
    for layer in path:
        if layer.kind not in PASS_THROUGH_SHAPE or layer.kind in LAST_AXIS_WEIGHTS:
            return [layer]
    return []


def _text(shape: Shape) -> str:
    """'(28, 28)' for a per-sample shape; '?' for an unknown size."""
    inner = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


# -- dynamic mode ------------------------------------------------------------------------------------
SHAPE_ERRORS = ("Invalid input shape", "is incompatible with the layer", "incompatible shape")
CALL_RECORDS = {"fit": "fit", "validation": "fit", "evaluate": "evaluate", "predict": "predict"}


def verdict(finding: Finding, report: Any) -> tuple[bool | None, str] | None:
    """The run's verdict: a shape error when the array reached the model confirms; a batch whose samples
    Keras accepts for the declared input refutes.

    ``report`` is the dynamic harness's report (``.data``, ``.at(line, kind)``); this module reads it as plain
    data so that the rule imports nothing from the dynamic layer above it.
    """
    facts = finding.extra.get("facts") or {}
    declared = facts.get("model_input")
    record = report.at(finding.line, CALL_RECORDS.get(facts.get("call", "fit"), "fit")) or {}
    crash = report.data.get("crash") or {}
    errors = [str(crash.get("error") or "") if report.data.get("status") == "crashed" else "",
              str((record.get("checks") or {}).get("training_error") or "")]
    failure = next((error for error in errors if any(text in error for text in SHAPE_ERRORS)), None)
    if failure is not None:
        return True, f"the model rejects the array: {failure}"
    stats = record.get("validation_x" if facts.get("call") == "validation" else "x") or {}
    measured = stats.get("shape")
    if declared is None or not measured:
        return None
    sample = tuple(measured[1:])
    adapted = adapt_rank(sample, tuple(declared))
    if adapted is not None and len(adapted) == len(declared) and \
            all(d is None or a == d for a, d in zip(adapted, declared)):
        return False, (f"the batch reaching {facts.get('call', 'fit')}() has samples of shape {_text(sample)}, "
                       f"which Keras accepts for the input {_text(tuple(declared))}")
    return None
