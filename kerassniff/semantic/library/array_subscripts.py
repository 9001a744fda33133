"""What indexing an array does (``x[:1000]``, ``x[idx]``, ``x[..., ::-1]``, ``x[:, None]``): the samples a subscript
keeps, in which order, and what it leaves of the array's history; attributes and methods of arrays are in
:mod:`.array_methods`."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic import loaders
from kerassniff.semantic.class_labels import ordered_by_class
from kerassniff.semantic.dataflow import Data, DataValue, IndexOf, data_of
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.library import datasets
from kerassniff.semantic.library.arrays import ARGSORT, SORTS_SETTING, encode
from kerassniff.semantic.pyvalues import UNKNOWN, Const, SliceValue, Symbol, Value, const_value


def subscript(effects: Effects, data: Data, indices: list[Value], node: cst.CSTNode) -> Value:
    if data.table and data.role != "eye":
        selected = loaders.table_column(data, indices, node)
        if selected is not None:
            return selected
    if _adds_axes_only(indices, node):  # x[np.newaxis], x[..., None], x[:, :, None]: the values, another shape
        return DataValue(data.with_step("reshape", "index", node))
    if data.source.color in _REVERSED_ORDER and _reverses_channels(node):  # img[:, :, ::-1]: BGR read as RGB
        color = _REVERSED_ORDER[data.source.color]  # type: ignore[index]
        return DataValue(data.with_step("color", color, node, source=replace(data.source, color=color)))
    if len(indices) > 1 and _leading_ellipsis(node):  # x[..., 0]: one channel of every sample
        return DataValue(data.with_step("reshape", "index", node))
    index = indices[0]
    if data.batches and len(indices) == 1 and (type(const_value(index)) is int or
                                               (isinstance(index, IndexOf) and data.keras_iterator)):
        # flow[0], or flow[i] in ``for i in range(len(flow))``: a Keras iterator's (or Sequence's) batch, inputs and
        # labels, not one sample
        return datasets.batch_of(data, node)
    if data.role == "eye":
        picked = data_of(index)
        return encode(picked, "onehot", node, data.n_classes) if picked is not None else UNKNOWN
    for kind, handler in INDEX_KINDS:
        if isinstance(index, kind):
            return handler(data, index, indices, node)
    return UNKNOWN


def _sample_index(data: Data, index: Value, indices: list[Value], node: cst.CSTNode) -> Value:
    """``x[i]`` for a loop index over x's samples: one sample."""
    if _same_samples(index.data, data):  # type: ignore[attr-defined]
        return DataValue(data._but(is_sample=True, node=node))
    return UNKNOWN


def _slice_index(data: Data, index: Value, indices: list[Value], node: cst.CSTNode) -> Value:
    assert isinstance(index, SliceValue)
    width = _window_width(index)
    if isinstance(index.lower, IndexOf) and _same_samples(index.lower.data, data) and \
            (index.lower.stride == 1 or width > index.lower.stride):  # (x[i:i + 512] every 512 rows: a batch, below)
        if _one_wide(node) or width == 1 or not isinstance(index.upper, IndexOf):
            return DataValue(data._but(is_sample=True, node=node))  # x[i:i + 1]: one sample
        # x[i:i + 30] or x[i - w:i] at every i: a window of rows (its shape is not one row's), overlapping the next
        # one when it holds two rows or more
        window = data.with_step("reshape", "windows", node)
        overlapping = width >= 2 and width > index.lower.stride  # (windows cut every `width` rows share none)
        return DataValue(replace(window, is_sample=True, overlapping_windows=data.overlapping_windows or overlapping))
    if data.overlapping_windows and _stepped(node):
        data = data._but(overlapping_windows=False)  # windows[::30]: every 30th window (which may not overlap)
    n = 1 if _one_wide(node) else _slice_samples(index, data.n_samples)
    if len(indices) > 1 and isinstance(const_value(index.lower, 0), int) and index.upper == Const(None) and \
            const_value(index.lower, 0) == 0:
        n = data.n_samples  # x[:, 0]: a column, all samples
    if len(indices) > 1:  # x[:, 0], x[:, :, :3]: not a plain slice of samples; the shape changes
        return DataValue(data.with_step("reshape", "index", node, n_samples=n))
    cut = data.rows_cut or index.lower != Const(None) or index.upper != Const(None)  # (x[:] keeps every row)
    return DataValue(data._but(n_samples=n, node=node, rows_cut=cut))


def _stepped(node: cst.CSTNode) -> bool:
    """``x[::k]`` (a step written in the first slice): not every row is kept."""
    return type(node) is cst.Subscript and bool(node.slice) and type(node.slice[0].slice) is cst.Slice and \
        node.slice[0].slice.step is not None


def _window_width(index: SliceValue) -> int:
    """How many rows ``x[i + a:i + b]`` holds for a loop index ``i`` (b - a), 0 when not known (``x[i:i + w]`` of a
    ``w`` not known)."""
    lower, upper = index.lower, index.upper
    if isinstance(lower, IndexOf) and isinstance(upper, IndexOf) and lower.offset is not None and \
            upper.offset is not None:
        return upper.offset - lower.offset
    return 0


def _one_wide(node: cst.CSTNode) -> bool:
    """``x[i:i + 1]``: a slice of one sample, whatever ``i`` is."""
    if type(node) is not cst.Subscript or not node.slice or type(node.slice[0].slice) is not cst.Slice:
        return False
    lower, upper = node.slice[0].slice.lower, node.slice[0].slice.upper
    return lower is not None and type(upper) is cst.BinaryOperation and type(upper.operator) is cst.Add and \
        type(upper.right) is cst.Integer and upper.right.value == "1" and upper.left.deep_equals(lower)


