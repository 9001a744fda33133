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


def test_a_cross_script_check_that_fails_is_reported_in_one_line_and_the_rest_still_runs(
        tmp_path, monkeypatch, capsys) -> None:
    """A bug in one rule's check across scripts: one line on stderr, no traceback, the other findings kept."""
    from dataclasses import replace as replaced

    from kerassniff import registry
    from kerassniff.api import lint_paths as run
    from kerassniff.config import Config

    root = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "scaling_mismatch"

    def broken(scripts):
        raise ValueError("broken on purpose")
        yield  # pragma: no cover - a generator, as the real checks are

    registry.load_rules()
    monkeypatch.setitem(registry.RULES, "KS304", replaced(registry.RULES["KS304"], across=broken))
    result = run([str(root)], Config())
    assert any(f.code == "KS203" for f in result.findings)
    err = capsys.readouterr().err
    assert "internal error in KS304's check across scripts: ValueError: broken on purpose" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("text", "read"), [
    ("model.fit(data, steps_per_epoch=10)", True),
    ("model.fit(flow(load(path(root))), steps_per_epoch=10)", True),  # arguments nested three deep
    ("model.fit_generator(gen(a(b)), validation_steps=n)", True),
    ("model.fit(x)\nsteps_per_epoch = 10", False),  # the keyword outside the call
    ("scheduler = OneCycleLR(opt, max_lr=0.1, steps_per_epoch=10)", False),  # PyTorch's, not fit()'s
    ("model.fit(x, steps_per_epoch == 10)", False),
])
def test_a_walked_file_is_read_when_its_fit_counts_steps(text: str, read: bool) -> None:
    """A module that names no Keras package but gives fit() steps_per_epoch= (its model comes from the caller) is
    read when a folder is walked, however deep the arguments before the keyword nest (up to four levels)."""
    from kerassniff.engine.lint_file import may_hold_keras
    assert may_hold_keras(text) is read


@pytest.mark.parametrize(("line", "unread", "saves"), [
    (b'model.save("model/model50.keras")', False, True),
    (b'ckpt = ModelCheckpoint("model/best_model50.keras")', False, False),  # another file whose name ends alike
    (b'MODEL_SAVE_PATH = "model/model50.keras"', False, False),  # a setting saves nothing in a file that parses
    (b'MODEL_SAVE_PATH = "model/model50.keras"', True, True),  # in a file that does not parse, any saving word
    (b"keras.models.save_model(net, 'model50.keras')", False, True),
])
def test_a_file_beside_the_loader_may_save_its_model(line: bytes, unread: bool, saves: bool) -> None:
    """A file beside a loading script whose save kerassniff does not follow, but whose text saves the loaded file by
    name, may be that file's maker (then no trainer elsewhere is taken for it)."""
    from kerassniff.engine.lint_paths import _SAVING_CALL, _SAVING_LINE, _saves
    assert _saves(b"import x\n" + line + b"\n", b"model50.keras", _SAVING_LINE if unread else _SAVING_CALL) is saves


@pytest.mark.parametrize("beside", [
    'MODEL_SAVE_PATH = "models/digits.h5"\n',  # a settings module names the file: it saves nothing
    '# trained elsewhere; exported with model.save("models/digits.h5")\nimport json\n',  # a comment saves nothing
])
def test_a_file_beside_the_loader_that_only_names_its_model_keeps_the_trainer_linked(tmp_path: Path,
                                                                                      beside: str) -> None:
    """A file beside a loading script that names the loaded model file without saving it (a setting, a comment) is
    not taken for a possible maker: the trainer in the folder above stays linked and KS203 compares them."""
    (tmp_path / "app").mkdir()
    (tmp_path / "train.py").write_text(
        "from tensorflow import keras\n"
        "(x, y), _ = keras.datasets.mnist.load_data()\n"
        "net = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "net.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "net.fit(x / 255.0, y, epochs=1)\n"
        "net.save('models/digits.h5')\n")
    (tmp_path / "app" / "serve.py").write_text(
        "from tensorflow import keras\n"
        "_, (x, _) = keras.datasets.mnist.load_data()\n"
        "net = keras.models.load_model('models/digits.h5')\n"
        "print(net.predict(x[:5]).argmax(axis=1))\n")
    (tmp_path / "app" / "settings.py").write_text(beside)
    result = lint_paths([str(tmp_path)], Config(select=["KS203"]))
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("serve.py", "KS203")]
