"""KS209 validation-split-on-ordered-classes: fit(validation_split=...) on labels still in class blocks.

Keras takes the validation samples from the end of the arrays, before it shuffles anything
(keras/src/trainers/data_adapters/array_slicing.py ``train_validation_split``): labels built as
``np.concatenate([np.zeros(n), np.ones(m)])`` put only the last class there.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, ordered_by_class
from kerassniff.semantic.values import Const, const_value

@rule("KS209", "validation-split-on-ordered-classes", Severity.ERROR,
      "fit(validation_split=...) on arrays still ordered by class: the validation set holds the last class only",
      "shuffle inputs and labels together before fit() (p = np.random.permutation(len(x)); x, y = x[p], y[p]), "
      "or split with train_test_split(x, y, stratify=y) and pass validation_data=")
def check(script: Script):
    for fit in script.fits():
        split = const_value(fit.validation_split)
        if not isinstance(split, (int, float)) or isinstance(split, bool) or not 0 < split < 1:
            continue
        given = fit.args.get("validation_data", 7)
        if fit.method != "fit" or not (given is None or given == Const(None)):
            continue  # validation_data overrides validation_split
        y = fit.data(fit.y)
        if y is None or y.batches or not ordered_by_class(y):
            continue
        x = fit.data(fit.x)
        if _shuffled_in_place(script, [d for d in (x, y) if d is not None]):
            continue
        order = next(step for step in reversed(y.steps) if step.kind == "order")
        yield Report(fit.node, (
            f"{y.label} is in class blocks: validation_split={split} validates on the last class only"),
            explanation=(
                f"The labels were built class after class ({script.code_of(order.node)}, {script.where(order.node)}) "
                f"and nothing shuffles them before this fit(). Keras takes the validation samples from the END of "
                f"x and y, before it shuffles (keras/src/trainers/data_adapters/array_slicing.py "
                f"train_validation_split, called by fit()): the last {split:.0%} are all of the last class. "
                f"Training then rarely or never sees that class, and the validation accuracy measures one class."),
            facts={"validation_split": split, "ordered_by": "class"})


def _shuffled_in_place(script: Script, arrays: list[Data]) -> bool:
    """Whether the script shuffles one of ``arrays`` (same array group) in place, anywhere: precision first."""
    groups = {data.group for data in arrays}
    return any(data.group in groups for _, _, data in script.inplace_shuffles())
