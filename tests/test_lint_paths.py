"""Many files: linked files are analysed once, in worker runs too."""
from __future__ import annotations

from pathlib import Path

import pytest

from kerassniff.api import Config, lint_paths
from kerassniff.engine import lint_paths as engine
from tests.test_cross_script_siblings import EVALUATE, TRAIN


def test_a_parallel_run_analyses_linked_files_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "evaluate.py").write_text(EVALUATE)
    for index in range(engine.PARALLEL_MIN_FILES):
        (tmp_path / f"other_{index}.py").write_text("import keras\nmodel = keras.Sequential()\n")
    again: list[str] = []
    original = engine.lint_file

    def second_analysis(path, *args, **kwargs):
        again.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_file", second_analysis)
    result = lint_paths([str(tmp_path)], Config(), jobs=2)
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("evaluate.py", "KS203"), ("train.py", "KS101")]
    assert again == []


def test_the_link_hint_names_every_call_a_link_comes_from() -> None:
    for call in (b"model.save('m.keras')", b"model.save_weights('w.h5')", b"model.export('saved')",
                 b"keras.models.load_model('m.keras')", b"model.load_weights('w.h5')"):
        assert engine.LINK_HINT.search(call), call
    assert engine.LINK_HINT.search(b"np.save('x.npy', x)")  # a false hint only moves the file into this process
    assert not engine.LINK_HINT.search(b"model.fit(x, y)\nprint('saved')\n")
