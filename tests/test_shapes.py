"""Static shape inference (kerassniff.semantic.shapes) agrees with what Keras builds.

The fast tests pin the shapes Keras 3 reports for a table of small models; the slow test builds the same
models with the installed Keras and compares every layer's output shape, so the table cannot drift from the
library.
"""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.shapes import describe_shape, model_shapes

HEADER = "from tensorflow import keras\nfrom tensorflow.keras import layers\n"

# (model source, the output shape of each layer as Keras prints it)
CASES = {
    "conv_pool_flatten": (
        "model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, (3, 3), activation='relu'),"
        " layers.MaxPooling2D((2, 2)), layers.Conv2D(64, 3, padding='same'), layers.MaxPooling2D(),"
        " layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation='softmax')])",
        ["(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 13, 13, 64)", "(None, 6, 6, 64)", "(None, 2304)",
         "(None, 2304)", "(None, 10)"]),
    "strides_dilation_global_pool": (
        "model = keras.Sequential([keras.Input(shape=(64, 48, 3)), layers.Conv2D(8, 5, strides=2),"
        " layers.Conv2D(8, 3, dilation_rate=2), layers.AveragePooling2D(pool_size=3, strides=2, padding='same'),"
        " layers.GlobalAveragePooling2D(), layers.Dense(4)])",
        ["(None, 30, 22, 8)", "(None, 26, 18, 8)", "(None, 13, 9, 8)", "(None, 8)", "(None, 4)"]),
    "dense_input_dim": (
        "model = keras.Sequential([layers.Dense(64, input_dim=20, activation='relu'), layers.Dense(1)])",
        ["(None, 64)", "(None, 1)"]),
    "reshape_upsampling_transpose": (
        "model = keras.Sequential([keras.Input(shape=(100,)), layers.Dense(7 * 7 * 16),"
        " layers.Reshape((7, 7, 16)), layers.UpSampling2D(), layers.Conv2DTranspose(8, 3, strides=2, padding='same'),"
        " layers.Conv2DTranspose(1, 3)])",
        ["(None, 784)", "(None, 7, 7, 16)", "(None, 14, 14, 16)", "(None, 28, 28, 8)", "(None, 30, 30, 1)"]),
    "embedding_recurrent": (
        "model = keras.Sequential([keras.Input(shape=(200,)), layers.Embedding(10000, 32),"
        " layers.LSTM(16, return_sequences=True), layers.GRU(8), layers.RepeatVector(3), layers.SimpleRNN(4)])",
        ["(None, 200, 32)", "(None, 200, 16)", "(None, 8)", "(None, 3, 8)", "(None, 4)"]),
    "conv1d_reshape_minus_one": (
        "model = keras.Sequential([keras.Input(shape=(128, 6)), layers.Conv1D(16, 5, padding='causal'),"
        " layers.MaxPooling1D(4), layers.Reshape((-1,)), layers.Dense(3, activation='softmax')])",
        ["(None, 128, 16)", "(None, 32, 16)", "(None, 512)", "(None, 3)"]),
}


def _shapes(source: str) -> list[str]:
    script = build_script(cst.parse_module(HEADER + source + "\n"), "model.py")
    (model,) = script.models
    (path,) = model_shapes(model)
    return [describe_shape(layer.output_shape) for layer in path]


@pytest.mark.parametrize("name", CASES)
def test_inferred_shapes_match_keras(name: str) -> None:
    source, expected = CASES[name]
    assert _shapes(source) == expected


def test_unknown_layers_and_arguments_make_the_rest_unknown() -> None:
    source = ("size = int(input())\nmodel = keras.Sequential([keras.Input(shape=(32, 32, 3)),"
              " layers.Conv2D(8, size), layers.Flatten(), layers.Dense(2)])")
    assert _shapes(source) == ["?", "?", "?"]
    no_input = "model = keras.Sequential([layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(2)])"
    assert _shapes(no_input) == ["?", "?", "?"]
    channels_first = ("model = keras.Sequential([keras.Input(shape=(3, 32, 32)),"
                      " layers.Conv2D(8, 3, data_format='channels_first'), layers.Flatten()])")
    assert _shapes(channels_first) == ["?", "?"]


def test_show_model_prints_shapes_and_class_counts(tmp_path) -> None:
    from click.testing import CliRunner

    from kerassniff.cli import main

    script = tmp_path / "train.py"
    script.write_text(HEADER + "(x, y), _ = keras.datasets.cifar10.load_data()\n"
                      "y = keras.utils.to_categorical(y, 10)\n" + CASES["conv_pool_flatten"][0].replace(
                          "(28, 28, 1)", "(32, 32, 3)") + "\nmodel.compile(loss='categorical_crossentropy')\n"
                      "model.fit(x / 255, y)\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--show-model", str(script), "--no-cache"])
    assert "Conv2D units=32 activation=relu kernel=(3, 3) -> (None, 30, 30, 32)" in result.output
    assert "Dense units=10 activation=softmax -> (None, 10)" in result.output
    assert "encoding=onehot classes=10" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_pinned_shapes_are_what_keras_builds(name: str) -> None:
    keras = pytest.importorskip("keras")
    namespace: dict = {"keras": keras, "layers": keras.layers}
    source, expected = CASES[name]
    exec(source, namespace)  # noqa: S102 - our own model table
    built = [str(tuple(layer.output.shape)) for layer in namespace["model"].layers]
    assert built == expected
