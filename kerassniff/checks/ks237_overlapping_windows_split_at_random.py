"""KS237 overlapping-windows-split-at-random: windows cut along a series closer together than their width (at every
row, or every few rows), then split into training and held-out parts at random.

``for i in range(len(series) - 30): X.append(series[i:i + 30])`` makes windows that share all but one row with the
next one.  ``train_test_split`` shuffles by default, so nearly every held-out window has neighbours in the training
part holding the same rows (and its target among their inputs): the validation or test score measures how well the
model recalls rows it trained on, not how it forecasts or classifies an unseen stretch.  A split by time (the last
part held out, ``shuffle=False``), or windows cut after splitting the series, avoid it.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data


@rule("KS237", "overlapping-windows-split-at-random", Severity.WARNING,
      "windows cut along a series closer than their width (sharing rows with their neighbours) split by a shuffled "
      "train_test_split, then scored on the held-out part: the score is optimistic",
      "split the series by time before cutting windows (or train_test_split(..., shuffle=False) and hold out the "
      "last part)")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        inputs = [e for e in events(script, model, "x") if _shuffled_windows(e.data)]
        for fit in (e for e in inputs if e.kind == "fit" and e.data.split == "train"):
            split = fit.data.split_at
            for held in inputs:
                if held.kind not in ("validation", "evaluate") or held.data.split not in ("val", "test") or \
                        held.data.split_at is not split or id(split) in reported:
                    continue
                reported.add(id(split))  # (one finding per split: its validation and its test score alike)
                where = split if script.position(split) is not None else fit.call_node
                yield Report(where, (
                    "train_test_split() shuffles overlapping windows: held-out windows share training rows"),
                    explanation=(
                        f"{fit.data.label} and {held.data.label} are windows cut along one series closer together "
                        f"than their width, so each shares rows with the next; this split draws them at random, so "
                        f"almost every "
                        f"held-out window has neighbours in the training part with the same rows (for a forecast, its target among "
                        f"their inputs). The score {EVENT_WORDS[held.kind]} reports ({{held}}) is how well the model "
                        f"recalls the training rows, optimistic for data it has not seen."),
                    mentions={"held": held.call_node, "fit": fit.call_node})


def _shuffled_windows(data: Data) -> bool:
    """A part of a shuffled train_test_split of windows that overlap, the same in every branch."""
    return data.overlapping_windows and data.shuffled_split is True and data.split_at is not None and \
        not data.conditional and not data.batches
