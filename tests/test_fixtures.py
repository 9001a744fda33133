"""Every fixture's findings are exactly its '# expect: KSxxx' annotations (codes and lines)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kerassniff.api import lint_file
from kerassniff.config import Config
from tests.conftest import FIXTURES, expected_findings

SINGLE_SCRIPT_FIXTURES = sorted(p for p in FIXTURES.rglob("*.py") if "projects" not in p.parts)


@pytest.mark.parametrize("path", SINGLE_SCRIPT_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_annotations(path: Path) -> None:
    result = lint_file(path, Config())
    assert result.internal_error is None, result.internal_error
    actual = sorted((f.line, f.code) for f in result.findings)
    assert actual == expected_findings(path)


def test_every_rule_has_three_positive_and_three_negative_fixtures() -> None:
    from kerassniff.registry import all_rules

    for rule in all_rules():
        folder = FIXTURES / rule.code
        if rule.scope == "project":
            folder = FIXTURES / "projects"
            assert any(rule.code in str(p) for p in folder.rglob("*")), rule.code
            continue
        bad = [p for p in folder.glob("bad_*.py") if rule.code in {c for _, c in expected_findings(p)}]
        good = list(folder.glob("good_*.py"))
        assert len(bad) >= 3, f"{rule.code}: {len(bad)} positive fixtures"
        assert len(good) >= 3, f"{rule.code}: {len(good)} negative fixtures"
        for path in good:
            assert rule.code not in {c for _, c in expected_findings(path)}, path
