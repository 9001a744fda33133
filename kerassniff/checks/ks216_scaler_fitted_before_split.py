"""KS216 scaler-fitted-before-split: a series scaled by statistics measured over all of it, and only then split
in time into the part a model is trained on and the part it is scored on.

``scaled = MinMaxScaler().fit_transform(prices)`` and then ``train, test = scaled[:n], scaled[n:]``: the minimum and
maximum (or the mean and spread) are those of the whole series, the test period included.  The training inputs are
scaled with what the future holds, and the test inputs can never leave the range the scaler saw, as the next real
prices will: the test score measures a forecast made with knowledge of the future's range.  A shuffled split of
independent rows shares statistics too, but there the training rows already stand for the test rows: only a split
that keeps the order (slices, ``shuffle=False``) of a model that reads sequences (or forecasts the scaled series
itself) is reported.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, events, first_fit
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step, name_words
from kerassniff.semantic.knowledge.layers import RECURRENT_LAYERS
from kerassniff.semantic.models import Model

# Scalings whose statistics are measured on the array they are fitted on (Normalizer scales each row alone).
_FITTED_KINDS = frozenset({"standardize", "minmax"})
# Layers that read a sample as a sequence of time steps.
_SEQUENCE_LAYERS = RECURRENT_LAYERS | {"Bidirectional", "Conv1D", "SeparableConv1D", "TimeDistributed"}
# Words of a name for the part of the data held out from training.
_HELD_OUT_WORDS = frozenset({"test", "val", "valid", "validation", "holdout", "dev"})
_CONSEQUENCE = {
    "minmax": "the held-out inputs never leave the range the scaler saw, as the next real values will",
    "standardize": "the held-out inputs are centred on a mean their own period pulled, as the next real values "
                   "will not be",
}
_STATISTICS = {"minmax": "minimum and maximum", "standardize": "mean and standard deviation"}


@rule("KS216", "scaler-fitted-before-split", Severity.WARNING,
      "a series scaled with statistics of all of it, test period included, before an ordered split into training "
      "and test parts",
      "split first, then fit the scaler on the training part only (scaler.fit_transform(train)) and "
      "scaler.transform() the other parts")
def check(script: Script):
    reported: set[object] = set()
    for model in script.models:
        inputs = [event for event in events(script, model, "x") if not event.data.conditional]
        reference = first_fit(inputs)
        if reference is None or _shuffled(reference.data):
            continue
        fitted = {id(step.node): step for step in reference.data.steps
                  if step.kind in _FITTED_KINDS and _fitted_on_itself(script, step)}
        if not fitted or not _reads_a_series(script, model, reference, fitted):
            continue
        for event in inputs:
            if event.kind == "fit" or event.excludes(reference) or id(event.call_node) in reported or \
                    not _held_out(event.data) or _shuffled(event.data):
                continue
            shared = next((step for step in event.data.steps if id(step.node) in fitted), None)
            part = (event.data.name, id(shared.node) if shared is not None else None)
            if shared is not None and part not in reported:  # one finding per held-out part, where it is first used
                reported.update({id(event.call_node), part})
                yield _report(script, reference, event, shared)


def _report(script: Script, reference: DataEvent, event: DataEvent, step: Step) -> Report:
    statistics = _STATISTICS[step.kind]
    scaler = step.detail if step.detail and step.detail != "?" else "a scaling"
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets {event.data.label} scaled by the {scaler} fitted ({{fitted}}) before the "
        f"split: the held-out period leaks in"),
        explanation=(f"The {statistics} of the {scaler} were measured over the whole series ({{fitted}}), the rows "
                     f"now held out included, and the series was split in time only afterwards. The training inputs "
                     f"of fit() ({{fit}}) are scaled with the held-out period's values, and {_CONSEQUENCE[step.kind]}: "
                     f"the score measures a model that was given what the future holds."),
        facts={"scaler": scaler, "statistics": step.kind},
        mentions={"fitted": step.node, "fit": reference.call_node})


def _fitted_on_itself(script: Script, step: Step) -> bool:
    """A scaling whose statistics come from the array it scales: ``scaler.fit_transform(x)``, or by hand with that
    array's own statistics over its samples (``(x - x.mean(axis=0)) / x.std(axis=0)``)."""
    if step.measured_on == "split":
        return True
    call = script.call_at(step.node)
    return call is not None and call.method == "fit_transform"


def _shuffled(data: Data) -> bool:
    """Whether the rows were drawn at random somewhere on the way (train_test_split's default, a shuffle in place,
    a random index): then the held-out rows are no later period."""
    return data.shuffled_split is not False and data.shuffled_split is not None or \
        any(step.kind == "order" for step in data.steps)


def _held_out(data: Data) -> bool:
    """A part the script holds out from training: train_test_split's test part, or a name that says so."""
    if data.split in ("test", "val"):
        return data.shuffled_split is False
    return data.split is None and data.name is not None and bool(_HELD_OUT_WORDS & set(name_words(data.name)))


def _reads_a_series(script: Script, model: Model, reference: DataEvent, fitted: dict[int, Step]) -> bool:
    """Whether the model reads sequences (a recurrent or 1-D convolutional layer) or forecasts the scaled series
    itself (fit()'s targets scaled by the same fitted call as its inputs)."""
    if any(layer.kind in _SEQUENCE_LAYERS for layer in model.all_layers()):
        return True
    targets = [event for event in events(script, model, "y", ("fit",)) if event.call_node is reference.call_node]
    return any(id(step.node) in fitted for event in targets for step in event.data.steps)
