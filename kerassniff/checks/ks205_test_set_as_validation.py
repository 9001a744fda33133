"""KS205 test-set-as-validation (seed 004)."""
from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from kerassniff.checks._shared import events, shared_parts, trainer_name
from kerassniff.findings import Severity
from kerassniff.registry import Elsewhere, Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.data_queries import drawn_from, read_again, whole_file
from kerassniff.semantic.links import model_links
from kerassniff.semantic.scores import scores
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.array_names import name_words
from kerassniff.semantic.cells import shown_by_the_notebook
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.pyvalues import const_value


@rule("KS205", "test-set-as-validation", Severity.WARNING,
      "the test split is passed as validation_data and later used for the final evaluation",
      "hold out a separate validation split (validation_split=0.1, or train_test_split on the training data) "
      "and touch the test split only once, at the end")
def check(script: Script):
    # the validation_data whose split evaluate() scores: one finding says it (the first evaluate(); a second one of the
    # same split, on this model or on a reload of it, is the same leak)
    evaluated: set[int] = set()
    # one finding per evaluate() call (evaluate([a_test, b_test]); a helper's evaluate() reached with a model from
    # either arm of ``if early_stopping: fit(...) else: fit(...)``, both validating on the test split, is one leak)
    reported: set[int] = set()
    for model in script.models:
        # (a reload of the script's own checkpoint is the model that watched the validation data: events() says so)
        validation = [e for e in events(script, model, "x", ("validation",), each_input=True)
                      if _is_test(e.data) and not _validation_never_seen(script, e.call_node)]
        finals = events(script, model, "x", ("evaluate",), each_input=True)
        for final in finals:
            if _score_never_seen(script, final.call_node):
                continue
            for used in validation:
                if id(used.call_node) not in evaluated and used.order < final.order and \
                        _same_array(script, used.data, final.data) and not _scores_each_split(script, final, used, finals):
                    evaluated.add(id(used.call_node))  # (its leak is this evaluate()'s, told once: no scored predictions)
                    if id(final.call_node) in reported:
                        break  # (evaluate([a_test, b_test]), or the other arm's model: one finding for the call)
                    reported.add(id(final.call_node))
                    yield Report(final.call_node, (
                        f"evaluate() on {_scored_label(final.data, used.data)} reuses the validation_data of "
                        f"{trainer_name(script, used.call_node)} "
                        f"({{validation}}): the test score is optimistic"), _BATCHES_HINT if used.data.batches else None,
                        explanation=("The test split was already used to watch and choose the training run (early "
                                     "stopping, checkpoints, tuning by eye), so it no longer measures unseen data."),
                        mentions={"validation": used.call_node})
                    break
        yield from _overlapping_parts(script, model)
        yield from _scored_predictions(script, model, [e for e in validation if id(e.call_node) not in evaluated])


@across_scripts("KS205")
def check_across(scripts: list[Script]):
    """The same across scripts: a trainer validates on a test file it reads whole (``np.load("data/X_test.npy")``) and
    saves the model; a script that loads that model (``evaluate.py``) scores it on the same file, read whole again,
    with evaluate() or by hand (a scikit-learn score of its predictions).  Not when the trainer's validation is
    watched by nobody (:func:`_validation_never_seen`), nor for a score nobody sees."""
    for link in model_links(scripts):
        watched = {}
        for used in events(link.trainer, link.trained, "x", ("validation",), each_input=True):
            key = _whole_file_unsplit(used.data)
            if key is not None and _is_test(used.data) and not _validation_never_seen(link.trainer, used.call_node):
                watched.setdefault(key, used)
        if not watched:
            continue
        finals = [(final, watched.get(_whole_file_unsplit(final.data)))
                  for final in events(link.user, link.loaded, "x", ("evaluate", "predict"), each_input=True)]
        finals = [(final, used) for final, used in finals if used is not None]
        report = _evaluated_elsewhere(link, finals) or _predictions_scored_elsewhere(link, finals)
        if report is not None:
            yield link.user, report


