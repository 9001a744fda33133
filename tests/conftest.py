from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SNAPSHOTS = "snapshots"  # fixtures/KS101/snapshots/bad_foo.py.snap pins bad_foo.py's findings (tests/test_snapshots.py)
# A folder under projects/, seeds/ or dynamic/ is a multi-script project: linted as a whole.
PROJECTS = sorted(p for group in ("projects", "seeds", "dynamic") for p in (FIXTURES / group).iterdir()
                  if p.is_dir() and p.name != SNAPSHOTS)
# A project's scripts, in its folder or in packages inside it (src/train.py), are checked together, not alone.
SINGLE_SCRIPT_FIXTURES = sorted(p for p in FIXTURES.rglob("*.py") if not set(p.parents).intersection(PROJECTS))
# A script with one unsafe-fixable finding (KS101) and one safe-fixable finding (KS403), and its fixed version.
BUGGY_TRAINING = (
    "import keras\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
    "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "model.fit(x=None, y=None, steps_per_epoch=600 / 32)\n"
)
FIXED_TRAINING = BUGGY_TRAINING.replace("binary_crossentropy", "categorical_crossentropy").replace("600 / 32", "600 // 32")
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>KS\d{3}(?:\s*,\s*KS\d{3})*)")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot-update", action="store_true", default=False,
                     help="rewrite fixtures/**/snapshots/ from the findings of today's code (tests/test_snapshots.py)")


def expected_findings(path: Path) -> list[tuple[int, str]]:
    """(line, code) pairs from '# expect: KS101' comments, one per listed code."""
    expected = []
    text = path.read_bytes().decode("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            expected.extend((number, code.strip()) for code in match.group("codes").split(","))
    return sorted(expected)


@pytest.fixture(autouse=True)
def _run_outside_the_repository(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run from an empty folder, so the CLI's cache never lands in the checkout."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def lint_text():
    from kerassniff.api import lint_source
    from kerassniff.config import Config

    def run(text: str, path: str = "train.py", config: Config | None = None):
        return lint_source(text, path, config or Config()).findings

    return run
