"""semantic/architecture.py: which Dense/Conv layer directly feeds which, and through what."""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic.architecture import affine_neighbours, exact_chains
from kerassniff.semantic.interpreter import build_script


def _models(source: str):
    return build_script(cst.parse_module(source), "model.py").models


def test_neighbours_skip_linear_links_and_stop_at_activations() -> None:
    (model,) = _models(
        "from keras import layers, Sequential\n"
        "m = Sequential([layers.Input(shape=(20,)), layers.Dense(8), layers.Dropout(0.1),\n"
        "                layers.BatchNormalization(), layers.Dense(16), layers.ReLU(), layers.Dense(4)])\n")
    pairs = [(p.layer.units, [b.kind for b in p.between], p.following.units, p.input_width)
             for p in affine_neighbours(model)]
    assert pairs == [(8, ["Dropout", "BatchNormalization"], 16, 20)]


def test_a_functional_model_with_a_merge_has_no_exact_chain() -> None:
    models = _models(
        "from tensorflow import keras\n"
        "from tensorflow.keras import layers\n"
        "i = keras.Input(shape=(8,))\n"
        "a = layers.Dense(8)(i)\n"
        "b = layers.Dense(8, activation='relu')(a)\n"
        "plain = keras.Model(i, layers.Dense(1)(b))\n"
        "merged = keras.Model(i, layers.Dense(1)(layers.Add()([a, b])))\n")
    plain, merged = models
    assert len(exact_chains(plain)) == 1 and exact_chains(merged) == []
    assert list(affine_neighbours(merged)) == []


def test_input_width_is_unknown_after_a_reshaping_layer() -> None:
    (model,) = _models(
        "import tensorflow as tf\n"
        "m = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(28, 28, 1)),\n"
        "                         tf.keras.layers.Flatten(), tf.keras.layers.Dense(32), tf.keras.layers.Dense(2)])\n")
    widths = {p.layer.kind: p.input_width for p in affine_neighbours(model)}
    assert widths == {"Conv2D": 1, "Dense": None}
