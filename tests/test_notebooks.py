"""Notebooks: code cells linted as one script, magics masked, positions per cell."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kerassniff.cli import main
from kerassniff.notebook import notebook_source


def notebook(*cells: str | tuple[str, str]) -> str:
    built = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            entry.update(outputs=[], execution_count=None)
        built.append(entry)
    return json.dumps({"cells": built, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


TRAINING = notebook(
    ("markdown", "# MNIST"),
    "!pip install -q tensorflow\n%matplotlib inline\nimport tensorflow as tf",
    "%%time\n(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()\nfiles = !ls\n"
    "x_train = x_train / 255.0",
    "model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)),\n"
    "    tf.keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "model.fit(x_train, tf.keras.utils.to_categorical(y_train), epochs=5)\n"
    "model.evaluate(x_test, tf.keras.utils.to_categorical(y_test))\nmodel?",
    "%%bash\necho $HOME\nls -la",
)


def run(path: Path, *args: str):
    return CliRunner().invoke(main, [str(path), "--no-cache", *args], catch_exceptions=False)


def test_findings_are_reported_per_cell(tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    path.write_text(TRAINING)
    result = run(path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{path}:cell 3:3:20: KS101 ") and "(cell 3 line 2)" in lines[0]
    assert lines[1].startswith(f"{path}:cell 3:5:1: KS201 ") and "(cell 3 line 4)" in lines[1]
    found = json.loads(run(path, "--output-format", "json").output)
    assert [(f["cell"], f["line"], f["code"]) for f in found] == [(3, 3, "KS101"), (3, 5, "KS201")]


def test_magics_are_masked_without_shifting_lines() -> None:
    source = notebook_source(TRAINING)
    lines = source.text.splitlines()
    assert len(lines) == len(source.cell_of_line) == 3 + 4 + 6 + 3
    assert lines[0].startswith("pass") and lines[1].startswith("pass") and lines[2] == "import tensorflow as tf"
    assert lines[5] == "files = None  # IPython magic"
    assert all(line.startswith("#") for line in lines[-3:])  # %%bash: not Python
    assert source.cell_of_line[3] == (2, 1)


def test_noqa_in_a_cell_and_folder_walks_find_notebooks(tmp_path: Path) -> None:
    (tmp_path / "train.ipynb").write_text(TRAINING.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # noqa: KS101"))
    found = json.loads(run(tmp_path, "--output-format", "json").output)
    assert [f["code"] for f in found] == ["KS201"]


def test_a_notebook_that_is_not_a_notebook(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": 3}')
    result = run(path)
    assert result.exit_code == 1 and "KS001 not a valid notebook" in result.output
