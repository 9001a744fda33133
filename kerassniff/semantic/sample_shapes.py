"""The per-sample shape of an array that reaches a model, read from its history.

A :class:`~kerassniff.semantic.dataflow.Data` records where an array came from and the steps applied
to it, each with its node.  This module is a query over that history: the shape of one sample at the
source (a Keras dataset's known images, ``np.zeros((n, 784))``, a literal), then each step's effect,
read from the arguments the interpreter evaluated for the step's call (``Script.calls``).  Shapes are
per sample (axis 0, the samples, is left out) and a size the script does not make constant is ``None``.

Precision first: any step not in the tables below, a call evaluated with arguments that belong to
another array (a helper called for several arrays), a conditional or batched array, makes the whole
shape unknown (``None``), and rules stay silent.  Steps that keep the shape (scaling, casts, reorders)
are listed, not assumed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.label_literals import literal_shape
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import ComprehensionValue, Const, DataValue, Seq, Value, const_value, int_value

Dim = Optional[int]
Shape = tuple[Dim, ...]


# The per-sample shape of the inputs each Keras dataset loader returns (keras.datasets.<name>.load_data()).
# imdb and reuters return ragged integer sequences: no per-sample shape.
DATASET_SAMPLE_SHAPES: dict[str, Shape] = {
    "mnist": (28, 28), "fashion_mnist": (28, 28), "cifar10": (32, 32, 3), "cifar100": (32, 32, 3),
    "boston_housing": (13,), "california_housing": (8,),
}

# Array constructors: where the shape argument is (keyword, position), or "dims" for one size per argument.
CONSTRUCTOR_SHAPES: dict[str, tuple[str, int] | str] = {
    "numpy.zeros": ("shape", 0), "numpy.ones": ("shape", 0), "numpy.empty": ("shape", 0),
    "numpy.full": ("shape", 0),
    "numpy.random.random": ("size", 0), "numpy.random.random_sample": ("size", 0),
    "numpy.random.sample": ("size", 0), "numpy.random.normal": ("size", 2),
    "numpy.random.uniform": ("size", 2), "numpy.random.randint": ("size", 2),
    "numpy.random.rand": "dims", "numpy.random.randn": "dims",
}

# Step kinds that change values, never the shape (see dataflow.Step).
SHAPE_KEEPING_KINDS = frozenset({"scale", "shift", "preprocess", "standardize", "minmax", "normalize", "cast",
                                 "order"})


# Calls that build one array out of several whole arrays (np.array([x1, x2]), np.stack, np.concatenate(axis=1),
# np.hstack): the model records the result as the first array, without a step, so the per-sample shape of
# every array from those sources is not known.  Concatenation along axis 0 (more samples) keeps it.
COMBINERS = frozenset({"numpy.array", "numpy.asarray", "numpy.stack", "numpy.concatenate", "numpy.hstack",
                       "numpy.vstack", "numpy.dstack", "numpy.column_stack"})


@dataclass
class Calls:
    """The interpreter's call sites, by node, and the sources of arrays combined with others."""

    by_node: dict[int, CallSite] = field(default_factory=dict)
    combined: set[int] = field(default_factory=set)  # id() of the Source nodes
    combiners: set[int] = field(default_factory=set)  # id() of the combining calls' nodes
    combinations: dict[int, int] = field(default_factory=dict)  # id() of a Source node -> calls combining it

    def get(self, node_id: int) -> CallSite | None:
        return self.by_node.get(node_id)


def calls_by_node(calls: list[CallSite]) -> Calls:
    index = Calls({id(call.node): call for call in calls})
    for call in calls:
        if call.callee in COMBINERS and not _along_samples(call):
            parts = _whole_arrays(call)
            index.combined.update(id(data.source.node) for data in parts)
            for source in {id(data.source.node) for data in parts}:
                index.combinations[source] = index.combinations.get(source, 0) + 1
            if parts:
                index.combiners.add(id(call.node))
    return index


def _along_samples(call: CallSite) -> bool:
    return call.callee == "numpy.concatenate" and const_value(call.args.get("axis", 1), 0) == 0


def _whole_arrays(call: CallSite) -> list[Data]:
    """The arrays (not single samples) listed in a combining call's first argument."""
    first = call.args.positional[0] if call.args.positional else None
    items = first.items if isinstance(first, Seq) else (first.element,) if isinstance(first, ComprehensionValue) \
        else ()
    return [item.data for item in items if isinstance(item, DataValue) and not item.data.is_sample]


