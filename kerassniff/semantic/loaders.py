"""Where arrays and labels come from: dataset loaders, table readers, random labels.

A loader decides facts no later operation can recover: that ``mnist.load_data()``
labels are integer ids of 10 classes, that ``read_data_sets(..., one_hot=True)``
labels are one-hot rows, that ``np.random.randint(0, 5, n)`` is a vector of class
ids, that ``pd.read_csv`` gives a table whose ``df["label"]`` is one column.
Everything else about a source stays unknown.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from kerassniff.semantic.dataflow import DATASETS, Data, Source, new_group
from kerassniff.semantic.array_names import names_a_pipeline, names_a_split_array
from kerassniff.semantic.knowledge.datasets import (
    FOLDER_READER_PARAMETERS,
    SKLEARN_CLASSIFICATION_SETS,
    SKLEARN_REGRESSION_SETS,
    TFDS_PIXEL_SETS,
)
from kerassniff.semantic.syntax import rendered
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ComprehensionValue,
    Const,
    DataValue,
    FormattedValue,
    Instance,
    KnownLen,
    LenValue,
    Seq,
    SliceValue,
    Symbol,
    Unknown,
    Value,
    const_value,
    int_value,
)

# TensorFlow 1's tutorial reader (tensorflow.examples.tutorials.mnist.input_data.read_data_sets and its
# tf.contrib.learn twin): 60,000 training images split into train and validation, 10 classes, images
# already float32 in [0, 1] unless dtype=uint8 is asked for.
TF1_MNIST_TRAIN = 60000
TF1_MNIST_TEST = 10000
TF1_MNIST_VALIDATION = 5000
TF1_MNIST_CLASSES = 10
TF1_DATASET_CLASS = "tensorflow.examples.tutorials.mnist.DataSet"

# Readers whose result is a table: df["label"], df.iloc[:, -1], table[:, 0] select one column.
TABLE_READERS = {"read_csv", "read_excel", "read_parquet", "read_json", "read_table", "read_pickle",
                 "read_feather", "read_sql", "DataFrame"}
TEXT_TABLE_READERS = {"loadtxt", "genfromtxt"}


def load_dataset(dataset: str, node: cst.Call) -> Value:
    """``keras.datasets.<name>.load_data()``: ((x_train, y_train), (x_test, y_test))."""
    info = DATASETS.get(dataset)
    if info is None:
        return Seq((Seq((UNKNOWN, UNKNOWN), "tuple"), Seq((UNKNOWN, UNKNOWN), "tuple")), "tuple")
    group = new_group()
    labels_group = new_group()
    source = Source("dataset", f"{dataset}.load_data()", node, pixels=bool(info["pixels"]),
                    color="gray" if "mnist" in dataset else ("rgb" if info["pixels"] else None))
    target_range = info.get("target_range")
    label_source = Source("dataset", f"{dataset}.load_data()", node, value_range=target_range)  # type: ignore[arg-type]
    splits = []
    for split, n in zip(("train", "test"), info["samples"]):  # type: ignore[call-overload]
        x = Data(source, group, role="x", split=split, n_samples=n, node=node)
        y = Data(label_source, labels_group, role="y", split=split, n_samples=n, node=node,
                 encoding="int" if info["classes"] else None, n_classes=info["classes"],  # type: ignore[arg-type]
                 names_by_id=info.get("class_names"))  # type: ignore[arg-type]
        splits.append(Seq((DataValue(x), DataValue(y)), "tuple"))
    return Seq(tuple(splits), "tuple")


def is_tf1_mnist_reader(name: str) -> bool:
    return name.startswith("tensorflow.") and name.endswith(".read_data_sets") and "mnist" in name


def read_data_sets(args: CallArgs, node: cst.Call) -> Value:
    """TF1's ``input_data.read_data_sets(dir, one_hot=...)``: an object with .train/.validation/.test."""
    one_hot = args.get("one_hot", 2)
    flag = False if one_hot is None else const_value(one_hot, "?")
    encoding = {True: "onehot", False: "int"}.get(flag) if isinstance(flag, bool) else None
    dtype = args.get("dtype", 3)
    raw = isinstance(dtype, Symbol) and dtype.name.endswith("uint8") or const_value(dtype) == "uint8"
    validation = int_value(args.get("validation_size", 5)) if args.get("validation_size", 5) is not None \
        else TF1_MNIST_VALIDATION
    sizes = {"train": TF1_MNIST_TRAIN - validation if validation is not None else None,
             "validation": validation, "test": TF1_MNIST_TEST}
    description = "read_data_sets(...)"
    source = Source("dataset", description, node, pixels=raw, color="gray",
                    value_range=None if raw else (0.0, 1.0))
    label_source = Source("dataset", description, node)
    group, labels_group = new_group(), new_group()
    splits: dict[str, Value] = {}
    for split, n in sizes.items():
        role_split = "val" if split == "validation" else split
        images = Data(source, group, role="x", split=role_split, n_samples=n, node=node, name=f"{split}.images")
        labels = Data(label_source, labels_group, role="y", split=role_split, n_samples=n, node=node,
                      encoding=encoding, n_classes=TF1_MNIST_CLASSES, name=f"{split}.labels")
        splits[split] = Instance(TF1_DATASET_CLASS, CallArgs(), node, attrs={
            "images": DataValue(images), "labels": DataValue(labels),
            "num_examples": Const(n) if n is not None else UNKNOWN})
    return Instance("tensorflow.examples.tutorials.mnist.Datasets", args, node, attrs=splits)


