"""The import layers in pyproject.toml's [tool.importlinter], checked with import-linter on every test run.

``kerassniff layers``: cli/lsp/api > output > engine > dynamic > checks > registry > semantic > the floor
(config, fixes, findings, sources, ...).  Function-level and TYPE_CHECKING imports count, so a cycle cannot
come back hidden inside a function.  ``semantic`` describes the target inside the model (interpreter >
library > knowledge and data types); it is expected to break until the library handlers stop calling the
builder back (issue 11), and is then held like the first.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parent.parent


def lint(root: Path, *contracts: str) -> tuple[int, str]:
    """import-linter on the package under ``root`` (its pyproject.toml), in a fresh interpreter: the graph is
    built from the files, and this process's imports (and its captured output streams) stay out of it."""
    script = ("import sys\nfrom importlinter.cli import lint_imports\n"
              f"sys.exit(lint_imports(config_filename={str(root / 'pyproject.toml')!r}, "
              f"limit_to_contracts={contracts!r}, no_cache=True, no_logo=True))\n")
    environment = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=environment, capture_output=True, text=True,
                          timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_the_package_layers_hold() -> None:
    code, report = lint(ROOT, "layers")
    assert code == 0, report


def test_the_semantic_layers_hold() -> None:
    code, report = lint(ROOT, "semantic")
    assert code == 0, report


def test_the_static_analysis_imports_no_numeric_library() -> None:
    code, report = lint(ROOT, "no-numeric-imports")
    assert code == 0, report


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract is not vacuous: a floor module that imports the engine (as config.py once imported the
    registry) is reported."""
    package = tmp_path / "kerassniff"
    for module in ("__init__", "config", "api"):
        (package / f"{module}.py").parent.mkdir(exist_ok=True)
        (package / f"{module}.py").write_text("")
    (package / "engine").mkdir()
    (package / "engine" / "__init__.py").write_text("")
    (package / "config.py").write_text("def validate():\n    from kerassniff.engine import lint_file\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_package = "kerassniff"\n[[tool.importlinter.contracts]]\nid = "layers"\n'
        'name = "layers"\ntype = "layers"\nlayers = ["kerassniff.api", "kerassniff.engine", "kerassniff.config"]\n')
    code, report = lint(tmp_path, "layers")
    assert code != 0 and "kerassniff.config is not allowed to import kerassniff.engine" in report
