"""KS201 unscaled-split (seeds 003 and 004)."""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, scaling_mismatches, scaling_text, used_scaling_verdict
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CROSSENTROPY_LOSSES, REGRESSION_LOSSES

CLASSIFICATION_LOSSES = CROSSENTROPY_LOSSES | {"hinge", "squared_hinge", "categorical_hinge"}

# What wrongly scaled inputs do to the outputs, by the task the loss trains for.
CONSEQUENCE = {
    "classification": ", typically collapsing onto a few classes",
    "regression": ", typically far from the targets",
    None: "",
}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    return used_scaling_verdict(finding, run)


@rule("KS201", "unscaled-split", Severity.ERROR,
      "one split is scaled and another split fed to the same model is not, or is scaled differently",
      "apply exactly the same preprocessing to every split (put it in one function, or in the model as a "
      "Rescaling/Normalization layer)", verdict=verdict, compares_values=True)
def check(script: Script):
    for model in script.models:
        for reference, event in scaling_mismatches(script, model, flows=False):  # flows: KS204
            if _same_kind_of_data(reference.data, event.data):
                yield Report(event.call_node, (
                    f"{EVENT_WORDS[event.kind]} gets {event.data.label} {scaling_text(event.data)}, but fit() "
                    f"({{fit}}) used {reference.data.label} "
                    f"{scaling_text(reference.data)}"),
                    explanation=(f"Here the model sees inputs on a different scale than in training, so the numbers "
                                 f"it reports (or the predictions it makes) are wrong{CONSEQUENCE[task(model)]}."),
                    facts={"scaling": list(event.data.scaling), "training_scaling": list(reference.data.scaling)},
                    mentions={"fit": reference.call_node})


def task(model: Model) -> str | None:
    """'classification' or 'regression' from the model's losses; None when unknown or mixed.

    Only a classifier's wrongly scaled inputs collapse onto a few classes; a regression's predictions drift
    away from the targets instead.
    """
    names = {loss.name for c in model.compiles for loss in c.losses}
    if not names or None in names:
        return None
    if names <= CLASSIFICATION_LOSSES:
        return "classification"
    if names <= REGRESSION_LOSSES:
        return "regression"
    return None


def _same_kind_of_data(a: Data, b: Data) -> bool:
    return a.group == b.group or (a.source.pixels and b.source.pixels)
