"""The semantic model of one script: what every rule reads.

``build_script(module, path)`` walks the LibCST tree once (interpreting the
bodies of functions where they are called) and returns a :class:`Script`.

The interpreter is imported on first use, not with the package: dynamic mode's
child process reads only the knowledge tables (``semantic.knowledge``) and
should not pay for loading LibCST, the interpreter and its library handlers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kerassniff.semantic.interpreter import AnalysisTimeout, build_script
    from kerassniff.semantic.script import Script

__all__ = ["AnalysisTimeout", "Script", "build_script"]


def __getattr__(name: str) -> Any:
    if name in ("AnalysisTimeout", "build_script"):
        from kerassniff.semantic import interpreter

        return getattr(interpreter, name)
    if name == "Script":
        from kerassniff.semantic.script import Script

        return Script
    raise AttributeError(f"module 'kerassniff.semantic' has no attribute {name!r}")