def _slice_samples(index: SliceValue, n: int | None) -> int | None:
    """How many samples ``x[lower:upper]`` keeps, when the bounds (and, for negative ones, x's length) are known."""
    lower, upper = const_value(index.lower), const_value(index.upper)
    lower = 0 if lower is None and isinstance(index.lower, Const) else lower  # x[:8]
    if not isinstance(lower, int) or not (isinstance(upper, int) or upper is None):
        return None
    if upper is None and n is not None:
        upper = n
    if not isinstance(upper, int):
        return None
    if upper < 0 and n is not None:
        upper += n
    if lower < 0 and n is not None:
        lower += n
    return max(0, upper - lower) if upper >= 0 and lower >= 0 else None


def _constant_index(data: Data, index: Value, indices: list[Value], node: cst.CSTNode) -> Value:
    value = index.value  # type: ignore[attr-defined]
    if isinstance(value, int) and not isinstance(value, bool):
        return DataValue(data._but(is_sample=True, n_samples=None, node=node))
    if isinstance(value, (str, tuple)) or value is None:
        return DataValue(data._but(node=node))  # a column of a data frame; x[None] adds an axis
    return UNKNOWN


def _array_index(data: Data, index: Value, indices: list[Value], node: cst.CSTNode) -> Value:
    if _sorts(index.data) == data.group and data.encoding == "int" and len(indices) == 1:
        data = data.with_step("order", "by-class", node)  # y[y.argsort()]: class ids sorted, in one block per class
    elif ordered_by_class(data):  # a shuffled index array, or a mask: the class order is no longer known
        data = data.with_step("order", "indexed", node)
    if index.data.n_samples is None:  # x[train_ix] of a fold's indices: how many samples it keeps is not known
        data = data._but(n_samples=None)
    if len(indices) > 1:  # x[perm, 0]: other axes indexed too, the shape changes
        return DataValue(data.with_step("reshape", "index", node))
    return DataValue(data._but(node=node))  # a permutation or a mask


def _sorts(indices: Data) -> int | None:
    """The group of the array an index array sorts (made by its argsort()), if it is one."""
    step = next((step for step in reversed(indices.steps) if step.kind == "order"), None)
    return step.setting(SORTS_SETTING) if step is not None and step.detail == ARGSORT else None


# What indexing an array with each kind of index gives (the first kind that applies).
INDEX_KINDS: tuple[tuple[type, Callable[[Data, Value, list[Value], cst.CSTNode], Value]], ...] = (
    (IndexOf, _sample_index), (SliceValue, _slice_index), (Const, _constant_index), (DataValue, _array_index),
)


def _same_samples(a: Data, b: Data) -> bool:
    """Whether an index over a's samples indexes b's: one array, or the inputs and labels of one split
    (``for i in range(len(y_test)): model.predict(x_test[i:i + 1])``)."""
    if a.group == b.group:
        return True
    return a.split is not None and a.split == b.split and a.source.node is b.source.node


def _leading_ellipsis(node: cst.CSTNode) -> bool:
    elements = node.slice if isinstance(node, cst.Subscript) else ()
    return bool(elements) and isinstance(elements[0].slice, cst.Index) and isinstance(elements[0].slice.value,
                                                                                      cst.Ellipsis)


_REVERSED_ORDER = {"bgr": "rgb", "rgb": "bgr"}


def _reverses_channels(node: cst.CSTNode) -> bool:
    """``img[:, :, ::-1]``, ``img[..., ::-1]``, ``img[:, :, [2, 1, 0]]``: every pixel kept, its colour channels (the
    last axis of an image or a batch of them) in reverse order."""
    elements = node.slice if isinstance(node, cst.Subscript) else ()
    if not elements or not (len(elements) >= 3 or _leading_ellipsis(node)):
        return False
    if any(not (isinstance(e.slice, cst.Slice) and e.slice.lower is None and e.slice.upper is None and
                e.slice.step is None) and not (isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Ellipsis))
           for e in elements[:-1]):
        return False  # (an axis before the channels indexed or cut: another shape, not only the order)
    last = elements[-1].slice
    if isinstance(last, cst.Slice):
        step = last.step
        return last.lower is None and last.upper is None and isinstance(step, cst.UnaryOperation) and \
            isinstance(step.operator, cst.Minus) and isinstance(step.expression, cst.Integer) and \
            step.expression.value == "1"
    value = last.value if isinstance(last, cst.Index) else None
    return isinstance(value, cst.List) and [getattr(e.value, "value", None) for e in value.elements] == ["2", "1", "0"]


def _adds_axes_only(indices: list[Value], node: cst.CSTNode) -> bool:
    """Indexing that only inserts axes: every index is None/np.newaxis, '...' or a full ':'."""
    elements = node.slice if isinstance(node, cst.Subscript) else ()
    if len(elements) != len(indices):
        return False
    inserts = False
    for element, index in zip(elements, indices):
        if isinstance(index, Const) and index.value is None or \
                isinstance(index, Symbol) and index.name == "numpy.newaxis":
            inserts = True
        elif isinstance(element.slice, cst.Index) and isinstance(element.slice.value, cst.Ellipsis):
            continue
        elif index != SliceValue(Const(None), Const(None)) or element.slice.step is not None:  # type: ignore[union-attr]
            return False
    return inserts
