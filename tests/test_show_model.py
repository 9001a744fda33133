"""``kerassniff --show-model``: the semantic model as a rule author reads it (models, layers and shapes, data)."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kerassniff.cli import main

SCRIPT = """\
import keras
from keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
x_train = x_train / 255.0
y_train = keras.utils.to_categorical(y_train, 10)

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Conv2D(16, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=2)

inputs = keras.Input(shape=(8,))
hidden = layers.Dense(4, activation="tanh")(inputs)
outputs = layers.Dense(1, activation="sigmoid")(hidden)
scorer = keras.Model(inputs, outputs)
scorer.compile(loss="binary_crossentropy", optimizer="sgd")
scorer.save("scorer.keras")
"""


def show_model(tmp_path: Path) -> list[str]:
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    result = CliRunner().invoke(main, [str(path), "--show-model", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_show_model_prints_each_model_with_its_layers_shapes_and_calls(tmp_path: Path) -> None:
    lines = show_model(tmp_path)
    assert lines[0] == f"== {tmp_path / 'train.py'}"
    assert lines[1:4] == ["imports:", "  keras = keras", "  layers = keras.layers"]
    first = lines.index("model 'model' (sequential, line 8)")
    assert lines[first + 2:first + 6] == [
        "  line   11  MaxPooling2D -> (None, 15, 15, 16)",
        "  line   12  Flatten -> (None, 3600)",
        "  line   13  Dense units=10 activation=softmax -> (None, 10)",
        "  output: 10-unit softmax",
    ]
    assert lines[first + 1].startswith("  line   10  Conv2D units=16 activation=relu ")
    assert lines[first + 1].endswith(" -> (None, 30, 30, 16)")
    assert lines[first + 6] == "  compile (line 15): loss=categorical_crossentropy(from_logits=False) metrics=accuracy"
    assert lines[first + 7] == (
        "  fit (line 16): x=<x_train from cifar10.load_data() split=train n=50000 scaling=scale:/255> "
        "y=<y_train from cifar10.load_data() split=train encoding=onehot classes=10 n=50000 scaling=none> epochs=2")
    second = lines.index("model 'scorer' (functional, line 21)")
    assert lines[second + 1:second + 6] == [
        "  line   19  Dense units=4 activation=tanh -> (None, 4)",
        "  line   20  Dense units=1 activation=sigmoid -> (None, 1)",
        "  output: 1-unit sigmoid",
        "  compile (line 22): loss=binary_crossentropy(from_logits=False) metrics=-",
        "  save (line 23): 'scorer.keras'",
    ]
    assert "All checks passed (1 file checked)." in lines


def test_show_model_marks_unread_layers_and_unknown_widths(tmp_path: Path) -> None:
    # A KerasHub classifier's head is known (linear Dense(num_classes)) but its layers are not read; a Softmax
    # layer after an unknown model keeps its activation with an unknown width.
    path = tmp_path / "train.py"
    path.write_text("import keras\nimport keras_hub\n"
                    "classifier = keras_hub.models.ImageClassifier.from_preset('resnet_50_imagenet', num_classes=4)\n"
                    "base = keras.models.load_model('base.keras')\n"
                    "model = keras.Sequential([base, keras.layers.Softmax()])\n")
    result = CliRunner().invoke(main, [str(path), "--show-model", "--no-cache"], catch_exceptions=False)
    lines = result.output.splitlines()
    assert "model 'classifier' (library, line 3) [layers not fully known]" in lines
    assert "  output: 4-unit linear" in lines
    assert "  output: ?-unit softmax" in lines
    assert not any("None-unit" in line for line in lines)
