"""A fix as the editor applies it: the few characters it changes, located by line and column (per code cell in a
notebook), rather than the whole rewritten module.

:func:`fast_fix_edits` reads the edits from the fix's nodes' positions where that is exact (an expression replaced
by an expression); :func:`slow_fix_edits` applies the fix to the module and diffs the texts (:func:`minimal_edits`).
:class:`Located` turns the text offsets of either into :data:`Edit` tuples. The lint workers
(:mod:`kerassniff.lsp_worker`) compute them; the server (:mod:`kerassniff.lsp_server`) sends them.
"""
from __future__ import annotations

import difflib
import os
from bisect import bisect_right

import libcst as cst

from kerassniff.api import FileResult, apply_fixes, is_notebook
from kerassniff.fixes import Fix
from kerassniff.notebook import NotebookError, notebook_source

# (cell or None, start line, start column, end line, end column, new text): 0-based lines, columns in code
# points of the linted text; for a notebook, lines within the code cell numbered ``cell`` (1-based, like findings).
Edit = tuple["int | None", int, int, int, int, str]


def minimal_edits(old: str, new: str) -> list[tuple[int, int, str]]:
    """The changed ranges between two texts: (start offset, end offset in ``old``, replacement).

    A line diff (difflib) finds the changed hunks; each is then narrowed to the
    characters that differ, so '600 / 32' -> '600 // 32' is one inserted '/'.
    """
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    starts = _line_starts(old_lines)
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        edits.append(_narrowed(starts[i1], before, after))
    return edits


def _narrowed(offset: int, before: str, after: str) -> tuple[int, int, str]:
    prefix = len(os.path.commonprefix([before, after]))
    suffix = len(os.path.commonprefix([before[prefix:][::-1], after[prefix:][::-1]]))
    return offset + prefix, offset + len(before) - suffix, after[prefix:len(after) - suffix]


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


class Positions:
    """Offsets of a text to (0-based line, column), and LibCST positions to offsets."""

    def __init__(self, text: str) -> None:
        self.starts = _line_starts(text.splitlines(keepends=True))

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset) - 1
        if line >= len(self.starts) - 1 and offset == self.starts[-1] and len(self.starts) > 1:
            return line, 0  # the end of a text that ends with a newline: the start of the next line
        return line, offset - self.starts[line]

    def offset(self, line: int, column: int) -> int:
        return self.starts[min(line - 1, len(self.starts) - 1)] + column


def fast_fix_edits(result: FileResult, fix: Fix, positions: Positions) -> list[tuple[int, int, str]] | None:
    """The fix's edits from its nodes' positions (no module transform), or None where that is not exact.

    An expression's generated code does not depend on where it stands (unlike a
    statement's indentation or an argument's default comma), so when the text at
    its position is exactly that code, putting the replacement's code there is
    what applying the fix produces.  Any other node takes the slow path.
    """
    script, text = result.script, result.text
    if script is None or text is None:
        return None
    edits = []
    for edit in fix.edits:
        if not (isinstance(edit.node, cst.BaseExpression) and isinstance(edit.replacement, cst.BaseExpression)):
            return None
        where = script.position(edit.node)
        if where is None:
            return None
        start = positions.offset(where.start.line, where.start.column)
        end = positions.offset(where.end.line, where.end.column)
        original = script.module.code_for_node(edit.node)
        if text[start:end] != original:
            return None
        edits.append(_narrowed(start, original, script.module.code_for_node(edit.replacement)))
    edits.sort()
    if any(a[1] > b[0] for a, b in zip(edits, edits[1:])):
        return None  # overlapping edits: let the transform decide which one wins
    return edits


def slow_fix_edits(result: FileResult, fix: Fix) -> list[tuple[int, int, str]]:
    assert result.script is not None and result.text is not None
    return minimal_edits(result.text, apply_fixes(result.script.module, [fix]))


class Located:
    """Turns text offsets into :data:`Edit` tuples, per code cell for a notebook."""

    def __init__(self, result: FileResult, path: str, text: str) -> None:
        self.positions = Positions(result.text or "")
        self.cells: list[tuple[int, int]] | None = None
        if is_notebook(path):
            try:
                self.cells = notebook_source(text).cell_of_line
            except NotebookError:
                self.cells = []

    def edits(self, spans: list[tuple[int, int, str]]) -> list[Edit] | None:
        located = []
        for start, end, new_text in spans:
            (line, column), (end_line, end_column) = self.positions.at(start), self.positions.at(end)
            if self.cells is None:
                located.append((None, line, column, end_line, end_column, new_text))
                continue
            if line >= len(self.cells) or end_line >= len(self.cells):
                return None
            (cell, in_cell), (end_cell, end_in_cell) = self.cells[line], self.cells[end_line]
            if cell != end_cell:
                return None  # an edit across cells cannot be expressed as a cell edit
            located.append((cell, in_cell - 1, column, end_in_cell - 1, end_column, new_text))
        return located
