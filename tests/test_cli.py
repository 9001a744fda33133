"""The command line as a user meets it: formats, exit codes, config, suppression."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kerassniff.cli import main

BUGGY = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
)
CLEAN = BUGGY.replace("binary_crossentropy", "categorical_crossentropy")


def run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(BUGGY)
    (tmp_path / "clean.py").write_text(CLEAN)
    return tmp_path


def test_concise_output_and_exit_code(project: Path) -> None:
    result = run([str(project / "train.py")])
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{project / 'train.py'}:3:20: KS101 loss 'binary_crossentropy' on the 10-unit softmax")
    assert "Found 1 finding in 1 file" in result.output


def test_clean_file_exits_zero(project: Path) -> None:
    result = run([str(project / "clean.py")])
    assert result.exit_code == 0
    assert "All checks passed" in result.output


def test_json_output_has_documented_keys(project: Path) -> None:
    result = run([str(project), "--output-format", "json"])
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert set(data[0]) >= {"path", "line", "column", "end_line", "end_column", "code", "name", "severity",
                            "message", "fix_hint", "url"}
    assert data[0]["code"] == "KS101" and data[0]["severity"] == "error"


def test_full_output_shows_source_and_fix(project: Path) -> None:
    result = run([str(project / "train.py"), "--output-format", "full"])
    assert "model.compile(loss='binary_crossentropy'" in result.output
    assert "= fix: use loss='categorical_crossentropy'" in result.output


def test_select_ignore_and_statistics(project: Path) -> None:
    assert run([str(project), "--ignore", "KS101"]).exit_code == 0
    assert run([str(project), "--select", "KS3"]).exit_code == 0
    assert run([str(project), "--select", "KS1", "--ignore", "KS101"]).exit_code == 0
    stats = run([str(project), "--statistics"])
    assert "1  KS101  binary-crossentropy-multiclass" in stats.output


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    result = run([str(project), "--select", "KS999"])
    assert result.exit_code == 2
    assert "unknown rule selector 'KS999'" in result.output


def test_noqa_suppresses(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(BUGGY.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # noqa: KS101"))
    assert run([str(path)]).exit_code == 0
    path.write_text(BUGGY.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # noqa: KS105"))
    assert run([str(path)]).exit_code == 1
    path.write_text(BUGGY.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # noqa"))
    assert run([str(path)]).exit_code == 0
    path.write_text("# kerassniff: noqa\n" + BUGGY)
    assert run([str(path)]).exit_code == 0


def test_pyproject_config_and_cli_override(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.kerassniff]\nignore = ["KS101"]\n')
    assert run([str(project)]).exit_code == 0
    assert run([str(project), "--ignore", "KS3"]).exit_code == 1  # the CLI replaces the configured ignore
    (project / "pyproject.toml").write_text('[tool.kerassniff]\nper-file-ignores = { "train.py" = ["KS1"] }\n')
    assert run([str(project)]).exit_code == 0


def test_bad_config_is_exit_2(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.kerassniff]\nselct = ["KS1"]\n')
    result = run([str(project)])
    assert result.exit_code == 2 and "unknown key(s)" in result.output
    (project / "pyproject.toml").write_text('[tool.kerassniff\n')
    result = run([str(project)])
    assert result.exit_code == 2 and "not valid TOML" in result.output


def test_missing_path_is_reported_and_others_still_checked(project: Path) -> None:
    result = run([str(project / "nope.py"), str(project / "train.py")])
    assert result.exit_code == 2
    assert "nope.py: no such file or directory" in result.output
    assert "KS101" in result.output


def test_stdin(project: Path) -> None:
    result = run(["-", "--stdin-filename", "notebook_cell.py"], stdin=BUGGY)
    assert result.exit_code == 1
    assert result.output.startswith("notebook_cell.py:3:20: KS101")


def test_folder_walk_respects_gitignore_and_venvs(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n")
    for folder in ("generated", ".venv", "src"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "train.py").write_text(BUGGY)
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "env" / "train.py").write_text(BUGGY)
    result = run([str(tmp_path)])
    assert result.output.count("KS101") == 1
    assert "src" in result.output


def test_rule_subcommand_and_explain() -> None:
    result = run(["rule", "KS101"])
    assert result.exit_code == 0 and "binary-crossentropy-multiclass" in result.output
    assert run(["--explain", "KS302"]).exit_code == 0
    listing = run(["rule", "--all"])
    assert "KS404" in listing.output
    assert run(["rule", "KS999"]).exit_code == 2


def test_subcommands_win_over_folders_of_the_same_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("rule", "server"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.py").write_text(BUGGY)
    monkeypatch.chdir(tmp_path)
    document = run(["rule", "KS101"])
    assert document.exit_code == 0 and document.output.startswith("# KS101")
    assert "train.py" not in run(["rule"]).output  # the list of rules, not lint output
    for spelled in (["./rule"], ["check", "rule"], ["check", "server"]):
        result = run(spelled)
        assert result.exit_code == 1 and "train.py:3:20: KS101" in result.output, spelled


def test_server_subcommand_serves_even_beside_a_folder_named_server(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "train.py").write_text(BUGGY)
    request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "shutdown"})
    message = f"Content-Length: {len(request)}\r\n\r\n{request}".encode()
    completed = subprocess.run([sys.executable, "-m", "kerassniff", "server"], input=message, cwd=tmp_path,
                               capture_output=True, timeout=60)
    assert b"KS101" not in completed.stdout and b"Content-Length" in completed.stdout


def test_help_documents_the_check_subcommand_and_dash_v_prints_the_version() -> None:
    from kerassniff import __version__

    assert "kerassniff check PATHS" in run(["--help"]).output
    for flag in ("-V", "--version"):
        result = run([flag])
        assert result.exit_code == 0 and result.output == f"kerassniff, version {__version__}\n"


def test_a_mistyped_path_is_not_all_checks_passed(tmp_path: Path) -> None:
    result = run([str(tmp_path / "nope.py")])
    assert result.exit_code == 2
    assert result.stderr == f"kerassniff: {tmp_path / 'nope.py'}: no such file or directory\n"
    assert "All checks passed" not in result.output and "1 path could not be checked" in result.stdout


def test_a_folder_without_python_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keras\n")
    result = run([str(tmp_path)])
    assert result.exit_code == 0  # as ruff: a warning, not an error
    assert "warning: no Python files found" in result.stderr and "All checks passed" not in result.output
    (tmp_path / "util.py").write_text("x = 1\n")
    result = run([str(tmp_path)])
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert "All checks passed (0 files checked; 1 file without Keras skipped)." in result.stdout


@pytest.mark.parametrize("target", ["/nonexistent/dir/out.txt", "/proc/version"])
def test_an_output_file_that_cannot_be_written_is_one_line_and_exit_2(project: Path, target: str) -> None:
    result = CliRunner().invoke(main, [str(project / "train.py"), "-o", target])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"kerassniff: cannot write the report to {target}: ")
    assert len(result.stderr.splitlines()) == 1


def test_symlink_loops_are_skipped_and_the_rest_checked(project: Path) -> None:
    (project / "self.py").symlink_to(project / "self.py")
    (project / "a.py").symlink_to(project / "b.py")
    (project / "b.py").symlink_to(project / "a.py")
    walked = CliRunner().invoke(main, [str(project), "--no-cache"])
    assert walked.exit_code == 2 and isinstance(walked.exception, SystemExit)
    assert "train.py:3:20: KS101" in walked.stdout  # the other files are still checked
    assert sorted(walked.stderr.splitlines()) == [f"kerassniff: {project / name}: symbolic link loop; skipped"
                                                  for name in ("a.py", "b.py", "self.py")]
    named = CliRunner().invoke(main, [str(project / "self.py"), str(project / "train.py"), "--no-cache"])
    assert named.exit_code == 2 and "KS101" in named.stdout
    assert named.stderr == f"kerassniff: {project / 'self.py'}: symbolic link loop; skipped\n"


def test_a_dangling_symlink_is_a_missing_path_not_an_unreadable_file(project: Path) -> None:
    (project / "dangling.py").symlink_to(project / "nowhere.py")
    named = CliRunner().invoke(main, [str(project / "dangling.py"), "--no-cache"])
    assert named.exit_code == 2 and isinstance(named.exception, SystemExit)
    assert named.stderr == (f"kerassniff: {project / 'dangling.py'}: dangling symbolic link "
                            f"(to {project / 'nowhere.py'}); skipped\n")
    assert "KS001" not in named.stdout and "1 path could not be checked" in named.stdout
    walked = CliRunner().invoke(main, [str(project), "--no-cache"])
    assert walked.exit_code == 2 and "train.py:3:20: KS101" in walked.stdout  # the walk goes on
    assert "KS001" not in walked.stdout and walked.stderr.count("dangling symbolic link") == 1


def test_a_notebook_in_another_language_is_counted_as_such(tmp_path: Path) -> None:
    import json

    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["library(keras)\n", "model <- keras_model_sequential()\n"]}
    (tmp_path / "analysis.ipynb").write_text(json.dumps(
        {"cells": [cell], "metadata": {"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}},
         "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / "util.py").write_text("x = 1\n")
    for _ in range(2):  # the second run reads the cache, which keeps why each file was skipped
        result = run([str(tmp_path)])
        assert result.exit_code == 0 and "warning" not in result.stderr
        assert ("All checks passed (0 files checked; 1 file without Keras skipped; "
                "1 notebook with a non-Python kernel skipped).") in result.stdout


def test_bad_files_do_not_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "a_binary.py").write_bytes(b"\x00\x01\x02keras")
    (tmp_path / "b_latin1.py").write_bytes("import keras\nname = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "c_py2.py").write_text("import keras\nprint 'hello'\n")
    (tmp_path / "d_train.py").write_text(BUGGY)
    result = run([str(tmp_path), "--output-format", "json"])
    codes = sorted((Path(f["path"]).name, f["code"]) for f in json.loads(result.output))
    assert codes == [("a_binary.py", "KS001"), ("b_latin1.py", "KS001"), ("c_py2.py", "KS001"), ("d_train.py", "KS101")]
    assert result.exit_code == 1


def test_console_script_runs_as_a_module(project: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "kerassniff", str(project / "train.py")],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1 and "KS101" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_walk_skips_editor_lock_links_silently(tmp_path) -> None:
    """Emacs keeps a dangling link '.#train.py' beside a file being edited: a walk is not an error for it."""
    from click.testing import CliRunner

    from kerassniff.cli import main

    (tmp_path / "train.py").write_text("import keras\n", encoding="utf-8")
    (tmp_path / ".#train.py").symlink_to("user@host.1234:1700000000")
    result = CliRunner().invoke(main, [str(tmp_path), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "dangling" not in result.output


def test_a_folder_script_that_imports_only_keras_hub_is_checked(tmp_path: Path) -> None:
    """A fine-tuning script may import KerasHub (or KerasNLP, KerasCV) and never the word keras alone."""
    (tmp_path / "finetune.py").write_text("import keras_hub\nm = keras_hub.models.Backbone.from_preset('x')\n")
    (tmp_path / "util.py").write_text("import keras_hubris\n")
    result = run([str(tmp_path)])
    assert "All checks passed (1 file checked; 1 file without Keras skipped)." in result.stdout


def test_a_folder_script_that_trains_a_model_from_a_helper_module_is_checked(tmp_path: Path) -> None:
    """``from net import model`` and the training calls: no Keras package named, still a Keras script; a file that
    only compiles a regular expression and fits a scikit-learn model is not."""
    (tmp_path / "net.py").write_text("import keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n")
    (tmp_path / "train.py").write_text("from net import model\nmodel.compile(optimizer='adam', loss='mse')\n"
                                       "model.fit(x, y, nb_epoch=5)\n")
    (tmp_path / "legacy.py").write_text("from net import model\nmodel.fit_generator(batches, steps_per_epoch=5)\n")
    (tmp_path / "plot.py").write_text("import matplotlib.pyplot as plt\nplt.plot(history.history['loss'])\n")
    (tmp_path / "regex.py").write_text("import re\nPATTERN = re.compile(r'\\d+')\nforest.fit(rows, labels)\n")
    # Keras 2's predict_classes() alone is read; weights loaded into a model of another framework and used are not
    (tmp_path / "classes.py").write_text("from net import model\nlabels = model.predict_classes(x)\n")
    (tmp_path / "darknet.py").write_text("from darknet import Darknet\nnet = Darknet('yolo.cfg')\n"
                                         "net.load_weights('yolo.weights')\nnet.fit(x_train, validation_data=x_test)\n"
                                         "net.evaluate(x_test)\n")
    # a module of training functions given its model by a caller: fit()'s step-counting keywords are Keras's; a
    # PyTorch Lightning module whose scheduler takes steps_per_epoch= (outside any fit()) is not read
    (tmp_path / "steps.py").write_text("def train(model, flow):\n    model.fit(flow, epochs=3,\n"
                                       "              steps_per_epoch=len(flow) / 32)\n")
    (tmp_path / "lightning.py").write_text("from lightning import Trainer\nfrom torch.optim.lr_scheduler import "
                                           "OneCycleLR\nsched = OneCycleLR(opt, 0.1, steps_per_epoch=10)\n"
                                           "Trainer().fit(module)\n")
    result = run([str(tmp_path), "--output-format", "json"])
    assert sorted((Path(f["path"]).name, f["code"]) for f in json.loads(result.output)) == [
        ("classes.py", "KS402"), ("legacy.py", "KS402"), ("steps.py", "KS403"), ("train.py", "KS402")]
    result = run([str(tmp_path)])
    assert "(6 files checked; 3 files without Keras skipped)" in result.stdout
