"""Every rule has a document whose examples behave as the document says."""
from __future__ import annotations

import re

import pytest

from kerassniff.registry import all_rules
from kerassniff.rule_docs import document_path, examples, rule_document

RULES = list(all_rules())
REQUIRED_SECTIONS = ("## What it finds", "## Why it matters", "## Example", "## How to fix", "## Dynamic mode")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_a_complete_document(rule) -> None:
    path = document_path(rule.code)
    assert path is not None, f"rules/{rule.code}.md is missing"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {rule.code} {rule.name}\n")
    for section in REQUIRED_SECTIONS:
        assert section in text, f"{rule.code}: missing section {section!r}"
    kinds = {example.kind for example in examples(text)}
    assert kinds == {"bad", "good"}, f"{rule.code}: needs a bad and a good example"


@pytest.mark.parametrize("rule", [r for r in RULES if r.scope not in ("project", "dynamic")], ids=lambda r: r.code)
def test_document_examples_behave_as_documented(rule, lint_text) -> None:
    from kerassniff.config import Config

    for example in examples(rule_document(rule.code)):
        # KS002's document shows its bad example under a limit no analysis can meet
        config = Config(timeout=1e-9) if rule.code == "KS002" and example.kind == "bad" else None
        codes = [f.code for f in lint_text(example.code, f"{rule.code}_{example.kind}.py", config)]
        if example.kind == "bad":
            assert rule.code in codes, f"{rule.code} bad example not flagged"
        else:
            assert rule.code not in codes, f"{rule.code} good example flagged: {codes}"


def test_readme_rule_table_lists_every_rule() -> None:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert re.search(rf"\[{rule.code}\]\(rules/{rule.code}\.md\)", readme), rule.code
