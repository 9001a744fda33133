"""--fix / --unsafe-fixes / --diff: LibCST edits that keep formatting, written atomically, idempotent."""
from __future__ import annotations

import ast
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from kerassniff.api import lint_file
from kerassniff.cli import main
from kerassniff.config import Config
from tests.conftest import FIXTURES

SAFE_FIXTURES = ["KS402/bad_keras1_cifar.py", "KS402/bad_optimizer_lr.py", "KS403/bad_constant_division.py",
                 "KS403/bad_len_division.py", "KS404/bad_np_int.py", "KS404/bad_numpy_float_module.py",
                 "KS404/bad_pil_antialias.py", "KS404/bad_numpy_warning_classes.py",
                 "KS402/bad_optimizer_lr_attribute.py", "KS402/bad_schedule_returns_a_tensor.py",
                 "KS402/bad_input_shape_as_an_integer.py",
                 "seeds/seed000_nasnet_tiny_imagenet.py"]


def run(*args: str):
    return CliRunner().invoke(main, [*args, "--no-cache"], catch_exceptions=False)


def findings(path: Path) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_file(path, Config()).findings]


@pytest.mark.parametrize("fixture", SAFE_FIXTURES)
def test_safe_fix_removes_the_findings_keeps_the_rest_and_is_idempotent(tmp_path: Path, fixture: str) -> None:
    path = tmp_path / Path(fixture).name
    shutil.copy(FIXTURES / fixture, path)
    before = findings(path)
    fixable = {(f.line, f.code) for f in lint_file(path, Config()).findings if f.fix_applicability == "safe"}
    assert fixable, "the fixture should have a safe fix"
    original = path.read_text()
    run(str(path), "--fix")
    fixed = path.read_text()
    ast.parse(fixed)
    assert not fixable & set(findings(path))
    assert set(findings(path)) <= set(before)
    # comments and every line the fix did not touch are kept
    kept = [line for line in original.splitlines() if line.strip().startswith("#")]
    assert all(line in fixed.splitlines() for line in kept)
    assert len(fixed.splitlines()) == len(original.splitlines())
    run(str(path), "--fix")
    assert path.read_text() == fixed