def sample_shape(data: Data, calls: Calls) -> Shape | None:
    """The shape of one sample of ``data`` as it reaches a model, or None when not known."""
    if data.source.kind == "directory" and data.source.sample_shape is not None and data.role == "x":
        return _read_from_folder(data)
    if data.is_sample and not (data.batches or data.conditional or data.table):
        return _one_sample_reshaped(data)
    if data.is_sample or data.batches or data.conditional or data.table:
        return None
    combined = id(data.source.node) in calls.combined
    if calls.combinations.get(id(data.source.node), 0) > 1:
        return None  # combined twice (parts stacked, then joined again): which reshape came when is not known
    shape = None if combined else source_shape(data, calls)
    for index, step in enumerate(data.steps):
        if shape is None:
            # not known until a reshape names every axis with a number written in it (x.reshape(-1, 30, 1) of
            # windows of any shape); for an array combined from several, only a reshape of the combined array
            # itself (np.array([...]).reshape)
            if step.kind != "reshape" or step.detail != "reshape" or not _written_axes(step.node) or (
                    combined and not _of_combined(step, calls)):
                continue
        shape = step_shape(shape, data, index, calls)  # type: ignore[arg-type]
    return shape


def _read_from_folder(data: Data) -> Shape | None:
    """Images of a folder read whose reader fixes their size and channels (``flow_from_directory(target_size=(128,
    128))``, ``image_dataset_from_directory(image_size=...)``): that shape, through steps that keep it (rescaling,
    a generator's standardising); anything else on the way (a map, a resize of its own) leaves it unknown."""
    if data.conditional or data.is_sample:
        return None
    for step in data.steps:
        if step.node is data.source.node and step.kind == "resize":
            continue  # the reader's own resize to that size
        if step.kind not in SHAPE_KEEPING_KINDS:
            return None
    return data.source.sample_shape


def _one_sample_reshaped(data: Data) -> Shape | None:
    """One sample made a batch of one by a reshape that writes every axis as a number, the first 1 or -1
    (``img.reshape(1, 784)``, ``np.reshape(x, (1, 28, 28, 1))``), with only value steps after it: the axes after
    the first, whatever the sample's shape was."""
    for index in range(len(data.steps) - 1, -1, -1):
        step = data.steps[index]
        if step.kind in SHAPE_KEEPING_KINDS:
            continue
        if step.kind != "reshape" or step.detail != "reshape" or not _written_axes(step.node):
            return None
        axes = _axes_written(step.node)
        return tuple(axes[1:]) if axes and axes[0] in (1, -1) and all(axis > 0 for axis in axes[1:]) else None
    return None


def _axes_written(node: cst.Call) -> list[int]:
    """The numbers a reshape call writes for its axes (:func:`_written_axes` said they all are numbers)."""
    values = [_number(arg) for arg in _axis_nodes(node)]
    return [] if None in values else values  # type: ignore[return-value]


def _axis_nodes(node: cst.Call) -> list[cst.BaseExpression]:
    """The expressions a reshape call writes for its axes: ``x.reshape(-1, 30, 1)``, ``x.reshape((-1, 30, 1))``,
    ``np.reshape(x, (-1, 30, 1))`` (and ``newshape=``/``shape=``)."""
    args = [arg.value for arg in node.args if arg.keyword is None or arg.keyword.value in ("newshape", "shape")]
    if len(args) == 2 and type(args[1]) in (cst.Tuple, cst.List):
        return [element.value for element in args[1].elements]
    if len(args) == 1 and type(args[0]) in (cst.Tuple, cst.List):
        return [element.value for element in args[0].elements]
    return args


def _written_axes(node) -> bool:
    """Whether a reshape call writes every axis after the samples as a number (``x.reshape(-1, 30, 1)``,
    ``np.reshape(x, (-1, 48, 2))``): a size from a parameter may be another call's (a helper called twice)."""
    if type(node) is not cst.Call:
        return False
    args = _axis_nodes(node)
    return len(args) >= 2 and all(_written_number(arg) for arg in args[1:])


def _written_number(node) -> bool:
    return _number(node) is not None


def _number(node) -> int | None:
    """The number an axis is written as: ``784``, ``-1``, or a product of such numbers (``28 * 28``)."""
    if type(node) is cst.Integer:
        return int(node.value, 0)
    if type(node) is cst.UnaryOperation and type(node.operator) is cst.Minus and type(node.expression) is cst.Integer:
        return -int(node.expression.value, 0)
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Multiply:
        left, right = _number(node.left), _number(node.right)
        return left * right if left is not None and right is not None and left > 0 and right > 0 else None
    return None


def _of_combined(step, calls: Calls) -> bool:
    """Whether a reshape step was applied to the result of a combining call (not to one of its parts before)."""
    call = calls.get(id(step.node))
    operand = _operand(call) if call is not None else None
    return operand is not None and id(operand.data.node) in calls.combiners  # type: ignore[attr-defined]