def next_batch(instance: Instance, args: CallArgs, node: cst.Call) -> Value:
    """``mnist.train.next_batch(100)``: (images, labels) of one batch."""
    size = int_value(args.get("batch_size", 0))
    parts = []
    for key in ("images", "labels"):
        value = instance.attrs.get(key)
        if not isinstance(value, DataValue):
            return UNKNOWN
        parts.append(DataValue(replace(value.data, n_samples=size, node=node)))
    return Seq(tuple(parts), "tuple")


def random_integers(args: CallArgs, node: cst.Call) -> Value:
    """``np.random.randint(low, high, size)``: a vector of size ints is a vector of class ids.

    ``randint(k, size=n)`` draws from [0, k).  Only a 1-D result (or an (n, 1) column) is labels;
    ``randint(0, 256, (n, 28, 28))`` is an array of fake images and gets no encoding.
    """
    first, second = args.get("low", 0), args.get("high", 1)
    low, high = (Const(0), first) if second is None else (first, second)
    lo, hi = int_value(low), int_value(high)
    n, vector = _vector_size(args.get("size", 2))
    value_range = (float(lo), float(hi - 1)) if lo is not None and hi is not None else None
    source = Source("generated", "np.random.randint(...)", node, value_range=value_range)
    if not vector:
        return DataValue(Data(source, new_group(), n_samples=n, node=node))
    n_classes = hi if lo is not None and hi is not None and lo >= 0 and hi > lo else None
    return DataValue(Data(source, new_group(), n_samples=n, node=node, encoding="int", n_classes=n_classes))


def _vector_size(size: Value | None) -> tuple[int | None, bool]:
    """(samples, whether the shape is one value per sample) of a size argument: n, (n,), (n, 1), len(x)."""
    if (isinstance(size, LenValue) and not size.shifted) or isinstance(size, KnownLen) or (
            isinstance(size, Const) and isinstance(size.value, int) and not isinstance(size.value, bool)):
        return int_value(size), True
    items: tuple[Value, ...] = ()
    if isinstance(size, Seq):
        items = size.items
    elif isinstance(size, Const) and isinstance(size.value, tuple):
        items = tuple(Const(v) for v in size.value)
    if len(items) == 1 or (len(items) == 2 and int_value(items[1]) == 1):
        return _vector_size(items[0])[0], True
    return (int_value(items[0]) if items else None), False


def table(kind: str, description: str, path: str | None, node: cst.Call, last_part: str | None = None) -> Value:
    """A table read from a file (or built as a DataFrame): its columns are selected by key or index; ``last_part``:
    the file's name when only it is known (``folder + "/train.csv"``)."""
    return DataValue(Data(Source(kind, description, node, path=path, table=True,
                                 last_part=last_part if path is None else None), new_group(), node=node, table=True))


def column(data: Data, node: cst.CSTNode) -> Value:
    """One column of a table: one value per sample (class ids, names or numbers), never one-hot rows."""
    return DataValue(data._but(table=False, encoding="column", name=None, node=node))  # not the table's name


# DataFrame attributes that are not columns (df.label is the column "label"; df.shape is not).
FRAME_ATTRIBUTES = frozenset(
    "columns index dtypes iloc loc at iat T values shape size ndim empty axes style plot str dt attrs flags "
    "sparse".split())


