"""Label arrays written out as literals (``y = [[0, 1], [1, 0]]``): their shape, their encoding (integer class ids,
one-hot or multi-hot rows) and their range, and the words rules use for an encoding.  Pure Python: the interpreter
reads literals through these, and rules compare the encodings a loss and its labels have."""
from __future__ import annotations


ENCODING_NAMES = {"int": "integer class ids", "onehot": "one-hot", "multihot": "multi-hot",
                  "column": "a single column (one value per sample)", "input": "images (class_mode='input')"}


def encoding_name(encoding: str | None) -> str:
    return ENCODING_NAMES.get(encoding or "", "unknown")


def same_label_shape(a: str | None, b: str | None) -> bool:
    """Whether two label encodings give the loss the same kind of target.

    A table column holds one value per sample, like integer class ids (often exactly those): only a
    one-hot or multi-hot encoding differs from it.
    """
    flat = ("int", "column")
    return a == b or (a in flat and b in flat)


def literal_shape(values: object) -> tuple[int, ...] | None:
    """Shape of a nested tuple literal, when it is rectangular."""
    if not isinstance(values, tuple):
        return ()
    if not values:
        return (0,)
    inner = [literal_shape(v) for v in values]
    if any(s is None for s in inner) or len(set(inner)) != 1:
        return None
    return (len(values),) + inner[0]  # type: ignore[operator]


def literal_encoding(values: tuple) -> str | None:
    """Classify a literal label array: one-hot rows, multi-hot rows or integer ids."""
    shape = literal_shape(values)
    if not shape:
        return None  # ragged, or a scalar
    flat = list(_flatten(values))
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        return None
    if len(shape) == 2 and shape[1] > 1:
        return _rows_encoding(values, flat)
    one_per_sample = len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)
    return "int" if one_per_sample and all(float(v).is_integer() for v in flat) else None


def _rows_encoding(rows: tuple, flat: list) -> str | None:
    """Rows of 0/1 are one-hot when each has exactly one 1, else multi-hot; other rows are not labels."""
    if not all(v in (0, 1) for v in flat):
        return None
    return "onehot" if all(sum(row) == 1 for row in rows) else "multihot"


def _flatten(values: object):
    if isinstance(values, tuple):
        for v in values:
            yield from _flatten(v)
    else:
        yield values


def literal_range(values: tuple) -> tuple[float, float] | None:
    flat = [v for v in _flatten(values) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return (min(flat), max(flat)) if flat else None
