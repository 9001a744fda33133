"""Which module-level definitions a run of a script can reach.

A script that trains at module level (a ``compile()`` or ``fit()`` outside any function), or does a predict script's
work there (``evaluate()``, ``predict()``), runs its top-level code once; a function or class defined at module level whose name the file writes nowhere outside it (a metric helper left
behind when the ``compile(metrics=[helper])`` that used it was commented out) is never called, so nothing in it can
fail or mislead.  This is read from the source text, which is cheap: a name in a string counts as a use, one in a
comment does not; a decorated definition may be registered somewhere, and a module that looks names up
(``getattr``, ``globals()``, ``__all__``) is not judged at all.
"""
from __future__ import annotations

import re
from typing import Iterable

import libcst as cst

from kerassniff.semantic.script import Script

# What makes a module's functions reachable without their names written: __all__, lookups by a name in a string.
_BY_NAME = ("__all__", "getattr(", "globals()", "locals()", "sys.modules", "vars(")
# A comment: a '#' with no quote before it on its line, to the line's end (one after a quote may be in a string, and
# is kept: the names after it then count as uses).
_COMMENT = re.compile(r"^([^'\"#\n]*)#[^\n]*", re.MULTILINE)
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)


def unreached_definitions(script: Script, among: Iterable[int | None]) -> frozenset[int]:
    """Of the module-level statements ``among`` (indices into the module's body), the function and class
    definitions a run of the script never reaches: none unless the script trains at module level."""
    body = script.module.body
    defined = {top for top in among if top is not None and type(body[top]) in _DEFINITIONS}
    if not defined or not _trains_at_module_level(script):
        return frozenset()
    text = script.text if script.text is not None else script.module.code
    if any(way in text for way in _BY_NAME):
        return frozenset()  # a library, or functions looked up by name (getattr(module, name), globals()[name])
    defined = {top for top in defined if not body[top].decorators}  # type: ignore[attr-defined]  (registered)
    code = script.derived("code_without_comments", lambda: _COMMENT.sub(r"\1", text))
    return frozenset(top for top in defined if not _used_elsewhere(script, code, top))


def _used_elsewhere(script: Script, code: str, top: int) -> bool:
    """Whether the name a definition binds is written outside the definition itself (its own body naming it, a local
    variable of the same name or a recursive call, runs only if something else calls it first)."""
    name = re.compile(rf"(?<![\w.]){re.escape(script.module.body[top].name.value)}\b")  # type: ignore[attr-defined]
    span = script.positions.statement_lines(top)
    if span is None:
        return len(name.findall(code)) > 1  # the definition's own name, and another
    lines = script.derived("code_lines_without_comments", lambda: code.split("\n"))
    return any(name.search(line) for part in (lines[:span.start - 1], lines[span.stop - 1:]) for line in part)


def may_leave_definitions_unreached(script: Script) -> bool:
    """A cheap first look: the module defines a function or class at its top level and trains at module level."""
    return any(type(statement) in _DEFINITIONS for statement in script.module.body) and \
        _trains_at_module_level(script)


# The calls that make a module a script run from the top (not a library): training, and the work of a predict
# script (a model evaluated or asked to predict).  Not a model loaded: a chatbot or app module loads its model at
# import and defines the functions other modules call.
_SCRIPT_METHODS = frozenset({"compile", "fit", "evaluate", "predict"})


def _trains_at_module_level(script: Script) -> bool:
    """A compile(), fit(), evaluate() or predict() call outside any module-level function or class: the module is a
    script that does its work at the top level."""
    body = script.module.body
    return any(call.method in _SCRIPT_METHODS and call.top is not None and type(body[call.top]) not in _DEFINITIONS
               for call in script.calls)
