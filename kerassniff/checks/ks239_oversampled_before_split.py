"""KS239 oversampled-before-split: rows over-sampled (``SMOTE().fit_resample(x, y)``, ``RandomOverSampler``) before
the split into the part a model trains on and the part it is scored on.

An over-sampler adds minority rows made from the rows it is given: copies (RandomOverSampler) or points between a row
and its neighbours (SMOTE, ADASYN).  Split afterwards, the held-out part holds copies of training rows, or points
drawn between them, and the training part holds the neighbours each synthetic held-out row was made from: the
minority class is scored on rows the model has in effect seen, and the score (recall above all) is optimistic.
Resampling only the training part after the split keeps the held-out part real.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import NOT_KNOWN, OVERSAMPLER_SETTING, Data, DataEvent, Step

# The events that score a held-out part, in the order a finding prefers them.
_SCORING = ("evaluate", "predict", "validation")
# Over-samplers that copy rows rather than make new ones between them.
_COPYING = frozenset({"RandomOverSampler", "DataFrame.sample(replace=True)", "resample()"})


@rule("KS239", "oversampled-before-split", Severity.WARNING,
      "rows over-sampled (SMOTE, RandomOverSampler) before the split into a training part and a part that is scored: "
      "the held-out rows are copies of, or made from, training rows",
      "split first, then over-sample the training part only (x_train, y_train = SMOTE().fit_resample(x_train, "
      "y_train)); score the untouched held-out part")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        inputs = [event for event in events(script, model, "x") if not event.data.conditional]
        for fit in (event for event in inputs if event.kind == "fit" and event.data.split == "train"):
            resampled = _oversampling(fit.data)
            if resampled is None or id(resampled) in reported:
                continue
            held = _scored_part(inputs, fit, resampled)
            if held is not None:
                reported.add(id(resampled))  # (one finding per resampling: its test and validation parts alike)
                yield _report(fit, held, resampled)


def _oversampling(data: Data) -> Step | None:
    """The over-sampler's step the array took, when it took one before it was split."""
    return next((step for step in data.steps if step.setting(OVERSAMPLER_SETTING) is not NOT_KNOWN), None)


def _scored_part(inputs: list[DataEvent], fit: DataEvent, resampled: Step) -> DataEvent | None:
    """The first use that scores a held-out part of the same split as fit()'s training part, by evaluate(), then
    predict(), then validation_data; None when no held-out part of it is used."""
    held_out = [event for event in inputs if event.kind in _SCORING and event.data.held_out and
                not event.data.batches and any(step is resampled for step in event.data.steps) and
                _same_split(event.data, fit.data)]
    return min(held_out, key=lambda event: (_SCORING.index(event.kind), event.order), default=None)


def _same_split(part: Data, trained: Data) -> bool:
    """Parts of one train_test_split call."""
    return part.split_at is not None and part.split_at is trained.split_at


def _report(fit: DataEvent, held: DataEvent, resampled: Step) -> Report:
    sampler = str(resampled.setting(OVERSAMPLER_SETTING))
    made = ("copies of minority rows, some of them now in the training part" if sampler in _COPYING else
            "synthetic minority rows, each made between real rows that may now sit in the training part")
    return Report(resampled.node, f"{sampler} over-samples before the split: {EVENT_WORDS[held.kind]} scores rows made "
                                  f"from training rows",
                  explanation=(
                      f"{sampler}'s resampling ({{resampled}}) added {made}, and only afterwards were the rows split "
                      f"into {fit.data.label} for fit() ({{fit}}) and {held.data.label}, which "
                      f"{EVENT_WORDS[held.kind]} ({{held}}) scores. The held-out minority rows are not new data to "
                      f"the model, so the score (the minority class's recall above all) is optimistic: the real "
                      f"class balance and the real minority rows are what the model meets after deployment."),
                  facts={"oversampler": sampler, "scored_by": held.kind},
                  mentions={"resampled": resampled.node, "fit": fit.call_node, "held": held.call_node})
