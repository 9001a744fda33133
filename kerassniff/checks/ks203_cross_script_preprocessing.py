"""KS203 cross-script-preprocessing-mismatch (seed 003: train.py scaled by 255, the evaluation script did not)."""
from __future__ import annotations

from typing import Iterator

from kerassniff.checks._shared import (EVENT_WORDS, brief_scaling_text, comparable_scaling, scaling_text,
                                       scaling_verdict)
from kerassniff.checks._typed_samples import (OWN_STATISTICS, fitted_scaling, raw_sample, sample_label,
                                              scaled_inputs)
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.semantic.links import ModelLink, model_links, possible_makers
from kerassniff.registry import Elsewhere, Report, project_rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step
from kerassniff.semantic.knowledge.arrays import ONE_SAMPLE_SETTING


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    used = run.at(finding.line)
    trainer_fits = [fit for linked in run.linked for fit in linked.fits()]
    if used is None or not trainer_fits:
        return None
    measured = scaling_verdict(trainer_fits[0].get("x"), used.get("x"), f"{used['kind']}() here")
    if measured is None:
        return None
    return Verdict(measured.confirmed, "training script's " + measured.evidence)


@project_rule("KS203", "cross-script-preprocessing-mismatch", Severity.ERROR,
              "a script that loads a model prepares its inputs differently from the script that trained it",
              "share one preprocessing function between the training and the evaluation script (or put the "
              "preprocessing inside the model as layers)", verdict=verdict, compares_values=True)
def check(scripts: list[Script]):
    """One finding per call: a script that loads a model file and then a weights file for it (``load_model(m)``,
    ``load_weights(w)``), both saved by the same trainers, is told once, by the model file; and one per preparation:
    inputs made by the same code (a helper's return, called for two photos) are told at their first call."""
    reported: set[tuple[str, int]] = set()
    for user, of_makers, report in _findings(scripts):
        key = (user.path, id(report.node))
        if not (of_makers and key in reported):  # (a file's makers told again for its weights file: once)
            reported.add(key)
            yield user, report


def _findings(scripts: list[Script]):
    prepared: set[tuple[str, int]] = set()  # (script, the node that last made the inputs): told once
    for link in model_links(scripts):
        scaling_uncompared = link.loaded.scales_inputs or link.trained.scales_inputs
        for event, reference, problems in _mismatches(link):
            made = (link.user.path, id(event.data.node))
            if made in prepared:
                continue  # (two predict() calls of what one helper prepared: one fix covers both)
            prepared.add(made)
            problem, also = problems[0], "".join(f" (also {other})" for other in problems[1:])
            yield link.user, False, Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets {event.data.label} {_brief(event.data, problem)}{also}, but "
                f"{link.trainer.path} ({{trained}}) trained it "
                f"{_trained_on(reference.data, problem)}"),
                explanation=(f"{link.trainer.path} trained the model saved as '{link.path}' on {reference.data.label} "
                             f"{_described(reference.data, problems, scaling_uncompared)}: the loaded model sees "
                             f"inputs unlike anything it was trained on, and its accuracy here does not measure it."),
                facts={"trainer": link.trainer.path, "model_file": link.path},
                mentions={"trained": Elsewhere(reference.call_node, link.trainer.describe)})
        yield from ((user, False, report) for user, report in _typed_in_raw(link))
        yield from ((user, False, report) for user, report in _own_statistics(link))
    yield from ((user, True, report) for user, report in _unlike_every_maker(scripts))


def _typed_in_raw(link: ModelLink):
    """A sample typed into the loading script in raw units (``model.predict(np.array([[3, 2, 1400, 1995]]))``), or
    numbers its user types (``float(request.form["age"])``), for a model its trainer fitted on a scaler's output
    (:mod:`~kerassniff.checks._typed_samples`): the scaler that training used is not applied here."""
    reference = _trained_input(link)
    scaling = fitted_scaling(reference) if reference is not None else None
    if reference is None or scaling is None or link.loaded.scales_inputs or link.trained.scales_inputs:
        return
    for event in _served_inputs(link):
        raw = raw_sample(event, reference)
        if raw is None:
            continue
        yield link.user, Report(event.call_node, (
            f"{EVENT_WORDS[event.kind]} gets {sample_label(event.data)} {raw.words}, but {link.trainer.path} "
            f"({{trained}}) trained on {scaled_inputs(scaling)}"),
            "pass the sample through the scaler training fitted (save it with the model, load it here): "
            "scaler.transform(sample)",
            explanation=raw.explanation(f"{link.trainer.path} trained the model saved as '{link.path}' on "
                                        f"{reference.data.label} {scaling_text(reference.data)}") + ".",
            facts={"trainer": link.trainer.path, "model_file": link.path, **raw.facts},
            mentions={"trained": Elsewhere(reference.call_node, link.trainer.describe)})


