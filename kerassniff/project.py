"""Cross-script analysis (KS203): link scripts by the model files they save and load."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kerassniff.config import Config
from kerassniff.findings import Finding

if TYPE_CHECKING:
    from kerassniff.api import FileResult


def cross_script_findings(files: list["FileResult"], config: Config) -> list[Finding]:
    return []
