"""What array, label and image operations do to :class:`Data` values.

NumPy, pandas, scikit-learn, PIL, OpenCV, Keras's dataset loaders and
preprocessing utilities, tf.data: each known call maps its argument's history
to the result's.  Unknown calls return UNKNOWN, so the history is never
guessed.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from kerassniff.semantic import generators, loaders
from kerassniff.semantic.dataflow import (
    Data,
    ordered_by_class,
    data_of,
    size_text,
    Source,
    literal_encoding,
    literal_range,
    literal_shape,
    new_group,
)
from kerassniff.semantic.names import short
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ComprehensionValue,
    Const,
    DataValue,
    IndexOf,
    Instance,
    LenValue,
    Seq,
    ShapeValue,
    SliceValue,
    Symbol,
    Value,
    const_value,
    int_value,
    str_value,
)

if TYPE_CHECKING:
    from kerassniff.semantic.builder import Builder

SHAPE_ONLY = {"reshape", "flatten", "ravel", "squeeze", "transpose", "swapaxes", "copy", "to_numpy", "values",
              "fillna", "drop", "dropna", "view", "astype", "expand_dims", "stack"}
ROW_SUBSETS = {"sample", "head", "tail", "reset_index", "sort_values", "sort_index", "set_index", "query",
               "drop_duplicates", "nlargest", "nsmallest"}
SCALER_STEPS = {"MinMaxScaler": ("minmax", "MinMaxScaler"), "StandardScaler": ("standardize", "StandardScaler"),
                "RobustScaler": ("standardize", "RobustScaler"), "MaxAbsScaler": ("minmax", "MaxAbsScaler"),
                "Normalizer": ("normalize", "Normalizer"), "QuantileTransformer": ("minmax", "QuantileTransformer")}
# tf.image operations that move, crop or jitter pixels but keep their scale.
SAME_SCALE_IMAGE_OPS = frozenset(
    "flip_left_right flip_up_down random_flip_left_right random_flip_up_down rot90 transpose random_crop "
    "central_crop crop_to_bounding_box pad_to_bounding_box resize_with_crop_or_pad random_brightness "
    "random_contrast random_saturation random_hue adjust_brightness adjust_contrast adjust_saturation "
    "adjust_hue stateless_random_flip_left_right stateless_random_flip_up_down stateless_random_crop "
    "stateless_random_brightness stateless_random_contrast".split())
ENCODERS = {"LabelBinarizer": "onehot", "OneHotEncoder": "onehot", "MultiLabelBinarizer": "multihot",
            "LabelEncoder": "int"}


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


# ------------------------------------------------------------- library calls
def call_library(builder: "Builder", name: str, args: CallArgs, node: cst.Call) -> Value | None:
    first = args.positional[0] if args.positional else UNKNOWN
    data = data_of(first)
    parts = name.split(".")
    last = parts[-1]

    if name.startswith("keras.datasets.") and last == "load_data":
        return loaders.load_dataset(parts[-2], node)
    if loaders.is_tf1_mnist_reader(name):
        return loaders.read_data_sets(args, node)
    if name in ("keras.utils.pad_sequences", "keras.preprocessing.sequence.pad_sequences"):
        return with_step(data, "reshape", "pad_sequences", node)  # same samples, same token ids
    if name == "keras.utils.normalize":
        return with_step(data, "normalize", "keras.utils.normalize", node)
    if name == "keras.utils.to_categorical":
        return one_hot(data, int_value(args.get("num_classes", 1)), node)
    if name.startswith(("keras.applications.", "tensorflow.keras.applications.")) and last == "preprocess_input":
        family = parts[-2] if len(parts) > 3 else "applications"
        return with_step(data, "preprocess", family, node)
    if name in ("keras.utils.load_img", "keras.utils.img_to_array", "keras.utils.array_to_img"):
        if last == "img_to_array" and data is not None:
            return DataValue(replace(data, node=node))
        return make(Source("image", f"{short(name)}(...)", node, pixels=True, color="rgb"), node, is_sample=True)
    if name == "keras.utils.image_dataset_from_directory" or name.endswith("image_dataset_from_directory"):
        return generators.image_directory(args, node, f"{short(name)}(...)")
    reader = loaders.dataset_reader(name)
    if reader is not None:
        path = str_value(first) if reader == "file" else None
        return loaders.pipeline(reader, f"{short(name)}(...)", node, path=path)
    if name == "tensorflow_datasets.load":
        return loaders.tfds_load(args, node)
    if name.startswith("sklearn.datasets.") and last in loaders.SKLEARN_LOADERS:
        return loaders.sklearn_dataset(last, args, node)
    if name.startswith("numpy.") or name.startswith("pandas.") or name.startswith("tensorflow."):
        result = numpy_like(builder, name, last, args, first, data, node)
        if result is not None:
            return result
    if name.startswith("sklearn.") and last == "train_test_split":
        return train_test_split(args, node)
    if name in ("PIL.Image.open", "imageio.imread", "imageio.v2.imread", "matplotlib.pyplot.imread",
                "skimage.io.imread", "scipy.misc.imread"):
        return make(Source("image", f"{'.'.join(name.split('.')[-2:])}(...)", node, pixels=True, color="rgb"), node, is_sample=True)
    if name == "cv2.imread":
        flags = args.get("flags", 1)
        gray = const_value(flags) == 0 or (isinstance(flags, Symbol) and flags.name.endswith("GRAYSCALE"))
        return make(Source("image", "cv2.imread(...)", node, pixels=True, color="gray" if gray else "bgr"), node,
                    is_sample=True)
    if name == "cv2.cvtColor" and data is not None:
        code = args.get("code", 1)
        code_name = code.name if isinstance(code, Symbol) else ""
        if code_name.endswith(("BGR2RGB", "RGB2BGR")):
            color = "rgb" if data.source.color == "bgr" or code_name.endswith("BGR2RGB") else "bgr"
            return DataValue(data.with_step("color", color, node, source=replace(data.source, color=color)))
        if "GRAY" in code_name and code_name.index("GRAY") > code_name.index("2"):
            return DataValue(data.with_step("color", "gray", node, source=replace(data.source, color="gray")))
        return DataValue(data.with_step("color", code_name or "?", node))
    if name == "cv2.resize" and data is not None:
        return DataValue(data.with_step("resize", size_text(args.get("dsize", 1)), node))
    if name.startswith("sklearn.preprocessing.") and last in ("minmax_scale", "scale", "normalize"):
        return with_step(data, "minmax" if last == "minmax_scale" else "standardize", last, node)
    if name.startswith("sklearn.preprocessing.") and last == "label_binarize":
        return encode(data, "onehot", node)
    return None


def numpy_like(builder: "Builder", name: str, last: str, args: CallArgs, first: Value, data: Data | None,
               node: cst.Call) -> Value | None:
    if last in ("array", "asarray", "float32", "asanyarray", "convert_to_tensor", "constant") or name == "numpy.stack":
        if data is not None:
            if last == "stack" and data.encoding == "column":  # np.stack(df["vectors"]): rows of the cells
                return DataValue(replace(data, encoding=None, node=node))
            return DataValue(replace(data, node=node))
        if isinstance(first, Const) and isinstance(first.value, tuple):
            return literal(first.value, node)
        return from_collection(first, node)
    if last in ("eye", "identity") and name.startswith("numpy."):
        return loaders.identity(last, args, node)
    if name == "pandas.get_dummies":
        return encode(data, "onehot", node)
    if name == "pandas.factorize":
        return factorize(data, node)
    if name == "pandas.Categorical" and data is not None:
        return DataValue(replace(data, node=node))  # its .codes are integer ids
    if name == "pandas.DataFrame":
        return DataValue(replace(data, table=True, node=node)) if data is not None else \
            loaders.table("literal", "pd.DataFrame(...)", None, node)
    if last in ("load", "loadtxt", "genfromtxt", "fromfile") and name.startswith("numpy."):
        if last in loaders.TEXT_TABLE_READERS:
            return loaders.table("file", f"np.{last}(...)", str_value(first), node)
        return make(Source("file", f"np.{last}(...)", node, path=str_value(first)), node)
    if last in loaders.TABLE_READERS and name.startswith("pandas."):
        return loaders.table("file", f"pd.{last}(...)", str_value(first), node)
    if name == "numpy.random.randint":
        return loaders.random_integers(args, node)
    if name.startswith("numpy.random.") or last in ("zeros", "ones", "empty", "full", "arange", "linspace"):
        if last == "permutation" and data is None:  # indices: x[np.random.permutation(len(x))] reorders x
            n = first.data.n_samples if isinstance(first, LenValue) else int_value(first)
            return make(Source("generated", "np.random.permutation(...)", node), node, n_samples=n)
        if last in ("permutation", "shuffle", "choice", "seed"):
            return UNKNOWN
        shape = args.get("size") or args.get("shape") or (first if last not in ("randint", "uniform", "normal", "full") else None)
        return make(Source("generated", f"np.{last}(...)", node), node, n_samples=shape_samples(shape or UNKNOWN))
    if data is not None and last in ("dot", "matmul", "tensordot"):
        return DataValue(data.with_step("reshape", last, node))  # e.g. RGB -> grey weights: same range
    if data is not None and last in SHAPE_ONLY:
        return DataValue(data.with_step("reshape", last, node))
    if data is not None and last == "argmax":
        return DataValue(data.with_step("encode", "argmax", node, encoding="int"))
    if data is not None and last in ("concatenate", "vstack", "hstack"):
        encoding = None if data.encoding == "column" and last != "concatenate" else data.encoding
        return DataValue(replace(data, n_samples=None, encoding=encoding, node=node))
    if isinstance(first, Seq) and name == "pandas.concat" and const_value(args.get("axis"), 0) in (1, "columns"):
        parts = [data_of(item) for item in first.items]
        if parts and parts[0] is not None and parts[0].table:  # columns added beside a table: the same rows
            return DataValue(replace(parts[0], node=node))
    if isinstance(first, Seq) and last in ("concatenate", "hstack") and class_blocks(first):
        return DataValue(data_of(first.items[0]).with_step("order", "by-class", node, n_samples=None))  # type: ignore[union-attr]
    if isinstance(first, Seq) and last in ("concatenate", "vstack"):
        parts = [data_of(item) for item in first.items]
        if parts and all(p is not None for p in parts):
            return DataValue(replace(parts[0], n_samples=None, node=node))  # type: ignore[arg-type]
    if data is not None and last in ("mean", "std", "max", "min", "median", "var", "amax", "amin", "percentile", "sqrt"):
        return Statistic(data, last)
    if data is not None and name.startswith("tensorflow.image.") and last.startswith("resize"):
        return DataValue(data.with_step("resize", size_text(args.get("size", 1)), node))
    if data is not None and name.startswith("tensorflow.image.") and last == "rgb_to_grayscale":
        return DataValue(data.with_step("color", "gray", node, source=replace(data.source, color="gray")))
    if data is not None and name.startswith("tensorflow.image.") and last == "convert_image_dtype":
        return DataValue(data.with_step("scale", "/255", node))
    if name.startswith("tensorflow.data.Dataset.") and last in ("from_tensor_slices", "from_tensors", "zip"):
        return generators.dataset_from(first, node)
    if data is not None and name.startswith("tensorflow.image.") and last in SAME_SCALE_IMAGE_OPS:
        return DataValue(data.with_step("augment", last, node))
    if data is not None and last in ("cast", "to_float", "squeeze", "reshape", "expand_dims", "transpose"):
        return DataValue(data.with_step("reshape", last, node))
    if data is not None and last == "one_hot":
        return one_hot(data, int_value(args.get("depth", 1)), node)
    if data is not None and last in ("clip", "abs", "round", "log", "log1p", "exp"):
        return DataValue(data.with_step("scale", f"{last}", node))
    return None


CONSTANT_FILLS = ("np.zeros(...)", "np.ones(...)")


def class_blocks(parts: Seq) -> bool:
    """Labels built by class blocks: ``np.concatenate([np.zeros(n), np.ones(m)])`` (all of one class, then another)."""
    fills = [data_of(item) for item in parts.items]
    kinds = [d.source.description for d in fills if d is not None and d.source.kind == "generated" and not d.steps]
    return len(kinds) == len(fills) >= 2 and set(kinds) == set(CONSTANT_FILLS)


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
    if element is not None:
        return DataValue(replace(element, group=new_group(), is_sample=False, n_samples=n, node=node))
    return make(Source("literal", "a list", node), node, n_samples=n)


def train_test_split(args: CallArgs, node: cst.Call) -> Value:
    arrays = [a for a in args.positional]
    test_size = const_value(args.get("test_size"))
    results: list[Value] = []
    for array in arrays:
        data = data_of(array)
        if data is None:
            results.extend([UNKNOWN, UNKNOWN])
            continue
        n_test = n_train = None
        if data.n_samples is not None and isinstance(test_size, float) and 0 < test_size < 1:
            import math

            n_test = math.ceil(data.n_samples * test_size)
            n_train = data.n_samples - n_test
        if ordered_by_class(data) and const_value(args.get("shuffle")) is not False:
            data = data.with_step("order", "shuffled", node)
        results.append(DataValue(replace(data, split="train", n_samples=n_train, node=node)))
        results.append(DataValue(replace(data, split="val" if data.split == "train" else "test", n_samples=n_test,
                                         node=node)))
    return Seq(tuple(results), "tuple")


def one_hot(data: Data | None, n_classes: int | None, node: cst.CSTNode) -> Value:
    if data is None:
        return make(Source("unknown", "to_categorical(...)", node), node, role="y", encoding="onehot",
                    n_classes=n_classes)
    return DataValue(data.with_step("encode", "onehot", node, encoding="onehot", n_classes=n_classes or data.n_classes,
                                    role="y", table=False))


def encode(data: Data | None, encoding: str, node: cst.CSTNode, n_classes: int | None = None) -> Value:
    if data is None:
        return make(Source("unknown", "an encoder", node), node, role="y", encoding=encoding, n_classes=n_classes)
    return DataValue(data.with_step("encode", encoding, node, encoding=encoding, role="y",
                                    n_classes=n_classes or data.n_classes, table=False))


def factorize(data: Data | None, node: cst.CSTNode) -> Value:
    """``pd.factorize(values)`` / ``series.factorize()``: (integer codes, uniques)."""
    return Seq((encode(data, "int", node), UNKNOWN), "tuple")


def with_step(data: Data | None, kind: str, detail: str, node: cst.CSTNode) -> Value:
    if data is None:
        return UNKNOWN
    return DataValue(data.with_step(kind, detail, node))


# ---------------------------------------------------------- attributes, items
def data_attribute(data: Data, attribute: str, node: cst.CSTNode) -> Value:
    if attribute == "shape":
        return ShapeValue(data)
    if attribute == "T":  # the same values, the axes reversed: samples become features
        return DataValue(data.with_step("reshape", "transpose", node))
    if attribute in ("values", "cat"):
        return DataValue(replace(data, node=node))  # .cat: the categorical accessor of a column
    if attribute in ("iloc", "loc") and data.table:
        return DataValue(replace(data, node=node))  # indexed next: df.iloc[:, -1]
    if attribute == "codes":
        return encode(data, "int", node)  # series.cat.codes, pd.Categorical(...).codes
    if data.table and attribute not in loaders.FRAME_ATTRIBUTES and not attribute.startswith("_"):
        return loaders.column(data, node)  # df.label
    return UNKNOWN


def subscript(builder: "Builder", data: Data, indices: list[Value], node: cst.CSTNode) -> Value:
    if data.table and data.role != "eye":
        selected = loaders.table_column(data, indices, node)
        if selected is not None:
            return selected
    if _adds_axes_only(indices, node):  # x[np.newaxis], x[..., None], x[:, :, None]: the values, another shape
        return DataValue(data.with_step("reshape", "index", node))
    index = indices[0]
    if data.role == "eye":
        picked = data_of(index)
        if picked is not None:
            return encode(picked, "onehot", node, data.n_classes)
        return UNKNOWN
    if isinstance(index, IndexOf) and _same_samples(index.data, data):
        return DataValue(replace(data, is_sample=True, node=node))
    if isinstance(index, SliceValue) and isinstance(index.lower, IndexOf) and _same_samples(index.lower.data, data):
        return DataValue(replace(data, is_sample=True, node=node))  # x[i:i + 1]
    if isinstance(index, SliceValue):
        lower, upper = const_value(index.lower), const_value(index.upper)
        lower = 0 if lower is None and isinstance(index.lower, Const) else lower  # x[:8]
        n = data.n_samples
        if isinstance(lower, int) and (isinstance(upper, int) or upper is None):
            if upper is None and n is not None:
                upper = n
            if isinstance(upper, int):
                if upper < 0 and n is not None:
                    upper += n
                if lower < 0 and n is not None:
                    lower += n
                n = max(0, upper - lower) if upper >= 0 and lower >= 0 else None
            else:
                n = None
        else:
            n = None
        if len(indices) > 1 and isinstance(const_value(index.lower, 0), int) and index.upper == Const(None) and \
                const_value(index.lower, 0) == 0:
            n = data.n_samples  # x[:, 0]: a column, all samples
        if len(indices) > 1:  # x[:, 0], x[:, :, :3]: not a plain slice of samples; the shape changes
            return DataValue(data.with_step("reshape", "index", node, n_samples=n))
        return DataValue(replace(data, n_samples=n, node=node))
    if isinstance(index, Const) and isinstance(index.value, int) and not isinstance(index.value, bool):
        return DataValue(replace(data, is_sample=True, n_samples=None, node=node))
    if isinstance(index, Const) and isinstance(index.value, (str, tuple)):
        return DataValue(replace(data, node=node))  # a column of a data frame
    if isinstance(index, Const) and index.value is None:
        return DataValue(replace(data, node=node))  # x[None]: adds an axis
    if isinstance(index, DataValue):
        if ordered_by_class(data):  # a shuffled index array, or a mask: the class order is no longer known
            data = data.with_step("order", "indexed", node)
        if len(indices) > 1:  # x[perm, 0]: other axes indexed too, the shape changes
            return DataValue(data.with_step("reshape", "index", node))
        return DataValue(replace(data, node=node))  # a permutation or a mask
    return UNKNOWN


def _same_samples(a: Data, b: Data) -> bool:
    """Whether an index over a's samples indexes b's: one array, or the inputs and labels of one split
    (``for i in range(len(y_test)): model.predict(x_test[i:i + 1])``)."""
    if a.group == b.group:
        return True
    return a.split is not None and a.split == b.split and a.source.node is b.source.node


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


# ------------------------------------------------------------------ methods
def data_method(builder: "Builder", data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    if method == "resize" and data.source.kind == "image":  # PIL Image.resize: changes the pixel grid
        return DataValue(data.with_step("resize", size_text(args.get("size", 0)), node))
    if method == "astype":
        return DataValue(data.with_step("cast", str(const_value(args.get("dtype", 0), "?")), node))
    if method in SHAPE_ONLY or method == "resize":
        return DataValue(data.with_step("reshape", method, node))
    if method in ROW_SUBSETS:
        return DataValue(replace(data, n_samples=None, node=node))  # df.sample(frac=0.7): some rows, same values
    if method == "convert":
        mode = const_value(args.get("mode", 0))
        color = "gray" if mode in ("L", "1") else "rgb" if mode == "RGB" else None
        if color:
            return DataValue(data.with_step("color", color, node, source=replace(data.source, color=color)))
        return DataValue(replace(data, node=node))
    if method in ("mean", "std", "max", "min", "var"):
        return Statistic(data, method)
    if method == "argmax":
        return DataValue(data.with_step("encode", "argmax", node, encoding="int"))
    if method in generators.DATASET_METHODS:
        return generators.dataset_method(builder, data, method, args, node)
    if method in ("to_numpy", "numpy", "get_dummies"):
        return DataValue(replace(data, node=node))
    if method == "tolist":  # np.array(col.tolist()) also stacks a column of lists into rows
        return DataValue(replace(data, node=node, encoding=None if data.encoding == "column" else data.encoding))
    if method == "pop" and data.table:
        return loaders.column(data, node)  # y = df.pop("label")
    if method == "factorize":
        return factorize(data, node)
    return UNKNOWN


def instance_method(builder: "Builder", instance: Instance, method: str, args: CallArgs, node: cst.Call) -> Value:
    cls = short(instance.cls)
    first = args.positional[0] if args.positional else UNKNOWN
    data = data_of(first)
    if (cls in ENCODERS or cls in SCALER_STEPS) and method == "fit":
        return instance  # encoder.fit(y) returns the encoder: encoder.fit(y).transform(y)
    if instance.cls == loaders.TF1_DATASET_CLASS and method == "next_batch":
        return loaders.next_batch(instance, args, node)
    if cls in ENCODERS and method in ("fit_transform", "transform"):
        return encode(data, ENCODERS[cls], node)
    if cls in SCALER_STEPS and method in ("fit_transform", "transform"):
        kind, detail = SCALER_STEPS[cls]
        return with_step(data, kind, detail, node)
    if cls == "ImageDataGenerator":
        return generators.generator_method(builder, instance, method, args, node)
    if cls == "Tokenizer" and instance.cls.startswith("keras.") and method in TOKENIZER_OUTPUTS:
        return tokenized(data, method, node)
    return UNKNOWN


# Keras's Tokenizer: one row per text (token ids or a bag of words), whatever the texts were.
TOKENIZER_OUTPUTS = frozenset("texts_to_sequences texts_to_matrix sequences_to_matrix".split())


def tokenized(data: Data | None, method: str, node: cst.Call) -> Value:
    """``tokenizer.texts_to_sequences(x_test_text)``: the same samples as the texts, as token ids; from texts
    the model does not follow, a new array of the same kind (so its name still tells its split)."""
    if data is not None:
        return DataValue(data.with_step("encode", method, node, encoding=None, n_classes=None))
    return make(Source("unknown", f"tokenizer.{method}(...)", node), node)


# -------------------------------------------------------------- arithmetic
class Statistic(Value):
    """``x.mean()``, ``np.max(x)``: a statistic of an array, for standardisation."""

    __slots__ = ("data", "kind")

    def __init__(self, data: Data, kind: str) -> None:
        self.data = data
        self.kind = kind


def statistic_arithmetic(left: Value, op: str, right: Value) -> Value:
    """``max_ - min_`` is the range of one array; ``std + 1e-7`` is still its spread."""
    if isinstance(left, Statistic) and isinstance(right, Statistic):
        if op == "Subtract" and left.data.group == right.data.group and (left.kind, right.kind) in (
                ("max", "min"), ("amax", "amin")):
            return Statistic(left.data, "max-min")
        return UNKNOWN
    statistic, number = (left, right) if isinstance(left, Statistic) else (right, left)
    value = const_value(number)
    small = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < abs(value) < 1e-3
    if isinstance(statistic, Statistic) and op == "Add" and small:
        return statistic  # an epsilon against division by zero
    return UNKNOWN


def arithmetic(builder: "Builder", left: Value, op: str, right: Value, node: cst.CSTNode) -> Value:
    if not isinstance(left, DataValue) and not isinstance(right, DataValue):
        return statistic_arithmetic(left, op, right)
    data = data_of(left)
    other = right
    if data is None:
        data, other = data_of(right), left
        if data is None:
            return UNKNOWN
        if op in ("Divide", "Subtract", "Power"):
            return DataValue(data.with_step("scale", f"{op.lower()}?", node))
    number = const_value(other)
    is_number = isinstance(number, (int, float)) and not isinstance(number, bool)
    if op == "Divide":
        if is_number:
            return DataValue(data.with_step("scale", f"/{number:g}", node))
        if isinstance(other, Statistic):
            kind = {"std": "standardize", "var": "standardize", "max-min": "minmax"}.get(other.kind, "scale")
            return DataValue(data.with_step(kind, f"/{other.kind}", node))
        return DataValue(data.with_step("scale", "/?", node))
    if op == "Multiply":
        if is_number:
            if number == 1:
                return DataValue(replace(data, node=node))
            detail = f"/{1 / number:g}" if 0 < abs(number) < 1 else f"*{number:g}"
            return DataValue(data.with_step("scale", detail, node))
        if isinstance(other, DataValue):
            return DataValue(replace(data, node=node))  # a mask or an element-wise product
        return DataValue(data.with_step("scale", "*?", node))
    if op in ("Subtract", "Add"):
        if is_number:
            if number == 0:
                return DataValue(replace(data, node=node))
            return DataValue(data.with_step("shift", f"{'-' if op == 'Subtract' else '+'}{number:g}", node))
        if isinstance(other, Statistic):
            return DataValue(data.with_step("shift", f"-{other.kind}", node))
        return DataValue(data.with_step("shift", "?", node))
    if op == "FloorDivide" and is_number:
        return DataValue(data.with_step("scale", f"//{number:g}", node))
    return DataValue(data.with_step("scale", f"{op}?", node))