def source_shape(data: Data, calls: Calls) -> Shape | None:
    source = data.source
    if source.kind == "dataset" and data.role == "x":
        return DATASET_SAMPLE_SHAPES.get(source.description.split(".")[0])
    if source.kind == "literal" and data.values is not None:
        shape = literal_shape(data.values)
        return shape[1:] if shape else None
    if source.kind == "generated":
        call = calls.get(id(source.node))
        return None if call is None or call.callee is None else _constructed(call)
    return None


def _constructed(call: CallSite) -> Shape | None:
    where = CONSTRUCTOR_SHAPES.get(call.callee or "")
    if where is None or _starred(call):
        return None
    if where == "dims":
        dims = call.args.positional
    else:
        keyword, position = where
        dims = _items(call.args.get(keyword, position))
    return None if not dims else tuple(_dim(d) for d in dims[1:])


def step_shape(shape: Shape, data: Data, index: int, calls: Calls) -> Shape | None:
    """The sample shape after ``data.steps[index]``, given the shape before it."""
    step = data.steps[index]
    if step.kind in SHAPE_KEEPING_KINDS:
        return shape
    if step.kind != "reshape":
        return None  # resize, colour conversion, encoding, augmentation, a model's output...
    if step.detail == "index":
        return _subscript(shape, step.node)
    rule = RESHAPE_STEPS.get(step.detail)
    if rule is None:
        return None
    if rule is _keep:
        return shape
    call = calls.get(id(step.node))
    if call is None or _starred(call):
        return None
    operand = _operand(call)
    if operand is None or not _same_history(operand, data, index):
        return None  # a helper evaluated last for another array: its arguments are not this array's
    rest = call.args.positional[1:] if operand is _first_positional(call) else call.args.positional
    try:
        return rule(shape, call, rest)
    except (TypeError, ValueError, IndexError):
        return None


# -- the reshape-like steps --------------------------------------------------------------------------
def _keep(shape: Shape, call: CallSite, rest: tuple[Value, ...]) -> Shape | None:
    return shape


def _reshape(shape: Shape, call: CallSite, rest: tuple[Value, ...]) -> Shape | None:
    """``x.reshape(n, 28, 28, 1)``, ``x.reshape((-1, 784))``, ``np.reshape(x, shape)``: axis 0 stays the samples."""
    given = call.args.get("newshape") or call.args.get("shape")
    dims = _items(given) if given is not None else (_items(rest[0]) if len(rest) == 1 else rest)
    if not dims:
        return None
    return tuple(_dim(d) for d in dims[1:])


def _expand_dims(shape: Shape, call: CallSite, rest: tuple[Value, ...]) -> Shape | None:
    axis = _axis(call, rest)
    if axis is None:
        return None
    rank = len(shape) + 2  # the result's rank, samples included
    position = axis + rank if axis < 0 else axis
    if not 0 < position < rank:
        return None  # a new axis 0: the samples move
    return shape[:position - 1] + (1,) + shape[position - 1:]


def _squeeze(shape: Shape, call: CallSite, rest: tuple[Value, ...]) -> Shape | None:
    axis = _axis(call, rest)
    if axis is None and (call.args.get("axis") is not None or rest):
        return None  # an axis we cannot read
    if axis is None:
        return None if None in shape else tuple(d for d in shape if d != 1)
    position = axis + len(shape) + 1 if axis < 0 else axis
    if not 0 < position <= len(shape) or shape[position - 1] != 1:
        return None
    return shape[:position - 1] + shape[position:]


def _pad_sequences(shape: Shape, call: CallSite, rest: tuple[Value, ...]) -> Shape | None:
    maxlen = int_value(call.args.get("maxlen", 1))
    return (maxlen if maxlen and maxlen > 0 else None,)


RESHAPE_STEPS: dict[str, Callable[[Shape, CallSite, tuple[Value, ...]], Shape | None]] = {
    "copy": _keep, "to_numpy": _keep, "values": _keep, "view": _keep, "astype": _keep, "cast": _keep,
    "to_float": _keep, "fillna": _keep,
    "reshape": _reshape, "expand_dims": _expand_dims, "squeeze": _squeeze, "pad_sequences": _pad_sequences,
}


# -- subscripts --------------------------------------------------------------------------------------
def _subscript(shape: Shape, node: cst.CSTNode) -> Shape | None:
    """``x[..., None]``, ``x[:, :, :, np.newaxis]``, ``x[:, 0]``: axis 0 must stay a slice (the samples)."""
    if not isinstance(node, cst.Subscript):
        return None
    kinds = [_element_kind(element) for element in node.slice]
    if None in kinds or kinds.count("...") > 1:
        return None
    axes: list[object] = ["samples", *shape]
    actions = _spread_ellipsis(kinds, len(axes))  # type: ignore[arg-type]
    if actions is None:
        return None
    elements = _spread_elements(list(node.slice), kinds, len(actions))
    result: list[object] = []
    remaining = iter(axes)
    for action, element in zip(actions, elements):
        if action == "slice" and element is not None:
            axis = next(remaining)
            result.append(axis if axis == "samples" else _sliced_size(element.slice, axis))  # type: ignore[arg-type]
            continue
        result.extend([1] if action == "new" else INDEX_ACTIONS[action](next(remaining)))
    if not result or result[0] != "samples" or result.count("samples") != 1:
        return None
    return tuple(result[1:])  # type: ignore[arg-type]


