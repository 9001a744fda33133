"""KS209 validation-split-on-ordered-classes: fit(validation_split=...) on labels still in class blocks.

Keras takes the validation samples from the end of the arrays, before it shuffles anything
(keras/src/trainers/data_adapters/array_slicing.py ``train_validation_split``): labels built as
``np.concatenate([np.zeros(n), np.ones(m)])`` put only the last class there.
"""
from __future__ import annotations

import math

import libcst as cst
from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.class_labels import class_order, ordered_by_class
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.knowledge.losses import CROSSENTROPY_LOSSES
from kerassniff.semantic.values import Const, const_value

# Where Keras takes the validation rows from, said by every report of the rule.
END_OF_THE_ARRAYS = ("Keras takes the validation samples from the END of x and y, before it shuffles "
                     "(keras/src/trainers/data_adapters/array_slicing.py train_validation_split, called by fit())")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, data, _ = run.fit_parts(finding.line)
    labels = data.get("labels") or {}
    split = facts(finding).get("validation_split")
    if "class_runs" not in labels or not isinstance(split, (int, float)) or not labels.get("rows"):
        return None
    runs, rows = labels["class_runs"], labels["rows"]
    start = int(math.floor(rows * (1 - split)))
    tail = labels.get("tail_runs")
    if runs is None and tail and tail[0][1] <= start:  # mixed at first, whole classes over the validation rows
        runs = tail
    if runs is None:
        return Verdict(False, f"fit()'s {rows} labels change class 64 times or more: they are not in class blocks")
    over = [run for run in runs if run[2] > start]
    held = sorted({run[0] for run in over})
    classes = {run[0] for run in runs}
    text = (f"fit()'s {rows} labels {'end' if runs is tail else 'come'} in {len(runs)} runs of one class; "
            f"validation_split={split} keeps rows {start}..{rows - 1}, of class{'' if len(held) == 1 else 'es'} "
            f"{', '.join(f'{c:g}' for c in held)}")
    if facts(finding).get("ordered_by") in ("minority-last", "folder"):  # one block per class (grown, or folder)
        return Verdict(len(over) == len(held) and len(classes) > len(held), f"{text} (one block each)")
    return Verdict((len(held) == 1 and len(classes) > 1), text)


@rule("KS209", "validation-split-on-ordered-classes", Severity.ERROR,
      "fit(validation_split=...) on arrays still ordered by class: the validation set holds the last class only",
      "shuffle inputs and labels together before fit() (p = np.random.permutation(len(x)); x, y = x[p], y[p]), "
      "or split with train_test_split(x, y, stratify=y) and pass validation_data=", verdict=verdict)
def check(script: Script):
    for fit in script.fits():
        split = const_value(fit.validation_split)
        if not isinstance(split, (int, float)) or isinstance(split, bool) or not 0 < split < 1:
            continue
        given = fit.args.get("validation_data", 7)
        if fit.method != "fit" or not (given is None or given == Const(None)):
            continue  # validation_data overrides validation_split
        x, y = fit.data(fit.x), fit.data(fit.y)
        # an over-sampler reorders inputs and labels alike: its inputs tell the labels' order too
        ordered = y if y is not None else x if x is not None and class_order(x) == "minority-last" else None
        if ordered is None or ordered.batches or not ordered_by_class(ordered):
            continue
        if _shuffled_in_place(script, [d for d in (x, y) if d is not None]):
            continue
        order = next(step for step in reversed(ordered.steps) if step.kind == "order")
        if order.detail == "minority-last":
            yield _minority_last(script, fit.node, ordered, split, order)
            continue
        if order.detail == "by-folder":
            if not _classifier(fit):
                continue  # folders of a regression target (a person's age): no classes to hold out
            yield _by_folder(script, fit.node, _shown(script, fit.node, y), split, order)
            continue
        yield _ordered(fit.node, split, "class", order, (
            f"{_shown(script, fit.node, y)} is in class blocks: validation_split={split} validates on the last class "
            f"only"), (
            f"The labels come class after class ({script.code_of(order.node)}, {{order}}) and nothing shuffles them "
            f"before this fit(). {END_OF_THE_ARRAYS}: the last {split:.0%} are all of the last class. Training then "
            f"rarely or never sees that class, and the validation accuracy measures one class."))


def _classifier(fit) -> bool:
    """Whether the fit() trains with a classification loss (crossentropy), known from the compile() in force."""
    compiled = fit.model.compile_before(fit.order)
    return compiled is not None and any(loss.name in CROSSENTROPY_LOSSES for loss in compiled.losses)


def _shown(script: Script, fit_node: cst.Call, labels: Data) -> str:
    """The labels as the message names them: their variable, else the code given to fit() when it is short
    (``np.array(ys)``)."""
    if labels.name:
        return labels.label
    given = [arg.value for index, arg in enumerate(fit_node.args)
             if (arg.keyword is None and not arg.star and index == 1) or (arg.keyword and arg.keyword.value == "y")]
    code = script.code_of(given[0]) if given else ""
    return f"'{code}'" if code and len(code) <= 30 and "\n" not in code else labels.label


def _by_folder(script: Script, fit_node, shown: str, split: float, order) -> Report:
    return _ordered(fit_node, split, "folder", order, (
        f"{shown} is in class-folder order: validation_split={split} validates on the last classes only"), (
        f"The labels are appended in a loop over class folders ({script.code_of(order.node)}, {{order}}), one "
        f"folder's files after another, and nothing shuffles them before this fit(). {END_OF_THE_ARRAYS}: the "
        f"last {split:.0%} are the files of the last folder or folders. Training then sees little or nothing of "
        f"those classes, and the validation accuracy measures them only."))


def _minority_last(script: Script, fit_node, data: Data, split: float, order) -> Report:
    return _ordered(fit_node, split, "minority-last", order, (
        f"{data.label} ends with the rows an over-sampler added: validation_split={split} validates on them"), (
        f"{script.code_of(order.node)} ({{order}}) returns the original rows first and then the rows it "
        f"made for the smaller classes, class after class (imbalanced-learn appends them), and nothing "
        f"shuffles them before this fit(). {END_OF_THE_ARRAYS}: the last {split:.0%} are those added rows (all of "
        f"them when the sampler added at least {split:.0%} of the rows, as it does for a class much smaller than the "
        f"others), synthetic or copied minority rows made from training rows. The validation score then measures "
        f"how well the model recalls its own training data for that class."),
        fix_hint=("split first (train_test_split(x, y, stratify=y)), over-sample the training part only, and "
                  "pass the untouched part as validation_data="))


def _ordered(fit_node, split: float, ordered_by: str, order, message: str, explanation: str,
             fix_hint: str | None = None) -> Report:
    """The report on a fit(): its message and explanation, the split and the order it judged, the code that made
    the order."""
    return Report(fit_node, message, fix_hint=fix_hint, explanation=explanation,
                  facts={"validation_split": split, "ordered_by": ordered_by}, mentions={"order": order.node})


def _shuffled_in_place(script: Script, arrays: list[Data]) -> bool:
    """Whether the script shuffles one of ``arrays`` (same array group) in place, anywhere: precision first."""
    groups = {data.group for data in arrays}
    return any(data.group in groups for _, _, data in script.inplace_shuffles())