def table_column(data: Data, indices: list[Value], node: cst.CSTNode) -> Value | None:
    """df["label"], df[["label"]], df.iloc[:, -1], df.loc[:, "label"], table[:, 0]: one column."""
    if len(indices) == 1:
        return _columns_by_key(data, indices[0], node)
    if len(indices) == 2 and indices[0] == SliceValue(Const(None), Const(None)):
        value = const_value(indices[-1])
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return column(data, node)
    return None


def _columns_by_key(data: Data, key: Value, node: cst.CSTNode) -> Value | None:
    """``df[key]``: one column for a name, the table for several names, rows or columns for an unknown key."""
    value = const_value(key)
    if isinstance(value, str) or (isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], str)):
        return column(data, node)
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return DataValue(data._but(node=node))  # several columns: still a table
    if _row_mask(node):  # df[df.label != "neutral"]: some of the rows, every column: still the table
        return DataValue(data._but(n_samples=None, node=node, rows_cut=True))
    if isinstance(key, (Unknown, FormattedValue, ComprehensionValue, Seq)):
        # df[x_columns], df[f"{name}"], df[mask]: columns or rows of the table, which is not known
        return DataValue(data._but(table=False, encoding=None, n_samples=None, node=node,
                                 rows_cut=data.rows_cut))
    return None


def _row_mask(node: cst.CSTNode) -> bool:
    """``df[df.year < 2020]``, ``df[(a > 0) & b]``, ``df[~seen]``: a test written as the key selects rows (a name or a
    list of names selects columns)."""
    if type(node) is not cst.Subscript or len(node.slice) != 1 or type(node.slice[0].slice) is not cst.Index:
        return False
    key = node.slice[0].slice.value
    return type(key) in (cst.Comparison, cst.BooleanOperation) or (
        type(key) is cst.UnaryOperation and type(key.operator) in (cst.BitInvert, cst.Not)) or (
        type(key) is cst.BinaryOperation and type(key.operator) in (cst.BitAnd, cst.BitOr))


def identity(function: str, args: CallArgs, node: cst.Call) -> Value:
    """``np.eye(N)``: N one-hot rows, so ``np.eye(N)[y]`` one-hot encodes y.

    ``np.eye(N, M)`` with M != N is not a one-hot table of N classes (``np.eye(N, 1)`` is a column
    of flags): it is plain generated data.
    """
    n = int_value(args.get("N", 0) if function == "eye" else args.get("n", 0))
    columns = args.get("M", 1) if function == "eye" else None
    if columns is not None and not (isinstance(columns, Const) and (columns.value is None or columns.value == n)):
        return DataValue(Data(Source("generated", f"np.{function}(...)", node), new_group(), n_samples=n, node=node))
    return DataValue(Data(Source("generated", f"np.{function}({n})", node), new_group(), role="eye", n_classes=n,
                          n_samples=n, encoding="onehot", node=node))


# ------------------------------------------------------------- pipelines of unknown elements
# Readers that build a tf.data pipeline: the dataset itself is known (one pipeline, bound to one name,
# reaching fit() or evaluate()), what its elements hold is not.  Source kind by reader.
DATASET_READERS = {
    "text_dataset_from_directory": "directory", "audio_dataset_from_directory": "directory",
    "timeseries_dataset_from_array": "generated",
    "tensorflow.data.Dataset.list_files": "file", "tensorflow.data.TextLineDataset": "file",
    "tensorflow.data.TFRecordDataset": "file", "tensorflow.data.FixedLengthRecordDataset": "file",
    "tensorflow.data.experimental.make_csv_dataset": "file", "tensorflow.data.experimental.CsvDataset": "file",
}


# Readers that shuffle their elements anew at every iteration (a shuffle() with reshuffle_each_iteration left True):
# the keyword that turns it off, its position, its default, and what shuffle=None does (list_files reads None as
# True; the Keras readers test it for truth).  A take()/skip() cut of such a pipeline is a different set of samples
# each epoch.
RESHUFFLING_READERS = {
    "text_dataset_from_directory": ("shuffle", None, True, False),
    "audio_dataset_from_directory": ("shuffle", None, True, False),
    "timeseries_dataset_from_array": ("shuffle", None, False, False),
    "tensorflow.data.Dataset.list_files": ("shuffle", 1, True, True),
}