def _trained_input(link: ModelLink) -> DataEvent | None:
    """The trainer's first fit() input of the linked model."""
    return next((e for e in link.trainer.data_events if e.model is link.trained and e.role == "x" and e.kind == "fit"),
                None)


def _served_inputs(link: ModelLink) -> list[DataEvent]:
    """The loading script's evaluate()/predict() inputs of the loaded model, not predictions nothing reads."""
    return [event for event in link.user.data_events
            if event.model is link.loaded and event.role == "x" and event.kind in ("evaluate", "predict") and
            not (event.kind == "predict" and link.user.result_never_read(event.call_node))]


def _own_statistics(link: ModelLink):
    """The loading script fits a scaler of the trainer's kind on its own input and scales it with that input's own
    statistics (``MinMaxScaler().fit_transform(recent)``, then ``predict()`` of a window of it), while the trainer
    scaled with its training data's: the same raw value becomes another input than in training.  Only when both read
    files of known, different names (a script that reads the training file again gets its statistics), and not when
    the scaler is fitted on each sample alone (KS221's)."""
    reference = _trained_input(link)
    theirs = fitted_scaling(reference) if reference is not None else None
    if reference is None or theirs is None or theirs.measured_on == "sample" or link.loaded.scales_inputs or \
            link.trained.scales_inputs:
        return
    for event in _served_inputs(link):
        mine = next((step for step in reversed(event.data.steps) if step.is_scaling), None)
        if mine is None or mine.kind != theirs.kind or mine.setting(ONE_SAMPLE_SETTING) is True or \
                not _fitted_here(link.user, mine) or _same_source(event.data, reference.data):
            continue
        words = OWN_STATISTICS[mine.kind]
        yield link.user, Report(event.call_node, (
            f"{EVENT_WORDS[event.kind]} gets {event.data.label} {words[0]} with its own {words[2]} ({{refit}}), "
            f"not {link.trainer.path}'s ({{trained}})"),
            "load the scaler training fitted (save it beside the model) and call scaler.transform() here",
            explanation=(f"{link.trainer.path} trained the model saved as '{link.path}' on {reference.data.label} "
                         f"{words[0]} with the {words[1]} of its training data; here a {mine.detail} is fitted on "
                         f"{event.data.source.description}'s own values, so the same raw value becomes another input "
                         f"than in training and the model reads shifted, rescaled features."),
            facts={"trainer": link.trainer.path, "model_file": link.path, "scaler": mine.detail, "refit": True},
            mentions={"refit": mine.node, "trained": Elsewhere(reference.call_node, link.trainer.describe)})


def _fitted_here(script: Script, step: Step) -> bool:
    """Whether a scaling step's statistics were measured on the array it scaled: ``fit_transform(x)``, or
    ``fit(x)`` then ``transform(x)``."""
    call = script.call_at(step.node)
    return step.measured_on == "split" or (call is not None and call.method == "fit_transform")


def _same_source(used: Data, trained: Data) -> bool:
    """Whether two arrays may hold the same values: unless both read files by name and the names differ, they may
    (``yf.download(...)`` in one and a ``prices.csv`` the trainer wrote from its download in the other hold one span;
    "../data/x.csv" is "data/x.csv")."""
    if used.source.base_name is None or trained.source.base_name is None:
        return True
    return used.source.base_name == trained.source.base_name


def _mismatches(link: ModelLink) -> Iterator[tuple[DataEvent, DataEvent, list[str]]]:
    """The loading script's evaluate()/predict() inputs prepared unlike the trainer's fit() data: (the event, the
    trainer's fit() event, how they differ, most telling first)."""
    reference = _trained_input(link)
    if reference is None:
        return
    # A model that rescales its own input (or may: a Lambda, a nested model) leaves the scalings uncompared (as
    # before), not the image sizes or the colour order, which no rescaling makes moot.
    scaling_uncompared = link.loaded.scales_inputs or link.trained.scales_inputs
    for event in _served_inputs(link):  # (predictions nothing reads: their input's preparation changes nothing shown)
        problems = _differences(reference.data, event.data)
        if scaling_uncompared:
            problems = [problem for problem in problems if problem.startswith(("in ", "resized to "))]
        if problems:
            yield event, reference, problems


