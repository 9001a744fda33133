"""KS236 class-names-out-of-encoder-order: a prediction named from a written list of class names whose order is not
the one the label encoder numbered the classes in.

scikit-learn's ``LabelEncoder`` (and ``LabelBinarizer``, ``OneHotEncoder``) numbers string labels in sorted order:
``classes_`` is ``np.unique(labels)``.  A script that trains on those ids and then names a prediction with a list
written in another order (``["neutral", "calm", "happy", "sad"][np.argmax(pred)]``, the order of the dataset's codes)
prints another class's name for almost every answer.  The check needs the names the encoder was fitted on (each
label one of a dict's values, or a list of constant strings) and a list holding exactly those names, in any case.

A Keras dataset's labels are numbered by its documentation's table (``cifar10.load_data()``: 0 airplane, 1
automobile, ... 9 truck): a list of those classes written in another order names the predictions wrongly alike.
The names are matched through the spellings scripts use (``"plane"``, ``"car"``, ``"T-shirt"``).
"""
from __future__ import annotations

import functools

from kerassniff.checks._built import HERE, BuiltHere, reports_elsewhere
from kerassniff.checks._ks236_charts import charted_predictions
from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.knowledge.datasets import CLASS_NAME_SPELLINGS, KERAS_DATASETS, class_name_key
from kerassniff.semantic.models import Model

_LONGEST_WRITTEN = 32  # a longer subscript is not repeated in the message
_LONGEST_LISTED = 6  # more names than this are not all spelled out in the explanation


@rule("KS236", "class-names-out-of-encoder-order", Severity.ERROR,
      "a prediction named with a written list of class names in another order than the encoder's (LabelEncoder "
      "numbers the names sorted) or the Keras dataset's",
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
    named = [(node, node.value, names, predictions, None)
             for node, names, predictions in script.listed_predictions.values()]
    named += [(node, written, names, predictions, "the bar chart")
              for node, written, names, predictions in charted_predictions(script)]
    for node, written, names, predictions, shown in named:
        model = built.model_of(predictions.model)
        trained = _encoded_labels(built.script_of(script), model)
        listing = (names, script.code_of(written))
        if trained is None or listing in reported:
            continue
        encoded = trained.data.names_by_id
        assert encoded is not None
        dataset = _dataset_of(trained.data)
        ids = _ids_in_dataset(names, encoded) if dataset is not None else _ids_encoded(names, encoded)
        if ids is not None and ids != tuple(range(len(encoded))):
            reported.add(listing)  # one finding per list: every name it gives is wrong alike
            yield _report(script, node, names, ids, trained, dataset, built, shown)


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


def _ids_encoded(names: tuple[str, ...], encoded: tuple[str, ...]) -> tuple[int, ...] | None:
    """The id of each written name, when the list holds each encoded name once, written in any case (``"Happy"`` for
    the label ``"happy"``); None otherwise."""
    by_name = {name.casefold(): index for index, name in enumerate(encoded)}
    return _one_each([by_name.get(name.casefold()) for name in names], len(encoded))


def _dataset_of(data: Data) -> str | None:
    """The Keras dataset whose documented classes the labels' ids stand for (its ``load_data()`` labels, kept by
    ``to_categorical()`` and splits)."""
    if data.source.kind != "dataset":
        return None
    return next((name for name, spec in KERAS_DATASETS.items() if spec.class_names == data.names_by_id), None)


def _ids_in_dataset(names: tuple[str, ...], classes: tuple[str, ...]) -> tuple[int, ...] | None:
    """The id of each written name among a dataset's classes, through the spellings scripts use (``"plane"``,
    ``"T-shirt"``), when the list names each class once; None otherwise."""
    by_spelling = _spellings(classes)
    return _one_each([by_spelling.get(class_name_key(name)) for name in names], len(classes))


@functools.lru_cache(maxsize=None)
def _spellings(classes: tuple[str, ...]) -> dict[str, int]:
    """Each way of writing a dataset's classes (:data:`CLASS_NAME_SPELLINGS`), by the class id it stands for."""
    by_spelling: dict[str, int] = {}
    for index, name in enumerate(classes):
        key = class_name_key(name)
        for spelling in (key, *CLASS_NAME_SPELLINGS.get(key, ())):
            by_spelling[spelling] = index
    return by_spelling


def _one_each(ids: list[int | None], n_classes: int) -> tuple[int, ...] | None:
    """The ids, when each of the classes is named exactly once."""
    if len(ids) != n_classes or None in ids or len(set(ids)) != n_classes:
        return None
    return tuple(ids)  # type: ignore[arg-type]


def _encoder_step_node(data: Data):
    step = next((step for step in reversed(data.steps) if step.kind == "encode"), None)
    return step.node if step is not None else data.node


def _report(script: Script, node, names: tuple[str, ...], ids: tuple[int, ...], trained: DataEvent,
            dataset: str | None, built: BuiltHere, shown: str | None = None) -> Report:
    written = script.code_of(node)
    named = shown or (written if len(written) <= _LONGEST_WRITTEN else "the prediction")
    encoded = trained.data.names_by_id or ()
    wrong = sum(index != position for position, index in enumerate(ids))
    listed = ", ".join(f"{index} {name!r}" for index, name in enumerate(encoded[:_LONGEST_LISTED])) + (
        ", ..." if len(encoded) > _LONGEST_LISTED else "")
    consequence = (f"The list written here gives them in another order, so {wrong} of its {len(names)} names stand "
                   f"for another class: the script prints a wrong name for those predictions, with no error.")
    facts = {"written_order": list(names), "encoded_order": list(encoded), "wrong_names": wrong, **built.facts()}
    if dataset is not None:
        return Report(
            node, f"{named} names the classes out of {dataset}.load_data()'s label order",
            fix_hint=f"write the names in the order of {dataset}.load_data()'s label ids: " +
            ", ".join(f"{index} {name!r}" for index, name in enumerate(encoded)),
            explanation=(f"{built.sentence('labels the model trains on')} come from {{loader}}, whose ids stand for "
                         f"the classes in the order Keras documents ({listed}). {consequence}"),
            facts={**facts, "dataset": dataset},
            mentions={"loader": built.mention(trained.data.source.node)})
    return Report(
        node, f"{named} uses the written class order; the encoder numbered the classes sorted",
        explanation=(
            f"{built.sentence('labels the model trains on')} were encoded ({{encoder}}) in sorted order of the names "
            f"({listed}). {consequence}"),
        facts=facts, mentions={"encoder": built.mention(_encoder_step_node(trained.data))})