def reader_reshuffles(name: str, args: CallArgs) -> bool:
    """Whether a pipeline reader's output is reshuffled each epoch (RESHUFFLING_READERS), given its arguments."""
    entry = RESHUFFLING_READERS.get(name) or RESHUFFLING_READERS.get(name.rsplit(".", 1)[-1] if name.startswith(
        ("keras.", "tensorflow.keras.")) else "")
    if entry is None:
        return False
    keyword, position, default, none_shuffles = entry
    return flag_on(args, keyword, position, default, none_shuffles)


def flag_on(args: CallArgs, keyword: str, position: int | None, default: bool, none_means: bool = False) -> bool:
    """Whether an on/off argument of a reader or pipeline step holds (``shuffle=``, ``reshuffle_each_iteration=``):
    its default when it is not given (but not when a ``**options`` may hold it), what None means to the callee, a
    constant by its truth (``shuffle=1`` shuffles); a value the analysis cannot read is not claimed to be on."""
    given = args.get(keyword, position) if position is not None else args.get(keyword)
    if given is None:
        return default and not any(arg.star for arg in args.nodes)
    if isinstance(given, Const) and given.value is None:
        return none_means
    value = const_value(given)
    return value is not None and value is not False and value != 0


def folder_read_fails(name: str, args: CallArgs) -> bool:
    """Whether a call of a Keras folder reader raises before it makes a dataset: a keyword it does not take
    (``dataset="training"`` for ``subset=``: TypeError), or one of ``subset=`` and ``validation_split=`` without the
    other (ValueError).  Its datasets are then not followed, rather than taken for the whole folder."""
    parameters = FOLDER_READER_PARAMETERS.get(name.rsplit(".", 1)[-1])
    if parameters is None:
        return False
    if any(keyword not in parameters for keyword in args.keyword_names):
        return True
    if any(arg.star for arg in args.nodes) and not all(args.has(k) for k in ("subset", "validation_split")):
        return False  # the other may come through **options
    # Keras: `if (validation_split or subset) and not (validation_split and subset)`: a falsy value is not given
    given = [args.get(keyword) for keyword in ("subset", "validation_split")]
    if any(value is not None and not isinstance(value, Const) for value in given):
        return False  # a value the analysis cannot read
    truth = [value is not None and bool(value.value) for value in given]  # type: ignore[union-attr]
    return truth[0] != truth[1]


def dataset_reader(name: str) -> str | None:
    """The source kind of a pipeline reader (Keras's ``*_dataset_from_*`` under any module path), or None."""
    return DATASET_READERS.get(name) or DATASET_READERS.get(name.rsplit(".", 1)[-1] if name.startswith(
        ("keras.", "tensorflow.keras.")) else "")


def pipeline(kind: str, description: str, node: cst.CSTNode, path: str | None = None,
             split: str | None = None, class_names: tuple[str, ...] | str | None = None,
             subset: str | None = None, reshuffles: bool = False) -> DataValue:
    """A tf.data pipeline whose elements are not modelled: no scaling, no labels, no sample count known,
    only its identity (so that the same pipeline passed twice is seen as the same), for a folder read the
    order of its classes, and whether its order changes each epoch (``reshuffles``)."""
    return DataValue(Data(Source(kind, description, node, path=path, class_names=class_names, subset=subset),
                          new_group(), split=split, batches=True, node=node, reshuffles=reshuffles))


def tfds_load(args: CallArgs, node: cst.Call) -> Value:
    """``tfds.load(name, split=...)``: one dataset per split ("test", "train[:90%]"), a test split so marked.

    Without ``split`` tfds returns a dict of every split (:class:`DatasetSplits`, read by name: ``splits["train"]``).
    ``with_info=True`` adds the info object.  A known image set read with ``as_supervised=True`` yields 0-255 pixels
    and their labels (TFDS_PIXEL_SETS).
    """
    split = args.get("split")
    name = const_value(args.get("name", 0))
    splits = DatasetSplits(
        description=f"tfds.load({name!r})" if isinstance(name, str) else "tfds.load(...)",
        color=TFDS_PIXEL_SETS.get(name.split(":", 1)[0].split("/", 1)[0]) if isinstance(name, str) else None,
        supervised=const_value(args.get("as_supervised")) is True, node=node)
    if isinstance(split, Seq):
        result: Value = Seq(tuple(splits.split(const_value(item)) for item in split.items), "tuple")
    elif isinstance(split, Const) and isinstance(split.value, tuple):
        result = Seq(tuple(splits.split(item) for item in split.value), "tuple")
    elif split is not None:
        result = splits.split(const_value(split))
    else:
        result = splits
    if const_value(args.get("with_info")) is True:
        return Seq((result, UNKNOWN), "tuple")
    return result


