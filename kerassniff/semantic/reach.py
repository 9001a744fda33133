"""Which module-level definitions a run of a script can reach.

A script that trains at module level (a ``compile()`` or ``fit()`` outside any function), or does a predict script's
work there (``evaluate()``, ``predict()``), runs its top-level code once; a function or class defined at module level
whose name the file writes nowhere outside it (a metric helper left behind when the ``compile(metrics=[helper])``
that used it was commented out) is never called, so nothing in it can fail or mislead.  This is read from the source text, which is cheap: a name in a string counts as a use, one in a
comment does not; a decorated definition may be registered somewhere, and a module that looks names up
(``getattr``, ``globals()``, ``__all__``) is not judged at all.
"""
from __future__ import annotations

import re
from typing import Iterable

import libcst as cst

from kerassniff.semantic.guards import is_main_guard
from kerassniff.semantic.script import Script
from kerassniff.semantic.siblings import imported_beside
from kerassniff.semantic.syntax import code_children

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
    wanted = {top for top in among if top is not None and type(body[top]) in _DEFINITIONS and
              not body[top].decorators}  # type: ignore[attr-defined]  (a decorated one may be registered)
    if not wanted or not script.derived("trains_at_module_level", lambda: _trains_at_module_level(script)):
        return frozenset()
    text = script.text if script.text is not None else script.module.code
    if any(way in text for way in _BY_NAME):
        return frozenset()  # a library, or functions looked up by name (getattr(module, name), globals()[name])
    code = script.derived("code_without_comments", lambda: _COMMENT.sub(r"\1", text))
    return frozenset(top for top in wanted if not _used_elsewhere(code, body[top]))  # type: ignore[arg-type]


def _used_elsewhere(code: str, definition: cst.FunctionDef | cst.ClassDef) -> bool:
    """Whether the name a definition binds is written outside the definition itself: its own body naming it (a local
    variable of the same name, a recursive call) runs only if something else calls it first.  Every mention in the
    code (strings too) is counted, less the definition's own names (an attribute's name, ``self.name``, is neither)."""
    name = definition.name.value
    written = len(re.findall(rf"(?<![\w.]){re.escape(name)}\b", code))
    if written <= 1:
        return False  # the definition's own name alone
    return written > _names_inside(definition, name)


def _names_inside(definition: cst.CSTNode, name: str) -> int:
    """How many times ``name`` is written as a name (not as an attribute's) in a definition, its own name included."""
    count = 0
    stack: list[cst.CSTNode] = [definition]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.Name:
            count += node.value == name  # type: ignore[attr-defined]
        elif kind is cst.Attribute:
            stack.append(node.value)  # type: ignore[attr-defined]
        else:
            stack.extend(code_children(node))
    return count


def may_leave_definitions_unreached(script: Script) -> bool:
    """A cheap first look: the module defines a function or class at its top level and trains at module level."""
    return any(type(statement) in _DEFINITIONS for statement in script.module.body) and \
        script.derived("trains_at_module_level", lambda: _trains_at_module_level(script))


# The calls that make a module a script run from the top (not a library): training, and the work of a predict
# script (a model evaluated or asked to predict).  Not a model loaded: a chatbot or app module loads its model at
# import and defines the functions other modules call.
_SCRIPT_METHODS = frozenset({"compile", "fit", "evaluate", "predict"})


def _trains_at_module_level(script: Script) -> bool:
    """A Keras model's compile(), fit(), evaluate() or predict() outside any module-level function or class: the
    module is a script that does its work at the top level.  One that trains only under ``if __name__ ==
    "__main__":`` is also a module when a file beside it imports it (its builders serve that script): then its
    definitions are all reached.  A scikit-learn fit() at the top of a module of baselines says nothing of who
    imports it."""
    body = script.module.body
    at_top = [call.top for call in script.calls if call.method in _SCRIPT_METHODS and call.on_model is not None and
              call.top is not None and type(body[call.top]) not in _DEFINITIONS]
    if any(not _main_guard(body[top]) for top in at_top):
        return True
    return bool(at_top) and not imported_beside(script.path)


def _main_guard(statement: cst.CSTNode) -> bool:
    return type(statement) is cst.If and is_main_guard(statement.test)  # type: ignore[attr-defined]
