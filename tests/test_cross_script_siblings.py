"""KS203 when only the loading script is named (pre-commit with one staged file, an editor buffer).

The trainer beside it is read for its links only: its own findings are never
reported, and only files that mention the model file's name are analysed.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kerassniff.engine import lint_paths as batch
from kerassniff.api import lint_source
from kerassniff.cli import main
from kerassniff.config import Config

TRAIN = (
    "import keras\n"
    "(x, y), _ = keras.datasets.mnist.load_data()\n"
    "x = x.astype('float32') / 255\n"
    "model = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)), keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"  # KS101 of its own
    "model.fit(x, y, epochs=3)\n"
    "model.save('digits.keras')\n"
)
EVALUATE = (
    "import keras\n"
    "model = keras.models.load_model('digits.keras')\n"
    "_, (x_test, y_test) = keras.datasets.mnist.load_data()\n"
    "print(model.evaluate(x_test, y_test))\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "evaluate.py").write_text(EVALUATE)
    monkeypatch.chdir(tmp_path)  # pre-commit runs the hook in the repository root with relative paths
    return tmp_path


def test_naming_only_the_loading_script_still_reports_ks203(project: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate.py", "--no-cache"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("evaluate.py:4:7: KS203 evaluate() gets 'x_test' not scaled, but train.py (line 6)")
    assert not any(line.startswith("train.py") for line in lines)  # read for its links only: no findings
    assert "(1 file checked)" in result.stdout


def test_the_editor_gets_ks203_for_its_buffer(project: Path) -> None:
    config = Config()
    buffer = lint_source(EVALUATE, str(project / "evaluate.py"), config)
    found = batch.sibling_findings(buffer, config)
    assert [(f.code, f.line) for f in found] == [("KS203", 4)]
    assert str(project / "train.py") in found[0].message


def test_only_siblings_that_mention_the_model_file_are_analysed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        (project / f"other_{index}.py").write_text("import keras\nmodel = keras.Sequential()\n")
    analysed: list[str] = []
    original = batch._lint_raw

    def spy(display: str, *args):
        analysed.append(Path(display).name)
        return original(display, *args)

    monkeypatch.setattr(batch, "_lint_raw", spy)
    result = batch.lint_paths(["evaluate.py"], Config())
    assert [f.code for f in result.findings] == ["KS203"]
    assert analysed == ["evaluate.py", "train.py"]


def test_the_search_is_capped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MAX_SIBLINGS_READ", 1)  # 'evaluate.py' is skipped; 'train.py' comes after 'a.py'
    (project / "a.py").write_text("x = 1\n")
    assert [f.code for f in batch.lint_paths(["evaluate.py"], Config()).findings] == []


@pytest.mark.parametrize("saved, loaded, same", [
    ("models/net.keras", "models/net.keras", True),
    ("models/net.keras", "net.keras", True),  # the same file name in another spelling of the folder
    ("signs-{epoch:02d}.keras", "signs-12.keras", True),  # a ModelCheckpoint template and one file it writes
    ("ckpt/w.{epoch:02d}-{val_loss:.2f}.h5", "w.07-0.31.h5", True),
    ("signs-{epoch:02d}.keras", "faces-12.keras", False),
    ("{epoch:02d}.h5", "model.h5", False),  # a name that starts with a field would match any .h5 file
    ("fruits_{epoch}.h5", "fruits_classifier_fold1.h5", False),  # a field is filled with a number, not any text
    ("best-{val_accuracy:.3f}.keras", "best-nan.keras", True),
    ("best-{val_accuracy:.2%}.keras", "best-85.00%.keras", True),  # a percentage field
    ("run-{epoch:3d}.h5", "run-  7.h5", True),  # a space-padded one
    ("models/net.keras", "other.keras", False),
])
def test_a_loaded_file_is_one_a_trainer_saves(saved: str, loaded: str, same: bool) -> None:
    from kerassniff.semantic.links import same_file

    assert same_file(saved, loaded) is same


def _project_beside_another(root: Path, trainer_parses: bool) -> Path:
    """garden/predict.py loads model/clf.h5; garden/train.py makes it (150x150) and shop/train.py, another project,
    saves a file of the same name (128x128)."""
    train = ("from tensorflow import keras\n"
             "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
             "flow = ImageDataGenerator(rescale=1 / 255).flow_from_directory('data', target_size=({size}, {size}))\n"
             "model = keras.Sequential([keras.Input(({size}, {size}, 3)), keras.layers.Flatten(),\n"
             "                          keras.layers.Dense(3, activation='softmax')])\n"
             "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
             "model.fit(flow, epochs=1)\n"
             "model.save('model/clf.h5'{close}\n")
    for folder, size, close in (("shop", 128, ")"), ("garden", 150, ")" if trainer_parses else "")):
        (root / folder).mkdir()
        (root / folder / "train.py").write_text(train.format(size=size, close=close))
    (root / "garden" / "predict.py").write_text(
        "from tensorflow import keras\n"
        "model = keras.models.load_model('model/clf.h5')\n"
        "x = keras.utils.img_to_array(keras.utils.load_img('a.jpg', target_size=(150, 150))) / 255.0\n"
        "print(model.predict(x[None]))\n")
    return root / "garden" / "predict.py"


def test_a_trainer_beside_that_does_not_parse_is_not_replaced_by_one_elsewhere(tmp_path: Path) -> None:
    predict = _project_beside_another(tmp_path, trainer_parses=False)
    whole = batch.lint_paths([str(tmp_path)], Config())
    assert [(Path(f.path).parent.name, f.code) for f in whole.findings] == [("garden", "KS001")]
    alone = batch.lint_paths([str(predict)], Config())
    assert alone.findings == []


def test_with_no_trainer_beside_the_nearest_one_elsewhere_is_the_maker(tmp_path: Path) -> None:
    predict = _project_beside_another(tmp_path, trainer_parses=False)
    (predict.parent / "train.py").unlink()
    whole = batch.lint_paths([str(tmp_path)], Config())
    assert [(Path(f.path).name, f.code) for f in whole.findings] == [("predict.py", "KS203")]


def test_a_file_beside_that_only_loads_the_model_and_does_not_parse_leaves_the_link(tmp_path: Path) -> None:
    """Only an unreadable file that seems to save the model file (its name on a saving line) may be its maker."""
    predict = _project_beside_another(tmp_path, trainer_parses=True)
    predict.write_text(predict.read_text().replace(" / 255.0", ""))  # not scaled, unlike the trainer beside it
    (predict.parent / "old_check.py").write_text("from keras.models import load_model\n"
                                                 "model = load_model('model/clf.h5')\nprint 'loaded'\n")
    found = sorted((Path(f.path).name, f.code) for f in batch.lint_paths([str(predict.parent)], Config()).findings)
    assert found == [("old_check.py", "KS001"), ("predict.py", "KS203")]


def test_two_loading_scripts_with_the_same_finding_each_report_it(project: Path) -> None:
    """A finding is one per file: two scripts with the same mistake at the same line and column (a copy of the
    evaluate script) each get it, not only the first."""
    (project / "evaluate_copy.py").write_text(EVALUATE)
    result = CliRunner().invoke(main, [".", "--no-cache", "--select", "KS203"])
    reported = sorted(line.split(":", 1)[0] for line in result.stdout.splitlines() if ": KS203 " in line)
    assert reported == ["evaluate.py", "evaluate_copy.py"]


def test_a_loader_links_to_a_trainer_in_a_sibling_folder_not_in_another_project(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``src/inference/infer.py`` loading the ``digits.keras`` that ``src/training/train.py`` saves is one project;
    a loader two folders away from the trainer (``lessons/b/web/app.py`` beside ``lessons/a/train.py``) is another
    project's, whose file of the same name it cannot be."""
    for folder in ("src/training", "src/inference", "lessons/a", "lessons/b/web"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "src/training/train.py").write_text(TRAIN)
    (tmp_path / "src/inference/infer.py").write_text(EVALUATE)
    (tmp_path / "lessons/a/train.py").write_text(TRAIN)
    (tmp_path / "lessons/b/web/app.py").write_text(EVALUATE)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [".", "--no-cache", "--select", "KS203"])
    reported = sorted(line.split(":", 1)[0] for line in result.stdout.splitlines() if ": KS203 " in line)
    assert reported == ["src/inference/infer.py"]


def test_a_trainer_at_the_root_links_to_a_loader_however_deep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A script at the lint's root (``train.py``, named relative to the folder pre-commit runs in) holds every folder
    below it: its file links to ``app/api/predict.py`` as it does when the paths are absolute."""
    (tmp_path / "app/api").mkdir(parents=True)
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "app/api/predict.py").write_text(EVALUATE)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [".", "--no-cache", "--select", "KS203"])
    assert [line.split(":", 1)[0] for line in result.stdout.splitlines() if ": KS203 " in line] == ["app/api/predict.py"]
