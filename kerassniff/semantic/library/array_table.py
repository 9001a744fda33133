"""Which library call goes to which handler: the call table of :mod:`.arrays`.

Each known call is one row of :data:`LIBRARY_CALLS`; a row matches by the function's canonical name (exactly, or
its last part under a module prefix), and may require its first argument to be an array or another condition.
Rows are tried in order, and the first handler that gives a value wins; a call no row handles gives None (the
interpreter's own answer stands), so a history is never guessed.  The handlers themselves, what each call does
to an array's history, are in :mod:`.arrays`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import libcst as cst

from kerassniff.semantic import loaders
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.library import datasets
from kerassniff.semantic.library.arrays import (
    LibraryCall,
    SHAPE_ONLY,
    STATISTICS,
    argmax,
    argsort,
    by_class,
    class_blocks,
    concat_columns,
    concat_gathered,
    concat_parts,
    resampled,
    dataset_from,
    dataset_reader,
    encode,
    factorize,
    gathered_batches,
    image_directory,
    keras_dataset,
    word_index,
    label_binarize,
    list_in_runs,
    one_hot_depth,
    preprocess_input,
    reshaped,
    sklearn_dataset,
    sklearn_scale,
    stacked,
    statistic,
    step,
    tf1_mnist,
    tfds_load,
    to_categorical,
    train_test_split,
    unique,
)
from kerassniff.semantic.library.array_sources import (
    as_array,
    data_frame,
    eye,
    generated,
    numpy_file,
    hdf5_file,
    unpickled,
    pad_sequences,
    padded_sequence,
    market_data,
    pandas_table,
    random_generator,
    random_integers,
    same_array,
)
from kerassniff.semantic.library.images import (
    IMAGE_READERS,
    SAME_SCALE_CV2_OPS,
    SAME_SCALE_IMAGE_OPS,
    TF_IMAGE_DECODERS,
    convert_image_dtype,
    cv2_threshold,
    pixel_difference,
    cv2_color,
    cv2_imread,
    grayscale,
    image_canvas,
    image_reader,
    keras_image,
    resized,
    tf_decoded_image,
)
from kerassniff.semantic.knowledge.tokenizers import HASHING_ENCODERS
from kerassniff.semantic.library.tokenizers import hashed_words
from kerassniff.semantic.knowledge.model_api import (
    PREDICTION_DECIDING,
    PREDICTION_KEEPING,
    PREDICTION_MAPPING,
    PREDICTION_RESHAPING,
    SQUASHING_FUNCTIONS,
)
from kerassniff.semantic.knowledge.datasets import MARKET_DATA_READERS
from kerassniff.semantic.knowledge.arrays import (ARITHMETIC_FUNCTIONS, OPENCV_DRAWING, PILLOW_GRAYSCALE, PILLOW_RESIZING_OPS,
                                               PILLOW_SAME_IMAGE_OPS, RANDOM_GENERATOR_FACTORIES)
from kerassniff.semantic.keras_values import Predictions, agreement, positions_of_inputs
from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.library.array_arithmetic import arithmetic
from kerassniff.semantic.pyvalues import UNKNOWN, CallArgs, Const, Seq, Unknown, Value, const_value


@dataclass(unsafe_hash=True)
class Rule:
    """One row of the call table: which calls it handles, and the handler (None: try the next row)."""

    handle: Callable[[LibraryCall], Value | None]
    names: frozenset[str] | None = None  # the function's name (last part); None: any
    exact: frozenset[str] | None = None  # whole canonical names
    prefix: tuple[str, ...] = ()  # canonical-name prefixes, any of them
    needs_data: bool = False  # the first argument must be an array
    when: Callable[[LibraryCall], bool] | None = None  # any other condition
    suffix: str = ""  # the canonical name's ending

    def __post_init__(self) -> None:
        if self.names is None and self.exact is not None:
            object.__setattr__(self, "names", frozenset(name.rsplit(".", 1)[-1] for name in self.exact))

    def matches(self, call: LibraryCall) -> bool:
        return (self.names_match(call.name)
                and (not self.needs_data or call.data is not None)
                and (self.when is None or self.when(call)))

    def names_match(self, name: str) -> bool:
        """Whether the row's conditions on the function's name hold (its others look at the arguments)."""
        return ((self.exact is None or name in self.exact)
                and (not self.prefix or name.startswith(self.prefix))
                and name.endswith(self.suffix))


# NumPy's rounding functions: of a float, a numpy.float64 even when the value is whole.
NUMPY_ROUNDING = frozenset({"ceil", "floor", "round", "rint", "around", "trunc", "fix"})


def _a_float(call: LibraryCall) -> bool:
    """The first argument is one float: a true division of numbers (n / batch) or a float constant. (NumPy 2 rounds
    an integer to an integer: np.ceil(n // batch) is no float.)"""
    first = call.first
    return call.data is None and bool(call.args.positional) and (
        (type(first) is Unknown and first.division is not None) or
        (isinstance(first, Const) and isinstance(first.value, float)))


def _kept_predictions(call: LibraryCall) -> Value:
    """``np.argmax(pred, axis=1)``, ``np.round(pred)``, ``np.squeeze(pred)``: still the model's predictions, made class
    decisions or given another shape on the way."""
    predictions: Predictions = call.first  # type: ignore[assignment]
    if positions_of_inputs(predictions, call.last, call.args, axis_position=1):
        return UNKNOWN  # np.where(pred > 0.5), np.argmax(pred, axis=0): which inputs, not their classes
    if call.last in PREDICTION_DECIDING:
        return predictions.deciding()
    if call.last in PREDICTION_MAPPING:
        return predictions if predictions.mapped else replace(predictions, mapped=True)
    return predictions.reshaping() if call.last in PREDICTION_RESHAPING else predictions


def row(handle: Callable[[LibraryCall], Value | None], names=None, exact=None, prefix: str | tuple[str, ...] = (),
        needs_data: bool = False, when: Callable[[LibraryCall], bool] | None = None, suffix: str = "") -> Rule:
    return Rule(handle, frozenset(names) if names is not None else None, frozenset(exact) if exact is not None else None,
                (prefix,) if isinstance(prefix, str) else prefix, needs_data, when, suffix)


def may_handle(name: str) -> bool:
    """Whether some call of the function ``name`` can be handled by the table: False when every row's conditions on
    the name rule it out, whatever the arguments (most calls of plotting and file libraries)."""
    return any(rule.names_match(name) for rule in _rules_for(name.rpartition(".")[2]))


def call_library(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    call = LibraryCall(effects, name, args, node)
    for rule in _rules_for(call.last):
        if rule.matches(call):
            result = rule.handle(call)
            if result is not None:
                return result
    return None


_RULES_BY_NAME: dict[str, tuple[Rule, ...]] = {}


def _rules_for(last: str) -> tuple[Rule, ...]:
    """The rows that may handle a function of this name, in table order (computed once per name)."""
    rules = _RULES_BY_NAME.get(last)
    if rules is None:
        rules = _RULES_BY_NAME[last] = tuple(rule for rule in LIBRARY_CALLS if rule.names is None or last in rule.names)
    return rules


def _compared(call: LibraryCall) -> Value | None:
    """np.equal / tf.equal of predictions and labels: the two paired element by element, as ``pred == y``."""
    return agreement(call.first, call.args.positional[1]) if len(call.args.positional) > 1 else None


def _operator(call: LibraryCall) -> Value | None:
    """``np.subtract(a, b)``, ``tf.divide(x, 255)``: what the operator does (``a - b``, ``x / 255``), when an array is
    one of its two operands; None for other calls (an ``out=`` array is the interpreter's)."""
    operands = call.args.positional
    if len(operands) != 2 or (data_of(operands[0]) is None and data_of(operands[1]) is None):
        return None
    return arithmetic(call.effects, operands[0], ARITHMETIC_FUNCTIONS[call.name], operands[1], call.node)


# ------------------------------------------------------- conditions of rows
def _axis_columns(call: LibraryCall) -> bool:
    return isinstance(call.first, Seq) and const_value(call.args.get("axis"), 0) in (1, "columns")


def _class_blocks(call: LibraryCall) -> bool:
    return isinstance(call.first, Seq) and class_blocks(call.first)


ARRAY_LIBRARIES = ("numpy.", "pandas.", "tensorflow.")
KERAS_OPS = "keras.ops."  # Keras 3's backend-agnostic NumPy-like functions
# Keras 2's preprocessing as its own package (Keras-Preprocessing): the same image and sequence functions
STANDALONE_PREPROCESSING = "keras_preprocessing"
TF_IMAGE = "tensorflow.image."
# Every library call kerassniff follows, tried in this order.
LIBRARY_CALLS: tuple[Rule, ...] = (
    row(keras_dataset, names={"load_data"}, prefix="keras.datasets."),
    row(word_index, names={"get_word_index"}, prefix="keras.datasets."),
    row(tf1_mnist, names={"read_data_sets"}, when=lambda call: loaders.is_tf1_mnist_reader(call.name)),
    row(padded_sequence, exact={"numpy.pad"}),  # np.pad(ids, (0, n - len(ids))); other pads: the rows below
    row(pad_sequences,
        exact={"keras.utils.pad_sequences", "keras.preprocessing.sequence.pad_sequences",
               f"{STANDALONE_PREPROCESSING}.sequence.pad_sequences"}),
    row(hashed_words, exact=set(HASHING_ENCODERS)),
    row(step("normalize", "keras.utils.normalize"), exact={"keras.utils.normalize"}),
    row(to_categorical, exact={"keras.utils.to_categorical"}),
    row(preprocess_input, names={"preprocess_input"}, prefix=("keras.applications.", "tensorflow.keras.applications.")),
    row(keras_image, exact={f"{package}.{function}" for function in ("load_img", "img_to_array", "array_to_img")
                            for package in ("keras.utils", f"{STANDALONE_PREPROCESSING}.image")}),
    row(image_directory, suffix="image_dataset_from_directory"),
    row(lambda call: datasets.timeseries_flow(call.args, call.node),
        exact={"keras.preprocessing.sequence.TimeseriesGenerator"}),
    row(dataset_reader, names={name.rsplit(".", 1)[-1] for name in loaders.DATASET_READERS},
        when=lambda call: loaders.dataset_reader(call.name) is not None),
    row(tfds_load, exact={"tensorflow_datasets.load"}),
    row(sklearn_dataset, names=loaders.SKLEARN_LOADERS, prefix="sklearn.datasets."),
    # numpy, pandas and tensorflow
    row(as_array, names={"array", "asarray", "float32", "asanyarray", "convert_to_tensor", "constant"},
        prefix=ARRAY_LIBRARIES),
    row(as_array, exact={"numpy.stack"}),
    row(eye, names={"eye", "identity"}, prefix="numpy."),
    row(lambda call: encode(call.data if call.data is not None else list_in_runs(call.first, call.node), "onehot",
                            call.node), exact={"pandas.get_dummies"}),  # a list appended class by class: that order
    row(lambda call: factorize(call.data, call.node), exact={"pandas.factorize"}),
    row(unique, exact={"numpy.unique"}),
    row(same_array, exact={"pandas.Categorical"}, needs_data=True),  # its .codes are integer ids
    row(data_frame, exact={"pandas.DataFrame"}),
    row(numpy_file, names={"load", "loadtxt", "genfromtxt", "fromfile"}, prefix="numpy."),
    row(hdf5_file, exact={"h5py.File"}),
    row(unpickled, exact={"pickle.load"}),
    row(pandas_table, names=loaders.TABLE_READERS, prefix="pandas."),
    row(market_data, exact=MARKET_DATA_READERS),
    row(random_integers, exact={"numpy.random.randint"}),
    row(random_generator, exact=RANDOM_GENERATOR_FACTORIES),  # rng = np.random.default_rng(0): rng.permutation(...)
    row(generated, prefix="numpy.random."),
    row(generated, names={"zeros", "ones", "empty", "full", "arange", "linspace"}, prefix=ARRAY_LIBRARIES),
    row(step("reshape"), names={"dot", "matmul", "tensordot"}, prefix=ARRAY_LIBRARIES, needs_data=True),  # same range
    row(reshaped, names=SHAPE_ONLY, prefix=ARRAY_LIBRARIES, needs_data=True),
    row(reshaped, names=SHAPE_ONLY, prefix=KERAS_OPS, needs_data=True),  # keras.ops.expand_dims(x, 0): NumPy's meaning
    row(same_array, exact={"keras.ops.convert_to_tensor"}, needs_data=True),  # the array as a tensor, values kept
    row(step("cast"), exact={"keras.ops.cast"}, needs_data=True),
    # np.resize(a, shape): a's values repeated or cut to fill the shape, never rescaled (not a resampling)
    row(step("reshape"), exact={"numpy.resize"}, needs_data=True),
    row(argmax, names={"argmax"}, prefix=ARRAY_LIBRARIES, needs_data=True),
    row(argsort, names={"argsort"}, prefix=ARRAY_LIBRARIES, needs_data=True),
    row(_kept_predictions, names=PREDICTION_KEEPING, prefix=ARRAY_LIBRARIES,
        when=lambda call: isinstance(call.first, Predictions)),  # np.argmax(model.predict(x), axis=1)
    # tf.nn.softmax(pred[0]): probabilities of the same classes, in the same order (the argmax is the same class)
    row(lambda call: replace(call.first, squashed=SQUASHING_FUNCTIONS[call.name]), exact=SQUASHING_FUNCTIONS,
        when=lambda call: isinstance(call.first, Predictions)),
    row(_operator, exact=set(ARITHMETIC_FUNCTIONS)),
    row(_compared, names={"equal", "not_equal"}, prefix=(*ARRAY_LIBRARIES, "keras.ops.")),  # tf.equal(pred, y)
    row(stacked, names={"concatenate", "vstack", "hstack", "concat"}, prefix=ARRAY_LIBRARIES, needs_data=True),
    row(concat_gathered, names={"concatenate", "vstack", "hstack", "concat"}, prefix=ARRAY_LIBRARIES,
        when=gathered_batches),
    row(concat_columns, exact={"pandas.concat"}, when=_axis_columns),
    row(by_class, names={"concatenate", "hstack"}, prefix=ARRAY_LIBRARIES, when=_class_blocks),
    row(concat_parts, names={"concatenate", "vstack"}, prefix=ARRAY_LIBRARIES,
        when=lambda call: isinstance(call.first, Seq)),
    row(concat_parts, exact={"pandas.concat"}, when=lambda call: isinstance(call.first, Seq)),  # (axis 0: rows)
    row(resampled, exact={"sklearn.utils.resample"}, needs_data=True),
    row(statistic, names=STATISTICS, prefix=ARRAY_LIBRARIES, needs_data=True),
    # np.ceil(n / batch) of a float: a NumPy float even when whole (steps_per_epoch= refuses it); not np.math.ceil,
    # which NumPy 1.x kept as the standard library's math module (an int)
    row(lambda call: Unknown(division=call.node), names=NUMPY_ROUNDING, prefix="numpy.",
        when=lambda call: _a_float(call) and call.parts[1] != "math"),
    row(resized("size"), prefix=TF_IMAGE, needs_data=True, when=lambda call: call.last.startswith("resize")),
    row(grayscale, names={"rgb_to_grayscale"}, prefix=TF_IMAGE, needs_data=True),
    row(lambda call: convert_image_dtype(call), names={"convert_image_dtype"}, prefix=TF_IMAGE, needs_data=True),
    row(tf_decoded_image, names=TF_IMAGE_DECODERS, prefix=("tensorflow.io.", "tensorflow.image.")),
    row(dataset_from, names={"from_tensor_slices", "from_tensors", "zip"}, prefix="tensorflow.data.Dataset."),
    row(step("augment"), names=SAME_SCALE_IMAGE_OPS, prefix=TF_IMAGE, needs_data=True),
    row(reshaped, names={"cast", "to_float", "squeeze", "reshape", "expand_dims", "transpose"},
        prefix=ARRAY_LIBRARIES, needs_data=True),
    row(one_hot_depth, names={"one_hot"}, prefix=ARRAY_LIBRARIES, needs_data=True),
    row(step("scale"), names={"clip", "abs", "round", "log", "log1p", "exp"}, prefix=ARRAY_LIBRARIES,
        needs_data=True),
    # scikit-learn, images
    row(train_test_split, names={"train_test_split"}, prefix="sklearn."),
    row(image_reader, exact=IMAGE_READERS),
    row(image_canvas, exact={"PIL.Image.new"}),
    row(same_array, exact={"PIL.Image.fromarray"}, needs_data=True),  # an image of the array: resized, read back
    row(same_array, exact=OPENCV_DRAWING, needs_data=True),  # frame = cv2.rectangle(frame, ...): the image drawn on
    row(cv2_imread, exact={"cv2.imread", "cv2.imdecode"}),
    row(cv2_color, exact={"cv2.cvtColor"}, needs_data=True),
    row(resized("dsize", width_first=True), exact={"cv2.resize"}, needs_data=True),
    # Pillow's ImageOps.fit (crops) and pad (pads) give an image of exactly the size asked, (width, height)
    row(resized("size", width_first=True), exact={"PIL.ImageOps.fit", "PIL.ImageOps.pad"}, needs_data=True),
    row(same_array, exact=PILLOW_SAME_IMAGE_OPS, needs_data=True),  # ImageOps.invert(img): the same image, inverted
    row(step("resize", "?"), exact=PILLOW_RESIZING_OPS, needs_data=True),  # contain/cover/scale: another size
    row(grayscale, exact={PILLOW_GRAYSCALE}, needs_data=True),
    row(step("augment"), names=SAME_SCALE_CV2_OPS, prefix="cv2.", needs_data=True),
    row(cv2_threshold, exact={"cv2.threshold", "cv2.adaptiveThreshold"}),  # a 0/255 mask of the image
    row(pixel_difference, exact={"cv2.absdiff"}),
    # imutils' conveniences over OpenCV (resize keeping the aspect ratio, rotations): the same pixels, same scale
    row(step("augment"), names={"resize", "rotate", "rotate_bound", "translate"}, prefix="imutils.", needs_data=True),
    row(sklearn_scale, names={"minmax_scale", "scale", "normalize"}, prefix="sklearn.preprocessing."),
    row(label_binarize, names={"label_binarize"}, prefix="sklearn.preprocessing."),
)