def _whole_file_unsplit(data) -> tuple | None:
    """:func:`whole_file`, for an array not divided by a train_test_split on the way: the two scripts' parts of one
    file are the same rows only when both split it alike (not followed yet)."""
    return whole_file(data) if data.split_at is None else None


def _evaluated_elsewhere(link, finals: list) -> Report | None:
    for final, used in finals:
        if final.kind == "evaluate" and not _score_never_seen(link.user, final.call_node):
            return _report_elsewhere(link, final, used, "evaluate() on")
    return None


def _predictions_scored_elsewhere(link, finals: list) -> Report | None:
    predicted = [(final, used) for final, used in finals if final.kind == "predict"]
    if not predicted:
        return None
    scorers = scores(link.user)
    for final, used in predicted:
        scorer = _scorer(scorers, final)
        if scorer is not None:
            return _report_elsewhere(link, final, used, f"{scorer.name} scores", scorer.node)
    return None


def _report_elsewhere(link, final, used, how: str, scorer: cst.CSTNode | None = None) -> Report:
    path = used.data.source.path
    trainer = link.trainer.file_name
    mentions = {"validation": Elsewhere(used.call_node, link.trainer.describe)}
    if scorer is not None:
        mentions["scorer"] = scorer
    return Report(final.call_node, (
        f"{how} '{path}', {trainer}'s validation_data ({{validation}}): an optimistic test score"),
        _BATCHES_HINT if used.data.batches else None,
        explanation=(f"{link.trainer.path} watched its training on '{path}' as validation data (early stopping, "
                     f"checkpoints, tuning by eye) and saved the model that this script loads; this script scores "
                     f"it on the same file{' ({scorer})' if scorer is not None else ''}, which no longer measures "
                     f"unseen data."),
        facts={"scored_path": path, "trainer": link.trainer.path}, mentions=mentions)


def _scored_label(scored, validation) -> str:
    """What evaluate() scores, for the message: a batch drawn from the validation flow says whose batch it is."""
    return f"a batch of {validation.label}" if drawn_from(scored, validation) else scored.label


def _scores_each_split(script: Script, final, used, finals: list) -> bool:
    """One evaluate() run in a loop over several splits (``for name, ds in {"val": val_ds, "test": test_ds}.items()``),
    the validation data and another test split among them: it scores each split under its own name, and the score
    of the validation data is not the test score (that one is the other split's).  A loop over the training data
    and the test split that validated is still the leak."""
    return any(other.call_node is final.call_node and other.role == final.role and _is_test(other.data) and
               not _same_array(script, used.data, other.data) for other in finals)


def _score_never_seen(script: Script, node: cst.CSTNode) -> bool:
    """``model.evaluate(x_test, y_test, verbose=0)`` alone on its line, or bound to a name the file never reads
    (``score = model.evaluate(...)``, ``history = model.fit(...)``): it prints nothing and its result is dropped (not
    the last statement of a notebook cell, whose value Jupyter shows), so no test score comes of it.  Not when the
    evaluation is read another way: callbacks given to it, or the model's metrics read afterwards
    (``model.get_metrics_result()``, ``[m.result() for m in model.metrics]``)."""
    call = script.call_at(node)
    if call is None or call.args.has("callbacks") or len(call.args.positional) > 6:
        return False
    verbose = call.args.get("verbose", 3)
    if verbose is None or const_value(verbose, "unknown") not in (0, False):
        return False
    dropped = id(node) in script.dropped_results
    if not dropped and not script.result_never_read(node):  # (a walk of the module, once per script: asked last)
        return False
    text = script.text if script.text is not None else script.module.code
    # Last, as it is the dearest: where a notebook's cells end is learnt from the statements' positions.
    return _METRICS_READ.search(text) is None and not (dropped and shown_by_the_notebook(script, call.top, node))


# The model's metrics read after an evaluate(): their results are the evaluation's scores.
_METRICS_READ = re.compile(r"get_metrics_result|\.metrics\b(?!\s*\.)")
# A History read: fit()'s validation scores, kept on the model (``model.history.history["val_loss"]``).
_HISTORY_READ = re.compile(r"\.history\b")