def _unlike_every_maker(scripts: list[Script]):
    """A file two or more scripts beside the loader save (its maker, whichever ran last, is not known), and inputs
    prepared unlike the training data of each of them: wrong whichever made it."""
    for makers in possible_makers(scripts):
        found = [{id(event.call_node): (event, reference, problems) for event, reference, problems in _mismatches(link)}
                 for link in makers.links]
        for key, (event, _, _) in found[0].items():
            if not all(key in each for each in found[1:]):
                continue
            how = [(link.trainer.path, each[key][1], each[key][2][0]) for link, each in zip(makers.links, found)]
            name = makers.path.rsplit("/", 1)[-1]
            yield makers.user, Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets {event.data.label} prepared unlike each of the {len(how)} scripts "
                f"that save '{name}'"),
                explanation=(f"{' and '.join(path for path, _, _ in how)} {'both' if len(how) == 2 else 'all'} "
                             f"save the model as '{makers.path}', so which of them made the file this script loads "
                             f"depends on which ran last; it was trained unlike these inputs whichever it was: "
                             + "; ".join(
                                 f"{path} trained it {_trained_on(reference.data, problem)} (here: "
                                 f"{_brief(event.data, problem)})" for path, reference, problem in how) + "."),
                facts={"trainers": [path for path, _, _ in how], "model_file": makers.path})


def _trained_on(data: Data, problem: str) -> str:
    """How the training data differs, in the words of the problem: its colour order, its size or its scaling."""
    if problem.startswith("in ") and data.source.color:
        return f"on data in {data.source.color.upper()} order"
    if problem.startswith("resized to "):
        sizes = [s.detail for s in data.steps if s.kind == "resize"]
        return f"on data resized to {sizes[-1]}" if sizes else "on data of another size"
    brief = _brief(data, scaling_text(data))
    return f"with {brief[len('preprocessed for '):]} preprocessing" if brief.startswith("preprocessed for ") \
        else f"on data {brief}"


def _brief(data: Data, described: str) -> str:
    """'preprocessed for resnet50' for a scaling that is one preprocess_input call (the message has no room for
    'passed through preprocess_input (resnet50)'); anything else as described."""
    return brief_scaling_text(data) if described == scaling_text(data) else described


def _described(data: Data, problems: list[str], scaling_uncompared: bool = False) -> str:
    """The training data's preprocessing; its colour order and its size only when they differ (the same order in
    both scripts, or grayscale data, says nothing about the mismatch); not its scaling when the model rescales its
    input itself (``scaling_uncompared``: its scalings are not compared)."""
    parts = [] if scaling_uncompared else [scaling_text(data)]
    if any(problem.startswith("in ") for problem in problems) and data.source.color:
        parts.append(f"in {data.source.color.upper()} order")
    sizes = [s.detail for s in data.steps if s.kind == "resize"]
    if any(problem.startswith("resized to ") for problem in problems) and sizes:
        parts.append(f"resized to {sizes[-1]} (sizes are height x width here; cv2.resize and PIL's resize take "
                     f"(width, height))")
    return ", ".join(parts) + ("; the model rescales its input itself" if scaling_uncompared
                               else "")


def _differences(train: Data, used: Data) -> list[str]:
    """How the inputs differ from the training data, most telling first: the scaling, the colour order, the size
    (each fix alone leaves the others, so a message names them all)."""
    if not (comparable_scaling(train) and comparable_scaling(used)):
        return []
    if not (used.source.pixels or used.source.description == train.source.description):
        return []  # a file of unknown range: it may already be scaled
    found = []
    if used.scaling != train.scaling and _known_range(train, used):
        found.append(scaling_text(used))
    colors = {train.source.color, used.source.color}
    if None not in colors and len(colors) == 2:
        found.append(f"in {used.source.color.upper()} order")  # type: ignore[union-attr]
    train_size = [s.detail for s in train.steps if s.kind == "resize"]
    used_size = [s.detail for s in used.steps if s.kind == "resize"]
    if train_size and used_size and train_size[-1] != used_size[-1] and "?" not in (train_size[-1], used_size[-1]):
        found.append(f"resized to {used_size[-1]}")
    return found


def _known_range(train: Data, used: Data) -> bool:
    """Whether the training data's values are known to be on the scale of the data used: one source, image pixels
    read as such, or an array the trainer scales as pixels are (``np.load(...) / 255``).  An array read from a file
    and given to fit() as it is (``np.load("data.npy")``) may have been scaled before it was saved."""
    return used.source.description == train.source.description or train.source.pixels or train.scaled_as_pixels
