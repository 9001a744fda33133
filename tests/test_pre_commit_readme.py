"""The README's pre-commit configuration works as written (a local hook: no tag or network needed).

The hook runs the kerassniff installed beside this Python (no environment to
build); test_pre_commit.py builds the hook's own environment from this checkout.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_cross_script_siblings import EVALUATE, TRAIN

pytestmark = [pytest.mark.slow,  # runs the real pre-commit tool
              pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]


def readme_hook_config() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Pre-commit"):]
    return re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_readme_hook_reports_ks203_with_only_the_loading_script_staged(tmp_path: Path) -> None:
    config = readme_hook_config()
    assert "repo: local" in config and "rev: v" not in config
    for args in (["init", "-q"], ["config", "user.email", "ci@example.com"], ["config", "user.name", "CI"]):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / ".pre-commit-config.yaml").write_text(config)
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "evaluate.py").write_text(EVALUATE)
    subprocess.run(["git", "add", "evaluate.py", ".pre-commit-config.yaml"], cwd=tmp_path, check=True)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / ".cache"), "PRE_COMMIT_COLOR": "never",
           "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    completed = subprocess.run([sys.executable, "-m", "pre_commit", "run"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "evaluate.py:4:7: KS203" in completed.stdout and "train.py:5" not in completed.stdout