def _validation_never_seen(script: Script, node: cst.CSTNode) -> bool:
    """``model.fit(x_tr, y_tr, validation_data=(x_te, y_te), verbose=0, epochs=500)`` alone on its line (or its
    History bound to a name never read), with no
    callbacks (a cross-validation fold's held-out part, watched by nobody): no validation score is printed, kept or
    acted on, so nothing was chosen by it and the later test score is not optimistic.  Not when the History is read
    anywhere (``model.history.history``)."""
    call = script.call_at(node)
    if call is None or call.method != "fit" or len(call.args.positional) > 5 or not _score_never_seen(script, node):
        return False  # (fit()'s sixth parameter is callbacks)
    return _HISTORY_READ.search(script.text if script.text is not None else script.module.code) is None


def _overlapping_parts(script: Script, model):
    """evaluate() on a test part cut by take()/skip() from the pipeline whose other part was validation_data, when
    the two share samples (``test_ds = val.take(5)`` and ``val_ds = val.skip(5)`` of a directory dataset reshuffled
    each epoch, or two take()s)."""
    tests = [e for e in events(script, model, "x", ("evaluate",), each_input=True) if e.data.parts and _is_test(e.data)]
    if not tests:
        return
    validation = sorted(events(script, model, "x", ("validation",), each_input=True), key=lambda e: -e.order)
    reported: set[int] = set()
    for final in tests:
        for used in validation:  # the latest first
            if id(final.call_node) in reported:
                break
            shared = shared_parts(used.data, final.data) if used.order < final.order and \
                not _same_array(script, used.data, final.data) else None  # (the validation part scored itself)
            if shared is None:
                continue
            _, why, facts = shared
            kind, other = facts["split"].split("/")
            how = f"both {kind}() of one pipeline" if kind == other else f"{kind}()/{other}() reshuffled each epoch"
            yield Report(final.call_node, f"evaluate() on {final.data.label} shares samples with validation_data "
                                          f"({{validation}}): {how}",
                         explanation=(f"The test part {final.data.label} and the validation part {used.data.label} "
                                      f"are cut from one pipeline: {why}. The validation data watched and chose the "
                                      f"training run, so the test score is partly a validation score: optimistic."),
                         mentions={"validation": used.call_node}, facts=facts)
            reported.add(id(final.call_node))
            break


def _scored_predictions(script: Script, model, validation: list):
    """predict() on the test split that was validation_data, its predictions scored by scikit-learn
    (``accuracy_score(y_test, model.predict(x_test).argmax(1))``): the final evaluation, done by hand.  Not when
    evaluate() on that split is reported already: the same leak, said once."""
    predictions = [final for final in events(script, model, "x", ("predict",), each_input=True)
                   if any(used.order < final.order and _same_array(script, used.data, final.data) for used in validation)]
    if not predictions:
        return  # (most models: the scorers and shuffles below are looked for only when there is something to score)
    scorers = scores(script)
    reported = set()
    perturbed = {data.group for _, _, data in script.inplace_shuffles()}  # permutation importance: not a test score
    for final in predictions:
        if final.data.group in perturbed:
            continue
        for used in validation:
            if id(final.call_node) in reported or used.order >= final.order or not _same_array(script, used.data, final.data):
                continue
            scorer = _scorer(scorers, final)
            if scorer is None:
                continue
            reported.add(id(final.call_node))
            name = scorer.name
            yield Report(final.call_node, (
                f"{name} scores predict() on {final.data.label}, the validation_data of "
                f"{trainer_name(script, used.call_node)} "
                f"({{validation}}): "
                f"optimistic"),
                explanation=("The test split was already used to watch and choose the training run (early stopping, "
                             f"checkpoints, tuning by eye); {name} ({{scorer}}) then scores these predictions on "
                             "it, which is the final evaluation done by hand: it no longer measures unseen data."),
                mentions={"validation": used.call_node, "scorer": scorer.node})


def _scorer(scorers: list, final):
    """The score of these predictions: a score given them, also thresholded or turned into class ids on the way
    (``accuracy_score(y_test, model.predict(x_test).argmax(1))``, ``(pred > 0.5).astype(int)``)."""
    return next((score for score in scorers if any(isinstance(value, Predictions) and value.call is final.call_node
                                                   for value in score.values)), None)


