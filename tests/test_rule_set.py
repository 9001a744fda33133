"""The selection resolved once: --select/--ignore/per-file-ignores become one RuleSet the engine receives."""
from __future__ import annotations

from pathlib import Path

import pytest

from kerassniff.api import Status, lint_paths, lint_source, load_config
from kerassniff.config import Config, ConfigError, RuleSet, validate_selectors
from kerassniff.engine.cache import Cache

CODES = ["KS101", "KS102", "KS201", "KS301", "KS302"]
KS101_AND_KS402 = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
    "model.compile(loss='binary_crossentropy', optimizer=keras.optimizers.Adam(lr=0.1), metrics=['accuracy'])\n"
)


def test_the_most_specific_selector_wins_and_ignore_wins_a_tie() -> None:
    rules = Config(select=["KS1", "KS301"], ignore=["KS10", "KS3"]).rule_set(CODES)
    assert rules.enabled == {"KS301"}  # KS301 (5 characters) beats KS3; KS10 beats KS1
    assert Config(select=["KS101"], ignore=["KS101"]).rule_set(CODES).enabled == set()
    assert Config(select=["ALL"], ignore=["KS2"]).rule_set(CODES).enabled == {"KS101", "KS102", "KS301", "KS302"}


def test_per_file_ignores_are_resolved_to_codes_relative_to_the_configuration(tmp_path: Path) -> None:
    config = Config(per_file_ignores={"notebooks/*": ["KS3"], "legacy.py": ["ALL"]}, root=tmp_path)
    rules = config.rule_set(CODES)
    assert dict(rules.per_file_ignores) == {"notebooks/*": {"KS301", "KS302"}, "legacy.py": set(CODES)}
    assert not rules.applies("KS301", str(tmp_path / "notebooks" / "a.py"))
    assert rules.applies("KS101", str(tmp_path / "notebooks" / "a.py"))
    assert not rules.applies("KS101", str(tmp_path / "sub" / "legacy.py"))  # a pattern without '/' names any part
    assert rules.applies("KS301", str(tmp_path / "train.py"))


def test_selectors_are_checked_against_the_codes_passed_in() -> None:
    validate_selectors(["ks1", "ALL", "KS302"], "--select", CODES)
    with pytest.raises(ConfigError, match=r"--select: unknown rule selector 'KS9' \(rules are KS101\.\.KS302;"):
        validate_selectors(["KS9"], "--select", CODES)


def test_the_facade_checks_a_pyproject_against_the_registered_rules(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.kerassniff]\nselect = ["KS4"]\nper-file-ignores = {"x.py" = ["KS999"]}\n')
    with pytest.raises(ConfigError, match="per-file-ignores.x.py: unknown rule selector 'KS999'"):
        load_config(pyproject)


def test_the_engine_applies_the_rule_set_it_is_given() -> None:
    everything = lint_source(KS101_AND_KS402, "train.py", Config())
    assert sorted(f.code for f in everything.findings) == ["KS101", "KS402"]
    only_ks4 = lint_source(KS101_AND_KS402, "train.py", Config(), rules=RuleSet(frozenset({"KS402"})))
    assert [f.code for f in only_ks4.findings] == ["KS402"]


def test_a_run_resolves_the_selection_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(3):
        (tmp_path / f"train_{index}.py").write_text(KS101_AND_KS402)
    calls = []
    original = Config.rule_set

    def counting(self: Config, codes):
        calls.append(self)
        return original(self, codes)

    monkeypatch.setattr(Config, "rule_set", counting)
    result = lint_paths([str(tmp_path)], Config(select=["KS1"]), jobs=1)
    assert [f.code for f in result.findings] == ["KS101"] * 3
    assert len(calls) == 1


def test_a_result_keeps_its_status_and_drops_its_analysis(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(KS101_AND_KS402)
    (tmp_path / "notes.py").write_text("print('no deep learning here')\n")
    config = Config(root=tmp_path)
    first = {Path(f.path).name: f for f in lint_paths([str(tmp_path)], config, cache=Cache.for_config(config)).files}
    assert first["notes.py"].status is Status.NO_KERAS and first["notes.py"].skipped == "no Keras"
    assert first["train.py"].status is Status.CHECKED and first["train.py"].analysis is None  # nothing reads it
    again = {Path(f.path).name: f for f in lint_paths([str(tmp_path)], config, cache=Cache.for_config(config)).files}
    assert again["notes.py"].cached and again["notes.py"].status is Status.NO_KERAS
    kept = lint_paths([str(tmp_path)], config, keep_models=True).files
    assert all(f.analysis is not None for f in kept if f.status is Status.CHECKED)
