"""What library functions do to arrays: NumPy, pandas, scikit-learn, TensorFlow, Keras utilities.

Each handler maps a call's argument's history to the result's (:class:`~kerassniff.semantic.dataflow.Data`); which
call goes to which handler is the table of :mod:`.array_table`.  Arrays made anew (from collections, files and
generators; padded sequences) are in :mod:`.array_sources`; methods, attributes, subscripts and arithmetic of arrays
in :mod:`.array_methods`; image readers and image operations in :mod:`.images`.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic import loaders
from kerassniff.semantic.class_blocks import block_order
from kerassniff.semantic.class_labels import class_names_given, label_categories, ordered_by_class
from kerassniff.semantic.dataflow import (
    FLAT_SETTING,
    OVERSAMPLER_SETTING,
    Data,
    DataValue,
    NOT_KNOWN,
    Source,
    data_of,
    new_group,
)
from kerassniff.semantic.label_literals import literal_encoding, literal_range, literal_shape
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.knowledge.datasets import WORD_INDEX_OFFSETS
from kerassniff.semantic.keras_values import TensorValue
from kerassniff.semantic.library import datasets, keras
from kerassniff.semantic.names import short
from kerassniff.semantic.vocabulary import WORD_INDEX_STEP, WordId, WordIndex
from kerassniff.semantic.pyvalues import (
    UNKNOWN,
    CallArgs,
    ComprehensionValue,
    Const,
    Seq,
    Value,
    const_value,
    int_value,
    str_value,
    typed_number,
)

SHAPE_ONLY = {"reshape", "flatten", "ravel", "squeeze", "transpose", "swapaxes", "copy", "to_numpy", "values",
              "fillna", "drop", "dropna", "view", "astype", "expand_dims", "stack", "delete"}
STATISTICS = {"mean", "std", "max", "min", "median", "var", "amax", "amin", "percentile", "sqrt"}
CONSTANT_FILLS = ("np.zeros(...)", "np.ones(...)")


# ------------------------------------------------------------------- helpers
def make(source: Source, node: cst.CSTNode, **fields) -> DataValue:
    return DataValue(Data(source=source, group=new_group(), node=node, **fields))


def literal(values: tuple, node: cst.CSTNode) -> DataValue:
    shape = literal_shape(values)
    n = shape[0] if shape else None
    encoding = literal_encoding(values)
    rng = literal_range(values)
    return make(Source("literal", "a literal array", node, value_range=rng), node, n_samples=n,
                encoding=encoding, values=values if len(values) <= 1000 else None,
                n_classes=(shape[1] if encoding in ("onehot", "multihot") and shape and len(shape) == 2 else None))


def shape_samples(value: Value) -> int | None:
    shape = const_value(value)
    if isinstance(shape, int) and not isinstance(shape, bool):
        return shape
    if isinstance(shape, tuple) and shape and isinstance(shape[0], int):
        return shape[0]
    return None


def one_hot(data: Data | None, n_classes: int | None, node: cst.CSTNode) -> Value:
    if data is None:
        return make(Source("unknown", "to_categorical(...)", node), node, role="y", encoding="onehot",
                    n_classes=n_classes)
    return DataValue(data.with_step("encode", "onehot", node, encoding="onehot", n_classes=n_classes or data.n_classes,
                                    role="y", table=False))


def encode(data: Data | None, encoding: str, node: cst.CSTNode, n_classes: int | None = None,
           names_by_id: tuple[str, ...] | None = None) -> Value:
    """Labels encoded as class ids or one-hot rows; ``names_by_id``: the class names in the order of their ids, when
    the encoder numbered names it knows (LabelEncoder: sorted); without it, the labels' own (a Keras dataset's)."""
    if data is None:
        return make(Source("unknown", "an encoder", node), node, role="y", encoding=encoding, n_classes=n_classes,
                    names_by_id=names_by_id)
    return DataValue(data.with_step("encode", encoding, node, encoding=encoding, role="y",
                                    n_classes=n_classes or data.n_classes, table=False,
                                    names_by_id=names_by_id if names_by_id is not None else data.names_by_id))


def factorize(data: Data | None, node: cst.CSTNode) -> Value:
    """``pd.factorize(values)`` / ``series.factorize()``: (integer codes, uniques)."""
    return Seq((encode(data, "int", node), UNKNOWN), "tuple")


def unique(call: LibraryCall) -> Value | None:
    """``np.unique(labels, return_inverse=True)``: (uniques, [indices,] ids, [counts]); the ids keep the rows' order,
    so labels appended class by class stay in class blocks.  Without a known ``return_inverse=True``: not followed."""
    given = [call.args.get(name, position)
             for position, name in enumerate(("return_index", "return_inverse", "return_counts"), start=1)]
    flags = [False if value is None else const_value(value) for value in given]
    if flags[1] is not True or any(not isinstance(flag, bool) for flag in flags):
        return None
    data = call.data if call.data is not None else list_in_runs(call.first, call.node)
    ids = encode(data, "int", call.node)
    return Seq((UNKNOWN, *(UNKNOWN,) * (flags[0] is True), ids, *(UNKNOWN,) * (flags[2] is True)), "tuple")


def with_step(data: Data | None, kind: str, detail: str, node: cst.CSTNode) -> Value:
    if data is None:
        return UNKNOWN
    return DataValue(data.with_step(kind, detail, node))


class Statistic(Value):
    """``x.mean()``, ``np.max(x)``: a statistic of an array, for standardisation.

    ``over_samples``: whether it reduces over the samples (no ``axis``, or an axis tuple holding 0), so that it is
    the split's own statistic rather than each sample's (``axis=1``); None when the axis is not known.  ``array``:
    the expression it was read from (``x`` of ``x.std()`` and of ``np.std(x)``), to tell an array scaled with its own
    statistics."""

    __slots__ = ("data", "kind", "over_samples", "array")

    def __init__(self, data: Data, kind: str, over_samples: bool | None = None,
                 array: cst.BaseExpression | None = None) -> None:
        self.data = data
        self.kind = kind
        self.over_samples = over_samples
        self.array = array


def reduces_over_samples(axis: Value | None) -> bool | None:
    """``axis=`` of a reduction: None (absent) and any axis tuple holding 0 reduce over the samples; another
    non-negative axis does not; a negative or unknown one is not known (it depends on the array's rank)."""
    if axis is None:
        return True
    value = const_value(axis)
    if value is None and isinstance(axis, Const):
        return True  # axis=None
    values = value if isinstance(value, tuple) else (value,)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values) or any(v < 0 for v in values):
        return None
    return 0 in values


