"""KS204 generator-rescale-mismatch."""
from __future__ import annotations

from kerassniff.checks._shared import (
    EVENT_WORDS,
    extra_scaling,
    flow_array_mismatches,
    same_kind_of_data,
    scaling_mismatches,
    scaling_text,
    steps_text,
    used_scaling_verdict,
)
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    return used_scaling_verdict(finding, run)


@rule("KS204", "generator-rescale-mismatch", Severity.ERROR,
      "a generator or dataset pipeline rescales the training flow but not the validation/test flow, or vice versa",
      "give every flow the same rescale/preprocessing_function (one ImageDataGenerator for validation with the "
      "same rescale, or the same .map() on every dataset)", verdict=verdict, compares_values=True)
def check(script: Script):
    for model in script.models:
        for reference, event in scaling_mismatches(script, model, flows=True):
            if not same_kind_of_data(reference.data, event.data):
                continue  # a flow of unknown values (a CSV, a dict-shaped tfds set) has no known scale to compare
            yield Report(event.call_node, _flow_difference(reference, event),
                explanation=(f"The training flow {reference.data.label} is {scaling_text(reference.data)} "
                             f"({{training}}), the {EVENT_WORDS[event.kind]} flow {event.data.label} is "
                             f"{scaling_text(event.data)}: validation/test numbers "
                             f"are computed on differently scaled images and do not reflect the model."),
                mentions={"training": reference.data.node or reference.call_node})
        for reference, event in flow_array_mismatches(script, model):
            yield Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets the array {event.data.label} {scaling_text(event.data)}, unlike "
                f"the training flow {reference.data.label}"),
                explanation=(f"The training flow {reference.data.label} is {scaling_text(reference.data)} "
                             f"({{training}}), but the arrays of the same data given to {EVENT_WORDS[event.kind]} "
                             f"do not go through it: those numbers are computed on differently scaled inputs."),
                mentions={"training": reference.data.node or reference.call_node})


def _flow_difference(reference, event) -> str:
    """Name the steps one flow has beyond the other's ('the training flow is also divided by 255') when its steps
    are the other's and more; else the other flow's whole scaling."""
    kind, label, training = EVENT_WORDS[event.kind], event.data.label, reference.data.label
    extra = extra_scaling(reference.data, event.data)
    if extra:
        return f"the training flow {training} is also {steps_text(extra)}, unlike the {kind} flow {label}"
    extra = extra_scaling(event.data, reference.data)
    if extra:
        return f"the {kind} flow {label} is also {steps_text(extra)}, unlike the training flow {training}"
    return f"the {kind} flow {label} is {scaling_text(event.data)}, unlike the training flow {training}"
