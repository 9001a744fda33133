"""KS201 unscaled-split (seeds 003 and 004)."""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, scaling_mismatches, scaling_text
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data


@rule("KS201", "unscaled-split", Severity.ERROR,
      "one split is scaled and another split fed to the same model is not, or is scaled differently",
      "apply exactly the same preprocessing to every split (put it in one function, or in the model as a "
      "Rescaling/Normalization layer)")
def check(script: Script):
    for model in script.models:
        for reference, event in scaling_mismatches(script, model, flows=False):  # flows: KS204
            if _same_kind_of_data(reference.data, event.data):
                yield Report(event.call_node, (
                    f"{EVENT_WORDS[event.kind]} gets {event.data.label} {scaling_text(event.data)}, but fit() "
                    f"({script.where(reference.call_node)}) used {reference.data.label} "
                    f"{scaling_text(reference.data)}"),
                    explanation=("Here the model sees inputs "
                                 f"on a different scale than in training, so the numbers it reports (or the "
                                 f"predictions it makes) do not reflect what it learnt."),
                    facts={"scaling": list(event.data.scaling), "training_scaling": list(reference.data.scaling)})


def _same_kind_of_data(a: Data, b: Data) -> bool:
    return a.group == b.group or (a.source.pixels and b.source.pixels)
