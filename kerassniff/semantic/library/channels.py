"""A mean per colour channel written as numbers: what ``img - [123.68, 116.779, 103.939]`` subtracts, or what a
generator's ``datagen.mean = [...]`` makes its featurewise centering subtract, told alike in a step's detail."""
from __future__ import annotations

from kerassniff.semantic.dataflow import DataValue
from kerassniff.semantic.pyvalues import Const, Value


def channel_constants(value: Value) -> str | None:
    """The numbers of a small literal vector (``np.array([123.68, 116.779, 103.939])``, or the list itself: NumPy
    broadcasts it the same way), one per colour channel, as written in a step's detail; None for anything else."""
    if type(value) is Const and type(value.value) is tuple:
        values = value.value
    elif isinstance(value, DataValue) and value.data.source.kind == "literal" and not value.data.steps:
        values = value.data.values
    else:
        return None
    if not values or len(values) > 4 or not all(type(v) in (int, float) for v in values):
        return None
    return ", ".join(f"{v:g}" for v in values)
