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


# Models whose input shape the script does not state: a layer that accepts one input rank only still fixes
# the rank of its output (Keras 3 checks ndim exactly), with the sizes unknown.  The slow test builds each
# with an input of that rank whose sizes are unknown (the given shape, None for the batch axis).
RANK_CASES = {
    "no_input_conv_trunk_dense": (
        "model = keras.Sequential([layers.Conv2D(8, 3, activation='relu'), layers.MaxPool2D(),"
        " layers.Conv2D(16, 3, padding='same'), layers.Dropout(0.2), layers.Dense(4)])",
        (None, None, 3),
        ["(None, None, None, 8)", "(None, None, None, 8)", "(None, None, None, 16)", "(None, None, None, 16)",
         "(None, None, None, 4)"]),
    "no_input_global_pool": (
        "model = keras.Sequential([layers.Conv1D(8, 5), layers.AvgPool1D(2), layers.GlobalAveragePooling1D(),"
        " layers.Dense(2)])",
        (None, 6),
        ["(None, None, 8)", "(None, None, 8)", "(None, 8)", "(None, 2)"]),
    "no_input_recurrent_reshape": (
        "model = keras.Sequential([layers.LSTM(8, return_sequences=True), layers.GlobalMaxPooling1D(),"
        " layers.Reshape((2, 4)), layers.Dense(3)])",
        (None, 5),
        ["(None, None, 8)", "(None, 8)", "(None, 2, 4)", "(None, 2, 3)"]),
}

# Layers built through functools.partial and wrappers, with a stated input: sizes are known.
CASES.update({
    "partial_conv_keyword_overrides": (
        "from functools import partial\n"
        "Conv = partial(layers.Conv2D, kernel_size=3, padding='same', activation='relu')\n"
        "model = keras.Sequential([keras.Input(shape=(28, 28, 1)), Conv(filters=16), Conv(32, kernel_size=5,"
        " padding='valid'), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(10)])",
        ["(None, 28, 28, 16)", "(None, 24, 24, 32)", "(None, 12, 12, 32)", "(None, 4608)", "(None, 10)"]),
    "time_distributed_bidirectional": (
        "model = keras.Sequential([keras.Input(shape=(5, 28, 28, 1)), layers.TimeDistributed(layers.Conv2D(8, 3)),"
        " layers.TimeDistributed(layers.MaxPooling2D()), layers.TimeDistributed(layers.Flatten()),"
        " layers.Bidirectional(layers.LSTM(4, return_sequences=True)), layers.TimeDistributed(layers.Dense(3))])",
        ["(None, 5, 26, 26, 8)", "(None, 5, 13, 13, 8)", "(None, 5, 1352)", "(None, 5, 8)", "(None, 5, 3)"]),
    "padding_cropping_depthwise": (
        "model = keras.Sequential([keras.Input(shape=(30, 20, 3)), layers.ZeroPadding2D(padding=(1, 2)),"
        " layers.DepthwiseConv2D(3, depth_multiplier=2), layers.Cropping2D(cropping=((2, 0), (1, 1))),"
        " layers.ZeroPadding2D(), layers.DepthwiseConv2D((3, 3), 2, 'same'),"
        " layers.Flatten()])",
        ["(None, 32, 24, 3)", "(None, 30, 22, 6)", "(None, 28, 20, 6)", "(None, 30, 22, 6)", "(None, 15, 11, 6)",
         "(None, 990)"]),
    "padding_cropping_1d": (
        "model = keras.Sequential([keras.Input(shape=(50, 4)), layers.ZeroPadding1D(padding=(3, 1)),"
        " layers.Cropping1D(cropping=2), layers.DepthwiseConv1D(5)])",
        ["(None, 54, 4)", "(None, 50, 4)", "(None, 46, 4)"]),
})


def _shapes(source: str) -> list[str]:
    script = build_script(cst.parse_module(HEADER + source + "\n"), "model.py")
    (model,) = script.models
    (path,) = model_shapes(model)
    return [describe_shape(layer.output_shape) for layer in path]


@pytest.mark.parametrize("name", CASES)
def test_inferred_shapes_match_keras(name: str) -> None:
    source, expected = CASES[name]
    assert _shapes(source) == expected


@pytest.mark.parametrize("name", RANK_CASES)
def test_ranks_follow_without_an_input_shape(name: str) -> None:
    source, _, expected = RANK_CASES[name]
    assert _shapes(source) == expected


def test_unknown_layers_and_arguments_make_the_rest_unknown() -> None:
    source = ("size = int(input())\nmodel = keras.Sequential([keras.Input(shape=(32, 32, 3)),"
              " layers.Conv2D(8, size), layers.Flatten(), layers.Dense(2)])")
    assert _shapes(source) == ["(None, None, None, 8)", "(None, None)", "(None, 2)"]  # the kernel's size only
    custom = ("class MyBlock(layers.Layer):\n    pass\nmodel = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), MyBlock(),"
              " layers.Dense(2), layers.Flatten(), layers.Dense(2)])")
    assert _shapes(custom) == ["(None, 30, 30, 8)", "?", "?", "(None, None)", "(None, 2)"]
    no_rank = "model = keras.Sequential([layers.Dense(8), layers.Dropout(0.1), layers.Dense(2)])"
    assert _shapes(no_rank) == ["?", "?", "?"]  # Dense accepts any rank


def test_channels_first_keeps_the_rank_only() -> None:
    channels_first = ("model = keras.Sequential([keras.Input(shape=(3, 32, 32)),"
                      " layers.Conv2D(8, 3, data_format='channels_first'), layers.Flatten()])")
    assert _shapes(channels_first) == ["(None, None, None, None)", "(None, None)"]
    keras1 = ("model = keras.Sequential([keras.Input(shape=(32, 32, 3)),"
              " layers.Conv2D(8, 3, dim_ordering='th'), layers.Flatten()])")
    assert _shapes(keras1) == ["(None, None, None, None)", "(None, None)"]
    # a channels-first input under a global setting the layers do not show (set_image_dim_ordering('th'))
    theano = ("model = keras.Sequential([layers.Conv2D(20, 5, padding='same', input_shape=(1, 28, 28)),"
              " layers.MaxPooling2D(), layers.Dense(10)])")
    assert _shapes(theano) == ["(None, None, None, None)", "(None, None, None, None)", "(None, None, None, None)"]


def test_static_method_builder_returns_its_model() -> None:
    source = ("class Net:\n    @staticmethod\n    def build(shape, classes):\n"
              "        model = keras.Sequential()\n        model.add(layers.Conv2D(8, 3, input_shape=shape))\n"
              "        model.add(layers.Flatten())\n        model.add(layers.Dense(classes))\n        return model\n"
              "model = Net.build((28, 28, 1), 10)\nmodel.compile(loss='categorical_crossentropy')\n")
    assert _shapes(source) == ["(None, 26, 26, 8)", "(None, 5408)", "(None, 10)"]
    script = build_script(cst.parse_module(HEADER + source), "model.py")
    assert script.models[0].compiles


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


@pytest.mark.slow
@pytest.mark.parametrize("name", RANK_CASES)
def test_pinned_ranks_are_what_keras_builds(name: str) -> None:
    keras = pytest.importorskip("keras")
    namespace: dict = {"keras": keras, "layers": keras.layers}
    source, sample_shape, expected = RANK_CASES[name]
    exec(source, namespace)  # noqa: S102 - our own model table
    model = namespace["model"]
    model.build((None, *sample_shape))
    built = [str(tuple(layer.output.shape)) for layer in model.layers]
    assert built == expected
