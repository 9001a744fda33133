"""KS208 inputs-shuffled-without-labels: np.random.shuffle(x) with the labels left in their order."""
from __future__ import annotations

import math
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data

def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, data, _ = run.fit_parts(finding.line)
    probe = data.get("association")
    if not probe:
        return None
    stand_ins = data.get("stand_ins_before")
    if stand_ins is None:
        stand_ins = len(run.data.get("synthetic") or []) + len(run.data.get("synthetic_ranges") or [])
    if stand_ins:  # random stand-ins were loaded before this fit: their labels are random by construction
        return Verdict(None, ("the data may be a random stand-in, whose labels are independent of its samples by "
                              "construction"))
    accuracy, majority, held_out = probe["accuracy"], probe["majority"], probe["held_out"]
    margin = 3 * math.sqrt(max(majority * (1 - majority), 0.01) / held_out) + 0.02
    text = (f"a nearest-centroid probe on {probe['pairs']} fit() pairs predicts {accuracy:.0%} of the held-out "
            f"labels from their samples; the majority class alone gives {majority:.0%}")
    if accuracy > majority + margin:
        return Verdict(False, text + ": the labels still go with their samples")
    return Verdict(True, text + ": the labels are independent of their samples")


@rule("KS208", "inputs-shuffled-without-labels", Severity.ERROR,
      "the training inputs shuffled in place while their labels keep the original order",
      "shuffle inputs and labels with one permutation: p = np.random.permutation(len(x)); x, y = x[p], y[p] "
      "(or sklearn.utils.shuffle(x, y)), or let fit() shuffle (it does by default)", verdict=verdict)
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
                f"fit() ({{fit}}) trains on {x.label} with the labels {y.label}, which keep their "
                f"original order after this shuffle, so each sample now carries another sample's label. The model "
                f"can only memorise noise: validation accuracy stays at chance. fit() already shuffles every epoch "
                f"(shuffle=True by default), keeping pairs together."),
            mentions={"fit": fit.node})


def _lineage(shuffled: Data, used: Data) -> bool:
    """True when ``used`` is ``shuffled`` or was derived from it (same array, more steps)."""
    return (shuffled.group == used.group and shuffled.split == used.split
            and used.steps[:len(shuffled.steps)] == shuffled.steps)
