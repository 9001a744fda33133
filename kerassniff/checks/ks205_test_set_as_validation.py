"""KS205 test-set-as-validation (seed 004)."""
from __future__ import annotations

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script


@rule("KS205", "test-set-as-validation", Severity.WARNING,
      "the test split is passed as validation_data and later used for the final evaluation",
      "hold out a separate validation split (validation_split=0.1, or train_test_split on the training data) "
      "and touch the test split only once, at the end")
def check(script: Script):
    for model in script.models:
        validation = [e for e in events(script, model, "x", ("validation",)) if _is_test(e.data)]
        for final in events(script, model, "x", ("evaluate",)):
            for used in validation:
                if used.order < final.order and _same_array(used.data, final.data):
                    yield Report(final.call_node, (
                        f"evaluate() on {final.data.label} reuses the validation_data of fit() "
                        f"({script.where(used.call_node)}): the test score is optimistic"),
                        explanation=("The test split was already used to watch and choose the training run (early "
                                     "stopping, checkpoints, tuning by eye), so it no longer measures unseen data."))
                    break


def _is_test(data) -> bool:
    return data.split == "test" or (data.name is not None and "test" in data.name.lower())


def _same_array(a, b) -> bool:
    return a.group == b.group and a.split == b.split and a.steps == b.steps and a.name == b.name
