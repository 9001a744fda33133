"""Notebooks: code cells linted as one script, IPython syntax read as IPython does, positions per cell.

Every reading test runs twice: with IPython's own transformer (when IPython is
installed) and with the masking that stands in where it is not.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kerassniff import notebook as notebook_module
from kerassniff.api import lint_source
from kerassniff.cli import main
from kerassniff.config import Config
from kerassniff.notebook import cell_python, notebook_source


@pytest.fixture(params=["ipython", "masking"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Which reading of IPython syntax is in force: IPython's transformer, or the masking (IPython made absent)."""
    if request.param == "ipython":
        pytest.importorskip("IPython.core.inputtransformer2")
    else:
        monkeypatch.setitem(sys.modules, "IPython.core.inputtransformer2", None)  # import now raises ImportError
    notebook_module.ipython_transformer.cache_clear()
    assert (notebook_module.ipython_transformer() is not None) == (request.param == "ipython")
    yield request.param
    notebook_module.ipython_transformer.cache_clear()


def notebook(*cells: str | tuple[str, str], metadata: dict | None = None) -> str:
    built = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            entry.update(outputs=[], execution_count=None)
        built.append(entry)
    return json.dumps({"cells": built, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5})


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


def test_magics_are_read_without_shifting_lines(reader: str) -> None:
    source = notebook_source(TRAINING)
    lines = source.text.splitlines()
    assert len(lines) == len(source.cell_of_line) == 3 + 4 + 6 + 3
    magic = "get_ipython()." if reader == "ipython" else "pass  # IPython magic"
    assert lines[0].startswith(magic) and lines[1].startswith(magic) and lines[2] == "import tensorflow as tf"
    assert lines[3] == "pass  # cell magic" and lines[4].startswith("(x_train, y_train)")
    assert lines[5] == ("files = get_ipython().getoutput('ls')" if reader == "ipython" else "files = None  # IPython magic")
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


# IPython syntax seen in real notebooks that run fine; each must neither be a syntax error nor move a line.
SHAPES = {
    "shell line continued with a backslash": "!wget --quiet \\\n    -O /tmp/data.csv https://example.org/get?id=3&x=%20",
    "magics inside indented blocks": "for size in (32, 64):\n    %time batch = size * 2\n    !echo {size}\n    names = !ls\n",
    "help": "keras.layers.Dense?\nkeras.Model.fit??\n?keras.Sequential",
    "cell magic whose body is Python": "%%time\n%load_ext tensorboard\nsteps = 10",
    "a Python line continued onto a line starting with %": "print('%d%% of the data'\\\n      % 50)",
    "line magics with assignments": "%matplotlib inline\nlisting = %sx ls\n%pip install -q keras",
    "shell commands run through IPython's aliases": "ls ../input\ncd /kaggle/working\nls -la\nrm -rf ./tmp/*",
}
AFTER_SHAPES = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])"
)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_ipython_syntax_is_not_a_syntax_error_and_keeps_lines(reader: str, shape: str) -> None:
    text = notebook(SHAPES[shape], AFTER_SHAPES)
    source = notebook_source(text)
    assert len(source.text.splitlines()) == len(source.cell_of_line) == len(SHAPES[shape].splitlines()) + 3
    findings = lint_source(text, "shapes.ipynb", Config()).findings
    assert [(f.code, f.extra.get("cell"), f.line) for f in findings] == [("KS101", 2, 3)]


def test_ipython_reads_what_the_masking_cannot(reader: str) -> None:
    """Prompts pasted from a console and an indented cell: IPython strips them; the masking does not."""
    cell = ">>> import keras\n>>> width = 3"
    expected = ["import keras", "width = 3"] if reader == "ipython" else cell.splitlines()
    assert cell_python(cell) == expected


def test_a_transformation_that_would_move_lines_falls_back_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def transform(cell: str) -> str:
        calls.append(cell)
        if "grow" in cell:
            return "import os\n" + cell  # one line more than the cell: positions would shift
        if "broken" in cell:
            raise SyntaxError("IPython could not read it")
        return cell.replace("!ls", "get_ipython().system('ls')")

    monkeypatch.setattr(notebook_module, "ipython_transformer", lambda: transform)
    # (a Python line first: a cell that only opens with magics sends just those lines to IPython, see below)
    assert cell_python("a = 0\n!ls\ngrow = 1") == ["a = 0", "pass  # IPython magic", "grow = 1"]
    assert cell_python("a = 0\n!ls\nbroken = 1") == ["a = 0", "pass  # IPython magic", "broken = 1"]
    assert cell_python("a = 0\n!ls\nfine = 1") == ["a = 0", "get_ipython().system('ls')", "fine = 1"]
    assert cell_python("plain = 1") == ["plain = 1"] and len(calls) == 3  # plain Python is not transformed
    assert cell_python("!ls\ngrow = 1") == ["get_ipython().system('ls')", "grow = 1"] and calls[-1] == "!ls"


