"""KS204 generator-rescale-mismatch."""
from __future__ import annotations

from kerassniff.checks._shared import (
    EVENT_WORDS,
    flow_array_mismatches,
    scaling_mismatches,
    scaling_text,
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
            yield Report(event.call_node, (
                f"the {EVENT_WORDS[event.kind]} flow {event.data.label} is {scaling_text(event.data)}, unlike the "
                f"training flow {reference.data.label}"),
                explanation=(f"The training flow {reference.data.label} is {scaling_text(reference.data)} "
                             f"({{training}}): validation/test numbers "
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
