"""Helper modules beside a script are interpreted with it (issue #3: shared data-loading helpers)."""
from __future__ import annotations

import os
import time
from pathlib import Path

from kerassniff.api import lint_file
from kerassniff.api import lint_paths
from kerassniff.config import Config

TRAIN = """\
from keras.datasets import mnist
from keras import Sequential, layers
{import_line}

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = {call}(x_train)
model = Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3)
model.evaluate(x_test, y_test)
"""


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def codes(path: Path) -> list[tuple[int, str]]:
    result = lint_file(path, Config())
    assert result.internal_error is None, result.internal_error
    return [(f.line, f.code) for f in result.findings]


def test_every_import_style_of_a_helper_is_followed(tmp_path: Path) -> None:
    write(tmp_path, {"common.py": "def prepare(x):\n    return x.astype('float32') / 255.0\n",
                     "pkg/__init__.py": "", "pkg/prep.py": "def prepare(x):\n    return x / 255.\n"})
    styles = [
        ("from common import prepare", "prepare"),
        ("import common", "common.prepare"),
        ("import common as c", "c.prepare"),
        ("from pkg.prep import prepare", "prepare"),
        ("from pkg import prep", "prep.prepare"),
    ]
    for import_line, call in styles:
        script = tmp_path / "train.py"
        script.write_text(TRAIN.format(import_line=import_line, call=call))
        # x_train is scaled by the helper, x_test is not: KS201 on evaluate (line 10)
        assert codes(script) == [(10, "KS201")], import_line


def test_relative_import_inside_a_package(tmp_path: Path) -> None:
    write(tmp_path, {"project/__init__.py": "", "project/common.py": "def prepare(x):\n    return x / 255.0\n"})
    script = tmp_path / "project" / "train.py"
    script.write_text(TRAIN.format(import_line="from .common import prepare", call="prepare"))
    assert codes(script) == [(10, "KS201")]


def test_a_script_names_a_module_of_its_own_package_from_the_project_root(tmp_path: Path) -> None:
    # src/train.py run as ``python -m src.train`` writes ``from src.common import prepare``; up to a few folders
    # deep (src/jobs/train.py); a folder of another name above the script is not the package
    write(tmp_path, {"src/__init__.py": "", "src/common.py": "def prepare(x):\n    return x / 255.0\n"})
    for folder in ("src", "src/jobs"):
        script = tmp_path / folder / "train.py"
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(TRAIN.format(import_line="from src.common import prepare", call="prepare"))
        assert codes(script) == [(10, "KS201")], folder
    write(tmp_path, {"lib/common.py": "def prepare(x):\n    return x / 255.0\n"})
    script = tmp_path / "src" / "train.py"
    script.write_text(TRAIN.format(import_line="from lib.common import prepare", call="prepare"))
    assert codes(script) == [(10, "KS201")]  # lib/, a package beside the script's folder, named from the root


def test_a_single_name_found_up_the_tree_is_not_a_helper(tmp_path: Path) -> None:
    # ``from helpers import prepare`` in scripts/train.py, with helpers.py one folder up: run from its own folder,
    # the script could not import it, and a module of that name up the tree is too often another project's
    write(tmp_path, {"helpers.py": "def prepare(x):\n    return x / 255.0\n"})
    script = tmp_path / "scripts" / "train.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(TRAIN.format(import_line="from helpers import prepare", call="prepare"))
    assert codes(script) == []


def test_arrays_a_helper_method_binds_are_not_judged_as_the_scripts_own(tmp_path: Path) -> None:
    # the script's call runs the helper class's __init__, which binds ``sequences`` in the helper's text: the
    # script's own text never binds it (it only says return_sequences), which once crashed the unread-array check
    write(tmp_path, {"prep.py": "from tensorflow.keras.preprocessing.sequence import pad_sequences\n"
                                "from tensorflow.keras.preprocessing.text import Tokenizer\n\n\nclass Prep:\n"
                                "    def __init__(self, texts):\n        tok = Tokenizer(num_words=100)\n"
                                "        tok.fit_on_texts(texts)\n        sequences = tok.texts_to_sequences(texts)\n"
                                "        self.padded = pad_sequences(sequences, maxlen=20)\n"})
    script = tmp_path / "train.py"
    script.write_text("from tensorflow import keras\nfrom prep import Prep\n\ndata = Prep(['a b', 'c d'])\n"
                      "net = keras.Sequential([keras.Input((20,)), keras.layers.Embedding(100, 8),\n"
                      "                        keras.layers.LSTM(4, return_sequences=True)])\n")
    assert codes(script) == []


def test_a_helper_that_does_nothing_known_keeps_the_script_silent(tmp_path: Path) -> None:
    write(tmp_path, {"common.py": "import custom_lib\n\ndef prepare(x):\n    return custom_lib.normalise(x)\n"})
    script = tmp_path / "train.py"
    script.write_text(TRAIN.format(import_line="from common import prepare", call="prepare"))
    assert codes(script) == []


