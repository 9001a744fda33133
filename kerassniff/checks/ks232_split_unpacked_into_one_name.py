"""KS232 split-unpacked-into-one-name: one unpacking binds a name twice, and a data split is lost.

``X_train, X_train, y_train, y_test = train_test_split(X, y)``: Python binds the targets left to right, so
``X_train`` ends up holding the test rows and the training rows are never used.  The model then trains on the test
split (or scores on the training one), and nothing fails when the shapes agree.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.values import Seq, Value, data_of

_PARTS = {"train": "the training part", "test": "the test part", "val": "the validation part"}


@rule("KS232", "split-unpacked-into-one-name", Severity.ERROR,
      "one unpacking binds a name twice: the name keeps the later data split, the earlier is lost",
      "name each part once: X_train, X_test, y_train, y_test = train_test_split(X, y)")
def check(script: Script):
    for repeated in script.repeated_targets:
        if _discarded(repeated.name) or repeated.lost is repeated.kept or repeated.lost == repeated.kept:
            continue  # a name for what is thrown away (dummy, unused_x), or the same value twice: nothing lost
        kept, lost = _part(repeated.kept, "the later value"), _part(repeated.lost, "the earlier value")
        if kept == lost:
            kept, lost = "the later value", "the earlier one"
        yield Report(repeated.last, f"'{repeated.name}' is unpacked twice: it keeps {kept}, and {lost} is lost",
                     explanation=(
                         f"Python binds the names of an unpacking left to right, so '{repeated.name}' holds "
                         f"{kept}, the value for its last place in the target, and {lost}, for its earlier place, "
                         f"is never used: every later use of "
                         f"'{repeated.name}' trains, validates or scores on that part, silently when the shapes "
                         "agree. One of the two names is usually a typo for another split's name."),
                     facts={"name": repeated.name})


def _discarded(name: str) -> bool:
    """A name that says its value is thrown away, as linters read them (``_``, ``_x``, ``dummy``, ``unused``,
    ``ignored_x``)."""
    lowered = name.lower()
    return lowered.startswith("_") or lowered in ("dummy", "unused", "ignored", "ignore") or \
        lowered.startswith(("dummy_", "unused_", "ignored_"))


def _part(value: Value, otherwise: str) -> str:
    """Which split a value is ("the test part"), for an array or a pair of arrays (``load_data()``'s (x, y))."""
    items = value.items if isinstance(value, Seq) else (value,)
    data = next((found for found in map(data_of, items) if found is not None), None)
    return _PARTS.get(data.split or "", otherwise) if data is not None else otherwise