# ------------------------------------------------------------- a call being handled
class LibraryCall:
    """One call being interpreted: the callee's canonical name, its arguments, and its first argument's array."""

    __slots__ = ("effects", "name", "args", "node", "first", "data", "parts", "last")

    def __init__(self, effects: Effects, name: str, args: CallArgs, node: cst.Call) -> None:
        self.effects = effects
        self.name = name
        self.args = args
        self.node = node
        self.first: Value = args.positional[0] if args.positional else UNKNOWN
        self.data = data_of(self.first)
        self.parts = name.split(".")
        self.last = self.parts[-1]


# ---------------------------------------------------------------- handlers
def keras_dataset(call: LibraryCall) -> Value:
    return loaders.load_dataset(call.parts[-2], call.node)


def word_index(call: LibraryCall) -> Value:
    """``imdb.get_word_index()``: each word's frequency rank, without the offset load_data() adds to it."""
    dataset = call.parts[-2]
    return WordIndex(dataset, 0, call.node) if dataset in WORD_INDEX_OFFSETS else UNKNOWN


def word_ids(value: Value, depth: int = 0) -> WordId | None:
    """The one kind of word-index id a list (or a list of lists) holds: ``[word_index[w] for w in words]``, ``[ids]``;
    None when it holds anything else or ids of several offsets."""
    if isinstance(value, WordId):
        return value
    if depth > 2:
        return None
    items = value.items if isinstance(value, Seq) else (value.element,) if isinstance(value, ComprehensionValue) else ()
    found = [word_ids(item, depth + 1) for item in items]
    kinds = {ids for ids in found if ids is not None}
    if len(kinds) != 1:
        return None
    ids = kinds.pop()  # every other item a marker among the ids ([1, word_index[w], ...]: the start of a review)
    return ids if all(one is not None or ids.absorbs(item) for one, item in zip(found, items)) else None


def words_written(value: Value, depth: int = 0) -> bool:
    """Whether every word id a list holds is the id of a word the script writes (a sentence typed in the code, cut
    into its words): then which ids it holds is fixed by the code."""
    if isinstance(value, WordId):
        return value.word is not None
    if depth > 2:
        return False
    if isinstance(value, Seq):
        ids = [item for item in value.items if not (type(item) is Const and type(item.value) is int)]
        return bool(ids) and all(words_written(item, depth + 1) for item in ids)
    return False