def test_a_helper_written_after_a_first_lint_is_followed(tmp_path: Path) -> None:
    """The folder's names are remembered between lints of one process (an editor, a run over a project) only
    until the folder changes: a helper written later is seen at the next lint, even when the file system's clock
    is too coarse to change the folder's time (a folder changed a moment ago is not remembered)."""
    script = tmp_path / "train.py"
    script.write_text(TRAIN.format(import_line="from common import prepare", call="prepare"))
    helper = {"common.py": "def prepare(x):\n    return x / 255.0\n"}
    long_ago = time.time_ns() - 60_000_000_000
    os.utime(tmp_path, ns=(long_ago, long_ago))
    assert codes(script) == []  # no common.py: prepare is unknown (and the folder's names are remembered)
    write(tmp_path, helper)
    assert codes(script) == [(10, "KS201")]  # the folder's time changed: listed again
    (tmp_path / "common.py").unlink()
    recent = time.time_ns() + 30_000_000_000  # a folder's time still recent when the lints run, however slow
    os.utime(tmp_path, ns=(recent, recent))
    assert codes(script) == []
    write(tmp_path, helper)
    os.utime(tmp_path, ns=(recent, recent))  # a clock that did not tick between the two changes
    assert codes(script) == [(10, "KS201")]


def test_a_folder_that_cannot_be_listed_still_gives_its_helpers(tmp_path: Path, monkeypatch) -> None:
    """A folder one may enter but not list (permissions ``--x``): its helper files are asked for by name."""
    from kerassniff.semantic import siblings

    write(tmp_path, {"common.py": "def prepare(x):\n    return x / 255.0\n"})
    script = tmp_path / "train.py"
    script.write_text(TRAIN.format(import_line="from common import prepare", call="prepare"))

    def refused(folder: str) -> list[str]:
        raise PermissionError(13, "Permission denied", folder)

    monkeypatch.setattr(siblings.os, "listdir", refused)
    assert codes(script) == [(10, "KS201")]


def test_broken_missing_and_cyclic_helpers_are_unknown_not_errors(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": "def prepare(x:\n", "a.py": "from b import g\ndef f(x):\n    return g(x)\n",
                     "b.py": "from a import f\ndef g(x):\n    return f(x)\n"})
    for import_line, call in [("from broken import prepare", "prepare"), ("from missing import prepare", "prepare"),
                              ("from a import f", "f")]:
        script = tmp_path / "train.py"
        script.write_text(TRAIN.format(import_line=import_line, call=call))
        assert codes(script) == [], import_line


def test_findings_inside_a_helper_belong_to_the_helper_not_the_importer(tmp_path: Path) -> None:
    helper = ("import keras\n\ndef build():\n    model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
              "    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
              "    return model\n")
    write(tmp_path, {"models.py": helper,
                     "train.py": "from models import build\nimport numpy as np\n"
                                 "model = build()\nmodel.fit(np.load('x.npy'), np.load('y.npy'))\n"})
    result = lint_paths([str(tmp_path)], Config())
    found = sorted((Path(f.path).name, f.line, f.code) for f in result.findings)
    assert found == [("models.py", 5, "KS101")]


def test_the_model_built_by_a_helper_links_to_the_scripts_fit(tmp_path: Path) -> None:
    helper = ("from tensorflow import keras\n\ndef build(units):\n"
              "    return keras.Sequential([keras.layers.Dense(units, activation='softmax')])\n")
    write(tmp_path, {"models.py": helper,
                     "train.py": "from models import build\nimport numpy as np\n"
                                 "model = build(10)\nmodel.compile(loss='binary_crossentropy', metrics=['accuracy'])\n"})
    findings = lint_file(tmp_path / "train.py", Config()).findings
    assert [(f.line, f.code) for f in findings] == [(4, "KS101")]
    assert "models.py line 4" in findings[0].message


def test_the_shared_helper_project_fixture_is_linked() -> None:
    folder = Path(__file__).resolve().parent.parent / "fixtures" / "projects" / "shared_helper"
    result = lint_file(folder / "evaluate.py", Config())
    assert result.script is not None
    (inference,) = list(result.script.inferences())
    assert "scale" in {step.kind for step in inference.x.data.steps}


def test_a_helpers_main_block_does_not_run_when_it_is_imported(tmp_path: Path) -> None:
    """Imported, a module's ``__name__`` is its own name: its ``if __name__ == "__main__":`` block (here, one that
    sets the scale to 1) is not what the script gets; the script itself runs as ``__main__``."""
    write(tmp_path, {"common.py": "SCALE = 255.0\nif __name__ == '__main__':\n    SCALE = 1.0\n\n\n"
                                  "def prepare(x):\n    return x / SCALE\n"})
    script = tmp_path / "train.py"
    script.write_text(TRAIN.format(import_line="from common import prepare", call="prepare").replace(
        "model.evaluate(x_test, y_test)\n", "if __name__ == '__main__':\n    model.evaluate(x_test, y_test)\n"))
    assert codes(script) == [(11, "KS201")]
