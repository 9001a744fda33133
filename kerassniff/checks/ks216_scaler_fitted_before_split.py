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

from kerassniff.checks._shared import EVENT_WORDS, held_out_inputs
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step, later_rows_cut_here
from kerassniff.semantic.array_names import name_words
from kerassniff.semantic.knowledge.layers import RECURRENT_LAYERS
from kerassniff.semantic.models import Model
from kerassniff.semantic.shapes import model_input_shape
from kerassniff.semantic.values import Const, DataValue, Seq, const_value

# Scalings whose statistics are measured on the array they are fitted on (Normalizer scales each row alone).
_FITTED_KINDS = frozenset({"standardize", "minmax"})
# Layers that read a sample as a sequence of time steps.
_SEQUENCE_LAYERS = RECURRENT_LAYERS | {"Bidirectional", "Conv1D", "SeparableConv1D", "TimeDistributed"}
# Words of a name for the part of the data held out from training.
_HELD_OUT_WORDS = frozenset({"test", "val", "valid", "validation", "holdout", "dev"})
_CONSEQUENCE = {
    "minmax": ("The held-out inputs stay inside [0, 1], where real later values of a trending series would leave the "
               "training range; a bounded output (a sigmoid) then hides the extrapolation the deployed model fails "
               "at."),
    "standardize": "The held-out inputs are centred on a mean and spread their own period helped set.",
}
# How a scaling written by hand is named.
_BY_HAND = {"minmax": "a min-max scaling", "standardize": "a standardisation"}
# Calls that draw rows in a random order (by the end of their canonical name, or as methods).
_RANDOM_ORDER_FUNCTIONS = ("random.shuffle", "random.permutation", "utils.shuffle")
_RANDOM_ORDER_METHODS = frozenset({"shuffle", "permutation", "sample"})
_STATISTICS = {"minmax": "minimum and maximum", "standardize": "mean and standard deviation"}


@rule("KS216", "scaler-fitted-before-split", Severity.WARNING,
      "a series scaled with statistics of all of it, test period included, before an ordered split into training "
      "and test parts",
      "split first, then fit the scaler on the training part only (scaler.fit_transform(train)) and "
      "scaler.transform() the other parts")
def check(script: Script):
    reported: set[object] = set()
    for model in script.models:
        reference, held_out = held_out_inputs(script, model)
        if reference is None or _shuffled(reference.data):
            continue
        # the very step objects of fit()'s history: a helper that scales each part it is given makes a new one per call
        fitted = {id(step): step for step in reference.data.steps
                  if step.kind in _FITTED_KINDS and _fitted_on_itself(script, step)}
        if not fitted or not _reads_a_series(model) or _randomised(script):
            continue
        for event in held_out:
            if id(event.call_node) in reported or not _held_out(event.data) or _shuffled(event.data) or event.data.n_samples == 1:
                continue  # (one window: a forecast of what follows the data, not a held-out part)
            shared = next((step for step in event.data.steps if id(step) in fitted), None)
            part = (event.data.name, id(shared))
            if shared is not None and part not in reported:  # one finding per held-out part, where it is first used
                reported.update({id(event.call_node), part})
                yield _report(script, reference, event, shared)


def _report(script: Script, reference: DataEvent, event: DataEvent, step: Step) -> Report:
    statistics = _STATISTICS[step.kind]
    scaler = f"a {step.detail}" if step.detail[:1].isupper() else _BY_HAND[step.kind]
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets {event.data.label} scaled by {scaler} fitted on all rows ({{fitted}}): not "
        f"out-of-sample"),
        explanation=(f"The {statistics} of this scaling were measured over the whole series ({{fitted}}), the rows now "
                     f"held out included, and the series was split in time only afterwards: the held-out period "
                     f"took part in preparing the data fit() ({{fit}}) trained on, so the score is not that of the "
                     f"pipeline you can deploy, whose scaler knows only the past. {_CONSEQUENCE[step.kind]}"),
        facts={"scaler": step.detail, "statistics": step.kind},
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
    return data.shuffled_split is True or any(step.kind == "order" for step in data.steps)


def _held_out(data: Data) -> bool:
    """A part the script holds out from training: train_test_split's test part, a name that says so, or the later
    rows of an array cut off in the call itself (``validation_data=(windows[cut:], targets[cut:])``)."""
    if data.held_out:
        return data.shuffled_split is False
    if data.split is None and later_rows_cut_here(data):
        return True
    return data.split is None and data.name is not None and bool(_HELD_OUT_WORDS & set(name_words(data.name)))


def _reads_a_series(model: Model) -> bool:
    """Whether the model reads each sample as a sequence of several time steps: a recurrent or 1-D convolutional
    layer, and no input shape of one step (tabular rows reshaped to ``(n, 1, features)`` for an LSTM with
    ``input_shape=(1, features)`` are no series).  (The arrays' own sample shape is not asked: windows gathered in a
    loop are not followed as windows.)"""
    if not any(layer.kind in _SEQUENCE_LAYERS for layer in model.all_layers()):
        return False
    return _time_steps(model) != 1


def _time_steps(model: Model) -> object:
    """The time steps of the model's input when the script states them (``input_shape=(1, n_features)`` with the
    features not known still states one step)."""
    shape = model_input_shape(model)
    if shape and len(shape) >= 2:
        return shape[0]
    given = model.layers[0].shape_args.get("input_shape") if model.layers else None
    return const_value(given.items[0]) if isinstance(given, Seq) and len(given.items) >= 2 else None


def _randomised(script: Script) -> bool:
    """Whether the script draws rows at random anywhere (``np.random.shuffle``, ``np.random.permutation``,
    ``sklearn.utils.shuffle``, ``df.sample()``, a generator's ``permutation``): a slice after it is no later period,
    and which arrays it reorders is not followed closely enough to tell."""
    for call in script.calls:
        name = call.callee or ""
        if name.endswith(_RANDOM_ORDER_FUNCTIONS):
            first = call.args.positional[0] if call.args.positional else None
            if not isinstance(first, (Seq, Const)):  # (random.shuffle(colors) of a list written here: no rows)
                return True
        elif call.method in _RANDOM_ORDER_METHODS and not (
                isinstance(call.receiver, DataValue) and call.receiver.data.batches):
            return True
    return False