def word_ids_array(value: Value, node: cst.Call, description: str) -> DataValue | None:
    """A list of word-index ids made an array: a new array whose step says which index and offset made its ids."""
    ids = word_ids(value)
    if ids is None:
        return None
    made = make(Source("literal", description, node), node)
    return DataValue(made.data.with_step("encode", WORD_INDEX_STEP, ids.node,
                                         settings=(("dataset", ids.dataset), ("offset", ids.offset),
                                                   ("bounds", ids.bounds), ("tokenizer", ids.tokenizer),
                                                   ("written", words_written(value)), ("missing", ids.missing))))


def tf1_mnist(call: LibraryCall) -> Value:
    return loaders.read_data_sets(call.args, call.node)


def flat_shape(shape: tuple[Value, ...]) -> bool:
    """A shape of one axis of every value: ``reshape(-1)``, ``reshape((-1,))``, ``tf.reshape(y, [-1])``."""
    if len(shape) != 1:
        return False
    given = shape[0]
    value = const_value(given.items[0]) if isinstance(given, Seq) and len(given.items) == 1 else const_value(given)
    return value == -1 or value == (-1,)


def reshaped(call: LibraryCall) -> Value:
    """``np.reshape(y, -1)``, ``tf.reshape(y, [-1])``, ``np.squeeze(x)``...: the same values in another shape, a
    reshape to one axis so marked."""
    shape = call.args.get("shape", 1) or call.args.get("newshape", 1)
    flat = ((FLAT_SETTING, True),) if call.last == "reshape" and shape is not None and flat_shape((shape,)) else ()
    return DataValue(call.data.with_step("reshape", call.last, call.node, settings=flat))  # type: ignore[union-attr]


def step(kind: str, detail: str | None = None) -> Callable[[LibraryCall], Value]:
    """A handler that adds one step to the first argument's history (``detail`` defaults to the function name)."""
    return lambda call: with_step(call.data, kind, detail or call.last, call.node)


def to_categorical(call: LibraryCall) -> Value:
    data = call.data if call.data is not None else list_in_runs(call.first, call.node)
    return one_hot(data, int_value(call.args.get("num_classes", 1)), call.node)


def list_in_runs(value: Value | None, node: cst.Call) -> Data | None:
    """A list of labels appended class by class, given as it is to a function that keeps its rows' order
    (``to_categorical(labels)``, ``LabelEncoder().fit_transform(labels)``): the array it becomes, with that order."""
    if isinstance(value, ComprehensionValue) and value.blocks:
        return data_of(from_collection(value, node))
    return None


def preprocess_input(call: LibraryCall) -> Value:
    if isinstance(call.first, TensorValue):  # preprocess_input(inputs) inside a functional model
        return keras.preprocessing_in_graph(call.first, call.name, call.args, call.node)
    family = call.parts[-2] if len(call.parts) > 3 else "applications"
    return with_step(call.data, "preprocess", family, call.node)


def image_directory(call: LibraryCall) -> Value:
    if loaders.folder_read_fails(call.name, call.args):
        return UNKNOWN
    return datasets.image_directory(call.args, call.node, f"{short(call.name)}(...)")


def dataset_reader(call: LibraryCall) -> Value:
    if loaders.folder_read_fails(call.name, call.args):
        return UNKNOWN
    reader = loaders.dataset_reader(call.name)
    path = str_value(call.first) if reader == "file" else None
    names = class_names_given(call.args.get("class_names")) if reader == "directory" else None
    return loaders.pipeline(reader, f"{short(call.name)}(...)", call.node, path=path,  # type: ignore[arg-type]
                            class_names=names, reshuffles=loaders.reader_reshuffles(call.name, call.args))


def tfds_load(call: LibraryCall) -> Value:
    return loaders.tfds_load(call.args, call.node)


def sklearn_dataset(call: LibraryCall) -> Value:
    return loaders.sklearn_dataset(call.last, call.args, call.node)


def sklearn_scale(call: LibraryCall) -> Value:
    return with_step(call.data, "minmax" if call.last == "minmax_scale" else "standardize", call.last, call.node)


