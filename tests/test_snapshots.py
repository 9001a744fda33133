"""What users read, pinned: every fixture's findings in a snapshot file beside it, so a changed message is a diff.

``fixtures/KS101/bad_foo.py`` is pinned in ``fixtures/KS101/snapshots/bad_foo.py.snap``; a multi-script project
folder (``fixtures/projects/scaling_mismatch/``) in ``fixtures/projects/snapshots/scaling_mismatch.snap``. Each
finding is written as its code and name, its range (``line:column-end_line:end_column``), severity, message, fix
hint, explanation and automatic fix (its title and the unified diff it makes), the way ruff's insta snapshots are.

After an intended change, rewrite them all (and delete the snapshots of deleted fixtures) with::

    python -m pytest tests/test_snapshots.py --snapshot-update

and review the diff of ``fixtures/**/snapshots/`` before committing it.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from kerassniff.api import lint_file
from kerassniff.config import Config
from kerassniff.findings import Finding
from kerassniff.api import apply_fixes
from kerassniff.fixes import Fix
from tests.conftest import FIXTURES, PROJECTS, SNAPSHOTS, SINGLE_SCRIPT_FIXTURES

UPDATE_COMMAND = "python -m pytest tests/test_snapshots.py --snapshot-update"


def snapshot_path(fixture: Path) -> Path:
    """Where a fixture's snapshot lives: a ``snapshots`` folder beside it, named after it."""
    return fixture.parent / SNAPSHOTS / f"{fixture.name}.snap"


def render(fixture: Path, findings: list[Finding], modules: dict[str, object]) -> str:
    """The readable snapshot of one fixture's findings (``modules``: path -> the parsed module, for fix diffs)."""
    lines = ["---", f"source: {fixture.relative_to(FIXTURES).as_posix()}", "---"]
    if not findings:
        lines.append("(no findings)")
    for finding in sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code, f.message)):
        name = Path(finding.path).relative_to(fixture.name).as_posix() if fixture.is_dir() else ""
        lines.append("")
        lines.append(f"{finding.code} {finding.name} [{finding.severity.value}] {name + ':' if name else ''}"
                     f"{finding.line}:{finding.column}-{finding.end_line}:{finding.end_column}")
        lines.append(f"  message: {finding.message}")
        if finding.fix_hint:
            lines.append(f"  hint: {finding.fix_hint}")
        if finding.explanation:
            lines.append(f"  explanation: {finding.explanation}")
        if finding.fix_applicability is not None:
            lines.append(f"  fix ({finding.fix_applicability}): {finding.fix_message}")
            lines.extend(f"    {line}".rstrip() for line in _fix_diff(finding, modules.get(finding.path)))
    return "\n".join(lines) + "\n"


def _fix_diff(finding: Finding, module) -> list[str]:
    if not isinstance(finding.fix, Fix) or module is None:
        return ["(diff not available)"]
    before, after = module.code, apply_fixes(module, [finding.fix])
    return [line.rstrip("\n") for line in difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), "before", "after", n=0)]


def findings_of(fixture: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Finding], dict[str, object]]:
    if fixture.is_dir():
        from kerassniff.api import lint_paths

        monkeypatch.chdir(fixture.parent)  # messages name the other scripts by the path given: keep it relative
        result = lint_paths([fixture.name], Config(), keep_models=True)
        modules = {f.path: f.script.module for f in result.files if f.script is not None}
        return list(result.findings), modules
    result = lint_file(fixture, Config())
    assert result.internal_error is None, result.internal_error
    modules = {str(fixture): result.script.module} if result.script is not None else {}
    return list(result.findings), modules


PINNED = SINGLE_SCRIPT_FIXTURES + PROJECTS


@pytest.mark.parametrize("fixture", PINNED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_findings_match_the_snapshot(fixture: Path, request: pytest.FixtureRequest,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    findings, modules = findings_of(fixture, monkeypatch)
    actual = render(fixture, findings, modules)
    path = snapshot_path(fixture)
    if request.config.getoption("--snapshot-update"):
        if not path.exists() or path.read_text(encoding="utf-8") != actual:
            path.parent.mkdir(exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.relative_to(FIXTURES.parent)} is missing: run `{UPDATE_COMMAND}` and review it",
                    pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if expected != actual:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            "snapshot", "now"))
        pytest.fail(f"{fixture.relative_to(FIXTURES)}: findings differ from {path.name} (if intended, run "
                    f"`{UPDATE_COMMAND}` and review the diff):\n{diff}", pytrace=False)


def test_no_snapshot_outlives_its_fixture(request: pytest.FixtureRequest) -> None:
    wanted = {snapshot_path(fixture) for fixture in PINNED}
    stale = sorted(p for p in FIXTURES.rglob(f"{SNAPSHOTS}/*") if p not in wanted)
    if stale and request.config.getoption("--snapshot-update"):
        for path in stale:
            path.unlink()
        return
    assert not stale, (f"snapshots without a fixture: {', '.join(str(p.relative_to(FIXTURES)) for p in stale)}; "
                       f"run `{UPDATE_COMMAND}` to remove them")
