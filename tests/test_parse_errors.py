"""KS001 for code that does not parse: the real line and column, Python's own reason, Python 2 named plainly."""
from __future__ import annotations

import json

import pytest

from kerassniff.api import lint_source
from kerassniff.config import Config


def only_finding(text: str, path: str = "train.py"):
    (finding,) = lint_source(text, path, Config()).findings
    assert finding.code == "KS001"
    return finding


@pytest.mark.parametrize("text, line, column, reason", [
    ("import keras\nx = 1\nz = a ? b\n", 3, 7, "invalid syntax"),  # a LibCST tokenizer error: it says 1:1
    ("import keras\nx = 1\nname = 'unclosed\n", 3, 8, "unterminated string literal"),
    ("import keras\nmodel = keras.Sequential([\n    keras.layers.Dense(10 activation='relu'),\n])\n", 3, 24,
     "forgot a comma"),
])
def test_a_syntax_error_is_reported_where_python_stops(text: str, line: int, column: int, reason: str) -> None:
    finding = only_finding(text)
    assert (finding.line, finding.column) == (line, column)
    assert finding.message.startswith("syntax error: ") and reason in finding.message and len(finding.message) < 100
    assert f"line {line}, column {column}" in finding.explanation


@pytest.mark.parametrize("statement, kind", [
    ("print 'loss (train)', loss", "print statement"),
    ("exec 'x = 1'", "exec statement"),
    ("raise IOError, 'model missing'", "raise statement with a comma"),
    ("steps = 100L", "long integer literal"),
    ("text = `steps`", "backtick repr"),
    ("same = steps <> 3", "'<>' operator"),
    ("mode = 0755", "octal literal without 0o"),
])
def test_python2_code_is_named_in_one_plain_sentence(statement: str, kind: str) -> None:
    text = "import keras\nsteps = 3\nloss = 0.1\n" + statement + "\n"
    line = 4
    finding = only_finding(text)
    assert finding.message == f"Python 2 code ({kind} on line {line}): kerassniff analyses Python 3 only"
    assert finding.line == line
    assert "2to3" in finding.explanation and "3.13" in finding.explanation and "pyupgrade" not in finding.fix_hint
    assert "expected one of" not in finding.message + finding.explanation


def test_python2_is_named_only_where_python_stops() -> None:
    """A print statement in a docstring is not why the file fails; the real error is reported as such."""
    text = 'import keras\n"""Usage:\nprint "hello"\n"""\nmodel = keras.Sequential(\n'
    finding = only_finding(text)
    assert finding.message.startswith("syntax error: ") and finding.line == 5


def test_a_name_that_starts_with_print_is_not_python2() -> None:
    finding = only_finding("import keras\nprinter = (\n")
    assert finding.message.startswith("syntax error: ") and finding.line == 2


def test_python2_in_a_notebook_names_the_cell() -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
             for source in (["import keras\n"], ["x = 1\n", "print x\n"])]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    finding = only_finding(text, "old.ipynb")
    assert finding.message == "Python 2 code (print statement on cell 2, line 2): kerassniff analyses Python 3 only"
    assert (finding.extra["cell"], finding.line, finding.column) == (2, 2, 1)


def test_a_stray_backtick_is_a_syntax_error_not_python2_and_stops_only_its_cell() -> None:
    """Python 2's repr needs a closing backtick: a lone one (a typo Python 2 refuses too) is a plain syntax error, and
    in a notebook it leaves only its cell out."""
    assert only_finding("import keras\nsteps = 3`\n").message.startswith("syntax error: ")
    assert only_finding("import keras\nUse `model.fit` to train\n").message.startswith("syntax error: ")  # prose
    assert only_finding("import keras\nprint `steps`\n").message.startswith("Python 2 code")
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}
             for source in (["import keras\n", "model = keras.Sequential([keras.layers.Dense(3)])\n"],
                            ["batch = next(data)`\n"], ["model.compile(loss='binary_crossentropy')\n"])]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    found = lint_source(text, "typo.ipynb", Config()).findings
    assert found[0].code == "KS001" and found[0].message.startswith("syntax error: ") and found[0].extra["cell"] == 2
    assert len(found) > 1  # the other cells were analysed


def test_valid_python_libcst_cannot_read_gives_libcsts_position() -> None:
    finding = only_finding("import keras\n(parenthesised): int = 3\n")
    assert finding.message.startswith("valid Python that LibCST") and finding.line == 2
    assert "LibCST stops at line 2" in finding.explanation


def test_valid_python_libcst_cannot_read_says_what_to_do() -> None:
    """Tabs and spaces that Python accepts (they agree at every tab width) but LibCST cannot follow: re-indent; any
    other valid Python it cannot read: nothing in the file is wrong."""
    mixed = "import keras\nfor i in range(2):\n      n = 0\n      for p in range(3):\n\t        n += p\n      print(n)\n"
    compile(mixed, "mixed.py", "exec")  # Python reads it
    finding = only_finding(mixed)
    assert finding.message.startswith("valid Python that LibCST") and "spaces only" in finding.fix_hint
    assert "nothing in the file is wrong" in only_finding("import keras\n(parenthesised): int = 3\n").fix_hint


def test_pythons_warnings_about_the_users_code_are_not_printed() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would now raise
        finding = only_finding('import keras\npattern = "\\d+"\nprint 1\n')
    assert finding.message.startswith("Python 2 code")