@pytest.mark.parametrize("metadata", [
    {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}, "language_info": {"name": "R"}},
    {"kernelspec": {"name": "julia-1.10", "language": "julia", "display_name": "Julia 1.10"}},
])
def test_a_notebook_in_another_language_is_skipped(tmp_path: Path, metadata: dict) -> None:
    path = tmp_path / "analysis.ipynb"
    path.write_text(notebook("library(keras)\nmodel <- keras_model_sequential() %>% layer_dense(units = 10)", metadata=metadata))
    result = run(tmp_path)
    assert result.exit_code == 0 and "KS001" not in result.output and "0 files checked" in result.output
    assert lint_source(path.read_text(), str(path), Config()).skipped


def test_a_python_kernel_is_still_linted(tmp_path: Path) -> None:
    metadata = {"kernelspec": {"name": "python3", "language": "python"}, "language_info": {"name": "python"}}
    path = tmp_path / "train.ipynb"
    path.write_text(notebook(AFTER_SHAPES, metadata=metadata))
    assert [f["code"] for f in json.loads(run(path, "--output-format", "json").output)] == ["KS101"]


@pytest.mark.parametrize("cell", [
    "%matplotlib inline\nimport keras\nx = 1 % 2\n",
    "!pip install -q keras\n%load_ext tensorboard\nimport numpy as np\nprint(np.ones(2) != 1)\n",
    "!nvidia-smi\nif True:\n    y = (1,\n         2)\n",
])
def test_leading_magics_alone_read_as_ipython_reads_the_whole_cell(cell: str) -> None:
    """Only the leading magic lines go through IPython; the cell reads the same as when all of it does."""
    pytest.importorskip("IPython.core.inputtransformer2")
    lines = cell.splitlines()
    assert notebook_module._escaped_head(lines) > 0
    whole = notebook_module._line_preserving(lines, notebook_module.ipython_transformer())
    assert cell_python(cell) == whole


@pytest.mark.parametrize("cell", [
    "%matplotlib inline\nx = !ls\n",  # an assignment from a shell command later in the cell
    "%time \\\n  fit()\nimport keras\n",  # a magic continued onto the next line
    "%matplotlib inline\nmodel.fit?\n",  # help later in the cell
    "%matplotlib inline\n",  # nothing after the magics
])
def test_cells_of_other_shapes_go_to_ipython_whole(cell: str) -> None:
    assert notebook_module._escaped_head(cell.splitlines()) == 0


@pytest.mark.parametrize("cell", [
    "", "x = 1\n", "\nx = 1", "  x = 1", "\r\nx", "\u00a0x", "x != 1\n", "files = !ls\n", "%matplotlib inline\n",
    "x = 1\n!pip install keras\n", "model.fit?\n", "x = 5 % 2\n", "a = b ==  %time\n", ">>> x = 1\n", "... y\n",
    "In [3]: x\n", "f(x)\n, y\n", "x = 1\n;y\n", "/f x\n", "print('?')\n", "x?  \ny", "d = {'a': 1}  # 100%\n",
])
def test_the_cheap_ipython_test_agrees_with_the_whole_pattern(cell: str) -> None:
    assert notebook_module.maybe_ipython(cell) is (notebook_module._MAYBE_IPYTHON.search(cell) is not None)


def test_a_cell_that_does_not_compile_is_left_out_and_the_others_are_analysed() -> None:
    # Jupyter compiles each cell apart: a stray line in cell 2 and an unclosed call in cell 4 stop those cells only.
    text = notebook(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='softmax')])",
        '"""\nThe loss takes logits.\n"""\nDefault value is AUTO.',
        "model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))",
        "data = load( # YOUR CODE HERE\n",
    )
    found = lint_source(text, "loop.ipynb").findings
    assert [(f.code, f.extra.get("cell"), f.line) for f in found] == [("KS001", 2, 4), ("KS104", 3, 1)]
    assert "cell 2 and 1 more not analysed" in found[0].message
    broken_everywhere = notebook("print 'a'", "x = (")
    assert [f.code for f in lint_source(broken_everywhere, "all.ipynb").findings] == ["KS001"]  # nothing left to analyse


