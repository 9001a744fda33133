"""KS313 input-shape-mismatch: an array whose samples do not have the shape the model declares for its input.

mnist loaded as ``(N, 28, 28)`` and fed to a model built with ``input_shape=(784,)`` fails at the first
``fit`` step, after the data was loaded and the model built.  The model's input shape is the one the
script states (``keras.Input(shape=...)``, ``input_shape=``, ``input_dim=``); the array's per-sample shape
comes from its history (:mod:`kerassniff.semantic.sample_shapes`).  Keras 3 adapts a rank that differs by a
trailing axis of 1 (``(28, 28)`` into ``(28, 28, 1)`` and back), and layers that do not depend on a size
(convolutions, pooling) accept other sizes: the rule reports only what Keras rejects.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import Model
from kerassniff.semantic.sample_shapes import Shape, calls_by_node, sample_shape
from kerassniff.semantic.shapes import describe_shape, infer_path, model_input_shape

# Layers whose weights are sized by the last axis of their input when the model is built: fed another
# width, the first step fails on the weights' shape.
LAST_AXIS_WEIGHTS = frozenset({
    "Dense", "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
    "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D", "DepthwiseConv2D",
    "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "SimpleRNN", "LSTM", "GRU",
    "BatchNormalization", "LayerNormalization",
})
# Of those, the layers that do not declare the size in their InputSpec: the failure comes later, in the math.
UNCHECKED_INPUT_AXIS = frozenset({"SimpleRNN", "LSTM", "GRU", "LayerNormalization"})
MODEL_KINDS = ("sequential", "functional")
EVENT_CALLS = {"fit": "fit()", "validation": "fit()", "evaluate": "evaluate()", "predict": "predict()"}
EVENT_KINDS = {"fit": "fit()", "validation": "fit() as validation data", "evaluate": "evaluate()",
               "predict": "predict()"}


# -- dynamic mode ------------------------------------------------------------------------------------
SHAPE_ERRORS = ("Invalid input shape", "is incompatible with the layer", "incompatible shape")
CALL_RECORDS = {"fit": "fit", "validation": "fit", "evaluate": "evaluate", "predict": "predict"}


def verdict(finding: Finding, report: Measurements) -> Verdict | None:
    """The run's verdict: a shape error when the array reached the model confirms; a batch whose samples
    Keras accepts for the declared input refutes."""
    facts = finding.extra.get("facts") or {}
    call = facts.get("call", "fit")
    record = report.at(finding.line, CALL_RECORDS.get(call, "fit")) or {}
    failure = _shape_error(report.data, record)
    if failure is not None:
        return Verdict(True, f"the model rejects the array: {failure}")
    measured = (record.get("validation_x" if call == "validation" else "x") or {}).get("shape")
    declared = facts.get("model_input")
    if declared is None or not measured:
        return None
    sample, expected = tuple(measured[1:]), tuple(declared)
    if _accepted(sample, expected):
        return Verdict(False, f"the batch reaching {CALL_RECORDS.get(call, 'fit')}() has samples of shape {_text(sample)}, "
                       f"which Keras accepts for the input {_text(expected)}")
    return None


def _shape_error(data: dict, record: dict) -> str | None:
    """The run's crash or the fit's training error, when it is one of Keras's input-shape errors."""
    crash = str((data.get("crash") or {}).get("error") or "") if data.get("status") == "crashed" else ""
    training = str((record.get("checks") or {}).get("training_error") or "")
    error = next((error for error in (crash, training) if any(text in error for text in SHAPE_ERRORS)), None)
    return None if error is None else error.split(" Arguments received")[0]  # Keras's echo of the call: noise


def _accepted(sample: Shape, declared: Shape) -> bool:
    adapted = adapt_rank(sample, declared)
    return adapted is not None and len(adapted) == len(declared) and \
        all(d is None or a == d for a, d in zip(adapted, declared))



@rule("KS313", "input-shape-mismatch", Severity.ERROR,
      "an array whose samples do not have the input shape the model declares",
      "reshape the array to the model's input shape (or declare the input shape the data has)", verdict=verdict)
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
        found = mismatch(given, declared, model)
        if found is None:
            continue
        problem, layer_node = found
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
            facts={"call": event.kind, "sample_shape": list(given), "model_input": list(declared)},
            mentions={"layer": layer_node} if layer_node is not None else None)


def mismatch(given: Shape, declared: Shape, model: Model) -> tuple[str, cst.CSTNode | None] | None:
    """Why Keras 3 rejects samples of shape ``given`` for a model whose input is ``declared`` (the words, with
    ``{layer}`` standing for where the layer that fails is, and that layer's node); None if it does not."""
    adapted = adapt_rank(given, declared)
    if adapted is None:
        return (f"Keras 3 adapts only a trailing axis of size 1, so the first step stops with 'Invalid input "
                f"shape' (rank {len(given) + 1} for rank {len(declared) + 1}).", None)
    if adapted == declared:
        return None
    found = first_mismatched_layer(model, adapted, declared)
    if found is None:
        return None
    layer, built, received = found
    error = (f"'expected axis -1 of input shape to have value {built}'" if layer.kind not in UNCHECKED_INPUT_AXIS
             else "a shape error")
    return (f"the {layer.kind} layer ({{layer}}) builds its weights for {built} values on the last axis "
            f"of its input and receives {received}, so Keras 3 stops at the first step with {error}.", layer.node)


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


def first_mismatched_layer(model: Model, given: Shape, declared: Shape) -> tuple[Layer, int, int] | None:
    """The first layer with weights sized by its input's last axis that the data reaches with another size.

    The shapes are inferred along each output path twice, from the declared input (what the weights are built
    for) and from the data's; layers that accept any size (convolutions over other image sizes, global
    pooling) pass the difference on or absorb it, a Flatten turns it into another width for the next Dense.
    """
    for path in model.output_paths():
        for built, fed in zip(infer_path(path, declared), infer_path(path, given)):
            if not built.input_shape or not fed.input_shape:
                break  # unknown from here on
            layer = built.layer
            expected, received = built.input_shape[-1], fed.input_shape[-1]
            if layer.kind in LAST_AXIS_WEIGHTS and layer.wrapper is None and layer.nested is None and \
                    expected is not None and received is not None and expected != received:
                return layer, expected, received
    return None


def _text(shape: Shape) -> str:
    """'(28, 28)' for a per-sample shape; '?' for an unknown size."""
    inner = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
