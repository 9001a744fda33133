"""The per-sample shape of arrays reaching fit/evaluate/predict (kerassniff.semantic.sample_shapes).

Each case is a few lines of script ending in ``model.fit(x, ...)``; the expected shape is what NumPy gives
for ``x.shape[1:]`` (None: a size the script does not make constant; the whole shape None: unknown).
"""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.sample_shapes import calls_by_node, sample_shape
from kerassniff.semantic.shapes import model_input_shape

HEADER = ("import numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"
          "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
          "(c_train, _), _ = keras.datasets.cifar10.load_data()\n"
          "model = keras.Sequential([keras.layers.Dense(1)])\n")

CASES = {
    "dataset": ("x = x_train", (28, 28)),
    "dataset_scaled_cast": ("x = x_train.astype('float32') / 255.0 - 0.5", (28, 28)),
    "axis0_slice_keeps": ("x = x_train[:1000]", (28, 28)),
    "cifar": ("x = c_train", (32, 32, 3)),
    "labels_are_not_images": ("x = y_train", None),
    "reshape_literal": ("x = x_train.reshape(60000, 784)", (784,)),
    "reshape_tuple": ("x = x_train.reshape((-1, 28 * 28))", (784,)),
    "reshape_len_first": ("x = x_train.reshape(len(x_train), 28, 28, 1)", (28, 28, 1)),
    "reshape_shape_first": ("rows = 28\nx = x_train.reshape(x_train.shape[0], rows, rows, 1)", (28, 28, 1)),
    "reshape_unknown_dims": ("def f(r):\n    return x_train.reshape(-1, r, r, 1)\nx = f(int(input()))",
                             (None, None, 1)),
    "reshape_minus_one_later": ("x = x_train.reshape(len(x_train), -1)", (None,)),
    "np_reshape": ("x = np.reshape(x_train, (-1, 784))", (784,)),
    "tf_reshape": ("x = tf.reshape(x_train, [-1, 28, 28, 1])", (28, 28, 1)),
    "reshape_starred_unknown": ("shape = tuple(input())\nx = x_train.reshape(-1, *shape)", None),
    "expand_dims_last": ("x = np.expand_dims(x_train, -1)", (28, 28, 1)),
    "expand_dims_axis1": ("x = np.expand_dims(x_train, axis=1)", (1, 28, 28)),
    "expand_dims_axis0": ("x = np.expand_dims(x_train, 0)", None),
    "tf_expand_dims": ("x = tf.expand_dims(x_train, 3)", (28, 28, 1)),
    "squeeze": ("x = np.expand_dims(x_train, -1).squeeze()", (28, 28)),
    "squeeze_axis": ("x = np.squeeze(np.expand_dims(x_train, -1), axis=-1)", (28, 28)),
    "newaxis_ellipsis": ("x = x_train[..., np.newaxis]", (28, 28, 1)),
    "newaxis_slices": ("x = x_train[:, :, :, None]", (28, 28, 1)),
    "newaxis_first": ("x = x_train[None]", None),
    "column": ("x = c_train[:, :, :, 0]", (32, 32)),
    "bounded_slice": ("x = c_train[:, 2:30]", (28, 32, 3)),
    "ellipsis_index": ("x = c_train[..., 0]", (32, 32)),
    "mask_and_column": ("x = c_train[y_train > 0, 0]", None),
    "flatten_whole_array": ("x = x_train.flatten()", None),
    "transpose_unknown": ("x = np.transpose(c_train, (0, 3, 1, 2))", None),
    "transposed_attribute": ("x = np.random.rand(3, 500).T", None),
    "resize_unknown": ("x = tf.image.resize(c_train, (64, 64))", None),
    "zeros": ("x = np.zeros((100, 784))", (784,)),
    "zeros_vector": ("x = np.zeros(100)", ()),
    "random_rand_dims": ("x = np.random.rand(100, 12)", (12,)),
    "random_normal_size": ("x = np.random.normal(0, 1, size=(100, 5, 3))", (5, 3)),
    "literal_rows": ("x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])", (3,)),
    "pad_sequences": ("x = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=80)", (80,)),
    "single_sample": ("x = x_train[0]", None),
    "samples_gathered": ("x = np.array([x_train[i] for i in range(len(x_train)) if i % 2])", (28, 28)),
    "arrays_stacked": ("x = np.stack([x_train, x_train], axis=-1)", None),
    "array_of_arrays": ("x = np.array([x_train, x_test])", None),
    "features_side_by_side": ("a = np.random.rand(100, 5)\nx = np.concatenate([a, a * 2], axis=1)", None),
    "hstack": ("a = np.random.rand(100, 5)\nx = np.hstack([a, a])", None),
    "more_samples": ("a = np.random.rand(100, 5)\nx = np.concatenate([a, a])", (5,)),
    "conditional": ("if input():\n    x = x_train.reshape(-1, 784)\nelse:\n    x = x_train", None),
}


def _fit_shape(body: str):
    script = build_script(cst.parse_module(HEADER + body + "\nmodel.fit(x, y_train)\n"), "t.py")
    events = [e for e in script.data_events if e.kind == "fit" and e.role == "x"]
    return sample_shape(events[0].data, calls_by_node(script.calls)) if events else None  # none: not an array


@pytest.mark.parametrize("name", CASES)
def test_sample_shape(name: str) -> None:
    body, expected = CASES[name]
    assert _fit_shape(body) == expected


def test_a_helper_evaluated_for_another_array_gives_no_shape() -> None:
    """The call site keeps the arguments of its last evaluation: they must belong to the array asked about."""
    body = ("def flat(a, n):\n    return a.reshape(len(a), n)\n"
            "x = flat(x_train, 784)\nother = flat(c_train, 3072)")
    assert _fit_shape(body) is None


@pytest.mark.parametrize("layer, expected", [
    ("keras.layers.Dense(8, input_dim=20)", (20,)),
    ("keras.layers.Embedding(input_dim=5000, output_dim=16, input_length=80)", (80,)),
    ("keras.layers.Embedding(input_dim=5000, output_dim=16)", None),
    ("keras.layers.LSTM(8, input_dim=3, input_length=10)", (10, 3)),
    ("keras.layers.Embedding(5000, 16, input_shape=(40,))", (40,)),
])
def test_input_dim_is_read_as_the_first_layer_reads_it(layer: str, expected) -> None:
    script = build_script(cst.parse_module(f"from tensorflow import keras\nmodel = keras.Sequential([{layer}])\n"),
                          "t.py")
    assert model_input_shape(script.models[0]) == expected
