"""The pre-commit hooks, run by the real pre-commit tool against a temporary git repository."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUGGY_TRAINING, FIXED_TRAINING, ROOT

pytestmark = pytest.mark.slow  # pre-commit builds a virtual environment with kerassniff in it

BUGGY, CLEAN = BUGGY_TRAINING, FIXED_TRAINING


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files", *files],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.email", "ci@example.com")
    git(tmp_path, "config", "user.name", "CI")
    (tmp_path / "buggy_train.py").write_text(BUGGY)
    (tmp_path / "clean_train.py").write_text(CLEAN)
    git(tmp_path, "add", ".")
    return tmp_path


def test_hook_fails_on_the_buggy_script_and_passes_on_the_clean_one(repo: Path, pre_commit_home: Path) -> None:
    failed = try_repo(repo, pre_commit_home, "kerassniff", "buggy_train.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "buggy_train.py:3:20: KS101" in failed.stdout and "KS403 [*]" in failed.stdout
    passed = try_repo(repo, pre_commit_home, "kerassniff", "clean_train.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_applies_safe_fixes_only(repo: Path, pre_commit_home: Path) -> None:
    result = try_repo(repo, pre_commit_home, "kerassniff-fix", "buggy_train.py")
    assert result.returncode == 1  # files were modified (and KS101's fix is unsafe, so it is still reported)
    text = (repo / "buggy_train.py").read_text()
    assert "600 // 32" in text and "binary_crossentropy" in text
