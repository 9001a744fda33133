"""KS208 inputs-shuffled-without-labels: np.random.shuffle(x) with the labels left in their order."""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data

@rule("KS208", "inputs-shuffled-without-labels", Severity.ERROR,
      "the training inputs shuffled in place while their labels keep the original order",
      "shuffle inputs and labels with one permutation: p = np.random.permutation(len(x)); x, y = x[p], y[p] "
      "(or sklearn.utils.shuffle(x, y)), or let fit() shuffle (it does by default)")
def check(script: Script):
    shuffles = script.inplace_shuffles()
    if not shuffles:
        return
    position = {id(call.node): index for index, call in enumerate(script.calls)}
    for fit in script.fits():
        x, y = fit.data(fit.x), fit.data(fit.y)
        if x is None or y is None or x.batches or y.batches or x.group == y.group:
            continue
        at = position.get(id(fit.node))
        if at is None:
            continue
        if any(_lineage(data, y) for _, _, data in shuffles):
            continue  # the labels were shuffled too (same seed, or on purpose): not this rule's question
        earlier = next(((call, data) for index, call, data in shuffles if index < at and _lineage(data, x)), None)
        if earlier is None:
            continue
        call, data = earlier
        yield Report(call.node, (
            f"'{data.name or script.code_of(call.node)}' is shuffled in place but its labels {y.label} are not: "
            f"samples and labels no longer match"),
            explanation=(
                f"fit() ({script.where(fit.node)}) trains on {x.label} with the labels {y.label}, which keep their "
                f"original order after this shuffle, so each sample now carries another sample's label. The model "
                f"can only memorise noise: validation accuracy stays at chance. fit() already shuffles every epoch "
                f"(shuffle=True by default), keeping pairs together."))


def _lineage(shuffled: Data, used: Data) -> bool:
    """True when ``used`` is ``shuffled`` or was derived from it (same array, more steps)."""
    return (shuffled.group == used.group and shuffled.split == used.split
            and used.steps[:len(shuffled.steps)] == shuffled.steps)
