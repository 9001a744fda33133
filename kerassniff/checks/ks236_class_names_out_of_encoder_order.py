"""KS236 class-names-out-of-encoder-order: a prediction named from a written list of class names whose order is not
the one the label encoder numbered the classes in.

scikit-learn's ``LabelEncoder`` (and ``LabelBinarizer``, ``OneHotEncoder``) numbers string labels in sorted order:
``classes_`` is ``np.unique(labels)``.  A script that trains on those ids and then names a prediction with a list
written in another order (``["neutral", "calm", "happy", "sad"][np.argmax(pred)]``, the order of the dataset's codes)
prints another class's name for almost every answer.  The check needs the names the encoder was fitted on (each
label one of a dict's values, or a list of constant strings) and a list holding exactly those names, in any case.
"""
from __future__ import annotations

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.models import Model

_LONGEST_WRITTEN = 32  # a longer subscript is not repeated in the message
_LONGEST_LISTED = 6  # more names than this are not all spelled out in the explanation


@rule("KS236", "class-names-out-of-encoder-order", Severity.ERROR,
      "a prediction named with a written list of class names in another order than the encoder's (LabelEncoder "
      "numbers the names sorted)",
      "name predictions with the fitted encoder: encoder.inverse_transform(ids) or encoder.classes_[i] (save "
      "classes_ beside the model for another script)")
def check(script: Script):
    yield from _named(script)


@across_scripts("KS236")
def check_across(scripts: list[Script]):
    """The same in a script that loads the model (an app, a predict script) a script beside it trained on encoded
    labels and saved: the finding is the loading script's."""
    yield from reports_elsewhere(scripts, _named)


def _named(script: Script, built: BuiltHere = HERE):
    reported: set[tuple[tuple[str, ...], str]] = set()
    for node, names, predictions in script.listed_predictions.values():
        model = built.model_of(predictions.model)
        trained = _encoded_labels(built.script_of(script), model)
        listing = (names, script.code_of(node.value))
        if trained is None or listing in reported:
            continue
        encoded = trained.data.names_by_id
        assert encoded is not None
        if _same_names(names, encoded) and not _same_order(names, encoded):
            reported.add(listing)  # one finding per list: every name it gives is wrong alike
            yield _report(script, node, names, trained, built)


def _encoded_labels(script: Script, model: Model | None) -> DataEvent | None:
    """The labels fit() trains the model on, when an encoder numbered known names (every fit() of the model with the
    same order); None otherwise."""
    if model is None:
        return None
    fits = events(script, model, "y", ("fit",))
    orders = {event.data.names_by_id for event in fits}
    if len(orders) != 1 or None in orders:
        return None
    return fits[0]


def _same_names(names: tuple[str, ...], encoded: tuple[str, ...]) -> bool:
    """The list holds each encoded name once, written in any case (``"Happy"`` for the label ``"happy"``)."""
    folded = [name.casefold() for name in names]
    return len(folded) == len(set(folded)) == len(encoded) and set(folded) == {name.casefold() for name in encoded}


def _same_order(names: tuple[str, ...], encoded: tuple[str, ...]) -> bool:
    return [name.casefold() for name in names] == [name.casefold() for name in encoded]


def _encoder_step_node(data: Data):
    step = next((step for step in reversed(data.steps) if step.kind == "encode"), None)
    return step.node if step is not None else data.node


def _report(script: Script, node, names: tuple[str, ...], trained: DataEvent, built: BuiltHere) -> Report:
    written = script.code_of(node)
    named = written if len(written) <= _LONGEST_WRITTEN else "the prediction"
    encoded = trained.data.names_by_id or ()
    wrong = sum(a.casefold() != b.casefold() for a, b in zip(names, encoded))
    listed = ", ".join(f"{index} {name!r}" for index, name in enumerate(encoded[:_LONGEST_LISTED])) + (
        ", ..." if len(encoded) > _LONGEST_LISTED else "")
    return Report(
        node, f"{named} uses the written class order; the encoder numbered the classes sorted",
        explanation=(
            f"{built.sentence('labels the model trains on')} were encoded ({{encoder}}) in sorted order of the names "
            f"({listed}). The list written here gives them in another order, so "
            f"{wrong} of its {len(names)} names stand for another class: the script prints a wrong name for those "
            f"predictions, with no error."),
        facts={"written_order": list(names), "encoded_order": list(encoded), "wrong_names": wrong, **built.facts()},
        mentions={"encoder": built.mention(_encoder_step_node(trained.data))})
