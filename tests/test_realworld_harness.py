"""The real-code harness (benchmarks/realworld.py, benchmarks/plant.py) on code of our own.

The mutators must plant exactly the bug they name, keep the script (and a notebook) valid, and
stay silent where the bug's precondition does not hold; the triage comparison must classify
findings by (path, line, code) and match labels by file, line and category.  Nothing here reads
the corpus.
"""
from __future__ import annotations

import ast
import json
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import plant  # noqa: E402
import realworld  # noqa: E402
from kerassniff.findings import Finding, Severity  # noqa: E402
from kerassniff.notebook import notebook_source  # noqa: E402

SCRIPT = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras
    from tensorflow.keras import layers

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 28, 28, 1) / 255.0
    x_test = x_test.reshape(-1, 28, 28, 1) / 255.0
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential([
        layers.Conv2D(16, 3, activation="relu", input_shape=(28, 28, 1)),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.BatchNormalization(),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=2, batch_size=32, validation_split=0.1)
    model.evaluate(x_test, y_test)
    preds = model.predict(x_test, verbose=0)
    """)


def mutants(text: str, path: str = "train.py") -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, mutant, mutated in plant.mutants_of(text, path):
        assert mutated is not None, f"({kind.key}) {mutant.description}: not valid"
        found.setdefault(kind.key, []).append(mutated)
    return found


def valid(code: str) -> bool:
    ast.parse(code)
    cst.parse_module(code)
    return True


@pytest.fixture(scope="module")
def planted() -> dict[str, list[str]]:
    return mutants(SCRIPT)


# Kinds whose precondition SCRIPT does not meet (a validation tuple, a binary head, a flat input): tested on
# variants.
NOT_IN_SCRIPT = {"o", "q", "s", "t", "u", "v", "x", "y", "aa", "ac", "ad", "ae", "af", "ah"}


def test_every_kind_plants_once_and_stays_valid(planted):
    assert sorted(planted) == sorted(k.key for k in plant.KINDS if k.key not in NOT_IN_SCRIPT)
    for key, codes in planted.items():
        assert len(codes) == 1, key
        assert valid(codes[0]) and codes[0] != SCRIPT


def test_kinds_change_what_they_name(planted):
    a, b, c, d, e, f, g, h, i, j, k, l, m, n, p = (planted[key][0] for key in "abcdefghijklmnp")
    assert 'loss="binary_crossentropy"' in a and "categorical_crossentropy" not in a
    assert "x_test = x_test.reshape(-1, 28, 28, 1)\n" in b and "x_train.reshape(-1, 28, 28, 1) / 255.0" in b
    assert "255" not in c
    assert "validation_data=(x_test, y_test)" in d and "validation_split" not in d
    assert 'loss="sparse_categorical_crossentropy"' in e
    assert f.index("Conv2D(32") < f.index("Conv2D(16")
    assert "for i_sample in range(len(x_test)):\n" in g
    assert "    preds.append(model.predict(x_test[i_sample:i_sample + 1], verbose=0))\n" in g
    assert "preds = np.concatenate(preds)" in g
    assert "x_train = x_train.reshape(-1, 28, 28, 1) / 255.0\nx_train = x_train / 255.0\n" in h
    assert 'layers.Dense(9, activation="softmax")' in i
    assert "Flatten" not in j and "        layers.MaxPooling2D(),\n        layers.Dense(64" not in j
    assert "    layers.MaxPooling2D(),\n    layers.Dense(64" in j
    assert "batch_size=1," in k
    assert 'layers.Dense(64, activation="linear")' in l
    assert "Adam(learning_rate=-1e-3)" in m
    assert "layers.Dropout(0.8)" in n
    assert 'loss="mean_squared_error"' in p
    # one bug at a time: everything outside the planted place is unchanged
    assert a.replace('"binary_crossentropy"', '"categorical_crossentropy"') == SCRIPT


FLOW_SCRIPT = textwrap.dedent("""\
    from tensorflow import keras
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    train_flow = ImageDataGenerator(rescale=1 / 255).flow_from_directory("cells/train", batch_size=16)
    model = keras.Sequential([keras.Input((256, 256, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(train_flow, epochs=3)
    """)


def test_kinds_of_the_split_steps_and_training_rules(planted):
    z, ab = planted["z"][0], planted["ab"][0]
    assert "(x_train, y_train), (x_train, y_test) = keras.datasets.mnist.load_data()" in z
    assert ".fit(" not in ab and "\npass\nmodel.evaluate(x_test, y_test)" in ab
    (aa,) = mutants(FLOW_SCRIPT)["aa"]
    assert "model.fit(train_flow, epochs=3, steps_per_epoch=len(train_flow) // 16)" in aa
    assert "aa" not in mutants(FLOW_SCRIPT.replace("epochs=3)", "epochs=3, steps_per_epoch=10)"))
    (default,) = mutants(FLOW_SCRIPT.replace(", batch_size=16", ""))["aa"]
    assert "steps_per_epoch=len(train_flow) // 32" in default  # the reader's default batch size
    assert "ab" not in mutants(SCRIPT.replace("model.evaluate(", "model.load_weights('w.h5')\nmodel.evaluate("))
    assert "ab" not in mutants(SCRIPT.replace("model.evaluate(x_test, y_test)\npreds = model.predict(x_test, "
                                              "verbose=0)\n", ""))  # nothing asks the untrained model


@pytest.mark.parametrize("change, kind", [
    ('layers.Dense(10, activation="softmax")', "a"),  # replaced below by a 2-unit softmax
    ("the softmax head", "f"),  # replaced below: no classifier head
])
def test_no_mutant_where_the_precondition_fails(change, kind):
    if kind == "a":
        text = SCRIPT.replace(change, 'layers.Dense(2, activation="softmax")')
    else:
        text = SCRIPT.replace('layers.Dense(10, activation="softmax")', "layers.Dense(10)")
    assert kind not in mutants(text)


def test_other_preconditions():
    no_test_split = SCRIPT.replace("model.evaluate(x_test, y_test)\n", "")
    assert "d" not in mutants(no_test_split)
    rescaled = SCRIPT.replace("layers.Flatten(),", "layers.Flatten(),\n    layers.Rescaling(1.0),")
    assert "c" not in mutants(rescaled)
    integer_labels = SCRIPT.replace("y_train = keras.utils.to_categorical(y_train, 10)\n", "")
    assert "e" not in mutants(integer_labels)
    add_style = ("model = keras.Sequential()\nmodel.add(layers.Conv2D(16, 3, input_shape=(28, 28, 1)))\n"
                 "model.add(layers.MaxPooling2D())\nmodel.add(layers.Flatten())\n"
                 "model.add(layers.Dense(10, activation='softmax'))\n")
    (j,) = mutants(add_style)["j"]
    assert "model.add(layers.MaxPooling2D())\npass\nmodel.add(layers.Dense(10, " in j
    assert "j" not in mutants(add_style.replace(", activation='softmax'", ""))  # a regression head
    few_rows = SCRIPT.replace("preds = model.predict(x_test, verbose=0)",
                              "x_test_few = x_test[:5]\npreds = model.predict(x_test_few)")
    assert "g" not in mutants(few_rows)


def test_test_split_replaces_the_validation_tuple():
    text = SCRIPT.replace("validation_split=0.1", "validation_data=(x_val, y_val)").replace(
        "model = keras.Sequential", "x_val, y_val = x_train[:100], y_train[:100]\nmodel = keras.Sequential")
    (d,) = mutants(text)["d"]
    assert "validation_data=(x_test, y_test))" in d and "x_val, y_val)" not in d.split("model.fit")[1]
    (o,) = mutants(text)["o"]
    assert "validation_data=(x_train[:1000], y_train[:1000]))" in o


def test_bce_on_relu_needs_a_one_unit_sigmoid_head():
    binary = SCRIPT.replace('layers.Dense(10, activation="softmax")', 'layers.Dense(1, activation="sigmoid")').replace(
        '"categorical_crossentropy"', '"binary_crossentropy"')
    (q,) = mutants(binary)["q"]
    assert 'layers.Dense(1, activation="relu")' in q
    assert "q" not in mutants(SCRIPT)


def test_inverted_mode_needs_a_callback_watching_a_loss_or_an_accuracy():
    """(t) replaces a callback's mode, or adds one after its last argument; a quantity of unknown direction and a
    checkpoint that saves every epoch are left alone."""
    watched = SCRIPT.replace("validation_split=0.1)", "validation_split=0.1,\n          callbacks=[stop])").replace(
        "model.fit(", "stop = keras.callbacks.EarlyStopping(monitor='val_accuracy', patience=3)\nmodel.fit(")
    (t,) = mutants(watched)["t"]
    assert "EarlyStopping(monitor='val_accuracy', patience=3, mode='min')" in t and valid(t)
    (t,) = mutants(watched.replace("patience=3)", "mode='max', patience=3)"))["t"]
    assert "mode='min'" in t and "mode='max'" not in t
    assert "t" not in mutants(watched.replace("'val_accuracy'", "'val_dice'"))
    checkpoint = watched.replace("EarlyStopping(monitor='val_accuracy', patience=3)",
                                 "ModelCheckpoint('m.keras', monitor='val_loss')")
    assert "t" not in mutants(checkpoint)


FOLDS = textwrap.dedent("""\
    import numpy as np
    from sklearn.model_selection import KFold
    from tensorflow import keras

    x, y = np.load("x.npy"), np.load("y.npy")
    folds = KFold(n_splits=5, shuffle=True)
    for train, test in folds.split(x):
        x_fit = x[train]
        model = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_fit, y[train], epochs=3)
        print(model.evaluate(x[test], y[test]))
    """)


def test_model_built_before_folds_moves_the_build_and_compile_out_of_the_loop(tmp_path):
    """(u) moves the statements from ``model = ...`` to its compile() before the fold loop, dedented; a build that
    reads a name the loop binds, a loop over something else, and a fold loop that never scores its held-out part
    are left alone."""
    (u,) = mutants(FOLDS)["u"]
    assert valid(u) and u.index("model.compile(") < u.index("for train, test in folds.split(x):")
    assert '\nmodel = keras.Sequential([keras.Input((x.shape[1],)), keras.layers.Dense(8, activation="relu"),\n' in u
    assert "    x_fit = x[train]\n    model.fit(x_fit" in u
    assert "u" not in mutants(FOLDS.replace("keras.Input((x.shape[1],))", "keras.Input((x_fit.shape[1],))"))
    assert "u" not in mutants(FOLDS.replace("folds.split(x)", "zip(x, y)"))
    assert "u" not in mutants(FOLDS.replace("    print(model.evaluate(x[test], y[test]))\n", ""))
    script = tmp_path / "folds.py"
    script.write_text(FOLDS)
    found = plant.plant_file(script, "folds.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "u"))
    assert [p.found for p in found] == [True]  # KS212 finds what (u) planted


def test_fold_indices_dropped_replaces_every_selection_by_its_array(tmp_path):
    """(ac) replaces each selection by the fold's indices (``x[train]``) with the whole array; a loop that reads the
    indices in another way too, and a loop over something else, are left alone."""
    (ac,) = mutants(FOLDS)["ac"]
    assert valid(ac) and "x_fit = x\n" in ac and "model.fit(x_fit, y, epochs=3)" in ac
    assert "print(model.evaluate(x, y))" in ac and "[train]" not in ac and "[test]" not in ac
    assert "ac" not in mutants(FOLDS.replace("    print(model.evaluate(", "    print(len(test), model.evaluate("))
    assert "ac" not in mutants(FOLDS.replace("folds.split(x)", "zip(x, y)"))
    script = tmp_path / "folds.py"
    script.write_text(FOLDS)
    found = plant.plant_file(script, "folds.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "ac"))
    assert [p.found for p in found] == [True]  # KS234 finds what (ac) planted


CALLBACKS = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras

    x, y = np.load("x.npy"), np.load("y.npy")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    halt = keras.callbacks.EarlyStopping(patience=3)
    best = keras.callbacks.ModelCheckpoint("weights.keras", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=30, callbacks=[halt, best])
    """)


def test_callbacks_dropped_removes_the_argument(tmp_path):
    """(ad) removes ``callbacks=`` from the fit() that alone reads the training callbacks; a callback read elsewhere
    too, or one that only logs, is left alone."""
    (ad,) = mutants(CALLBACKS)["ad"]
    assert valid(ad) and "model.fit(x, y, validation_split=0.2, epochs=30)\n" in ad
    assert "ad" not in mutants(CALLBACKS + "print(halt)\n")
    assert "ad" not in mutants(CALLBACKS.replace("ModelCheckpoint(\"weights.keras\", save_best_only=True)",
                                                 "TensorBoard(\"logs\")"))
    script = tmp_path / "callbacks.py"
    script.write_text(CALLBACKS)
    found = plant.plant_file(script, "callbacks.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "ad"))
    assert [p.found for p in found] == [True]  # KS238 finds what (ad) planted


SPLIT = textwrap.dedent("""\
    import numpy as np
    from sklearn.model_selection import train_test_split
    from tensorflow import keras

    x, y = np.load("x.npy"), np.load("y.npy")


    def train():
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2)
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x_train, y_train, epochs=3)
        print(model.evaluate(x_test, y_test))


    train()
    """)


def test_oversampled_before_split_inserts_the_resampling(tmp_path):
    """(ae) writes the SMOTE resampling, with its import, on a line of its own just before the split (indented as
    it is); a split whose held-out part nothing scores is left alone."""
    (ae,) = mutants(SPLIT)["ae"]
    assert valid(ae) and ("    from imblearn.over_sampling import SMOTE; x, y = SMOTE().fit_resample(x, y)\n"
                          "    x_train, x_test, y_train, y_test = train_test_split(") in ae
    assert "ae" not in mutants(SPLIT.replace("print(model.evaluate(x_test, y_test))", "model.save('m.keras')"))
    script = tmp_path / "split.py"
    script.write_text(SPLIT)
    found = plant.plant_file(script, "split.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "ae"))
    assert [p.found for p in found] == [True]  # KS239 finds what (ae) planted


def test_fit_on_unsplit_gives_fit_the_whole_arrays(tmp_path):
    """(af) replaces the training part given to fit() by the arrays the split divided; a fit() of other arrays, or a
    split whose held-out part nothing scores, is left alone."""
    (af,) = mutants(SPLIT)["af"]
    assert valid(af) and "    model.fit(x, y, epochs=3)\n" in af
    assert "af" not in mutants(SPLIT.replace("print(model.evaluate(x_test, y_test))", "model.save('m.keras')"))
    script = tmp_path / "split.py"
    script.write_text(SPLIT)
    found = plant.plant_file(script, "split.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "af"))
    assert [p.found for p in found] == [True]  # KS241 finds what (af) planted


def test_labels_divided_before_their_one_hot_encoding(tmp_path, planted):
    """(ag) divides the class ids by 255 on the line before the to_categorical() whose rows fit() trains on; an
    encoding of labels nothing trains on is left alone."""
    (ag,) = planted["ag"]
    assert valid(ag) and "y_train = y_train / 255.0\ny_train = keras.utils.to_categorical(y_train, 10)\n" in ag
    assert "ag" not in mutants(SCRIPT.replace("y_train = keras.utils", "onehot_train = keras.utils").replace(
        "y_test = keras.utils", "onehot_test = keras.utils"))
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    found = plant.plant_file(script, "train.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "ag"))
    assert [p.found for p in found] == [True]  # KS242 finds what (ag) planted


CLOTHES = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_train, x_test = x_train / 255.0, x_test / 255.0
    class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=3)
    y_pred = model.predict(x_test[:3]).argmax(axis=-1)
    print(np.array(class_names)[y_pred])
    """)


def test_dataset_class_names_swapped_in_their_written_list(tmp_path):
    """(ah) swaps two names of a written list of a Keras dataset's classes that names predictions; a list in
    another order already, of other names, or that names no prediction is left alone."""
    (ah,) = mutants(CLOTHES)["ah"]
    assert valid(ah) and '"Pullover", "Sandal", "Coat",' in ah and '"Dress", "Shirt", "Sneaker"' in ah
    assert "ah" not in mutants(CLOTHES.replace('"Trouser", "Pullover"', '"Pullover", "Trouser"'))
    assert "ah" not in mutants(CLOTHES.replace('"Coat"', '"Jacket"'))
    assert "ah" not in mutants(CLOTHES.replace("[y_pred]", "[y_test[:3]]"))
    script = tmp_path / "clothes.py"
    script.write_text(CLOTHES)
    found = plant.plant_file(script, "clothes.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "ah"))
    assert [p.found for p in found] == [True]  # KS236 finds what (ah) planted


FLOWS = textwrap.dedent("""\
    import numpy as np
    from sklearn.metrics import confusion_matrix
    from tensorflow import keras
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    flow = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data", target_size=(32, 32), shuffle=False)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(flow, epochs=1)
    print(confusion_matrix(flow.classes, np.argmax(model.predict(flow), axis=1)))
    """)


def test_flow_scored_against_its_classes_made_to_shuffle(tmp_path):
    """(v) turns shuffle=False into True on a flow of a script that reads .classes; none without .classes."""
    (v,) = mutants(FLOWS)["v"]
    assert valid(v) and "shuffle=True" in v and "shuffle=False" not in v
    assert "v" not in mutants(FLOWS.replace("flow.classes", "flow.labels_by_hand"))
    script = tmp_path / "flows.py"
    script.write_text(FLOWS)
    found = plant.plant_file(script, "flows.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "v"))
    assert [p.found for p in found] == [True]  # KS213 finds what (v) planted


SEQUENCES = textwrap.dedent("""\
    from tensorflow import keras

    (train_ids, y_train), (test_ids, y_test) = keras.datasets.imdb.load_data(num_words=5000)
    train_seq = keras.utils.pad_sequences(train_ids, maxlen=200)
    test_seq = keras.utils.pad_sequences(test_ids, maxlen=200)
    model = keras.Sequential([keras.layers.Embedding(5000, 32), keras.layers.LSTM(32),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train_seq, y_train, epochs=1)
    model.evaluate(test_seq, y_test)
    """)


def test_held_out_sequences_padded_at_the_other_end(tmp_path):
    """(x) gives the held-out pad_sequences call padding='post' (or flips a given side); none where the held-out
    sequences never reach the model, where a mask hides the side, or where the sides already differ."""
    (x,) = mutants(SEQUENCES)["x"]
    assert "keras.utils.pad_sequences(test_ids, maxlen=200, padding='post')" in x
    assert x.replace(", padding='post'", "") == SEQUENCES
    given = SEQUENCES.replace("(test_ids, maxlen=200)", "(test_ids, maxlen=200, padding='pre')")
    (flipped,) = mutants(given)["x"]
    assert "padding='post'" in flipped and "padding='pre'" not in flipped
    assert "x" not in mutants(SEQUENCES.replace("model.evaluate(test_seq, y_test)", "print(len(test_seq))"))
    assert "x" not in mutants(SEQUENCES.replace("Embedding(5000, 32)", "Embedding(5000, 32, mask_zero=True)"))
    assert "x" not in mutants(SEQUENCES.replace("(train_ids, maxlen=200)", "(train_ids, maxlen=200, padding='post')"))
    script = tmp_path / "sequences.py"
    script.write_text(SEQUENCES)
    found = plant.plant_file(script, "sequences.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "x"))
    assert [p.found for p in found] == [True]  # KS215 finds what (x) planted


REGRESSION = textwrap.dedent("""\
    import numpy as np
    import tensorflow as tf

    x_train, y_train = np.load("x.npy"), np.load("y.npy")
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(x_train)
    model = tf.keras.Sequential([normalizer, tf.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x_train, y_train, epochs=5)
    """)


def test_adapt_call_removed(tmp_path):
    """(y) removes the one adapt() of a Normalization made in the file without statistics; none where the layer
    is given mean=/variance=, is adapted twice, or where an adapt is not a call of its own statement."""
    (y,) = mutants(REGRESSION)["y"]
    assert "normalizer.adapt" not in y and y.replace("None\n", "normalizer.adapt(x_train)\n") == REGRESSION
    assert "y" not in mutants(REGRESSION.replace("(axis=-1)", "(mean=0.0, variance=1.0)"))
    assert "y" not in mutants(REGRESSION.replace("normalizer.adapt(x_train)\n", "normalizer.adapt(x_train)\n" * 2))
    assert "y" not in mutants(REGRESSION.replace("normalizer.adapt(x_train)", "done = normalizer.adapt(x_train)"))
    script = tmp_path / "regression.py"
    script.write_text(REGRESSION)
    found = plant.plant_file(script, "regression.py", plant.Config(), tuple(k for k in plant.KINDS if k.key == "y"))
    assert [p.found for p in found] == [True]  # KS219 finds what (y) planted


def _notebook(cells: list[str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": c.splitlines(keepends=True), "outputs": [],
         "execution_count": None} for c in cells]})


def test_notebook_mutants_go_back_into_their_cells():
    head, rest = SCRIPT.split("model = keras.Sequential", 1)
    cells = ["%matplotlib inline\n" + head, "model = keras.Sequential" + rest]
    original = _notebook(cells)
    found = mutants(original, "nb.ipynb")
    assert sorted(found) == sorted(k.key for k in plant.KINDS if k.key not in NOT_IN_SCRIPT)
    for key, (text,) in found.items():
        document = json.loads(text)
        sources = ["".join(c["source"]) for c in document["cells"]]
        assert len(sources) == 2 and sources[0].startswith("%matplotlib inline\n"), key
        assert valid(notebook_source(text).text)
    g_cells = ["".join(c["source"]) for c in json.loads(found["g"][0])["cells"]]
    assert g_cells[0] == cells[0] and "for i_sample in range(len(x_test)):" in g_cells[1]
    c_cells = ["".join(c["source"]) for c in json.loads(found["c"][0])["cells"]]
    assert "255" not in c_cells[0] and c_cells[1] == cells[1]


# --- the triage comparison --------------------------------------------------------------------


def finding(path: str, line: int, code: str, cell: int | None = None) -> Finding:
    extra = {"cell": cell} if cell is not None else {}
    return Finding(path, line, 1, line, 2, code, "name", Severity.ERROR, f"{code} message", extra=extra)


def test_triage_classifies_findings(tmp_path):
    corpus = tmp_path
    rows = {r.key: r for r in [
        realworld.Row(realworld.Key("clean/a/x.py", "3", "KS101"), "TP", "a real bug"),
        realworld.Row(realworld.Key("clean/a/y.ipynb", "cell 2:4", "KS301"), "FP", "an output conv"),
        realworld.Row(realworld.Key("clean/a/z.py", "9", "KS105"), "noise", "top-1 beside it"),
        realworld.Row(realworld.Key("clean/a/gone.py", "1", "KS402"), "TP", "no longer reported"),
    ]}
    labels = [realworld.Label("buggy/b/w.py", "7", "missing normalisation"),
              realworld.Label("buggy/b/w.py", "2", "missing normalisation"),  # an omission: anywhere in the file
              realworld.Label("buggy/b/w.py", "7", "redundant softmax"),  # KS201 does not fit the category
              realworld.Label("buggy/b/w.py", "", "wrong loss for output (logits)"),
              realworld.Label("buggy/b/w.py", "12", "oscillating loss (training problem)")]
    findings = [
        finding(str(corpus / "clean/a/x.py"), 3, "KS101"),
        finding(str(corpus / "clean/a/x.py"), 3, "KS101"),  # same key: one row covers both
        finding(str(corpus / "clean/a/y.ipynb"), 4, "KS301", cell=2),
        finding(str(corpus / "clean/a/z.py"), 9, "KS105"),
        finding(str(corpus / "clean/a/new.py"), 5, "KS202"),
        finding(str(corpus / "buggy/b/w.py"), 7, "KS201"),
        finding(str(corpus / "buggy/b/w.py"), 30, "KS402"),
    ]
    c = realworld.compare(findings, corpus, rows, labels, files_checked=6, clean_files=5)
    verdicts = {(o.key.path, o.key.line): o.verdict for o in c.observed}
    assert verdicts == {("clean/a/x.py", "3"): "TP", ("clean/a/y.ipynb", "cell 2:4"): "FP",
                        ("clean/a/z.py", "9"): "noise", ("clean/a/new.py", "5"): None,
                        ("buggy/b/w.py", "7"): None, ("buggy/b/w.py", "30"): None}
    assert c.non_tp_clean_files() == ["clean/a/new.py", "clean/a/y.ipynb", "clean/a/z.py"]
    assert [r.key.path for r in c.stale] == ["clean/a/gone.py"]
    assert [(u.key.path, u.key.code) for u in c.untriaged] == [
        ("buggy/b/w.py", "KS201"), ("buggy/b/w.py", "KS402"), ("clean/a/new.py", "KS202")]
    assert [(label.found, label.fittable) for label in c.labels] == [
        (True, True), (True, True), (False, True), (False, True), (False, False)]
    summary = realworld.summary(c)
    assert summary["clean_files_with_fp_or_noise"] == 2
    assert summary["clean_files_with_non_tp_finding"] == 3 and summary["clean_files_with_non_tp_finding_pct"] == 60.0
    assert summary["per_rule"]["KS101"] == {"TP": 1} and summary["per_rule"]["KS202"] == {"untriaged": 1}


def test_triage_file_round_trip(tmp_path):
    rows = [realworld.Row(realworld.Key("clean/a/b.ipynb", "cell 10:2", "KS001"), "FP", "a shell line continued"),
            realworld.Row(realworld.Key("clean/a/b.ipynb", "cell 9:12", "KS001"), "TP", "Python 2"),
            realworld.Row(realworld.Key("clean/a/a.py", "20", "KS402"), "", "")]
    path = tmp_path / "triage.tsv"
    path.write_text(realworld.triage_tsv(rows), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")
    body = [line.split("\t")[:3] for line in text.splitlines() if not line.startswith("#")][1:]
    # a notebook finding is keyed by its cell and its line in the cell, as kerassniff's JSON reports them
    assert body == [["clean/a/a.py", "", "20"], ["clean/a/b.ipynb", "9", "12"], ["clean/a/b.ipynb", "10", "2"]]
    assert realworld.read_triage(path) == {r.key: r for r in rows}


def test_usage_error_exits_2(tmp_path, capsys):
    assert realworld.main([str(tmp_path)]) == 2
    assert "neither clean/ nor buggy/" in capsys.readouterr().err
