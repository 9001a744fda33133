"""Calls whose only effect is the value they return: called as a statement of their own, they do nothing.

``x_train.astype("float32")``, ``np.expand_dims(img, 0)``, ``cv2.normalize(img, None, 0, 1, cv2.NORM_MINMAX)``,
``df.dropna()``, ``train_ds.shuffle(1000)``, ``load_model("best.h5")``: each returns a new object and leaves its
input as it was, so a script that does not keep the result goes on with the unchanged input.  Each table says
what the call returns and, for functions that may write into an array they are given (NumPy's ``out``, OpenCV's
``dst``), where that array goes: given there, the call does change something.
"""
from __future__ import annotations

from typing import NamedTuple


class ResultOnly(NamedTuple):
    """A function whose result is its only effect, unless an output array is given: at ``output_position`` (None:
    the function takes none by position) or by the keyword ``output_keyword``."""

    returns: str  # what it returns, for a message: "array", "model"
    output_position: int | None = None
    output_keyword: str | None = None


def _numpy(position: int | None = None, keyword: str | None = "out") -> ResultOnly:
    return ResultOnly("array", position, keyword)


def _opencv(position: int) -> ResultOnly:
    return ResultOnly("image", position, "dst")


# Functions, by canonical name.  (Keras's applications' preprocess_input is not here: on a float array NumPy's
# version subtracts the means in place.)
RESULT_ONLY_FUNCTIONS: dict[str, ResultOnly] = {
    "keras.models.load_model": ResultOnly("model"),
    "keras.saving.load_model": ResultOnly("model"),
    "keras.utils.to_categorical": ResultOnly("array"),
    "keras.utils.pad_sequences": ResultOnly("array"),
    "keras.preprocessing.sequence.pad_sequences": ResultOnly("array"),
    **{f"numpy.{name}": _numpy(keyword=None) for name in (
        "expand_dims", "reshape", "squeeze", "transpose", "append", "insert", "delete", "vstack", "hstack", "flip",
        "pad", "moveaxis", "swapaxes", "array", "asarray", "float32", "uint8")},
    **{f"numpy.{name}": _numpy(2) for name in ("concatenate", "stack")},  # (arrays, axis, out)
    **{f"numpy.{name}": _numpy(1) for name in ("log", "log1p", "exp", "sqrt", "abs", "absolute")},
    **{f"numpy.{name}": _numpy(2) for name in ("divide", "true_divide", "multiply", "subtract", "add", "round",
                                                 "around")},
    "numpy.clip": _numpy(3),
    **{f"cv2.{name}": _opencv(1) for name in ("normalize", "equalizeHist", "bitwise_not")},
    **{f"cv2.{name}": _opencv(2) for name in ("resize", "cvtColor", "flip", "medianBlur", "blur", "dilate", "erode")},
    **{f"cv2.{name}": _opencv(3) for name in ("GaussianBlur", "warpAffine", "Canny")},
    **{f"tensorflow.{name}": ResultOnly("tensor") for name in (
        "cast", "reshape", "expand_dims", "squeeze", "one_hot", "convert_to_tensor", "image.resize",
        "image.convert_image_dtype", "image.rgb_to_grayscale")},
}

# Methods of NumPy arrays that return a new array (pandas objects share astype, transpose and squeeze, which return
# new ones too): only array-likes have them, so they say so even of an object the interpreter could not follow.
ARRAY_METHODS = frozenset({"astype", "reshape", "flatten", "ravel", "transpose", "squeeze"})
# pandas methods that return a new DataFrame unless given inplace=True; the ones only pandas has say what the object
# is (drop, replace and rename are also other objects' methods, some of which change something: Path.rename).
PANDAS_INPLACE_METHODS = frozenset({"dropna", "fillna", "drop", "drop_duplicates", "replace", "rename", "reset_index",
                                    "set_index", "sort_values", "sort_index"})
# (``set_index`` is not among them: a generator of one's own selects a fold with it, ``gen.set_index(i)``, in place)
PANDAS_ONLY_METHODS = frozenset({"dropna", "fillna", "drop_duplicates", "reset_index", "sort_values"})
# tf.data.Dataset methods: a dataset never changes, each returns a new one.
DATASET_METHODS = frozenset({"map", "batch", "shuffle", "prefetch", "cache", "repeat", "filter", "padded_batch",
                             "unbatch"})
# Methods of fitted preprocessing objects that return the transformed data (a scikit-learn transformer given copy=
# other than True, built with it or called with it, may transform in place: not counted then).
TRANSFORM_METHODS = {
    "keras.preprocessing.text.Tokenizer": frozenset({"texts_to_sequences", "texts_to_matrix", "sequences_to_texts"}),
    "sklearn.preprocessing.": frozenset({"transform", "inverse_transform"}),
}
