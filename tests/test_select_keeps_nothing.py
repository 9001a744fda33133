"""A run whose selection leaves no cross-script rule keeps no analysis and reads no trainer beside its files
(issue #15: nothing is built that no enabled rule asks for)."""
from __future__ import annotations

from pathlib import Path

from kerassniff.api import lint_paths, rule_set
from kerassniff.config import Config
from kerassniff.engine import lint_paths as batch

TRAIN = ("import keras\nimport numpy as np\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
         "model.compile(loss=\"mse\")\nmodel.fit(np.zeros((8, 2)), np.zeros(8))\nmodel.save(\"m.keras\")\n")
EVALUATE = "import keras\nmodel = keras.models.load_model('m.keras')\n"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "evaluate.py").write_text(EVALUATE)
    return tmp_path


def test_cross_script_rules_decide_whether_linked_analyses_are_kept(tmp_path: Path, monkeypatch) -> None:
    project = _project(tmp_path)
    kept: list[bool] = []
    original = batch._lint_here

    def spy(job, config, rules, keep_models, cross_script=True):
        result, analysis = original(job, config, rules, keep_models, cross_script)
        kept.append(analysis is not None)
        return result, analysis

    monkeypatch.setattr(batch, "_lint_here", spy)
    everything = Config()
    lint_paths([str(project)], everything, rules=rule_set(everything))
    assert kept == [True, True]  # both files link through m.keras, and KS203 reads them together

    kept.clear()
    only_loss = Config(select=["KS101"])
    assert not batch.reads_across_scripts(rule_set(only_loss))
    lint_paths([str(project)], only_loss, rules=rule_set(only_loss))
    assert kept == [False, False]


def test_every_default_selection_reads_across_scripts() -> None:
    assert batch.reads_across_scripts(rule_set(Config()))
