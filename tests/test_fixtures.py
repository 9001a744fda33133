"""Every fixture's findings are exactly its '# expect: KSxxx' annotations (codes and lines)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kerassniff.api import lint_file
from kerassniff.config import Config
from tests.conftest import FIXTURES, PROJECTS, SINGLE_SCRIPT_FIXTURES, expected_findings


@pytest.mark.parametrize("path", SINGLE_SCRIPT_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_annotations(path: Path) -> None:
    result = lint_file(path, Config())
    assert result.internal_error is None, result.internal_error
    actual = sorted((f.line, f.code) for f in result.findings)
    assert actual == expected_findings(path)


def test_every_rule_has_three_positive_and_three_negative_fixtures() -> None:
    from kerassniff.registry import all_rules

    for rule in all_rules():
        if rule.code == "KS002":
            continue  # a timeout depends on the clock, not the source: tests/test_robustness.py covers it
        if rule.scope == "dynamic":
            continue  # found only by running: fixtures/dynamic/ and tests/test_dynamic.py
        folder = FIXTURES / rule.code
        minimum = 4 if rule.code == "KS102" or rule.code.startswith("KS2") else 3
        if rule.scope == "project":
            flagged = [p for p in PROJECTS if any(rule.code == c for f in p.rglob("*.py") for _, c in expected_findings(f))]
            clean = [p for p in PROJECTS if not any(rule.code == c for f in p.rglob("*.py") for _, c in expected_findings(f))]
            assert len(flagged) >= 3 and len(clean) >= 2, rule.code
            continue
        bad = [p for p in folder.glob("bad_*.py") if rule.code in {c for _, c in expected_findings(p)}]
        good = list(folder.glob("good_*.py"))
        assert len(bad) >= minimum, f"{rule.code}: {len(bad)} positive fixtures"
        assert len(good) >= minimum, f"{rule.code}: {len(good)} negative fixtures"
        for path in good:
            assert rule.code not in {c for _, c in expected_findings(path)}, path



@pytest.mark.parametrize("folder", PROJECTS, ids=lambda p: p.name)
def test_cross_script_projects(folder: Path) -> None:
    from kerassniff.api import lint_paths

    result = lint_paths([str(folder)], Config())
    actual = sorted((Path(f.path).resolve().relative_to(folder.resolve()).as_posix(), f.line, f.code)
                    for f in result.findings)
    expected = sorted((p.relative_to(folder).as_posix(), line, code)
                      for p in folder.rglob("*.py") for line, code in expected_findings(p))
    assert actual == expected


def test_one_script_alone_gives_no_cross_script_finding(tmp_path: Path) -> None:
    from kerassniff.api import lint_paths

    alone = tmp_path / "analyze.py"  # no trainer beside it (see test_cross_script_siblings.py for one that has)
    alone.write_text((FIXTURES / "projects" / "scaling_mismatch" / "analyze.py").read_text())
    result = lint_paths([str(alone)], Config())
    assert [f.code for f in result.findings] == []


def test_a_trainer_beside_the_loading_script_wins_over_same_named_files_elsewhere() -> None:
    from kerassniff.api import lint_paths

    result = lint_paths([str(FIXTURES / "seeds")], Config())
    ks203 = [f for f in result.findings if f.code == "KS203"]
    assert len(ks203) == 1
    assert "seed003_cifar100/train.py" in ks203[0].message


def test_a_model_file_saved_by_two_scripts_of_other_folders_links_neither(tmp_path: Path) -> None:
    """Two lessons of a course both save cifar100.h5 and a third folder loads it: which one made the file is not
    known, so no cross-script finding; with one trainer elsewhere the link stands."""
    from kerassniff.api import lint_paths

    trainer = (FIXTURES / "projects" / "scaling_mismatch" / "train.py").read_text()
    for folder in ("lesson1", "lesson2", "app"):
        (tmp_path / folder).mkdir()
    (tmp_path / "lesson1" / "train.py").write_text(trainer)
    (tmp_path / "app" / "analyze.py").write_text((FIXTURES / "projects" / "scaling_mismatch" / "analyze.py").read_text())
    one = lint_paths([str(tmp_path)], Config())
    assert [f.code for f in one.findings if f.code == "KS203"] == ["KS203"]
    (tmp_path / "lesson2" / "train.py").write_text(trainer.replace('.astype("float32") / 255', ""))
    two = lint_paths([str(tmp_path)], Config())
    assert [f.code for f in two.findings if f.code == "KS203"] == []


def test_a_withdrawn_finding_stands_when_its_readers_are_not_in_the_run(tmp_path: Path) -> None:
    """KS402 on an .h5 file is taken back when the script that reads it (with compile=False) is checked too; a script
    checked alone keeps it even when that reader, beside it, is read for its links (it saves a file the script
    loads), because the reader is not a file of the run."""
    from kerassniff.api import lint_paths

    (tmp_path / "head.py").write_text(
        "import numpy as np\nfrom tensorflow import keras\n\nx = np.random.rand(50, 4)\n"
        "encoder = keras.models.load_model('encoder.h5', compile=False)\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')\nmodel.fit(encoder.predict(x), np.random.rand(50, 1))\n"
        "model.save('head.h5')\n")
    (tmp_path / "encoder.py").write_text(
        "import numpy as np\nfrom tensorflow import keras\n\nx = np.random.rand(50, 4)\n"
        "encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4)])\n"
        "encoder.compile(optimizer='adam', loss='mean_squared_error')\nencoder.fit(x, x)\n"
        "encoder.save('encoder.h5')\nhead = keras.models.load_model('head.h5', compile=False)\n")
    together = lint_paths([str(tmp_path)], Config())
    alone = lint_paths([str(tmp_path / "head.py")], Config())
    assert [f.code for f in together.findings] == []
    assert [(f.line, f.code) for f in alone.findings] == [(9, "KS402")]
