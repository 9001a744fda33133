"""KS224 score-on-training-rows: ``evaluate()`` on the whole array that ``train_test_split`` (or fit()'s own
``validation_split``) divided into the part ``fit()`` trained on and a held-out part, when nothing scores the held-out
part.

``x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3)``, ``fit(x_tr, y_tr)``, then
``evaluate(x, y)``: 70% of the scored rows are rows the model was fitted on, so the accuracy printed as the model's
is mostly training accuracy.  The held-out part the split made is never scored, and an overfitted model looks good.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import events, held_out_inputs, shared_parts
from kerassniff.findings import Severity
from kerassniff.registry import Elsewhere, Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.array_names import name_words
from kerassniff.semantic.links import model_links
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import const_value


@rule("KS224", "score-on-training-rows", Severity.WARNING,
      "evaluate() on the whole array a train_test_split divided into fit()'s training part and a held-out part that "
      "nothing scores: most of the scored rows were trained on",
      "evaluate the held-out part the split made (model.evaluate(x_test, y_test))")
def check(script: Script):
    for model in script.models:
        yield from _parts_trained_on(script, model)
        reference, others = held_out_inputs(script, model)
        if reference is not None and reference.data.split is None:
            yield from _validation_split_rows(script, model, reference, others)
        if reference is None or reference.data.split != "train" or reference.data.shuffled_split is None:
            continue  # (only a train_test_split's training part: its rows are some of the whole array's)
        inputs = events(script, model, "x")
        if any(_held_out_part_of(event.data, reference.data) for event in inputs
               if event.kind in ("evaluate", "predict")):
            continue  # the held-out part is scored too: a score over every row beside it is the script's choice
        whole = next((event for event in others if event.kind == "evaluate" and event.order > reference.order
                      and _whole_of(event.data, reference.data)), None)
        if whole is not None and not any(_whole_of(event.data, reference.data)
                                          for event in inputs if event.kind == "fit"):
            # (a model trained on every row too: its evaluate() is openly a training score)
            yield _report(whole, reference)


def _parts_trained_on(script: Script, model: Model):
    """evaluate() on a part of a tf.data pipeline that shares samples with the part fit() trained on: take() and skip()
    of a pipeline reshuffled each epoch (``image_dataset_from_directory`` shuffles so by default), or two take()s.
    One finding per evaluate() call, and none where the part also overlaps the validation part (KS205 says it)."""
    scored = [e for e in events(script, model, "x", ("evaluate",)) if e.data.parts]
    if not scored:
        return
    trained = [e for e in events(script, model, "x", ("fit",)) if e.data.parts]
    watched = [e for e in events(script, model, "x", ("validation",)) if e.data.parts]
    for final in scored:
        if any(e.order < final.order and shared_parts(e.data, final.data) is not None for e in watched):
            continue  # (it shares samples with the validation part too: KS205's finding, one per call)
        found = next(((e, shared) for e in trained if e.order < final.order and not e.excludes(final) and
                      not final.data.is_same_array(e.data) and (shared := shared_parts(e.data, final.data)) is not None),
                     None)
        if found is None:
            continue
        fit, (summary, why, facts) = found
        yield Report(final.call_node, (
            f"evaluate() on {final.data.label} holds samples fit() trained on ({{fit}}): {summary}"),
            "split the files or the unshuffled pipeline once (shuffle=False, or a seeded shuffle with "
            "reshuffle_each_iteration=False) before take()/skip(), or read the test folder separately",
            explanation=(f"{why[:1].upper()}{why[1:]}. The test score is measured on samples the model was trained "
                         f"on: it is optimistic."),
            facts=facts, mentions={"fit": fit.call_node})


def _report(event: DataEvent, reference: DataEvent) -> Report:
    return Report(event.call_node, (
        f"evaluate() scores all of {event.data.label}, the rows fit() trained on ({{fit}}) included: optimistic"),
        explanation=(f"fit() ({{fit}}) trained on {reference.data.label}, the training part train_test_split "
                     f"({{split}}) made of {event.data.label}; evaluate() scores every row of {event.data.label}, "
                     f"so most of the scored rows are rows the model was fitted on, and the held-out part the split "
                     f"made is never evaluate()d on its own (as validation_data, if given, it is scored only during "
                     f"training). The accuracy or loss printed is mostly training accuracy: an overfitted model looks "
                     f"as good as one that generalises."),
        facts={"scored": event.data.name or "", "trained": reference.data.name or ""},
        mentions={"fit": reference.call_node, "split": reference.data.node})


@across_scripts("KS224")
def check_across(scripts: list[Script]):
    """The same across scripts: a script that loads the model another one trained (``evaluate.py``) and scores it
    only on the file or folder the trainer fitted it on (``pd.read_csv("data/train.csv")`` in both).  Only a path whose
    name says it holds training data (a slice of another file may be a held-out part: slices are not followed), and
    only when nothing else is scored there (a train score beside a test score is the script's choice)."""
    for link in model_links(scripts):
        reference, _ = held_out_inputs(link.trainer, link.trained)
        if reference is not None:
            yield from _split_again(link, reference)
        trained_path = _training_file(reference.data, trainer=True) if reference is not None else None
        if trained_path is None:
            continue
        scored = [event for event in events(link.user, link.loaded, "x") if event.kind in ("evaluate", "predict")]
        if not scored or any(_training_file(event.data) != trained_path for event in scored):
            continue  # (something else is scored too, or what is scored is not known)
        event = next((event for event in scored if event.kind == "evaluate"), None)
        if event is not None:
            yield link.user, _report_elsewhere(event, reference, link.trainer, trained_path)


def _split_again(link, reference: DataEvent):
    """The loading script reads the trainer's file again and splits it with a ``train_test_split`` that need not
    draw the trainer's parts (either call unseeded, or the two written differently): its held-out part, scored by
    ``evaluate()``, holds mostly rows the trainer's training part held."""
    trained = reference.data
    path = _read_path(trained)
    if trained.split != "train" or trained.split_at is None or path is None:
        return
    for event in events(link.user, link.loaded, "x"):
        held = event.data
        if event.kind != "evaluate" or not held.held_out or held.split_at is None or \
                held.conditional or _read_path(held) != path:
            continue
        differs = _split_settings(link.trainer, trained.split_at) != _split_settings(link.user, held.split_at) or \
            not _seeded(held.split_at)
        if differs:
            yield link.user, Report(event.call_node, (
                f"evaluate() scores {held.label}, re-split from '{path}' unlike the trainer's split: mostly "
                f"training rows"),
                "split with the trainer's constant random_state and test_size (or save the test part once and load it)",
                explanation=(f"{link.trainer.path} trained this model on the training part of a train_test_split of "
                             f"'{path}' ({{fit}}); this script reads the same file and splits it again ({{split}}), "
                             f"but nothing makes the two calls draw the same rows (a random_state not set, or set "
                             f"otherwise, or another test_size): in a new run the new held-out part is mostly rows the "
                             f"trainer fitted on, so the score {{evaluated}} reports is largely a training score."),
                facts={"scored_path": path, "trainer": link.trainer.path},
                mentions={"fit": Elsewhere(reference.call_node, link.trainer.describe), "split": held.split_at,
                          "evaluated": event.call_node})
            return


_SPLIT_SETTINGS = ("test_size", "train_size", "random_state", "shuffle", "stratify")


def _split_settings(script: Script, split: cst.Call) -> tuple:
    """How a train_test_split call is written: the code of each keyword that decides its parts."""
    given = {arg.keyword.value: script.code_of(arg.value) for arg in split.args if arg.keyword is not None}
    return tuple(given.get(name) for name in _SPLIT_SETTINGS)


def _seeded(split: cst.Call) -> bool:
    """A split that draws the same parts at every run: a random_state written (not None), or shuffle=False."""
    for arg in split.args:
        if arg.keyword is not None and arg.keyword.value == "random_state":
            return not (type(arg.value) is cst.Name and arg.value.value == "None")
        if arg.keyword is not None and arg.keyword.value == "shuffle":
            return type(arg.value) is cst.Name and arg.value.value == "False"
    return False


def _read_path(data: Data, kinds: tuple[str, ...] = ("file",)) -> str | None:
    """The file (or folder, among ``kinds``) an array was read from, when its path is a constant (not a
    command-line default)."""
    source = data.source
    if source.kind not in kinds or source.path is None or source.option_default:
        return None
    return source.normal_path


def _training_file(data: Data, trainer: bool = False) -> str | None:
    """The file or folder an array was read from, when its name says it holds training data (``train.csv``,
    ``x_train.npy``, ``data/train``): not a part a split held out, not a folder read's subset (the trainer's may be its
    training subset), the same in every branch, not a command-line default; for the scored array (not the trainer's),
    every row of it (not ``df.iloc[-1000:]``)."""
    source = data.source
    path = _read_path(data, ("file", "directory"))
    if path is None or data.conditional or data.held_out or (source.subset is not None and not (
            trainer and source.subset == "training")) or (data.rows_cut and not trainer):
        return None  # (the scored rows must be all the file's: some of them may be the ones the trainer held out)
    return path if "train" in name_words(path.rsplit("/", 1)[-1]) else None


def _report_elsewhere(event: DataEvent, reference: DataEvent, trainer: Script, path: str) -> Report:
    return Report(event.call_node, (
        f"evaluate() scores the model on '{path}', the data {trainer.file_name} trained it on: "
        f"optimistic"),
        "score the held-out data (the test file or folder) the trainer never fitted on",
        explanation=(f"{trainer.path} trained this model on {reference.data.label} read from '{path}' ({{fit}}), and "
                     f"this script scores it on '{path}' again, and on nothing else: the rows scored are rows the "
                     f"model was fitted on, so the accuracy or loss printed is a training score, and an overfitted "
                     f"model looks as good as one that generalises."),
        facts={"scored_path": path, "trainer": trainer.path},
        mentions={"fit": Elsewhere(reference.call_node, trainer.describe)})


def _validation_split_rows(script: Script, model: Model, reference: DataEvent, others: list[DataEvent]):
    """``fit(x, y, validation_split=0.33)`` then ``evaluate(x, y)``: fit() trained on the first 67% of x's rows and
    held out the rest, and evaluate() scores them all.  Not when anything else is scored (a test set), nor when a
    fit() trains on every row (an evaluate() after it is openly a training score)."""
    if model.kind == "external":
        return  # (a model of a package not read, AutoKeras's ImageRegressor: its fit() refits on every row after the
        # search, whatever validation_split says)
    fits = [fit for fit in model.fits if fit.node is reference.call_node]
    share = const_value(fits[0].args.get("validation_split")) if fits else None
    if type(share) is not float or not 0 < share < 1 or fits[0].args.get("validation_data") is not None:
        return
    scored = [event for event in others if event.kind in ("evaluate", "predict")]
    again = next((event for event in scored if event.kind == "evaluate" and event.order > reference.order and
                  _same_rows(event.data, reference.data)), None)
    if again is None or any(not _same_rows(event.data, reference.data) for event in scored) or any(
            fit.args.get("validation_split") is None and not fit.excludes(fits[0]) for fit in model.fits):
        return
    trained, held = _percent(1 - share), _percent(share)
    yield Report(again.call_node, (
        f"evaluate() scores all of {again.data.label}, {trained} of which fit() trained on ({{fit}}): optimistic"),
        "score rows fit() never saw: split off a test set (train_test_split) and evaluate that",
        explanation=(f"fit() ({{fit}}) trained on the first {trained} of {reference.data.label}'s rows "
                     f"(validation_split={share:g} holds out the last {held}); evaluate() scores every row, "
                     f"so {trained} of the scored rows are rows the model was fitted on. The accuracy or loss printed "
                     f"is that much a training score: an overfitted model looks better than it generalises."),
        facts={"scored": again.data.name or "", "validation_split": share},
        mentions={"fit": reference.call_node})


def _percent(share: float) -> str:
    """A share as a percentage, exact enough that a small one is not 0% ("67%", "99.9%", "0.1%")."""
    return f"{round(100 * share) if abs(100 * share - round(100 * share)) < 0.05 else round(100 * share, 1):g}%"


def _same_rows(data: Data, trained: Data) -> bool:
    """Whether ``data`` holds the rows fit() was given: the very array (a slice of it, ``x[-200:]``, or a copy may
    hold other rows)."""
    return data is trained and not data.batches and not data.is_sample


def _whole_of(data: Data, part: Data) -> bool:
    """Whether ``data`` is the whole array ``part`` was split from: one source and group, not itself a part, with the
    same kinds of steps (the same preprocessing, also when each was scaled by its own call of one scaler; an array
    scaled otherwise is another rule's)."""
    return (data.split is None and data.group == part.group and data.source == part.source and
            _step_kinds(data) == _step_kinds(part) and not data.batches and not data.is_sample and
            data.name != part.name)


def _step_kinds(data: Data) -> list[tuple[str, str]]:
    return [(step.kind, step.detail) for step in data.steps]


def _held_out_part_of(data: Data, part: Data) -> bool:
    return data.held_out and data.group == part.group