def label_binarize(call: LibraryCall) -> Value:
    return encode(call.data, "onehot", call.node)


def train_test_split(call: LibraryCall) -> Value:
    args, node = call.args, call.node
    test_size = const_value(args.get("test_size"))
    shuffle = args.get("shuffle")
    shuffled = True if shuffle is None else const_value(shuffle) if isinstance(const_value(shuffle), bool) else None
    results: list[Value] = []
    for array in args.positional:
        data = data_of(array)
        if data is None and isinstance(array, (Seq, ComprehensionValue)):  # a list of arrays read one by one:
            rows = data_of(from_collection(array, node))  # split as np.array(list) would be
            data = rows if rows is not None and rows.source.kind != "literal" else None
        if data is None:  # a Python list of rows or labels, or an array the analysis lost: split all the same
            what = "a list" if isinstance(array, (Seq, ComprehensionValue)) else "an array"
            data = Data(Source("unknown", what, node), new_group(), node=node)
        n_test = n_train = None
        if data.n_samples is not None and isinstance(test_size, float) and 0 < test_size < 1:
            n_test = math.ceil(data.n_samples * test_size)
            n_train = data.n_samples - n_test
        if ordered_by_class(data) and const_value(args.get("shuffle")) is not False:
            data = data.with_step("order", "shuffled", node)
        results.append(DataValue(replace(data, split="train", n_samples=n_train, node=node, shuffled_split=shuffled,
                                         split_at=node)))
        results.append(DataValue(replace(data, split="val" if data.split == "train" else "test", n_samples=n_test,
                                         node=node, shuffled_split=shuffled, split_at=node)))
    return Seq(tuple(results), "tuple")


def typed_rows(value: Value) -> bool:
    """Whether a list holds numbers a person typed (``[age, bmi, children]`` of ``float(request.form[...])``,
    ``[float(x) for x in request.form.values()]``), with constant numbers beside them at most, in rows or not."""
    leaves: list[Value] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is Seq:
            stack.extend(item.items)
        elif type(item) is ComprehensionValue:
            stack.append(item.element)
        else:
            leaves.append(item)
    return any(typed_number(leaf) for leaf in leaves) and all(
        typed_number(leaf) or (type(leaf) is Const and type(leaf.value) in (int, float)) for leaf in leaves)


def from_collection(value: Value, node: cst.Call) -> Value:
    if isinstance(value, Seq):
        items = value.items
        element = data_of(items[0]) if items else None
        n: int | None = len(items)
    elif isinstance(value, ComprehensionValue):
        element = data_of(value.element)
        n = value.length
    else:
        return UNKNOWN
    if element is None:
        ids = word_ids_array(value, node, "a list of word ids")
        if ids is not None:
            return ids
    if element is not None and datasets.gathered_in_a_pass(element):  # a pipeline's label batches, one pass:
        return gathered(element, node)  # its labels in that pass's order
    if element is not None:
        made = DataValue(replace(element, group=new_group(), is_sample=False, n_samples=n, node=node))
    elif typed_rows(value):
        made = make(Source("typed", "numbers a user typed", node), node, n_samples=n)
    else:
        made = make(Source("literal", "a list", node), node, n_samples=n, categories=label_categories(value))
    order = block_order(value.blocks) if isinstance(value, ComprehensionValue) else None
    if order is not None and isinstance(made, DataValue):  # labels appended class by class
        made = DataValue(made.data.with_step("order", order[0], order[1]))
    return made


ARGSORT = "argsort"  # an index array's order step: the indices that sort an array
SORTS_SETTING = "sorts"  # ... and the group of the array they sort


def sorting_indices(data: Data, node: cst.CSTNode) -> Value:
    """``y.argsort()``, ``np.argsort(y)``: the indices that sort the array, one per sample (``x[order]`` reorders x's
    rows); they say which array they sort (``y[y.argsort()]`` holds y's values sorted)."""
    if data.batches:
        return UNKNOWN
    indices = make(Source("generated", "argsort(...)", node), node, n_samples=data.n_samples)
    return DataValue(indices.data.with_step("order", ARGSORT, node, settings=((SORTS_SETTING, data.group),)))


def argsort(call: LibraryCall) -> Value:
    return sorting_indices(call.data, call.node)  # type: ignore[arg-type]


def argmax(call: LibraryCall) -> Value:
    return DataValue(call.data.with_step("encode", "argmax", call.node, encoding="int"))  # type: ignore[union-attr]


