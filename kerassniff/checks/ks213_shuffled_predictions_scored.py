"""KS213 shuffled-predictions-scored: predict() on a flow or tf.data pipeline that shuffles, scored against labels
listed in another order.

Two shapes of one mistake.  ``flow.classes`` of an ImageDataGenerator flow lists one class id per file in the order
the flow lists its files, while a flow built without ``shuffle=False`` hands its batches to predict() in a shuffled
order.  A tf.data pipeline that reshuffles each pass (``image_dataset_from_directory`` by default, ``shuffle()``)
gives predict() one order and the script's own pass over it for the labels (``np.concatenate([y for x, y in ds])``)
another.  A scikit-learn score of the two pairs each prediction with another sample's label: the accuracy it
reports is about chance, the confusion matrix noise, with no error.  The facts are the pipeline's shuffling
(``Data.reshuffles``), the predictions' call (:class:`~kerassniff.semantic.keras_values.Predictions`, kept through
argmax and thresholds) and the labels' history (an ``order`` step: the flow's listing, or a pass of their own).
"""
from __future__ import annotations

from collections.abc import Iterator

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, data_of
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.library.datasets import is_file_flow, labels_of_a_pass
from kerassniff.semantic.models import InferenceCall
from kerassniff.semantic.scores import Score, scores
from kerassniff.semantic.pyvalues import ComprehensionValue, Value


@rule("KS213", "shuffled-predictions-scored", Severity.ERROR,
      "predict() on a flow or pipeline that shuffles, scored against labels listed in another order",
      "predict on a flow or pipeline built with shuffle=False, or gather the labels while predicting")
def check(script: Script) -> Iterator[Report]:
    reported: set[int] = set()
    for score in scores(script):
        values = score.values
        labels = [data for data in map(_labels, values) if data is not None]
        if not labels:
            continue
        for value in values:
            if not isinstance(value, Predictions) or value.model is None or id(value.call) in reported:
                continue
            inference = next((i for i in value.model.inferences if i.node is value.call), None)
            flow = data_of(inference.x) if inference is not None else None
            if flow is None or not (flow.batches and flow.reshuffles):
                continue
            mismatched = _out_of_order(flow, labels)
            if mismatched is None:
                continue
            reported.add(id(value.call))
            yield _report(score, inference, flow, mismatched)  # type: ignore[arg-type]


def _labels(value: Value) -> Data | None:
    """Labels a scorer is given in an order of their own: a flow's ``.classes`` (file order), or gathered in a pass
    of their own over a pipeline that reshuffles each pass (also still as the Python list they were gathered in)."""
    if isinstance(value, ComprehensionValue):
        value = value.element
    data = data_of(value)
    if data is None:
        return None
    return data if _listed(data) or labels_of_a_pass(data) else None


def _listed(data: Data) -> bool:
    """Labels in the order a flow lists its files (``flow.classes``), whatever order its batches come in."""
    return any(step.kind == "order" and step.detail == "listing" for step in data.steps)


def _out_of_order(flow: Data, labels: list[Data]) -> Data | None:
    """The labels, among a scorer's, that are the predicted flow's or pipeline's in another order than predict()'s."""
    if is_file_flow(flow):
        return next((data for data in labels if _listed(data) and data.group == flow.group), None)
    if flow.keras_iterator:
        return None
    groups = {flow.group} | ({flow.labels.group} if flow.labels is not None else set())
    return next((data for data in labels if labels_of_a_pass(data) and data.group in groups), None)


def _report(scorer: Score, inference: InferenceCall, flow: Data, labels: Data) -> Report:
    name = scorer.name
    if _listed(labels):
        return Report(scorer.node, f"predictions of the shuffling flow {flow.label} scored against its .classes: "
                                   f"labels out of order",
                      "pass shuffle=False where the flow is built, or collect the labels batch by batch while "
                      "predicting",
                      explanation=(f"{flow.label} ({{flow}}) shuffles its files (built without shuffle=False, or "
                                   f"switched on through .shuffle), so predict() ({{predict}}) gets its batches in a "
                                   f"shuffled order, while .classes lists one "
                                   f"class id per file in the order the flow lists them. {name} pairs each "
                                   f"prediction with another file's label: the score is about what chance gives, "
                                   f"and nothing raises an error."),
                      mentions={"flow": flow.node, "predict": inference.node},
                      facts={"scorer": name.removesuffix("()"), "flow": flow.label, "labels": "listing"})
    return Report(scorer.node, f"{flow.label} reshuffles each pass: its predictions meet labels from another pass",
                  "build the pipeline with shuffle=False, or gather labels and predictions in one loop over its "
                  "batches",
                  explanation=(f"{flow.label} ({{flow}}) draws a new order at every pass over it (shuffle() "
                               f"reshuffles each iteration by default; so does image_dataset_from_directory, "
                               f"shuffle=True by default). predict() ({{predict}}) makes one pass and the labels "
                               f"({{labels}}) come from another, in another order: {name} pairs each prediction "
                               f"with another sample's label, so the score is about what chance gives, with no "
                               f"error."),
                  mentions={"flow": flow.node, "predict": inference.node, "labels": labels.node},
                  facts={"scorer": name.removesuffix("()"), "flow": flow.label, "labels": "pass"})
