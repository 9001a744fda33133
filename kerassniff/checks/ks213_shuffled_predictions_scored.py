"""KS213 shuffled-predictions-scored: predict() on an ImageDataGenerator flow that shuffles, scored against the
flow's ``.classes``.

``flow.classes`` lists one class id per file in the order the flow lists its files (class folder after class
folder); a flow built without ``shuffle=False`` hands its batches to predict() in a shuffled order.  A
scikit-learn score of the two (``confusion_matrix(flow.classes, np.argmax(model.predict(flow), axis=1))``) pairs
each prediction with another file's label: the accuracy it reports is about chance, the confusion matrix noise,
with no error.  The facts are the flow's shuffling (the interpreter's ``reshuffles`` of a Keras iterator), the
predictions' call (:class:`~kerassniff.semantic.keras_values.Predictions`, kept through argmax and thresholds) and
the labels' history (``.classes`` of the same flow, in listing order).
"""
from __future__ import annotations

from collections.abc import Iterator

from kerassniff.checks._shared import argument_values, scorer_calls
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, data_of
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.library.datasets import is_file_flow
from kerassniff.semantic.models import InferenceCall

@rule("KS213", "shuffled-predictions-scored", Severity.ERROR,
      "predict() on a flow that shuffles, scored against the flow's .classes (listed in file order)",
      "build the flow you predict on with shuffle=False (its batches then come in the order of .classes)")
def check(script: Script) -> Iterator[Report]:
    reported: set[int] = set()
    for call in scorer_calls(script):
        values = argument_values(call)
        listed = [data for data in map(data_of, values) if data is not None and _listed_labels(data)]
        if not listed:
            continue
        for value in values:
            if not isinstance(value, Predictions) or value.model is None or id(value.call) in reported:
                continue
            inference = next((i for i in value.model.inferences if i.node is value.call), None)
            flow = data_of(inference.x) if inference is not None else None
            if flow is None or not (flow.reshuffles and is_file_flow(flow)) or \
                    not any(labels.group == flow.group for labels in listed):
                continue
            reported.add(id(value.call))
            yield _report(script, call, inference, flow)  # type: ignore[arg-type]


def _listed_labels(data: Data) -> bool:
    """Labels in the order a flow lists its files (``flow.classes``), whatever order its batches come in."""
    return any(step.kind == "order" and step.detail == "listing" for step in data.steps)


def _report(script: Script, scorer, inference: InferenceCall, flow: Data) -> Report:
    name = scorer.callee.rsplit(".", 1)[-1]
    return Report(scorer.node, f"predictions of the shuffling flow {flow.label} scored against its .classes: "
                               f"labels out of order",
                  "pass shuffle=False where the flow is built, or collect the labels batch by batch while predicting",
                  explanation=(f"{flow.label} ({{flow}}) is built without shuffle=False, so predict() ({{predict}}) "
                               f"gets its batches in a shuffled order, while .classes lists one class id per file in "
                               f"the order the flow lists them. {name}() pairs each prediction with another file's "
                               f"label: the score is about what chance gives, and nothing raises an error."),
                  mentions={"flow": flow.node, "predict": inference.node},
                  facts={"scorer": name, "flow": flow.label})
