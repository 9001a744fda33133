"""KS242 class-ids-scaled: integer class ids divided like pixels (``y_train = y_train / 255.0`` beside
``x_train = x_train / 255.0``) and then one-hot encoded by ``to_categorical()``, or given to a sparse categorical
loss.  Both cast the ids back to integers: every id below the divisor becomes class 0, and the model learns a
constant (``to_categorical(np.array([1, 5, 9]) / 255, 10)`` is three rows of class 0 on Keras 3.15.1).
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, Step, data_of
from kerassniff.semantic.knowledge.model_api import EVALUATE_METHODS
from kerassniff.semantic.training import FitCall, InferenceCall

# Where class ids come from that the analysis can tell from pixels: a dataset loader's labels, a table's column, a
# literal list (a mask image read from a file, or an array of one in an .npy file, holds pixels, 0/255, which a
# division by 255 rightly turns into 0/1).
_LABEL_SOURCES = frozenset({"dataset", "file", "literal"})
# The division that treats values as pixels: by 255, which takes every class id below it to 0 (a smaller divisor
# merges classes instead, ``y / 2``: another mistake, with another consequence).
PIXEL_DIVISOR = 255.0
SPARSE_LOSSES = ("sparse_categorical_crossentropy",)


@rule("KS242", "class-ids-scaled", Severity.ERROR,
      "class ids divided like pixels (y / 255) before to_categorical() or a sparse categorical loss: every id "
      "becomes class 0", "scale the inputs only: leave the labels as integer class ids")
def check(script: Script):
    reported: set[int] = set()
    calls: list[FitCall | InferenceCall] = [*script.fits(), *(call for call in script.inferences()
                                                               if call.method in EVALUATE_METHODS)]
    for call in calls:
        labels = _labels(call)
        if labels is None or not _class_ids(labels):
            continue
        found = _scaled_then_read_as_ids(script, labels, _sparse_loss(call))
        if found is None or id(found[0].node) in reported:
            continue
        reported.add(id(found[0].node))
        yield _report(script, labels, *found, call)


def _labels(call: FitCall | InferenceCall) -> Data | None:
    """The labels a fit() trains on, or an evaluate() scores against: its ``y``, or those of the flow it is given
    (``datagen.flow(x, y)``)."""
    given = data_of(call.y)
    if given is not None:
        return given
    inputs = data_of(call.x)
    return inputs.labels if inputs is not None and inputs.batches else None


def _class_ids(labels: Data) -> bool:
    """Labels whose values are class ids rather than pixels: a dataset loader's, a table column's (not an array file's:
    ``np.load("masks.npy")`` may hold 0/255 masks), a literal's whose values are all below 255."""
    source = labels.source
    if source.kind not in _LABEL_SOURCES or source.pixels:
        return False
    if source.kind == "file":
        return source.table
    if source.kind == "literal":
        return source.value_range is not None and source.value_range[1] < PIXEL_DIVISOR
    return True


def _scaled_then_read_as_ids(script: Script, labels: Data, sparse: bool) -> tuple[Step, str] | None:
    """The division of the ids, and what reads them as integers afterwards ("to_categorical()", or the sparse
    loss): a division by 255, with no scaling before it nor between it and a one-hot encoding by to_categorical()
    (or, with a sparse loss, after it)."""
    steps = labels.steps
    for index, step in enumerate(steps):
        if not _divides_like_pixels(step):
            continue
        if any(s.is_scaling for s in steps[:index]):
            return None  # scaled before (``y * 255`` ... ``/ 255``): not judged
        later = steps[index + 1:]
        encoded = next((i for i, s in enumerate(later) if s.kind == "encode"), None)
        between = later if encoded is None else later[:encoded]
        if any(s.is_scaling for s in between):
            continue  # scaled back (``* 255``) or scaled again: not judged
        if encoded is not None and _casts_to_ids(script, later[encoded]):
            return step, "to_categorical()"
        if encoded is None and sparse:
            return step, "the sparse loss"
    return None


def _casts_to_ids(script: Script, step: Step) -> bool:
    """A one-hot encoding by Keras's to_categorical(), which casts its input to integers (scikit-learn's encoders
    take each distinct value for a class of its own)."""
    call = script.call_at(step.node) if step.detail == "onehot" else None
    return call is not None and (call.callee or "").endswith("to_categorical")


def _divides_like_pixels(step: Step) -> bool:
    """A scale step that divides by 255 (``y / 255``, ``y / 255.0``, ``y /= 255``)."""
    if step.kind != "scale" or not step.detail.startswith("/"):
        return False
    try:
        return float(step.detail[1:]) == PIXEL_DIVISOR
    except ValueError:
        return False


def _sparse_loss(call: FitCall | InferenceCall) -> bool:
    """Whether the model is compiled with a sparse categorical loss at this call (its last compile() before it)."""
    compiled = call.model.compile_before(call.order)
    return compiled is not None and any(loss.name is not None and loss.name.endswith(SPARSE_LOSSES)
                                        for loss in compiled.losses)


def _report(script: Script, labels: Data, step: Step, reader: str, call: FitCall | InferenceCall) -> Report:
    divisor = step.detail[1:]
    code = script.code_of(step.node)
    written = f" ('{code}')" if len(code) <= 24 else ""
    return Report(
        step.node, f"class ids divided by {divisor}{written}, then cast back by {reader}: all become class 0",
        explanation=(f"The labels {labels.label} are integer class ids, and this divides them by {divisor} as if they "
                     f"were pixels. Then {reader} casts them back to integers, so every id below {divisor} becomes 0: "
                     f"{_consequence(call)}"),
        facts={"divisor": divisor, "reader": reader}, mentions={"call": call.node})


def _consequence(call: FitCall | InferenceCall) -> str:
    if isinstance(call, FitCall):
        return ("the fit() at {call} trains the model to predict class 0 for every sample, and the accuracy it reports "
                "is measured against those collapsed labels.")
    return ("the evaluate() at {call} scores the model against labels that are all class 0: its accuracy is the share "
            "of samples it assigns to class 0.")