@dataclass(unsafe_hash=True)
class DatasetSplits(Value):
    """The dict of every split ``tfds.load(name)`` gives without ``split=``: ``splits["train"]`` is that split's
    dataset (the set's split names are not known here, so nothing else is read of it)."""

    description: str
    color: str | None  # the colour of a known image set's pixels (TFDS_PIXEL_SETS), None for any other set
    supervised: bool  # as_supervised=True: (image, label) pairs
    node: cst.Call = field(compare=False, repr=False)

    def split(self, text: object) -> Value:
        """One split's dataset ("train", "test[:50%]"): a test split so marked; a known image set's (image, label)
        pairs are 0-255 pixels and integer class ids, one pair per element until batched."""
        if not isinstance(text, str):
            return UNKNOWN
        role = "test" if text.split("[", 1)[0].strip() == "test" else None
        if self.color is None or not self.supervised:
            return pipeline("dataset", self.description, self.node, split=role, subset=text)
        group = new_group()
        labels = Data(Source("dataset", self.description, self.node, subset=text), group, role="y", split=role,
                      encoding="int", batches=True, node=self.node)
        return DataValue(Data(Source("dataset", self.description, self.node, pixels=True, color=self.color,
                                     subset=text), group, role="x", split=role, batches=True, node=self.node,
                              labels=labels))


# scikit-learn's bundled data sets: a Bunch with .data (features) and .target, or (X, y) with return_X_y=True.
SKLEARN_LOADERS = frozenset(
    "load_iris load_digits load_wine load_breast_cancer load_diabetes load_linnerud fetch_california_housing "
    "fetch_covtype fetch_openml fetch_kddcup99 fetch_olivetti_faces fetch_lfw_people fetch_20newsgroups_vectorized "
    "make_classification make_regression make_blobs make_moons make_circles".split())


def sklearn_dataset(function: str, args: CallArgs, node: cst.Call) -> Value:
    description = f"{function}()"
    # not "dataset": only a Keras loader's second half is a test split whatever it is called
    x = Data(Source("generated" if function.startswith("make_") else "file", description, node),
             new_group(), role="x", node=node)
    y = Data(Source(x.source.kind, description, node), new_group(), role="y", node=node)
    known = SKLEARN_CLASSIFICATION_SETS.get(function)
    if known is not None:  # integer class ids, as many as the set has; iris and wine in class blocks
        classes, samples, in_blocks = known
        x = replace(x, n_samples=samples)
        y = replace(y, n_samples=samples, encoding="int", n_classes=classes)
        if in_blocks:
            x, y = x.with_step("order", "by-class", node), y.with_step("order", "by-class", node)
    regression = SKLEARN_REGRESSION_SETS.get(function)
    if regression is not None:  # real-valued targets in a known range
        samples, target_range = regression
        x = replace(x, n_samples=samples)
        y = replace(y, n_samples=samples, source=replace(y.source, value_range=target_range))
    if function.startswith("make_") or const_value(args.get("return_X_y")) is True:
        return Seq((DataValue(x), DataValue(y)), "tuple")
    x, y = x.renamed(f"{description}.data"), y.renamed(f"{description}.target")  # read as bunch.data, bunch.target
    return Instance("sklearn.utils.Bunch", CallArgs(), node, attrs={"data": DataValue(x), "target": DataValue(y)})


def opaque_splits(names: list, node: cst.Call) -> Seq | None:
    """``x_train, x_test, y_train, y_test = load_reviews()`` (or ``(x_train, y_train), (x_test, y_test) = ...``)
    from a function the analysis cannot see into: arrays of unknown content, one per target whose name says it is a
    split of inputs or labels, so that the same array is known where it is used again (validation_data= and then
    evaluate()); None unless two targets say so.  ``names`` nests as the targets do."""
    if _split_names(names) < 2:
        return None
    return _opaque_values(names, _unseen_call(node), node)


