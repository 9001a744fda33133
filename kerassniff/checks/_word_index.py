"""What KS222 and KS226 ask of a model trained on a Keras dataset's word ids: the ``load_data()`` call that gave them,
and the step that made new texts into ids with the dataset's ``get_word_index()``."""
from __future__ import annotations

from dataclasses import dataclass

from kerassniff.checks._shared import events
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step
from kerassniff.semantic.knowledge.datasets import WORD_INDEX_OFFSETS
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.vocabulary import WORD_INDEX_STEP


@dataclass(frozen=True)
class TrainedOnWordIds:
    """The model's first fit() on a word-index dataset's load_data() ids, the dataset, and that load_data() call."""

    fit: DataEvent
    dataset: str
    load: CallSite


def trained_on_word_ids(script: Script, model: Model) -> TrainedOnWordIds | None:
    """The fit() whose inputs are a word-index dataset's load_data() ids; None when no fit() trains on one, or its
    load_data() call is not the script's."""
    for event in events(script, model, "x", ("fit",)):
        source = event.data.source
        dataset = source.description.removesuffix(".load_data()") if source.kind == "dataset" else None
        if dataset not in WORD_INDEX_OFFSETS:
            continue
        call = script.call_at(source.node)
        return TrainedOnWordIds(event, dataset, call) if call is not None else None
    return None


def word_index_step(data: Data) -> Step | None:
    """The step that made the array from ids read out of a dataset's get_word_index(), if any."""
    return next((step for step in data.steps if step.kind == "encode" and step.detail == WORD_INDEX_STEP), None)