VALIDATION_WORDS = ("val", "valid", "validation", "dev", "holdout")
# The hint when the split is a flow or a dataset (fit()'s validation_split= refuses them: ValueError).
_BATCHES_HINT = ("validate on batches of their own (a held-out folder or part of the training files, or the "
                 "reader's validation_split= with subset=), and touch the test split only once, at the end")


# What a split's name glues to its role: Xtest, testY, valset, testgen
AFFIXES = {"x", "y", "xs", "ys", "ds", "set", "data", "gen", "img", "imgs", "images", "labels", "generator"}


def _is_test(data) -> bool:
    """The array is a test split: so named, the test half of a dataset's load_data(), or read from a test file or folder.

    A held-out part named for validation (``x_train, x_val, ... = train_test_split(...)``) is a validation
    split, even though train_test_split calls it the "test" part: evaluating on it is no leak.  A whole test file
    is a test split whatever its name (``X_val = np.load("X_test.npy")``).
    """
    if data.split == "train":
        return False  # x_test = pad_sequences(x_train): the training split under a test name (not a test score)
    words = _words(data.name)
    if "test" in words or "test" in _words(data.whole_of):
        return True  # x_test; val_ds = test_ds.cache(): all of the test split
    if data.split == "test" and data.source.kind == "dataset":
        return True  # (x_train, y_train), (x_test, y_test) = mnist.load_data(), whatever it is called
    folder = _words(data.source.base_name) if data.source.kind == "directory" else set()
    if "test" in folder and "train" not in folder:  # (a "train_test" folder holds both, or either)
        return True  # flow_from_directory("data/test"), (os.path.join(root, "test")): the folder says what it holds
    path = data.source.path or ""
    if data.source.kind == "file" and "test" in _words(path.rsplit("/", 1)[-1]) and not data.rows_cut:
        return True  # X_val = np.load("X_test.npy"): the whole test file, whatever the name says
    return False


def _words(name: str | None) -> set[str]:
    """'X_test' -> {'x', 'test'}; 'testX' -> {'test', 'x'}; 'generator_test' -> {'generator', 'test'}."""
    if not name:
        return set()
    words = set(name_words(name))
    if "testing" in words:  # testing_padded, testing_labels (TensorFlow's course notebooks)
        words.add("test")
    if "te" in words and words & {"x", "y"}:  # X_te, y_te beside X_tr, y_tr
        words.add("test")
    for word in list(words):  # xtest, testX, valx, testset (not 'latest', 'device')
        for known in ("test",) + VALIDATION_WORDS:
            if word.startswith(known) and word[len(known):] in AFFIXES or \
                    word.endswith(known) and word[:-len(known)] in AFFIXES:
                words.add(known)
    return words


def _same_array(script: Script, a, b) -> bool:
    """The same samples of the same split, however each was scaled or reshaped on the way (a validation flow that
    rescales ``x_test``, then ``evaluate(x_test / 255.0)``): the steps change the values, not which samples. Two
    slices written where the arrays are made tell parts apart (``x_test[:5000]`` validates, ``x_test[5000:]`` is
    scored); a slice of the whole array validated is still part of it."""
    cut_a, cut_b = _slices(script, a), _slices(script, b)
    if cut_a and cut_b and cut_a != cut_b:
        return False  # two parts cut differently (halves may not overlap); a part of the whole array does
    if a.is_same_array(b) or read_again(a, b) or drawn_from(b, a):
        return True  # (the same array; one test file read twice; a batch drawn from the validation flow)
    return a.steps != b.steps and a.is_same_array(replace(b, steps=a.steps)) and (
        bool(cut_a or cut_b) or a.n_samples is None or b.n_samples is None or a.n_samples == b.n_samples)


def _slices(script: Script, data) -> frozenset[str]:
    """The slices of samples written in the code that made the array (``x_test[5000:] / 255.``)."""
    node = data.node
    if node is None:
        return frozenset()
    return frozenset(script.code_of(sub) for sub in walk_code(node) if type(sub) is cst.Subscript
                     and any(type(element.slice) is cst.Slice for element in sub.slice))