def opaque_results(names: list, values: Seq, node: cst.Call) -> Seq | None:
    """``x_train, y_train, x_valid, y_valid = get_fold(k)``, the script's own function, whose results the analysis
    could not follow (each an unknown array): what :func:`opaque_splits` makes of an unseen call's results, for each
    unknown result whose target is named as a split; None when fewer than two targets say so, or nothing changes."""
    if _split_names(names) < 2:
        return None
    changed = _unknown_results(names, values, _unseen_call(node), node)
    return changed if changed is not values else None


def _unseen_call(node: cst.Call) -> Source:
    """The source of arrays a call gives that the analysis cannot follow, named by the function (``load_reviews(...)``)."""
    func = node.func
    callee = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else "a call"
    return Source("unknown", f"{callee}(...)", node)


def _unknown_results(names: list, values: Value, source: Source, node: cst.Call) -> Value:
    if not isinstance(values, Seq) or len(values.items) != len(names):
        return values
    items = [_unknown_results(name, item, source, node) if isinstance(name, list) else
             _opaque_array(source, node, name) if item is UNKNOWN and name and names_a_split_array(name) else item
             for name, item in zip(names, values.items)]
    if all(new is old for new, old in zip(items, values.items)):
        return values
    return Seq(tuple(items), values.kind)


def opaque_import(module: str, name: str, node: cst.CSTNode, bound: str | None = None) -> DataValue | None:
    """``x_test`` of ``from prepare_data import x_train, y_train, x_test, y_test`` (or met through ``from prepare_data
    import *``), a module the analysis cannot read: an array of unknown content, as :func:`opaque_splits` makes of an
    unseen loader's results, when the name says it is a split of inputs or labels; None otherwise."""
    bound = bound or name  # (the script's name for it: ``from data import x_test as X_holdout``)
    if not names_a_split_array(bound):
        return None
    return _opaque_array(Source("unknown", f"{module}.{name}" if module else name, node), node, bound, named=True)


def _opaque_array(source: Source, node: cst.CSTNode, name: str, named: bool = False) -> DataValue:
    """An array of unknown content from ``source``, a new group, a pipeline when its name says so; ``named``: bound
    to that name already (an import binds without an assignment to name it)."""
    return DataValue(Data(source=source, group=new_group(), node=node, batches=names_a_pipeline(name),
                          name=name if named else None))


def opaque_elements(names: list, values: Seq, node: cst.Tuple | cst.List) -> Seq | None:
    """``(X_train, y_train), (X_test, y_test) = (train[0], train[1]), (test[0], test[1])``: a tuple written out
    whose elements the analysis could not follow (items of a pickled dict), unpacked into targets named as data
    splits: each such unknown element becomes an array of unknown content, as :func:`opaque_splits` makes of an
    unseen call's result; None unless two targets say so."""
    if _split_names(names) < 2:
        return None
    changed = _opaque_leaves(names, values, node)
    return changed if changed is not values else None


def _opaque_leaves(names: list, values: Value, node: cst.BaseExpression) -> Value:
    """``values`` with each unknown leaf whose target name says it is a split made an opaque array (``node``: the
    written expression of that value, where it is a tuple or list written out); the same object when nothing
    changes."""
    if not isinstance(values, Seq) or type(node) not in (cst.Tuple, cst.List) or \
            len(values.items) != len(names) or len(node.elements) != len(names):  # type: ignore[union-attr]
        return values
    items = []
    for name, item, element in zip(names, values.items, node.elements):  # type: ignore[union-attr]
        if isinstance(name, list):
            items.append(_opaque_leaves(name, item, element.value))
        elif item is UNKNOWN and name and names_a_split_array(name):
            # (not known to be a pipeline, whatever the name: an unpickled ``train_gen`` may be any object)
            source = Source("unknown", _written(element.value), element.value)
            items.append(DataValue(Data(source=source, group=new_group(), node=element.value)))
        else:
            items.append(item)
    if all(new is old for new, old in zip(items, values.items)):
        return values
    return Seq(tuple(items), values.kind)


def _written(node: cst.BaseExpression) -> str:
    """A short description of an expression the analysis could not follow: ``test_data[0]``."""
    text = rendered(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _split_names(names: list) -> int:
    return sum(_split_names(name) if isinstance(name, list) else bool(name and names_a_split_array(name))
               for name in names)


def _opaque_values(names: list, source: Source, node: cst.Call) -> Seq:
    return Seq(tuple(_opaque_values(name, source, node) if isinstance(name, list) else
                     _opaque_array(source, node, name) if name and names_a_split_array(name) else UNKNOWN
                     for name in names), "tuple")
