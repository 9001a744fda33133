"""KS241 fit-on-the-unsplit-array: ``fit()`` trains on the whole array that ``train_test_split`` divided, and a
held-out part of that split is then scored.

``x_train, x_test, y_train, y_test = train_test_split(x, y)``, then ``model.fit(x, y)`` (the split's names left
unused, or ``SMOTE().fit_resample(x, y)`` of the whole arrays kept as the training part): every row of ``x_test`` is
also a training row, so ``evaluate(x_test, y_test)``, a ``predict()`` scored against ``y_test`` or
``validation_data=(x_test, y_test)`` measures how well the model recalls its training data.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, data_of

# Uses that score a part, in the order a finding prefers them.
_SCORING = ("evaluate", "predict", "validation")


@rule("KS241", "fit-on-the-unsplit-array", Severity.ERROR,
      "fit() trains on the whole array train_test_split divided, then the split's held-out part is scored: every "
      "scored row was trained on",
      "train on the split's training part (model.fit(x_train, y_train)), or over-sample only that part")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        inputs = [event for event in events(script, model, "x") if not event.data.conditional]
        for fit in inputs:
            if fit.kind != "fit" or not _whole(fit.data) or id(fit.call_node) in reported:
                continue
            held = [event for event in inputs if event.kind in _SCORING and event.order >= fit.order and
                    _part_of(event.data, fit.data) and _split_of(script, event.data, fit.data) and
                    not event.excludes(fit)]
            if held:
                first = min(held, key=lambda event: (_SCORING.index(event.kind), event.order))
                reported.add(id(fit.call_node))
                yield _report(fit, first)


def _whole(data: Data) -> bool:
    """An array itself, not a part a split made nor some of its rows (``x[:cut]``), read whole (not a batch
    pipeline, not one sample)."""
    return data.split is None and not data.rows_cut and not data.batches and not data.is_sample


def _part_of(part: Data, whole: Data) -> bool:
    """A held-out part that a train_test_split made of an array of ``whole``'s group (arrays read or split from one
    load): of ``whole`` itself, as ``whole`` is not some of the group's rows."""
    return part.held_out and part.split_at is not None and part.shuffled_split is not None and \
        part.group == whole.group and not part.batches and not part.is_sample


def _split_of(script: Script, part: Data, whole: Data) -> bool:
    """Whether the split that made ``part`` was given ``whole`` itself (the very array, or one that took more steps
    after it: over-sampled, scaled), not another array of its group (``data["x_test"]`` of one archive, the later
    rows ``x[cut:]``)."""
    site = script.call_at(part.split_at)
    given = data_of(site.args.positional[0]) if site is not None and site.args.positional else None
    if given is None or given.group != whole.group:
        return False
    return whole.node is given.node or (len(whole.steps) > len(given.steps) and
                                        whole.steps[:len(given.steps)] == given.steps)


def _report(fit: DataEvent, held: DataEvent) -> Report:
    used = EVENT_WORDS[held.kind]
    return Report(fit.call_node, (
        f"fit() trains on all of {fit.data.label}, including {held.data.label} that {used} scores ({{held}})"),
        explanation=(
            f"train_test_split ({{split}}) divided this array into a training part and {held.data.label}, but fit() "
            f"is given the whole array, so every row of {held.data.label} is also a training row. {used} "
            f"({{held}}) then scores the model on rows it was fitted on: the accuracy or loss it reports is a training "
            f"score, and overfitting cannot show."),
        facts={"trained": fit.data.name or "", "scored": held.data.name or "", "scored_by": held.kind},
        mentions={"held": held.call_node, "split": held.data.split_at})
