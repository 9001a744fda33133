"""The content-hash cache and worker processes give the same findings as a plain run."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kerassniff.api import lint_paths
from kerassniff.engine.lint_paths import PARALLEL_MIN_FILES
from kerassniff.engine.cache import CACHE_DIR_NAME, Cache
from kerassniff.cli import main
from kerassniff.config import Config
from tests.conftest import FIXTURES

TRAIN = """\
from keras.datasets import mnist
from keras import Sequential, layers
from common import prepare

(x_train, y_train), (x_test, y_test) = mnist.load_data()
model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(prepare(x_train), y_train, epochs=3)
model.evaluate(x_test, y_test)
"""


def as_json(folder: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, [str(folder), "--output-format", "json", *args], catch_exceptions=False)
    return json.loads(result.output)


def test_cached_rerun_gives_the_same_findings_and_hits_the_cache(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\n")
    (tmp_path / "common.py").write_text("def prepare(x):\n    return x / 255.0\n")
    (tmp_path / "train.py").write_text(TRAIN)
    first = as_json(tmp_path)
    assert [(f["line"], f["code"]) for f in first] == [(9, "KS201")]
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")
    cache = Cache.for_config(Config(root=tmp_path))
    results = lint_paths([str(tmp_path)], Config(root=tmp_path), cache=cache)
    assert all(r.cached for r in results.files if not r.skipped)
    assert as_json(tmp_path) == first


def test_editing_a_helper_invalidates_the_scripts_cache_entry(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\n")
    (tmp_path / "common.py").write_text("def prepare(x):\n    return x / 255.0\n")
    (tmp_path / "train.py").write_text(TRAIN)
    assert [f["code"] for f in as_json(tmp_path)] == ["KS201"]
    (tmp_path / "common.py").write_text("def prepare(x):\n    return x\n")  # no scaling any more
    assert [(f["line"], f["code"]) for f in as_json(tmp_path)] == [(8, "KS202")]  # raw pixels reach fit()


def test_a_script_skipped_for_naming_no_keras_is_read_once_its_sibling_module_names_keras(tmp_path: Path) -> None:
    # (the skip is cached with the sibling modules it read as dependencies; train.py itself never changes)
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\n")
    (tmp_path / "network.py").write_text("def build():\n    return None\n")
    (tmp_path / "train.py").write_text(
        "import numpy as np\nfrom network import build\n\nnet = build()\nx_test, y_test = np.load('x.npy'), "
        "np.load('y.npy')\nnet.fit(np.load('xt.npy'), np.load('yt.npy'), validation_data=(x_test, y_test))\n"
        "print(net.evaluate(x_test, y_test))\n")
    assert as_json(tmp_path) == []
    (tmp_path / "network.py").write_text(
        "from tensorflow import keras\n\n\ndef build():\n"
        "    net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "    net.compile(optimizer='adam', loss='mse')\n    return net\n")
    assert [f["code"] for f in as_json(tmp_path) if f["path"].endswith("train.py")] == ["KS205"]


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\n")
    (tmp_path / "train.py").write_text(TRAIN.replace("from common import prepare\n", "prepare = abs\n"))
    as_json(tmp_path, "--no-cache")
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\ncache = false\n")
    as_json(tmp_path)
    assert not (tmp_path / CACHE_DIR_NAME).exists()


def test_worker_processes_give_the_same_findings_including_cross_script_ones() -> None:
    config = Config()
    folders = [str(FIXTURES)]
    serial = lint_paths(folders, config, jobs=1).findings
    parallel = lint_paths(folders, config, jobs=2).findings
    assert len(list(FIXTURES.rglob("*.py"))) >= PARALLEL_MIN_FILES
    assert [f.to_json() for f in parallel] == [f.to_json() for f in serial]
    assert any(f.code == "KS203" for f in parallel)


def test_jobs_and_cache_options_are_validated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\njobs = -1\n")
    (tmp_path / "train.py").write_text("import keras\n")
    result = CliRunner().invoke(main, [str(tmp_path / "train.py")])
    assert result.exit_code == 2 and "jobs must be a whole number" in result.output
    result = CliRunner().invoke(main, [str(tmp_path / "train.py"), "--isolated", "-j", "x"])
    assert result.exit_code == 2
