"""What methods and attributes do to arrays, data frames and encoders (arithmetic: :mod:`.array_arithmetic`; subscripts:
:mod:`.array_subscripts`).

``x.astype("float32")``, ``df.values``, ``encoder.fit_transform(y)``: each maps
the history of the array it is applied to (:class:`~kerassniff.semantic.dataflow.Data`) to the result's.
Methods are looked up in dispatch tables by name; anything else is UNKNOWN, never guessed.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic import loaders
from kerassniff.semantic.class_labels import label_categories
from kerassniff.semantic.dataflow import (
    FLAT_SETTING,
    FLATTENING,
    OVERSAMPLER_SETTING,
    Data,
    DataValue,
    ShapeValue,
    Source,
    data_of,
    size_text,
)
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.library import datasets
from kerassniff.semantic.library.arrays import (
    SHAPE_ONLY, Statistic, encode, factorize, flat_shape, list_in_runs, make,
    reduces_over_samples, sorting_indices,
)
from kerassniff.semantic.library.dispatch import first_wins
from kerassniff.semantic.library.tokenizers import tokenizer_method
from kerassniff.semantic.knowledge.arrays import (CHANNELS_SETTING, DENSIFYING_METHODS, ONE_SAMPLE_CONSTANT,
                                               ONE_SAMPLE_SETTING, PILLOW_MODE_CHANNELS, SCALER_STEPS, TEXT_VECTORIZERS)
from kerassniff.semantic.knowledge.datasets import CROSS_VALIDATORS, MARKET_DATA_METHODS, OVERSAMPLERS, RESAMPLE_METHODS
from kerassniff.semantic.names import short
from kerassniff.semantic.pyvalues import (
    UNKNOWN, CallArgs, Const, FlatArray, Instance, ItemsOf, Seq, Value, const_value,
)

ROW_SUBSETS = {"sample", "head", "tail", "reset_index", "sort_values", "sort_index", "set_index", "query",
               "drop_duplicates", "nlargest", "nsmallest", "dropna"}
# pandas methods that fill gaps with values of the series itself (or a constant): the same rows and scale.
GAP_FILLERS = ("interpolate", "ffill", "bfill", "fillna")
ENCODERS = {"LabelBinarizer": "onehot", "OneHotEncoder": "onehot", "MultiLabelBinarizer": "multihot",
            "LabelEncoder": "int"}
# The encoders that number the classes in sorted order of the names they were fitted on.
SORTING_ENCODERS = frozenset({"LabelEncoder", "LabelBinarizer", "OneHotEncoder"})
DataMethod = Callable[[Effects, Data, str, CallArgs, cst.Call], Value]


# ---------------------------------------------------------------- attributes
def data_attribute(data: Data, attribute: str, node: cst.CSTNode) -> Value:
    if attribute == "shape":
        return ShapeValue(data)
    if attribute == "T":  # the same values, the axes reversed: samples become features (how many: not known)
        return DataValue(data.with_step("reshape", "transpose", node, n_samples=None))
    if attribute in ("values", "cat"):
        return DataValue(replace(data, node=node))  # .cat: the categorical accessor of a column
    if attribute in ("iloc", "loc") and data.table:
        return DataValue(replace(data, node=node))  # indexed next: df.iloc[:, -1]
    if attribute == "codes":
        return encode(data, "int", node)  # series.cat.codes, pd.Categorical(...).codes
    if attribute in ("classes", "labels") and data.labels is not None and datasets.is_file_flow(data):
        return DataValue(datasets.listed_labels(data, node))  # flow.classes: one class id per file, in listing order
    if data.table and attribute not in loaders.FRAME_ATTRIBUTES and not attribute.startswith("_"):
        return loaders.column(data, node)  # df.label
    return UNKNOWN


# ------------------------------------------------------------------ methods
def data_method(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    handler = DATA_METHODS.get(method)
    return handler(effects, data, method, args, node) if handler is not None else UNKNOWN


def _resize(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    if data.source.kind == "image":  # PIL Image.resize((width, height)): changes the pixel grid
        return DataValue(data.with_step("resize", size_text(args.get("size", 0), width_first=True), node))
    return DataValue(data.with_step("reshape", method, node))  # ndarray.resize


def _astype(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return DataValue(data.with_step("cast", str(const_value(args.get("dtype", 0), "?")), node))


def _reshape(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    """A reshape keeps the values; ``y.reshape(1, 9)`` (a first dimension written as a number) says how many samples
    the array now holds, ``-1`` or an unknown size leaves that as it was."""
    first = _first_dimension(args) if method == "reshape" else None
    if first is not None and first >= 0 and first != data.n_samples:
        return DataValue(data.with_step("reshape", method, node, n_samples=first))
    if method in ("transpose", "swapaxes"):  # another axis may come first: how many samples is not known
        return DataValue(data.with_step("reshape", method, node, n_samples=None))
    flat = ((FLAT_SETTING, True),) if method == "reshape" and flat_shape(args.positional) else ()
    return DataValue(data.with_step("reshape", method, node, settings=flat))


def flattened_unknown(method: str, args: CallArgs) -> Value | None:
    """``batch.flatten()``, ``.ravel()``, ``.reshape(-1)`` of a value the analysis does not follow: an array of one
    axis, its values not known (:class:`~kerassniff.semantic.pyvalues.FlatArray`); None for any other method."""
    if method in FLATTENING or (method == "reshape" and not args.keywords and flat_shape(args.positional)):
        return FlatArray()
    return None


def _frame_join(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    """``train.join(depths)``: a DataFrame's rows with another's columns beside them, matched on the index (a left
    join, pandas's default: the same rows in the same order); another ``how=`` may drop or add rows, ``sort=True``
    reorders them: not known."""
    how, ordered = args.get("how", 2), args.get("sort", 5)
    if data.batches or (how is not None and const_value(how) != "left") or \
            (ordered is not None and const_value(ordered) is not False):
        return UNKNOWN  # (sort=True orders the rows by the key)
    return DataValue(data.with_step("reshape", method, node))


def _frame_filter(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    """``df.filter(["Close"])``: some columns of a DataFrame, the same rows and values; a tf.data pipeline's
    ``filter(predicate)`` drops elements by a function that is not followed."""
    return UNKNOWN if data.batches else DataValue(data.with_step("reshape", method, node))


def _first_dimension(args: CallArgs) -> int | None:
    """The first size of ``reshape(a, b, ...)`` or ``reshape((a, b, ...))`` when it is a constant integer."""
    shape = args.positional[0] if args.positional else args.get("shape")
    if isinstance(shape, Seq):
        shape = shape.items[0] if shape.items else None
    value = const_value(shape)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value if type(value) is int else None


def _row_subset(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    if method == "sample" and const_value(args.get("replace", 2)) is True:
        # df.sample(n, replace=True): rows drawn with replacement, copies of one another (an over-sampling by hand)
        return DataValue(data.with_step("order", "resampled", node, n_samples=None,
                                        settings=((OVERSAMPLER_SETTING, "DataFrame.sample(replace=True)"),)))
    # df.sample(frac=0.7), df.head(n): some rows, same values
    return DataValue(replace(data, n_samples=None, node=node, rows_cut=data.rows_cut or method in _ROWS_CUT))


# Of the row subsets, those that keep some rows only (the others reorder, re-index or drop rows with gaps).
_ROWS_CUT = frozenset({"sample", "head", "tail", "query", "nlargest", "nsmallest"})


def _convert(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    """PIL's ``image.convert("L")``: a colour conversion."""
    mode = const_value(args.get("mode", 0))
    color = "gray" if mode in ("L", "1") else "rgb" if mode in ("RGB", "RGBA") else None
    if color:
        channels = PILLOW_MODE_CHANNELS[mode]
        return DataValue(data.with_step("color", color, node, settings=((CHANNELS_SETTING, channels),),
                                        source=replace(data.source, color=color)))
    return DataValue(replace(data, node=node))


def _statistic(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    array = node.func.value if type(node.func) is cst.Attribute else None
    return Statistic(data, method, reduces_over_samples(args.get("axis", 0)), array)


def _argmax(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return DataValue(data.with_step("encode", "argmax", node, encoding="int"))


def _argsort(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return sorting_indices(data, node)


def _same(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return DataValue(replace(data, node=node))


def _tolist(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    # np.array(col.tolist()) also stacks a column of lists into rows
    return DataValue(replace(data, node=node, encoding=None if data.encoding == "column" else data.encoding))


# pandas' row groupings (``series.resample("H")``, ``rolling(24)``, ``groupby(day)``): an object whose aggregations
# give the series again, row groups made one row each, values of the same kind and scale; by its class name.
_GROUPINGS = frozenset({"resample", "rolling", "groupby", "expanding", "ewm"})
_GROUPING_CLASS = "pandas.RowGroups"
_VALUE_KEEPING_AGGREGATIONS = frozenset({"mean", "median", "first", "last", "min", "max", "interpolate", "ffill",
                                         "bfill", "pad", "asfreq", "nearest"})


def _grouping(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    if data.batches:
        return UNKNOWN  # (a tf.data pipeline's methods are not pandas')
    return Instance(_GROUPING_CLASS, args, node, attrs={"rows": DataValue(data)})


def _grouped_rows(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                  node: cst.Call) -> Value:
    """An aggregation of pandas row groups that keeps the values' kind and scale (``.mean()``, ``.last()``,
    ``.interpolate()``): the series again, as many rows as groups; any other (``.sum()``, ``.count()``): unknown."""
    rows = instance.attrs.get("rows")
    if method not in _VALUE_KEEPING_AGGREGATIONS or not isinstance(rows, DataValue):
        return UNKNOWN
    return DataValue(rows.data.with_step("reshape", f"grouped {method}", node, n_samples=None))


def _pop(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return loaders.column(data, node) if data.table else UNKNOWN  # y = df.pop("label")


def _factorize(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    return factorize(data, node)


# Array, data-frame, image and tf.data methods, by name (a name in two rows keeps the first row's handler).
DATA_METHODS: dict[str, DataMethod] = first_wins(
    (("astype",), _astype), (("resize",), _resize), (SHAPE_ONLY, _reshape), (ROW_SUBSETS, _row_subset),
    (("convert",), _convert), (("mean", "std", "max", "min", "var"), _statistic), (("argmax",), _argmax),
    (("argsort",), _argsort), (datasets.DATASET_METHODS, datasets.dataset_method),
    (("to_numpy", "numpy", "get_dummies", *DENSIFYING_METHODS), _same),
    (("tolist",), _tolist), (("pop",), _pop), (("factorize",), _factorize), (("filter",), _frame_filter),
    (_GROUPINGS, _grouping), (GAP_FILLERS, _same), (("join",), _frame_join),
)


def instance_method(effects: Effects, instance: Instance, method: str, args: CallArgs, node: cst.Call) -> Value:
    """Methods of library objects that make arrays: encoders, scalers, ImageDataGenerator, Tokenizer."""
    if instance.cls == loaders.TF1_DATASET_CLASS and method == "next_batch":
        return loaders.next_batch(instance, args, node)
    cls = short(instance.cls)
    handler = _instance_handler(instance, cls)
    return handler(effects, instance, cls, method, args, node) if handler is not None else UNKNOWN


InstanceMethod = Callable[[Effects, Instance, str, str, CallArgs, cst.Call], Value]


def _instance_handler(instance: Instance, cls: str) -> InstanceMethod | None:
    if cls in ENCODERS or cls in SCALER_STEPS:
        return _transformer
    if cls in TEXT_VECTORIZERS and instance.cls.startswith("sklearn."):
        return _text_vectorizer
    if cls == "ImageDataGenerator":  # Keras's, or the standalone keras_preprocessing package's
        return _image_generator
    if cls == "Tokenizer" and instance.cls.startswith("keras."):
        return tokenizer_method
    if cls in OVERSAMPLERS and instance.cls.startswith("imblearn."):
        return _oversampler
    if instance.cls == "cv2.VideoCapture":
        return _video_capture
    if instance.cls == _GROUPING_CLASS:
        return _grouped_rows
    if instance.cls in CROSS_VALIDATORS:
        return _cross_validator
    if instance.cls in MARKET_DATA_METHODS:
        return _market_data
    return None


def _market_data(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs, node: cst.Call) -> Value:
    """``yf.Ticker("AAPL").history(period="5y")``: a table of prices by date, of unknown range, as a file's."""
    if method not in MARKET_DATA_METHODS[instance.cls]:
        return UNKNOWN
    return loaders.table("file", f"{cls}(...).{method}(...)", None, node)


def _cross_validator(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                     node: cst.Call) -> Value:
    """``KFold(5).split(x)``: split after split, the training part's and the held-out part's index arrays into x's
    samples (how many each holds is not known); ``x[train_ix]`` is then part of x, with its values."""
    if method != "split":
        return UNKNOWN
    parts = tuple(make(Source("generated", f"{cls}.split(...) indices", node), node) for _ in range(2))
    return ItemsOf(Seq(parts, "tuple"))


def _video_capture(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                   node: cst.Call) -> Value:
    """``ok, frame = cv2.VideoCapture(0).read()``: one frame, 0-255 BGR pixels as cv2.imread gives them."""
    if method != "read":
        return UNKNOWN
    frame = make(Source("image", "cv2.VideoCapture(...).read()", node, pixels=True, color="bgr", as_stored=True,
                        channels=3), node)
    return Seq((UNKNOWN, frame), "tuple")


def _encoded_names(instance: Instance, cls: str, method: str, given: Value) -> tuple[str, ...] | None:
    """The class names in the order of the ids an encoder gives, when the names it was fitted on are known: scikit-
    learn's LabelEncoder, LabelBinarizer and OneHotEncoder (categories="auto", no drop=) number them sorted.
    ``transform`` after ``fit(labels)``: the names fitted on (the last fit)."""
    if cls not in SORTING_ENCODERS or (cls == "OneHotEncoder" and (
            instance.args.has("categories") or instance.args.has("drop"))):
        return None  # (categories given: their order; drop=: a column fewer than the names)
    fitted = given if method == "fit_transform" or not instance.fitted_on else instance.fitted_on[-1][0]
    return label_categories(fitted)


def _transformer(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                 node: cst.Call) -> Value:
    """scikit-learn encoders and scalers: ``fit`` returns the object, ``(fit_)transform`` encodes or scales."""
    if method in ("fit", "fit_transform"):
        fitted = args.positional[0] if args.positional else args.get("X") or UNKNOWN
        instance.fitted_on.append((fitted, node.args[0].value if node.args and not node.args[0].star else None))
    if method == "fit":
        return instance  # encoder.fit(y) returns the encoder: encoder.fit(y).transform(y)
    if method == "inverse_transform" and args.positional and isinstance(args.positional[0], Predictions):
        return args.positional[0]  # a model's predictions back in the targets' units, or as class names: the same
    if method == "inverse_transform" and cls in SCALER_STEPS:
        return _unscaled(data_of(args.positional[0]) if args.positional else None, SCALER_STEPS[cls], node)
    if method not in ("fit_transform", "transform"):
        return UNKNOWN
    given = args.positional[0] if args.positional else UNKNOWN
    data = data_of(given) or list_in_runs(given, node)  # class names appended class by class: encoded in that order
    if cls in ENCODERS:
        return encode(data, ENCODERS[cls], node, names_by_id=_encoded_names(instance, cls, method, given))
    kind, detail = SCALER_STEPS[cls]
    if data is None:
        data = _one_row(given, node)  # ``fit_transform([reading])``: a batch of one row, as scikit-learn reads it
    if data is None:
        return UNKNOWN
    written = node.args[0].value if node.args and not node.args[0].star else None
    measured_on = "split" if method == "transform" and _last_fitted_on(instance, data, written) else None
    alone = ((ONE_SAMPLE_SETTING, True),) if cls in ONE_SAMPLE_CONSTANT and _fitted_on_itself_alone(
        instance, method, data, written) else ()
    return DataValue(data.with_step(kind, detail, node, measured_on, settings=alone))


def _text_vectorizer(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                     node: cst.Call) -> Value:
    """``TfidfVectorizer().fit_transform(texts)``, ``.transform(texts)``: the texts as one column per vocabulary
    word (an encoding step named for the call: no longer the texts, no shape known); ``fit`` returns the vectorizer.
    Texts the analysis does not follow give an unknown matrix."""
    if method == "fit":
        return instance
    if method not in ("fit_transform", "transform"):
        return UNKNOWN
    data = data_of(args.positional[0] if args.positional else args.get("raw_documents") or UNKNOWN)
    if data is None:
        return UNKNOWN
    return DataValue(data.with_step("encode", f"{cls}.{method}", node, encoding=None, n_classes=None, table=False))


def _unscaled(data: Data | None, scaling: tuple[str, str], node: cst.Call) -> Value:
    """``scaler.inverse_transform(series)`` of an array whose last scaling is that kind of scaler's: the array in
    its raw units again (its other steps, a reshape, kept); anything else: unknown."""
    if data is None:
        return UNKNOWN
    scalings = [index for index, step in enumerate(data.steps) if step.is_scaling]
    if not scalings or (data.steps[scalings[-1]].kind, data.steps[scalings[-1]].detail) != scaling:
        return UNKNOWN
    steps = data.steps[:scalings[-1]] + data.steps[scalings[-1] + 1:]
    return DataValue(replace(data, steps=steps, node=node))


def _one_row(given: Value, node: cst.Call) -> Data | None:
    """A Python list holding one row (``[reading]``, ``[[12.4, 3.1, 65.0]]``) given to a scaler, as the one-sample
    array scikit-learn makes of it; None for anything else (longer lists are left unknown, as before)."""
    rows = given.items if isinstance(given, Seq) else given.value if isinstance(given, Const) else None
    if not isinstance(rows, tuple) or len(rows) != 1:
        return None
    row = rows[0]
    if isinstance(row, Seq) or isinstance(row, tuple) or (isinstance(row, Const) and isinstance(row.value, tuple)):
        return data_of(make(Source("literal", "a list of one row", node), node, n_samples=1))
    return None


def _fitted_on_itself_alone(instance: Instance, method: str, data: Data,
                            written: cst.BaseExpression | None) -> bool:
    """Whether a scaler scales one sample (a batch of one row, ``[reading]``) with statistics measured on that
    sample alone: ``fit_transform([row])``, or ``fit(row)`` then ``transform(row)`` of the same expression."""
    if data.n_samples != 1 or data.is_sample:
        return False
    if method == "fit_transform":
        return True
    fitted = _last_fit(instance, written)
    return fitted is not None and fitted.n_samples == 1


def _last_fitted_on(instance: Instance, data: Data, written: cst.BaseExpression | None) -> bool:
    """Whether the scaler was last fitted on this very array (``scaler.fit(x_test)``, then
    ``scaler.transform(x_test)``): the scaling's statistics are the array's own, as with ``fit_transform``.  The
    same array written the same way (``closes[:cut]`` and ``closes[cut:]`` are two arrays of one history).  Not
    pixels (their extremes are 0 and 255 in every split) nor one sample."""
    if data.source.pixels or data.is_sample:
        return False
    fitted = _last_fit(instance, written)
    if fitted is None:
        return False
    return fitted is data or (fitted.group == data.group and fitted.name == data.name and fitted.steps == data.steps)


def _last_fit(instance: Instance, written: cst.BaseExpression | None) -> Data | None:
    """The array the scaler was last fitted on, when the fit's argument is written as ``written`` is (``fit(row)``
    then ``transform(row)``); None otherwise."""
    if not instance.fitted_on or written is None:
        return None
    value, fitted_written = instance.fitted_on[-1]
    fitted = data_of(value)
    return fitted if fitted is not None and fitted_written is not None and written.deep_equals(fitted_written) else None


def _image_generator(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                     node: cst.Call) -> Value:
    return datasets.generator_method(effects, instance, method, args, node)


def _rows_given(array: Value | None, node: cst.Call) -> Data | None:
    """The rows given to an over-sampler: the array's, or, for rows the analysis lost (a DataFrame cleaned by another
    library), rows of unknown content, over-sampled all the same; None when the argument is missing."""
    if array is None:
        return None
    return data_of(array) or data_of(make(Source("unknown", "an array", node), node))


def _oversampler(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                 node: cst.Call) -> Value:
    """``SMOTE().fit_resample(x, y)``: the same arrays, the rows added for the minority classes last."""
    if method not in RESAMPLE_METHODS:
        return UNKNOWN
    arrays = [_rows_given(args.get("X", 0), node), _rows_given(args.get("y", 1), node)]
    return Seq(tuple(UNKNOWN if data is None else DataValue(data.with_step("order", "minority-last", node,
                                                                          settings=((OVERSAMPLER_SETTING, cls),),
                                                                          n_samples=None))
                     for data in arrays), "tuple")
