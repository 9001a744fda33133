"""Automatic fixes as data: LibCST node replacements that rules attach to their reports.

A rule attaches a :class:`Fix` to a report: one or more :class:`Edit` (an
original node and its replacement), a description, and whether it is *safe*
(cannot change what the script computes on the Keras it targets: a renamed
argument, ``/`` to ``//`` in a step count) or *unsafe* (changes the model or
the loss, and so needs a human look: ``--unsafe-fixes``).  Edits replace whole
nodes, so the user's formatting and comments elsewhere are kept.  Applying and
writing them is the engine's job (:mod:`kerassniff.engine.fixing`); this module
is data only, so that rules can import it without reaching up into the engine.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Edit:
    node: cst.CSTNode
    replacement: cst.CSTNode


@dataclass(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True

    @property
    def applicability(self) -> str:
        return "safe" if self.safe else "unsafe"


def safe_fix(description: str, node: cst.CSTNode, replacement: cst.CSTNode) -> Fix:
    return Fix(description, (Edit(node, replacement),), safe=True)


def unsafe_fix(description: str, node: cst.CSTNode, replacement: cst.CSTNode) -> Fix:
    return Fix(description, (Edit(node, replacement),), safe=False)


def as_keyword(arg: cst.Arg, keyword: str) -> cst.Arg:
    """A positional argument given by keyword instead, written as ``keyword=value`` (no spaces around ``=``)."""
    return arg.with_changes(keyword=cst.Name(keyword), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))


def with_quotes_of(original: cst.SimpleString, text: str) -> cst.SimpleString:
    """A string literal with ``text`` in the same prefix and quotes as ``original``."""
    quote = original.quote
    return cst.SimpleString(f"{original.prefix}{quote}{text}{quote}")
