"""The public facade: what front ends (the CLI, the editor server, tests, users' scripts) call.

Everything here is defined in :mod:`kerassniff.engine` (and the configuration
in :mod:`kerassniff.config`); this module only names it in one place, so that
callers never import the engine's modules, and the engine can be rearranged
without breaking them.

- :func:`lint_source` / :func:`lint_file` / :func:`lint_bytes`: one file's text
  to a :class:`FileResult` (with its :class:`Analysis`: the semantic model).
- :func:`lint_paths`: files and folders (the cache, worker processes,
  cross-script rules) to a :class:`RunResult`.
- :func:`load_config`: ``[tool.kerassniff]`` with its selectors checked against
  the registered rules; :func:`rule_set` resolves a configuration's selection.
"""
from __future__ import annotations

from pathlib import Path

from kerassniff.config import Config, ConfigError, RuleSet, find_pyproject
from kerassniff.config import load_config as _load_config
from kerassniff.engine.cache import Cache
from kerassniff.engine.fixing import FixedFile, apply_fixes, fix_file, fix_text
from kerassniff.engine.lint_file import (
    is_notebook,
    known_codes,
    lint_bytes,
    lint_file,
    lint_source,
    rule_set,
)
from kerassniff.engine.lint_paths import lint_paths, sibling_findings
from kerassniff.engine.results import (
    Analysis,
    FileResult,
    RunResult,
    Status,
    internal_error_message,
    print_internal_errors,
)
from kerassniff.suppressions import filter_findings

# Why a file was not analysed, as FileResult.skipped says it (kept for callers of the old constants).
NO_KERAS = Status.NO_KERAS.value
NOT_PYTHON = Status.NOT_PYTHON.value


def load_config(pyproject: Path | None) -> Config:
    """The configuration in ``pyproject`` (defaults when None), its selectors checked against the registered rules."""
    return _load_config(pyproject, known_codes())


__all__ = [
    "NOT_PYTHON", "NO_KERAS", "Analysis", "Cache", "Config", "ConfigError", "FileResult", "FixedFile", "RuleSet",
    "RunResult", "Status", "apply_fixes", "filter_findings", "find_pyproject", "fix_file", "fix_text",
    "internal_error_message", "is_notebook", "known_codes", "lint_bytes", "lint_file", "lint_paths", "lint_source",
    "load_config", "print_internal_errors", "rule_set", "sibling_findings",
]
