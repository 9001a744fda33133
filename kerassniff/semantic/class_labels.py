"""What an array of samples or labels says of its classes: whether its samples are still grouped class by class
(a split that takes the last rows then holds whole classes the training never saw), the class names a reader was
given, and the few strings a list of labels holds.

Queries over :class:`~kerassniff.semantic.dataflow.Data`, apart from the array's own history because the library
handlers (readers, splits, encoders) and the rules about class order ask them, not the interpreter.
"""
from __future__ import annotations

from kerassniff.semantic.dataflow import Data, DataValue
from kerassniff.semantic.pyvalues import ComprehensionValue, Const, Seq, Strings, Value, const_value


# Orders that put whole classes at the end of an array: class after class, class folder after class folder (the
# classes not known), or the rows an over-sampler added.
CLASS_ORDERS = frozenset({"by-class", "by-folder", "minority-last"})


def last_order(data: Data) -> str | None:
    """The detail of the array's last ``order`` step (what decides the order of its samples now), if any."""
    return next((step.detail for step in reversed(data.steps) if step.kind == "order"), None)


def class_order(data: Data) -> str | None:
    """How the array's samples are still grouped by class at its end ("by-class", "minority-last"), if they are
    (its last order step is one of :data:`CLASS_ORDERS`)."""
    order = last_order(data)
    return order if order in CLASS_ORDERS else None


def ordered_by_class(data: Data) -> bool:
    """Whether the array's last samples are still whole classes (see :func:`class_order`)."""
    return class_order(data) is not None


def class_names_given(value: Value | None) -> tuple[str, ...] | str | None:
    """What a ``class_names=`` argument says of the class order: the names of a constant list, "?" for anything
    else given, None when it is not given (the sub-folders' alphanumeric order)."""
    if value is None or value == Const(None):
        return None
    folded = const_value(value)  # a literal list of constants is one constant
    if isinstance(folded, (tuple, list)) and folded and all(isinstance(item, str) for item in folded):
        return tuple(folded)
    items = getattr(value, "items", None)
    if isinstance(items, tuple) and items and all(isinstance(const_value(item), str) for item in items):
        return tuple(const_value(item) for item in items)
    return "?"


def label_categories(value: Value | None) -> tuple[str, ...] | None:
    """The distinct strings a list or array of labels holds, sorted, when every one is known to be one of a few
    constant strings (``["cat", "dog", "cat"]``, a list grown with ``emotions[code]``, an array made of one); None
    otherwise."""
    if isinstance(value, DataValue):
        data = value.data
        if data.categories is not None:
            return data.categories
        strings = data.values
    elif isinstance(value, Strings):
        strings = value.options
    elif isinstance(value, Const):
        strings = value.value if isinstance(value.value, tuple) else (value.value,)
    elif isinstance(value, Seq):
        options = [label_categories(item) for item in value.items]
        return tuple(sorted(set().union(*options))) if options and None not in options else None
    elif isinstance(value, ComprehensionValue):
        return label_categories(value.element)
    else:
        return None
    if not strings or not all(isinstance(item, str) for item in strings):
        return None
    return tuple(sorted(set(strings)))