def stacked(call: LibraryCall) -> Value:
    """np.concatenate(x), np.vstack(x) of one array: its rows, count unknown; a column stacked is no longer one."""
    data = call.data
    assert data is not None
    encoding = None if data.encoding == "column" and call.last != "concatenate" else data.encoding
    return DataValue(replace(data, n_samples=None, encoding=encoding, node=call.node))


def concat_columns(call: LibraryCall) -> Value | None:
    """pd.concat([table, more], axis=1): columns added beside a table, the same rows."""
    parts = [data_of(item) for item in call.first.items]  # type: ignore[attr-defined]
    if parts and parts[0] is not None and parts[0].table:
        return DataValue(replace(parts[0], node=call.node))
    return None


def class_blocks(parts: Seq) -> bool:
    """Labels built by class blocks: ``np.concatenate([np.zeros(n), np.ones(m)])`` (all of one class, then another)."""
    fills = [data_of(item) for item in parts.items]
    kinds = [d.source.description for d in fills if d is not None and d.source.kind == "generated" and not d.steps]
    return len(kinds) == len(fills) >= 2 and set(kinds) == set(CONSTANT_FILLS)


def by_class(call: LibraryCall) -> Value:
    first = data_of(call.first.items[0])  # type: ignore[attr-defined]
    return DataValue(first.with_step("order", "by-class", call.node, n_samples=None))  # type: ignore[union-attr]


def gathered(batch: Data, node: cst.CSTNode) -> Value:
    """The batches of labels a pass over a pipeline yielded, put together (``np.concatenate([y for x, y in ds])``,
    ``np.array(labels)`` after ``labels.extend(y)`` in a loop over ``ds``): the pipeline's labels in that pass's
    order, the same samples (its group), how many not known."""
    return DataValue(replace(batch, is_sample=False, n_samples=None, node=node))


def gathered_batches(call: LibraryCall) -> bool:
    """np.concatenate / tf.concat of a list of label batches gathered in one pass over a reshuffling pipeline."""
    first = call.first
    element = data_of(first.element) if isinstance(first, ComprehensionValue) else None
    return element is not None and datasets.gathered_in_a_pass(element)


def concat_gathered(call: LibraryCall) -> Value:
    return gathered(data_of(call.first.element), call.node)  # type: ignore[attr-defined,arg-type]


def concat_parts(call: LibraryCall) -> Value | None:
    """np.concatenate([a, b]) or pd.concat([a, b]) of arrays: the first one's history, count unknown, with the
    over-sampling steps another part took (``pd.concat([majority, minority.sample(n, replace=True)])``: copies of
    rows are among the rows)."""
    parts = [data_of(item) for item in call.first.items]  # type: ignore[attr-defined]
    if not parts or any(p is None for p in parts):
        return None
    first = parts[0]
    taken = {id(step) for step in first.steps}  # type: ignore[union-attr]
    resampled = tuple(step for part in parts[1:] for step in part.steps  # type: ignore[union-attr]
                      if step.setting(OVERSAMPLER_SETTING) is not NOT_KNOWN and id(step) not in taken)
    return DataValue(replace(first, n_samples=None, node=call.node,  # type: ignore[arg-type]
                             steps=first.steps + resampled))  # type: ignore[union-attr]


def resampled(call: LibraryCall) -> Value | None:
    """scikit-learn's ``resample(x, replace=True, n_samples=n)`` (replace=True is its default): rows drawn with
    replacement, copies of one another; without replacement, some of the rows in a new order."""
    data = call.data
    if data is None:
        return None
    if const_value(call.args.get("replace"), True) is True:
        return DataValue(data.with_step("order", "resampled", call.node,
                                        settings=((OVERSAMPLER_SETTING, "resample()"),), n_samples=None))
    return DataValue(data.with_step("order", "shuffled", call.node, n_samples=None))


def statistic(call: LibraryCall) -> Value:
    first = call.node.args[0].value if call.node.args and call.node.args[0].keyword is None else None
    return Statistic(call.data, call.last, reduces_over_samples(call.args.get("axis", 1)),  # type: ignore[arg-type]
                     first)


def dataset_from(call: LibraryCall) -> Value:
    return datasets.dataset_from(call.first, call.node)


def one_hot_depth(call: LibraryCall) -> Value:
    return one_hot(call.data, int_value(call.args.get("depth", 1)), call.node)
