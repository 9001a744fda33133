"""KS227 fit-on-validation-subset: fit() trains on the part of a folder that ``subset="validation"`` reads.

``ImageDataGenerator(validation_split=0.2).flow_from_directory(folder, subset="validation")`` (and
``image_dataset_from_directory(folder, validation_split=0.2, subset="validation")``) reads only the images held out
for validation.  Given to fit() as the training data, the model learns from that fifth of the folder and never from
the rest; when the "training" subset is then its validation data, the two are swapped, and the validation scores
judge a model on four times more images than it was trained on.
"""
from __future__ import annotations

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.models import Model


@rule("KS227", "fit-on-validation-subset", Severity.ERROR,
      "fit() trains on the subset='validation' part of a folder (flow_from_directory, image_dataset_from_directory): "
      "the model never sees the images the split keeps for training",
      "give fit() the subset='training' reader and validate on the subset='validation' one")
def check(script: Script):
    for model in script.models:
        fits = events(script, model, "x", ("fit",))
        if any(_part(event.data) == "training" for event in fits):
            continue  # (a fit() on the training part too: a last pass over the held-out images is a choice)
        reported: set[int] = set()
        for event in fits:
            if _part(event.data) != "validation" or id(event.call_node) in reported:
                continue
            reported.add(id(event.call_node))
            yield _report(event, _training_part_validating(script, model, event))


def _part(data: Data) -> str | None:
    """The part of a folder's split a reader takes: "training", "validation" (the share validation_split= holds
    out), or None for anything else."""
    return data.source.subset if data.source.kind == "directory" else None


def _training_part_validating(script: Script, model: Model, fit: DataEvent) -> DataEvent | None:
    """The same fit()'s validation data, when it is the training part of the same folder (the two swapped)."""
    for event in events(script, model, "x", ("validation",)):
        if event.call_node is fit.call_node and _part(event.data) == "training" and \
                fit.data.source.path is not None and event.data.source.path == fit.data.source.path:
            return event
    return None


def _report(event: DataEvent, swapped: DataEvent | None) -> Report:
    data = event.data
    folder = f" of {data.source.path}" if data.source.path else ""
    also = (f", and validates on {swapped.data.label}, its subset='training' (the two are swapped)"
            if swapped is not None else "")
    return Report(event.call_node, (
        f"fit() trains on {data.label}, a subset='validation' reader: the images kept for training are never seen"),
        explanation=(f"{data.source.description} ({{reader}}) reads with subset='validation' only the share of the "
                     f"images{folder} that validation_split holds out for validation. fit() trains on that part "
                     f"alone{also}: the model learns from a fraction of the data, and the images the split keeps "
                     f"for training are never seen."),
        facts={"subset": "validation", "swapped": swapped is not None},
        mentions={"reader": data.source.node})
