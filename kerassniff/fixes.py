"""Automatic fixes: LibCST node replacements, applied only with ``--fix``.

A rule attaches a :class:`Fix` to a report: one or more :class:`Edit` (an
original node and its replacement), a description, and whether it is *safe*
(cannot change what the script computes on the Keras it targets: a renamed
argument, ``/`` to ``//`` in a step count) or *unsafe* (changes the model or
the loss, and so needs a human look: ``--unsafe-fixes``).  Edits replace whole
nodes, so the user's formatting and comments elsewhere are kept; the new text
is written atomically (a temporary file in the same folder, then a rename).
"""
from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def with_quotes_of(original: cst.SimpleString, text: str) -> cst.SimpleString:
    """A string literal with ``text`` in the same prefix and quotes as ``original``."""
    quote = original.quote
    return cst.SimpleString(f"{original.prefix}{quote}{text}{quote}")


class _Replace(cst.CSTTransformer):
    def __init__(self, edits: dict[cst.CSTNode, cst.CSTNode]) -> None:
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        replacement = self.edits.get(original_node)
        return replacement if replacement is not None else updated_node


def apply_fixes(module: cst.Module, fixes: list[Fix]) -> str:
    """The module's code with every edit applied (an edit inside another edit's node is dropped)."""
    edits: dict[cst.CSTNode, cst.CSTNode] = {}
    for fix in fixes:
        for edit in fix.edits:
            edits.setdefault(edit.node, edit.replacement)
    return module.visit(_Replace(edits)).code


def write_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Replace the file's content in one step: readers see the old file or the new one, never half."""
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".kerassniff")
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@dataclass
class FixedFile:
    path: Path
    original: str
    fixed: str
    encoding: str
    applied: int  # findings fixed

    def diff(self) -> str:
        import difflib

        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True), self.fixed.splitlines(keepends=True),
                                            fromfile=self._label("a"), tofile=self._label("b")))

    def _label(self, side: str) -> str:
        return self.path.as_posix() if self.path.is_absolute() else f"{side}/{self.path.as_posix()}"


MAX_FIX_ROUNDS = 4  # a fix inside another fix's node is applied in the next round


def fix_file(path: Path, config, unsafe: bool) -> FixedFile | None:
    """Apply every applicable fix to one file, re-linting between rounds; None when nothing changes.

    Notebooks are not rewritten (their JSON would have to be re-serialised); their fixes are only reported.
    """
    from kerassniff.api import is_notebook, lint_source
    from kerassniff.sources import SourceText, read_source

    if is_notebook(str(path)):
        return None
    source = read_source(path)
    if not isinstance(source, SourceText):
        return None
    text = source.text
    fixable_at_start: int | None = None
    fixes: list[Fix] = []
    for _ in range(MAX_FIX_ROUNDS + 1):
        result = lint_source(text, str(path), config)
        fixes = [f.fix for f in result.findings if isinstance(f.fix, Fix) and (f.fix.safe or unsafe)]
        if fixable_at_start is None:
            fixable_at_start = len(fixes)
        if not fixes or result.script is None:
            break
        new_text = apply_fixes(result.script.module, fixes)
        if new_text == text:
            break
        text = new_text
    if text == source.text:
        return None
    return FixedFile(path, source.text, text, source.encoding, max((fixable_at_start or 0) - len(fixes), 1))
