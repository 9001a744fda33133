"""Heads, wrappers, losses and reloads: the Keras facts rules read from a model (issue 12)."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.api import lint_source
from kerassniff.checks._shared import loss_heads
from kerassniff.semantic import build_script


def build(source: str):
    return build_script(cst.parse_module(source), "t.py")


def lint_text(source: str, path: str):
    return lint_source(source, path).findings


def codes(source: str) -> list[str]:
    return [f.code for f in lint_text(source, "t.py")]


def test_output_activation_is_the_last_one_that_is_not_the_identity() -> None:
    script = build("from tensorflow import keras\nL = keras.layers\n"
                   "m = keras.Sequential([L.Dense(10, input_shape=(4,)), L.Activation('softmax'),\n"
                   "                      L.Dropout(0.1), L.Activation('linear', dtype='float32')])\n")
    (head,) = script.models[0].heads()
    assert (head.units, head.activation) == (10, "softmax")


def test_an_unknown_activation_before_a_known_one_does_not_matter() -> None:
    script = build("import keras\nact = get_activation()\n"
                   "m = keras.Sequential([keras.layers.Dense(3), keras.layers.Activation(act), keras.layers.Softmax()])\n")
    assert script.models[0].heads()[0].activation == "softmax"


@pytest.mark.parametrize("wrapper, units", [
    ("TimeDistributed(L.Dense(7, activation='softmax'))", 7),
    ("Bidirectional(L.LSTM(8))", 16),
    ("Bidirectional(L.LSTM(8), merge_mode='sum')", None),
])
def test_wrappers_are_read_as_their_inner_layer(wrapper: str, units: int | None) -> None:
    script = build(f"import tensorflow as tf\nL = tf.keras.layers\nm = tf.keras.Sequential([L.{wrapper}])\n")
    (layer,) = script.models[0].layers
    assert layer.wrapper == wrapper.split("(")[0] and layer.units == units
    assert layer.kind in ("Dense", "LSTM")


def test_a_wrapper_around_an_unknown_layer_is_unknown() -> None:
    script = build("import keras\nm = keras.Sequential([keras.layers.TimeDistributed(make_layer())])\n")
    assert script.models[0].heads() == [None]


def test_the_head_is_known_when_a_custom_layer_hides_the_body() -> None:
    script = build("import keras\n\nclass Block(keras.layers.Layer):\n    pass\n\n"
                   "inputs = keras.Input(shape=(8,))\nx = Block()(inputs)\nx = x * 2\n"
                   "outputs = keras.layers.Dense(5, activation='sigmoid')(x)\nmodel = keras.Model(inputs, outputs)\n")
    model = script.models[0]
    assert model.structure_known is False and model.output_paths() == []
    (head,) = model.heads()
    assert (head.units, head.activation) == (5, "sigmoid")


def test_the_head_is_known_after_an_unknown_entry_of_a_sequential() -> None:
    script = build("from keras.models import Sequential\nfrom keras.layers import Dense\nimport tensorflow_hub as hub\n"
                   "m = Sequential([hub.KerasLayer('u'), Dense(3, activation='softmax')])\n"
                   "m.add(hub.KerasLayer('v'))\n")
    model = script.models[0]
    assert [layer.kind for layer in model.layers] == ["Unknown", "Dense", "Unknown"]
    assert model.heads() == [None]  # an unknown layer after the last Dense: the output is unknown
    model.layers.pop()
    assert model.heads()[0].activation == "softmax"


def test_tf_nn_softmax_on_a_tensor_is_the_output_activation() -> None:
    source = ("import tensorflow as tf\ninputs = tf.keras.Input(shape=(4,))\n"
              "outputs = tf.nn.softmax(tf.keras.layers.Dense(10)(inputs))\nmodel = tf.keras.Model(inputs, outputs)\n"
              "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n")
    assert build(source).models[0].heads()[0].activation == "softmax"
    assert "KS104" not in codes(source)


def test_a_model_subclass_without_call_built_functionally_is_functional() -> None:
    script = build("import keras\n\nclass Custom(keras.Model):\n    def train_step(self, data):\n        return {}\n\n"
                   "i = keras.Input(shape=(3,))\nm = Custom(i, keras.layers.Dense(4, activation='relu')(i))\n")
    model = script.models[0]  # (a second, "subclassed" one stands for the class while train_step runs uncalled)
    assert model.kind == "functional" and model.structure_known
    assert model.heads()[0].activation == "relu"


@pytest.mark.parametrize("loss, expected", [
    ("{'b': 'mse', 'a': 'binary_crossentropy'}", [("a", "binary_crossentropy", 5)]),
    ("['binary_crossentropy', 'mse']", [(0, "binary_crossentropy", 5)]),
    ("{'c': 'binary_crossentropy'}", []),  # no output of that name
])
def test_losses_by_output_name_or_position(loss: str, expected) -> None:
    script = build("import keras\ni = keras.Input(shape=(3,))\n"
                   "a = keras.layers.Dense(5, activation='softmax', name='a')(i)\nb = keras.layers.Dense(1, name='b')(i)\n"
                   f"m = keras.Model(i, [a, b])\nm.compile(loss={loss})\n")
    found = [(l.output, l.name, h.units) for _, _, l, h in loss_heads(script) if l.name == "binary_crossentropy"]
    assert found == expected


def test_dict_outputs_are_named_by_their_keys() -> None:
    script = build("import keras\ni = keras.Input(shape=(3,))\n"
                   "m = keras.Model(i, {'p': keras.layers.Dense(4, activation='softmax')(i), 'q': keras.layers.Dense(1)(i)})\n")
    model = script.models[0]
    assert [model.output_name(0), model.output_name(1)] == ["p", "q"]


def test_losses_through_a_config_dict_point_at_the_spread() -> None:
    source = ("import keras\ncfg = dict_cfg = {'loss': 'sparse_categorical_crossentropy'}\n"
              "m = keras.Sequential([keras.layers.Dense(10, input_shape=(3,))])\nm.compile(optimizer='adam', **cfg)\n")
    script = build(source)
    (loss,) = script.models[0].compiles[0].losses
    assert loss.name == "sparse_categorical_crossentropy" and script.code_of(loss.node) == "cfg"


CHECKPOINT = ("import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.Dense(3, activation='softmax', "
              "input_shape=(4,))])\nm.compile(optimizer='adam', loss='categorical_crossentropy')\n"
              "cb = tf.keras.callbacks.ModelCheckpoint('best.keras'{extra})\nm.fit(x, y, callbacks=[cb])\n"
              "best = tf.keras.models.load_model('best.keras'{load})\n")


def test_a_reload_of_the_own_checkpoint_is_the_trained_model() -> None:
    script = build(CHECKPOINT.format(extra="", load=""))
    original, best = script.models
    assert best.kind == "loaded" and best.origin is original and best.structure_known
    assert best.heads()[0].units == 3 and [l.name for c in best.compiles for l in c.losses] == ["categorical_crossentropy"]


def test_a_reload_with_compile_false_keeps_the_layers_not_the_compile() -> None:
    script = build(CHECKPOINT.format(extra="", load=", compile=False"))
    best = script.models[1]
    assert best.origin is not None and best.compiles == [] and best.heads()[0].activation == "softmax"


def test_a_weights_only_checkpoint_is_not_a_model_file() -> None:
    script = build(CHECKPOINT.format(extra=", save_weights_only=True", load=""))
    assert script.models[1].origin is None and script.models[1].heads() == []


def test_model_save_then_load_model_is_the_trained_model() -> None:
    script = build("import keras\nm = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])\nm.save('m.h5')\n"
                   "again = keras.models.load_model('m.h5')\n")
    assert script.models[1].origin is script.models[0]


def test_from_logits_on_softmax_names_the_backends_it_hurts() -> None:
    source = ("import keras\nm = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(3,))])\n"
              "m.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n")
    (finding,) = [f for f in lint_text(source, "t.py") if f.code == "KS104"]
    assert "JAX and PyTorch" in finding.message
    assert "TensorFlow backend" in finding.explanation and "training is right there" in finding.explanation


@pytest.mark.parametrize("name, is_test", [
    ("x_test", True), ("Xtest", True), ("testX", True), ("generator_test", True), ("x_val", False),
    ("X_valid", False), ("latest", False), ("x_dev", False),
])
def test_test_split_names(name: str, is_test: bool) -> None:
    from kerassniff.checks.ks205_test_set_as_validation import _words

    assert ("test" in _words(name)) is is_test


def test_convolutions_separated_by_an_unknown_layer_are_not_compared() -> None:
    source = ("import tensorflow as tf\nL = tf.keras.layers\ni = tf.keras.Input(shape=(32, 32, 3))\n"
              "x = L.Conv2D(64, 3)(i)\nx = L.MaxPooling2D()(x)\nx = custom_block(x)\nx = L.Conv2D(32, 3)(x)\n"
              "x = L.MaxPooling2D()(x)\nx = L.Conv2D(16, 3)(x)\nm = tf.keras.Model(i, L.Dense(10, activation='softmax')(x))\n")
    found = [f.line for f in lint_text(source, "t.py") if f.code == "KS301"]
    assert found == [9]  # 32 -> 16 after pooling, not 64 -> 32 across the unknown block


def test_a_reloaded_model_does_not_repeat_the_findings_of_its_original() -> None:
    source = ("import keras\nm = keras.Sequential([keras.layers.Dense(10, input_shape=(3,))])\n"
              "m.compile(loss='sparse_categorical_crossentropy')\nm.save('m.keras')\n"
              "again = keras.models.load_model('m.keras')\n")
    assert codes(source).count("KS104") == 1
    assert build(source).models[1].origin is not None
