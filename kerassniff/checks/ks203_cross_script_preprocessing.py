"""KS203 cross-script-preprocessing-mismatch (seed 003: train.py scaled by 255, the evaluation script did not)."""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, comparable_scaling, scaling_text
from kerassniff.findings import Severity
from kerassniff.project import model_links
from kerassniff.registry import Report, project_rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data


@project_rule("KS203", "cross-script-preprocessing-mismatch", Severity.ERROR,
              "a script that loads a model prepares its inputs differently from the script that trained it",
              "share one preprocessing function between the training and the evaluation script (or put the "
              "preprocessing inside the model as layers)")
def check(scripts: list[Script]):
    for link in model_links(scripts):
        trained = [e for e in link.trainer.data_events if e.model is link.trained and e.role == "x" and e.kind == "fit"]
        if not trained or link.loaded.scales_inputs or link.trained.scales_inputs:
            continue
        reference = trained[0]
        for event in link.user.data_events:
            if event.model is not link.loaded or event.role != "x" or event.kind not in ("evaluate", "predict"):
                continue
            problem = _difference(reference.data, event.data)
            if problem is None:
                continue
            yield link.user, Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets {event.data.label} {problem}, but {link.trainer.path} "
                f"({link.trainer.where(reference.call_node)}) trained the model saved as '{link.path}' on "
                f"{reference.data.label} {_described(reference.data)}: the loaded model sees inputs unlike anything "
                f"it was trained on, and its accuracy here does not measure it"))


def _described(data: Data) -> str:
    parts = [scaling_text(data)]
    if data.source.color:
        parts.append(f"in {data.source.color.upper()}")
    return ", ".join(parts)


def _difference(train: Data, used: Data) -> str | None:
    if not (comparable_scaling(train) and comparable_scaling(used)):
        return None
    if not (used.source.pixels or used.source.description == train.source.description):
        return None  # a file of unknown range: it may already be scaled
    if used.scaling != train.scaling:
        return scaling_text(used)
    colors = {train.source.color, used.source.color}
    if None not in colors and len(colors) == 2:
        return f"in {used.source.color.upper()} order"  # type: ignore[union-attr]
    train_size = [s.detail for s in train.steps if s.kind == "resize"]
    used_size = [s.detail for s in used.steps if s.kind == "resize"]
    if train_size and used_size and train_size[-1] != used_size[-1] and "?" not in (train_size[-1], used_size[-1]):
        return f"resized to {used_size[-1]}"
    return None