def _spread_elements(elements: list, kinds: list, count: int) -> list:
    """The index elements beside :func:`_spread_ellipsis`'s actions (None where an axis is kept unnamed)."""
    if "..." in kinds:
        at = kinds.index("...")
        return elements[:at] + [None] * (count - len(elements) + 1) + elements[at + 1:]
    return elements + [None] * (count - len(elements))


def _sliced_size(index: cst.Slice, size: object) -> Dim:
    """The size of an axis of known size after a slice with constant bounds (``x[:, 0:31]``, ``x[:, :-1]``), as
    Python slices it (bounds past the end are cut); None when the size or a bound is not a constant."""
    if not isinstance(size, int):
        return None
    bounds = []
    for part in (index.lower, index.upper, index.step):
        if part is None:
            bounds.append(None)
        elif _written_number(part):
            bounds.append(part.evaluated_value if type(part) is cst.Integer else -part.expression.evaluated_value)
        else:
            return None
    if bounds[2] == 0:
        return None  # (a ValueError when run)
    return len(range(size)[slice(*bounds)]) or None


def _spread_ellipsis(kinds: list[str], rank: int) -> list[str] | None:
    """One action per axis: '...' (or the end of the index) keeps the axes no element names."""
    named = sum(1 for kind in kinds if kind not in ("new", "..."))
    if named > rank:
        return None  # more indices than axes: Keras never sees this array
    kept = ["keep"] * (rank - named)
    if "..." in kinds:
        at = kinds.index("...")
        return kinds[:at] + kept + kinds[at + 1:]
    return kinds + kept


# What an index element does to the axis it reads: keep it, keep the samples / forget a sliced size, drop it.
INDEX_ACTIONS: dict[str, Callable[[object], list[object]]] = {
    "keep": lambda axis: [axis],
    "slice": lambda axis: [axis if axis == "samples" else None],
    "drop": lambda axis: [],
}


def _element_kind(element: cst.SubscriptElement) -> str | None:
    """new (None / np.newaxis), ... (Ellipsis), keep (':'), slice (bounded), drop (an integer); None: unknown."""
    index = element.slice
    if isinstance(index, cst.Slice):
        full = index.lower is None and index.upper is None and index.step is None
        return "keep" if full else "slice"
    value = index.value
    if isinstance(value, cst.Name) and value.value == "None" or \
            isinstance(value, cst.Attribute) and value.attr.value == "newaxis":
        return "new"
    if isinstance(value, cst.Ellipsis):
        return "..."
    if isinstance(value, cst.Integer) or isinstance(value, cst.UnaryOperation) and \
            isinstance(value.expression, cst.Integer):
        return "drop"
    return None


# -- helpers -----------------------------------------------------------------------------------------
def _items(value: Value | None) -> tuple[Value, ...]:
    """The elements of a shape argument: a tuple or list, or one int (a 1-D shape)."""
    if isinstance(value, Seq):
        return value.items
    if isinstance(value, Const) and isinstance(value.value, tuple):
        return tuple(Const(v) for v in value.value)
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return (value,)
    return ()


def _dim(value: Value) -> Dim:
    size = int_value(value)
    return size if isinstance(size, int) and size > 0 else None


def _axis(call: CallSite, rest: tuple[Value, ...]) -> int | None:
    axis = const_value(call.args.get("axis") or (rest[0] if rest else None))
    return axis if isinstance(axis, int) and not isinstance(axis, bool) else None


def _starred(call: CallSite) -> bool:
    """``f(*dims)``: the interpreter counts an unknown star as one argument, so positions are not known."""
    return any(arg.star for arg in call.args.nodes)


def _first_positional(call: CallSite) -> Value | None:
    return call.args.positional[0] if call.args.positional else None


def _operand(call: CallSite) -> Value | None:
    """The array a call transforms: the receiver of a method, else the first argument."""
    if isinstance(call.receiver, DataValue):
        return call.receiver
    first = _first_positional(call)
    return first if isinstance(first, DataValue) else None


def _same_history(operand: Value, data: Data, index: int) -> bool:
    """Whether the call's operand is ``data`` as it was before step ``index`` (same source, same steps)."""
    before: Data = operand.data  # type: ignore[attr-defined]
    if before.source.node is not data.source.node or len(before.steps) != index:
        return False
    return all(a.node is b.node for a, b in zip(before.steps, data.steps[:index]))