def test_a_percent_format_script_reads_its_ipython_lines_as_a_notebook_does() -> None:
    """A .py of ``# %%`` cells with ``!pip``/``%matplotlib`` lines: the same number of lines, the Python ones kept;
    a script without cells, or whose cells hold only Python, is left to the parser (None)."""
    from kerassniff.notebook import percent_script_python

    text = "# %%\n!pip install keras\n%matplotlib inline\nimport keras\n\n# %%\nx = 1\n"
    python = percent_script_python(text)
    assert python is not None and len(python.split("\n")) == len(text.split("\n"))
    assert python.split("\n")[3:] == text.split("\n")[3:]
    assert "!pip" not in python and "%matplotlib" not in python
    assert percent_script_python("import keras\n!pip install x\n") is None
    assert percent_script_python("# %%\nimport keras\n") is None


def test_a_script_without_cells_reads_its_ipython_lines_as_one_cell() -> None:
    """A notebook cell pasted into a .py (``!pip``, ``!wget``, ``%matplotlib``, no ``# %%``): the same number of
    lines, the Python ones kept; plain Python is left to the parser (None)."""
    from kerassniff.notebook import ipython_script_python

    text = "!pip install keras\nimport keras\n%matplotlib inline\nx = 1\n"
    python = ipython_script_python(text)
    assert python is not None and len(python.split("\n")) == len(text.split("\n"))
    assert python.split("\n")[1] == "import keras" and python.split("\n")[3] == "x = 1"
    assert "!pip" not in python and "%matplotlib" not in python
    assert ipython_script_python("import keras\nx = 3 % 2\n") is None
    assert ipython_script_python("!pip install keras\n\x0cimport keras\n") is None  # lines would shift: not read


def test_a_pasted_cell_with_a_real_syntax_error_names_that_error_not_its_ipython_lines() -> None:
    """A .py with ``!pip`` lines that also has a real error: KS001 is at the real error (lines are kept in place),
    not at the first IPython line; with no IPython line the parser's own error stands."""
    text = "!pip install keras\nimport keras\n%matplotlib inline\nif True\n    x = 1\n"
    found = lint_source(text, "pasted.py").findings
    assert [(f.code, f.line) for f in found] == [("KS001", 4)]
    assert "':'" in found[0].message
    plain = lint_source("import keras\nif True\n    x = 1\n", "plain.py").findings
    assert [(f.code, f.line) for f in plain] == [("KS001", 2)]


def test_a_bare_pip_install_line_is_the_pip_magic_by_automagic() -> None:
    """``pip install x`` alone in a cell runs in Jupyter (automagic makes it %pip): no syntax error."""
    from kerassniff.notebook import cell_python

    lines = cell_python("pip install -q tensorflow\nimport keras\n  conda install numpy")
    assert len(lines) == 3 and lines[1] == "import keras"
    assert "pip" in lines[0] and not lines[0].startswith("pip install")
    compile("\n".join(line.strip() for line in lines), "cell", "exec")  # Python now


def test_a_statement_run_by_a_timing_magic_is_read_in_its_columns(reader: str) -> None:
    """``%time history = model.fit(x, y)`` runs the statement: read as code, at the columns it is written in, so a
    fit timed by a magic trains the model (KS233 stays silent) and findings on that line point at the code."""
    assert cell_python("%time history = model.fit(x, y)") == ["pass; history = model.fit(x, y)"]
    assert cell_python("for i in range(3):\n    %timeit -n 1 model.predict(x)") == [
        "for i in range(3):", "    pass;        model.predict(x)"]
    assert cell_python("%timeit -r1 for x in ds: pass")[0] != "pass; for x in ds: pass"  # compound: not after pass;
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "KS233" / "good_fit_timed_by_a_line_magic.ipynb"
    text = fixture.read_text()
    assert [f.code for f in lint_source(text, str(fixture), Config(cache=False)).findings] == []
    untimed = text.replace("%time history = model.fit(x_train, y_train, epochs=3)\\n", "history = None\\n")
    assert [f.code for f in lint_source(untimed, str(fixture), Config(cache=False)).findings] == ["KS233"]
