"""Hostile input: every case gives a clear message and the right exit code, and the other files are still checked."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kerassniff.cli import main

BUGGY = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
)


def run(args: list[str]):
    result = CliRunner().invoke(main, [*args, "--no-cache"], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def findings(folder: Path) -> tuple[int, list[tuple[str, int, str, str]]]:
    """Lint a folder holding the hostile file and a buggy script: (exit code, (file, line, code, message))."""
    (folder / "z_train.py").write_text(BUGGY)
    result = run([str(folder), "--output-format", "json"])
    found = [(Path(f["path"]).name, f["line"], f["code"], f["message"]) for f in json.loads(result.output)]
    assert ("z_train.py", 3, "KS101") in [(name, line, code) for name, line, code, _ in found], "other file not checked"
    return result.exit_code, [f for f in found if f[0] != "z_train.py"]


def only(folder: Path, name: str, content: bytes | str) -> list[tuple[int, str, str]]:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    code, found = findings(folder)
    assert code == 1
    return [(line, rule, message) for file, line, rule, message in found if file == name]


@pytest.mark.parametrize("name, content", [
    ("empty.py", b""),
    ("comments.py", b"# keras notes\n# nothing to run\n"),
    ("bom.py", b"\xef\xbb\xbfimport keras\nx = 1\n"),
    ("tabs.py", b"import keras\nif True:\n\tx = keras.layers.Dense(3)\n"),
    ("cookie.py", "# -*- coding: latin-1 -*-\nimport keras\nname = 'caf\xe9'\n".encode("latin-1")),
    # enumerate() of nothing (a TypeError when run): once an internal IndexError
    ("enumerate_nothing.py", b"import keras\nfor fold, pair in enumerate():\n    pass\n"),
])
def test_odd_but_valid_files_are_clean(tmp_path: Path, name: str, content: bytes) -> None:
    assert only(tmp_path, name, content) == []


@pytest.mark.parametrize("name, content, expected", [
    ("nul.py", b"import keras\x00\n", "NUL bytes"),
    ("image.py", bytes(range(256)) * 4, "NUL bytes"),
    ("latin1.py", "import keras\nname = 'caf\xe9'\n".encode("latin-1"), "not valid utf-8"),
    ("py2.py", b"import keras\nprint 'training'\n", "Python 2"),
    ("syntax.py", b"import keras\nmodel = keras.Sequential([\n", "syntax error"),
    ("deep.py", ("import keras\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n").encode(), "nested too deeply"),
    ("bad.ipynb", b"{ import keras, not json", "not JSON"),
])
def test_unreadable_files_are_ks001_with_a_reason(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    (found,) = only(tmp_path, name, content)
    assert found[1] == "KS001" and expected.lower() in found[2].lower(), found


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_line_endings_keep_line_numbers(tmp_path: Path, newline: str) -> None:
    found = only(tmp_path, "endings.py", BUGGY.replace("\n", newline).encode())
    assert [(line, rule) for line, rule, _ in found] == [(3, "KS101")]


def test_a_notebook_without_code_cells_is_clean(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# keras notes"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert only(tmp_path, "notes.ipynb", json.dumps(notebook)) == []


def test_a_huge_file_is_reported_not_parsed(tmp_path: Path) -> None:
    text = "import keras\n" + "weights = [" + "0.1, " * 2_000_000 + "]\n"  # 10 MB of generated data
    (found,) = only(tmp_path, "generated.py", text)
    assert found[1] == "KS002" and "too large" in found[2]


def test_a_slow_analysis_hits_the_time_limit(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\ntimeout = 0.000001\n")
    (tmp_path / "slow.py").write_text(BUGGY * 50)
    result = run([str(tmp_path / "slow.py"), "--output-format", "json"])
    (finding,) = json.loads(result.output)
    assert finding["code"] == "KS002" and "per-file limit" in finding["message"] and result.exit_code == 1


def test_a_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path, tmp_path / "sub" / "loop", target_is_directory=True)
    code, found = findings(tmp_path)
    assert code == 1 and found == []


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text(BUGGY)
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # root can read a chmod 000 file, so deny it here
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, found = findings(tmp_path)
    assert code == 1 and [(f[2], "permission denied" in f[3]) for f in found] == [("KS001", True)]


def test_a_missing_path_is_exit_2_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = CliRunner().invoke(main, [str(tmp_path / "nope.py"), str(tmp_path / "train.py"), "--no-cache"])
    assert result.exit_code == 2
    assert "nope.py: no such file or directory" in result.output and "KS101" in result.output


@pytest.mark.parametrize("source", [
    "x = " + "f(" * 3000 + ")" * 3000,
    "x = " + "+".join(["1"] * 100_000),
    "x = a" + ".b" * 100_000,
    "x = " + "not " * 100_000 + "y",
    "x = " + "-" * 100_000 + "y",
    "x = " + "lambda: " * 10_000 + "y",
    "x = (1 +\\\n" + "1 +\\\n" * 3000 + "1)",
], ids=["calls", "chain", "attributes", "not", "minus", "lambdas", "continuations"])
def test_structures_that_crash_libcsts_parser_are_refused_cleanly(source: str) -> None:
    from kerassniff.api import lint_source

    result = lint_source("import keras\n" + source + "\n", "deep.py")
    assert result.internal_error is None
    assert [f.code for f in result.findings] in ([], ["KS001"])


@pytest.mark.parametrize("statement", [
    "s = 'x' * (2**31 - 1)", "b = b'x' * 2**40", "n = 10 ** 10 ** 9", "r = range(10 ** 30)\nfor i in r:\n    pass",
    "i = int(float('inf'))", "j = round(float('nan'))", "k = [0] * 10 ** 12", "m = 2 ** 64 * 2 ** 64 * 10 ** 5000",
], ids=["str-repeat", "bytes-repeat", "power-tower", "huge-range", "int-inf", "round-nan", "list-repeat", "bigint"])
def test_constant_folding_never_allocates_or_computes_without_bound(statement: str) -> None:
    import time

    from kerassniff.api import lint_source

    start = time.perf_counter()
    result = lint_source("import keras\n" + statement + "\n", "consts.py")
    assert result.internal_error is None and result.findings == []
    assert time.perf_counter() - start < 2


def test_valid_python_libcst_cannot_parse_is_named_honestly(tmp_path: Path) -> None:
    (found,) = only(tmp_path, "annotated.py", "import keras\n(parenthesised): int = 3\n")
    assert found[1] == "KS001" and found[2].startswith("valid Python that LibCST")
