"""Structured reports: the words a rule says name the places they mention, and the engine fills them in."""
from __future__ import annotations

import json

import libcst as cst

from kerassniff.api import lint_source
from kerassniff.config import Config
from kerassniff.registry import Elsewhere, Report


def test_only_the_mentioned_names_become_places() -> None:
    here, there = cst.Name("a"), cst.Name("b")
    report = Report(here, "fit() ({fit}) reads {x: 1} and {unknown}", explanation="as at {fit} and {other}",
                    mentions={"fit": here, "other": Elsewhere(there, lambda node: "train.py line 7")})
    described = {here: "line 3"}
    assert report.render(report.message, described.__getitem__) == "fit() (line 3) reads {x: 1} and {unknown}"
    assert report.render(report.explanation, described.__getitem__) == "as at line 3 and train.py line 7"
    assert report.mentioned_nodes() == [here]  # the other script's node is not this script's to position
    assert Report(here, "no {fit} mentioned").render("no {fit} mentioned", described.__getitem__) == \
        "no {fit} mentioned"


def test_a_finding_names_the_line_its_report_mentions() -> None:
    source = ("import keras\n"
              "model = keras.Sequential([keras.Input(shape=(4,)),\n"
              "                          keras.layers.Dense(1, activation='softmax')])\n"
              "model.compile(loss='binary_crossentropy', optimizer='adam')\n")
    (finding,) = [f for f in lint_source(source, "train.py", Config()).findings if f.code == "KS103"]
    assert finding.message == "softmax over the 1-unit Dense output (line 3) is always 1.0: nothing is learnt"
    assert "\x00" not in finding.message and "{" not in finding.message


def test_a_notebook_finding_names_the_cell_and_line() -> None:
    cells = [["import keras\n"], ["model = keras.Sequential([keras.Input(shape=(4,)),\n",
                                   "                          keras.layers.Dense(1, activation='softmax')])\n"]]
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                      "execution_count": None} for c in cells],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (finding,) = [f for f in lint_source(notebook, "nb.ipynb", Config()).findings if f.code == "KS103"]
    assert "(cell 2 line 2)" in finding.message


def test_no_rule_reports_inside_a_definition_a_run_never_reaches() -> None:
    """A builder nobody calls in a script that trains at module level is dead code: the rules about models (KS1xx,
    KS3xx) stay silent there; the same builder called, kept in a list, or in a module of builders, is reported."""
    builder = ("def heavy_head(n):\n"
               "    net = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dropout(0.9),\n"
               "                            keras.layers.Dense(3, activation='softmax')])\n"
               "    net.compile(loss='binary_crossentropy', optimizer='adam')\n"
               "    return net\n")
    script = ("import keras\nimport numpy as np\n" + builder +
              "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
              "model.compile(loss='categorical_crossentropy', optimizer='adam')\n"
              "model.fit(np.load('x.npy'), np.load('y.npy'), epochs=3)\n")
    assert [f.code for f in lint_source(script, "train.py", Config()).findings] == []
    called = script + "other = heavy_head(4)\n"
    assert {f.code for f in lint_source(called, "train.py", Config()).findings} >= {"KS101", "KS307"}
    listed = script.replace("model = keras", "BUILDERS = [heavy_head]\nmodel = keras")
    assert {f.code for f in lint_source(listed, "train.py", Config()).findings} >= {"KS101", "KS307"}
    library = "import keras\n" + builder  # no training at module level: a module of builders others import
    assert {f.code for f in lint_source(library, "models.py", Config()).findings} >= {"KS101", "KS307"}


def test_a_module_that_trains_under_a_main_guard_and_is_imported_beside_is_judged_whole(tmp_path) -> None:
    """models.py smoke-tests one builder under ``if __name__ == "__main__":`` and train.py beside it imports the other:
    the builder its own run never reaches serves train.py, so its findings stay; with no file importing it, the
    module is a script whose unused builder is dead code."""
    from kerassniff.api import lint_paths
    (tmp_path / "models.py").write_text(
        "import numpy as np\nfrom tensorflow import keras\n\n\n"
        "def build_classifier(n):\n"
        "    model = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(5, activation='softmax')])\n"
        "    model.compile(optimizer=keras.optimizers.Adam(learning_rate=10.0), loss='categorical_crossentropy')\n"
        "    return model\n\n\n"
        "def build_tiny():\n"
        "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
        "    model.compile(optimizer='adam', loss='mse')\n"
        "    return model\n\n\n"
        "if __name__ == '__main__':\n"
        "    build_tiny().fit(np.zeros((8, 4)), np.zeros((8, 1)), epochs=1)\n")
    alone = lint_paths([tmp_path / "models.py"], Config())
    assert [f.code for f in alone.findings] == []
    (tmp_path / "train.py").write_text("import numpy as np\nfrom models import build_classifier\n\n"
                                       "model = build_classifier(8)\nmodel.fit(np.load('x.npy'), np.load('y.npy'))\n")
    beside = lint_paths([tmp_path / "models.py"], Config())
    assert [f.code for f in beside.findings] == ["KS305"]