def test_fixes_are_the_modern_spellings(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_text(
        "import numpy as np\nfrom PIL import Image\nfrom tensorflow import keras\n\n"
        "model = keras.Sequential([keras.layers.Convolution2D(32, 3, 3, border_mode='same'),  # keep me\n"
        "                          keras.layers.Dense(10, activation='softmax')])\n"
        "model.compile(optimizer=keras.optimizers.adam(lr=0.001), loss='categorical_crossentropy')\n"
        "labels = np.zeros(10, dtype=np.int)\nimg = Image.open('a.png').resize((32, 32), Image.ANTIALIAS)\n"
        "model.fit(np.load('x.npy'), np.load('y.npy'), nb_epoch=3, steps_per_epoch=600 / 32)\n")
    run(str(path), "--fix")
    text = path.read_text()
    assert "keras.layers.Conv2D(32, (3, 3), padding='same'),  # keep me" in text
    assert "keras.optimizers.Adam(learning_rate=0.001)" in text
    assert "dtype=int)" in text and "Image.LANCZOS" in text
    assert "epochs=3, steps_per_epoch=600 // 32)" in text


def test_unsafe_fixes_need_their_flag(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(
        "import keras\nimport numpy as np\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation=\"softmax\", input_shape=(4,))])\n"
        "model.compile(loss=\"binary_crossentropy\", optimizer=\"adam\", metrics=[\"accuracy\"])\n"
        "model.fit(np.random.rand(8, 4), keras.utils.to_categorical(np.arange(8) % 10, 10))\n")
    result = run(str(path))
    assert "KS101 " in result.output and "(1 more fixable with --unsafe-fixes" in result.output
    original = path.read_text()
    run(str(path), "--fix")
    assert path.read_text() == original
    result = run(str(path), "--unsafe-fixes")
    assert "KS101 [*]" in result.output
    run(str(path), "--fix", "--unsafe-fixes")
    assert 'loss="categorical_crossentropy"' in path.read_text() and findings(path) == []


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "steps.py"
    shutil.copy(FIXTURES / "KS403" / "bad_len_division.py", path)
    original = path.read_bytes()
    result = run(str(path), "--diff")
    assert result.exit_code == 1 and path.read_bytes() == original
    assert "\n-" in result.output and "\n+" in result.output and "//" in result.output


def test_concise_output_marks_fixable_findings(tmp_path: Path) -> None:
    path = tmp_path / "steps.py"
    shutil.copy(FIXTURES / "KS403" / "bad_len_division.py", path)
    result = run(str(path))
    assert " KS403 [*] " in result.output and "[*] 1 fixable with --fix." in result.output


def test_written_atomically_keeping_mode_encoding_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    text = "# -*- coding: latin-1 -*-\r\nimport numpy as np\r\n# caf\xe9\r\nx = np.zeros(3, dtype=np.float)\r\n"
    path.write_bytes(text.encode("latin-1"))
    os.chmod(path, 0o640)
    run(str(path), "--fix")
    data = path.read_bytes()
    assert data == text.replace("np.float)", "float)").encode("latin-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["legacy.py"]  # no temporary file left behind


def test_np_utils_in_every_import_form(tmp_path: Path) -> None:
    path = tmp_path / "labels.py"
    path.write_text("from keras.utils import np_utils\nfrom keras.utils.np_utils import to_categorical as tc\n"
                    "import keras\ny = np_utils.to_categorical([0, 1], 2)  # first\n"
                    "w = keras.utils.np_utils.to_categorical([1], 2)\n")
    run(str(path), "--fix")
    assert path.read_text() == ("from keras.utils import to_categorical\n"
                                "from keras.utils import to_categorical as tc\n"
                                "import keras\ny = to_categorical([0, 1], 2)  # first\n"
                                "w = keras.utils.to_categorical([1], 2)\n")
    assert findings(path) == []


def test_np_utils_used_for_more_than_to_categorical_is_left_to_a_human(tmp_path: Path) -> None:
    path = tmp_path / "labels.py"
    text = "from keras.utils import np_utils\ny = np_utils.to_categorical([0, 1], 2)\nn = np_utils.normalize(y)\n"
    path.write_text(text)
    run(str(path), "--fix")
    assert path.read_text() == text and [code for _, code in findings(path)] == ["KS402"]


SAFE_ONLY = "import numpy as np\nx = np.zeros(3, dtype=np.float)\n"


def test_fix_writes_through_a_symlink_named_or_walked(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = real / "legacy.py"
    target.write_text(SAFE_ONLY)
    named = tmp_path / "named"
    named.mkdir()
    (named / "link.py").symlink_to(target)
    assert run(str(named / "link.py"), "--fix").exit_code == 0
    assert (named / "link.py").is_symlink() and "np.float" not in target.read_text()
    target.write_text(SAFE_ONLY)
    assert run(str(named), "--fix").exit_code == 0  # found by walking the folder
    assert (named / "link.py").is_symlink() and "np.float" not in target.read_text()


def test_fix_keeps_a_hard_linked_files_inode(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_text(SAFE_ONLY)
    other = tmp_path / "other_name.py"
    os.link(path, other)
    inode = path.stat().st_ino
    assert run(str(path), "--fix").exit_code == 0
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert "np.float" not in other.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["legacy.py", "other_name.py"]


def test_hard_links_are_fixed_and_counted_once_named_or_walked(tmp_path: Path) -> None:
    first = tmp_path / "h1.py"
    first.write_text(SAFE_ONLY)
    os.link(first, tmp_path / "h2.py")
    named = run(str(first), str(tmp_path / "h2.py"), "--fix")
    assert named.exit_code == 0 and "Fixed 1 finding in 1 file." in named.stderr
    assert "np.float" not in first.read_text() and first.stat().st_nlink == 2
    first.write_text(SAFE_ONLY)
    walked = run(str(tmp_path), "--fix")
    assert walked.exit_code == 0 and "Fixed 1 finding in 1 file." in walked.stderr
    first.write_text(SAFE_ONLY)
    diff = run(str(tmp_path), "--diff")
    assert diff.stdout.count("+x = np.zeros(3, dtype=float)") == 1 and "Would fix 1 finding in 1 file." in diff.stderr


def test_fix_skips_a_read_only_file_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "legacy.py"
    path.write_text(SAFE_ONLY)
    os.chmod(path, 0o444)
    result = run(str(path), "--fix")
    assert result.exit_code == 1  # the finding is still there: the usual rule
    assert f"kerassniff: {path}: read-only file, not fixed" in result.stderr
    assert "could not be applied" in result.stdout and "with --fix" not in result.stdout
    assert path.read_text() == SAFE_ONLY and "Traceback" not in result.output


@pytest.mark.parametrize("failing", ["tempfile.mkstemp", "os.replace"])
def test_fix_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           failing: str) -> None:
    """A read-only folder (mkstemp) or an immutable file (os.replace): root ignores the first, so simulate both."""
    path = tmp_path / "legacy.py"
    path.write_text(SAFE_ONLY)

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    module, name = failing.split(".")
    monkeypatch.setattr(f"kerassniff.engine.fixing.{module}.{name}", refuse)
    result = CliRunner().invoke(main, [str(path), "--fix", "--no-cache"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # no traceback
    lines = [line for line in result.stderr.splitlines() if line.startswith("kerassniff: cannot fix")]
    assert len(lines) == 1 and "Operation not permitted" in lines[0]
    assert "[*] 1 fixable, but the fix could not be applied (see above)." in result.stdout
    assert "with --fix" not in result.stdout  # not advice to run what just failed
    assert path.read_text() == SAFE_ONLY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["legacy.py"]


def test_an_immutable_file_is_an_error_not_a_read_only_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chattr +i: the mode allows writing but the system refuses (root cannot always chattr here, so simulate it)."""
    path = tmp_path / "legacy.py"
    path.write_text(SAFE_ONLY)
    real_access = os.access
    monkeypatch.setattr("kerassniff.engine.fixing.os.access",
                        lambda target, mode, **kw: mode != os.W_OK and real_access(target, mode, **kw))
    result = CliRunner().invoke(main, [str(path), "--fix", "--no-cache"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.startswith("kerassniff:")]
    assert lines == [f"kerassniff: cannot fix {path}: the file cannot be written although its mode allows it "
                     f"(immutable, or on a read-only file system)"]
    assert path.read_text() == SAFE_ONLY


def test_fix_and_diff_on_standard_input(tmp_path: Path) -> None:
    fixed = CliRunner().invoke(main, ["-", "--fix", "--stdin-filename", "legacy.py"], input=SAFE_ONLY)
    assert fixed.stdout == SAFE_ONLY.replace("np.float", "float")
    assert fixed.exit_code == 0 and "Fixed 1 finding." in fixed.stderr
    buggy = ("import keras\nmodel = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
             "model.compile(loss='binary_crossentropy', optimizer='adam')\n" + SAFE_ONLY)
    left = CliRunner().invoke(main, ["-", "--fix"], input=buggy)
    assert left.stdout == buggy.replace("np.float", "float")  # only the code on stdout: it can be piped back
    assert left.exit_code == 1 and "KS404" not in left.stderr and "-:3:20: KS101" in left.stderr
    diff = CliRunner().invoke(main, ["-", "--diff", "--stdin-filename", "legacy.py"], input=SAFE_ONLY)
    assert diff.exit_code == 1
    assert "-x = np.zeros(3, dtype=np.float)\n+x = np.zeros(3, dtype=float)\n" in diff.stdout
    clean = CliRunner().invoke(main, ["-", "--diff"], input="x = 1\n")
    assert clean.exit_code == 0 and clean.stdout == ""


def test_a_keyword_that_counted_samples_is_not_renamed_by_a_fix() -> None:
    """samples_per_epoch=2000 renamed to steps_per_epoch=2000 would read batch_size times the images."""
    result = lint_file(FIXTURES / "KS402/bad_fit_generator.py", Config())
    keywords = [f for f in result.findings if f.code == "KS402" and "samples" in f.message]
    assert len(keywords) == 2
    assert all(f.fix_applicability is None for f in keywords)
