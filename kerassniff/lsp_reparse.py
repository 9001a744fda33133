"""Parsing a document again after an edit, reusing the parse of every module-level statement it left alone.

LibCST parses a 500-line script in about 50 ms, half of a whole lint, and a
keystroke changes one statement.  :class:`StatementReuse` cuts the text at its
module-level statements (CPython's ``ast`` finds them in a fifth of that
time), parses each piece as a module of its own, and keeps the pieces by
text, so the next version of the document parses only the pieces that changed.

A piece runs from the first line of one module-level statement to the first
line of the next, so it holds the lines after its statement: LibCST gives the
indented comments at the end of a block to the block's footer and the rest to
the next statement's leading lines, a decision that depends only on those
lines, so a piece parsed alone splits them the same way (the rest becomes its
module footer, which is moved in front of the next statement).  What a piece
cannot know, the whole module's default indent and newline, is checked: where
a piece's differs from the file's (a file that mixes styles), or anything else
does not add up, the whole text is parsed as before.  The result equals
``libcst.parse_module(text)`` node for node (the tests compare them on every
fixture and on edited texts).

The editor's workers use it (the documents they lint change a little at a
time); the command line parses each file once and does not.
"""
from __future__ import annotations

import ast
import re
from collections import OrderedDict
from typing import Callable

import libcst as cst

from kerassniff.parsing import parse_module

MAX_CACHED_CHARS = 400_000  # of statement text kept parsed (20 scripts of 500 lines), least recently used dropped
MIN_REUSE_CHARS = 2_000  # a shorter text is parsed whole: cutting it would save nothing
_NEWLINE = re.compile(r"\r\n?|\n")


class StatementReuse:
    """A parser (``text -> libcst.Module``, like :func:`kerassniff.parsing.parse_module`) that reuses the parses
    of module-level statements met in earlier texts.  One per process: it hands out shared nodes, so it must
    not serve two modules that are alive together (a script and a helper module it imports)."""

    def __init__(self, max_chars: int = MAX_CACHED_CHARS, min_chars: int = MIN_REUSE_CHARS,
                 parse: Callable[[str], cst.Module] = parse_module) -> None:
        self.max_chars, self.min_chars = max_chars, min_chars
        self.parse = parse  # how a piece (or a whole text) is parsed
        self.pieces: OrderedDict[str, list[cst.Module]] = OrderedDict()  # piece text -> its parses (one per copy)
        self.chars = 0
        self.parsed = 0  # pieces parsed (not reused) by the last call; -1: the whole text was parsed
        self.reused = 0  # pieces reused by the last call

    def __call__(self, text: str) -> cst.Module:
        self.parsed, self.reused = -1, 0
        if len(text) >= self.min_chars:
            module = self._assemble(text)
            if module is not None:
                return module
        self.parsed = -1
        return self.parse(text)  # raises as parse_module does: the caller reports the syntax error

    def _assemble(self, text: str) -> cst.Module | None:
        pieces = split_statements(text)
        if pieces is None:
            return None
        self.parsed = 0
        parsed: list[cst.Module] = []
        copies: dict[str, int] = {}
        for piece in pieces:
            copy = copies.get(piece, 0)
            copies[piece] = copy + 1  # a statement written twice gets two parses: no node may appear twice
            module = self._piece(piece, copy)
            if module is None:
                return None
            parsed.append(module)
        return _joined(parsed, text)

    def _piece(self, piece: str, copy: int) -> cst.Module | None:
        known = self.pieces.get(piece)
        if known is not None and copy < len(known):
            self.pieces.move_to_end(piece)
            self.reused += 1
            return known[copy]
        try:
            module = self.parse(piece)
        except Exception:  # noqa: BLE001 - the whole text's parse decides what the error is
            return None
        self.parsed += 1
        if known is None:
            known = self.pieces[piece] = []
        known.append(module)
        self.chars += len(piece)
        while self.chars > self.max_chars and len(self.pieces) > 1:
            old, modules = self.pieces.popitem(last=False)
            self.chars -= len(old) * len(modules)
        return module


def split_statements(text: str) -> list[str] | None:
    """The text cut before each module-level statement (the first piece also holds what precedes the first
    statement); None when the text does not parse or its lines are not plain ``\\n`` or ``\\r\\n`` lines."""
    if "\r" in text.replace("\r\n", "") or text.startswith("\ufeff"):
        return None  # old-Mac line ends or a byte-order mark: leave them to the whole parse
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not tree.body:
        return None
    starts = []  # first line of each piece (1-based)
    last_end = 0
    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        if first > last_end:  # statements sharing a line ('a = 1; b = 2') are one LibCST statement
            starts.append(first)
        last_end = max(last_end, statement.end_lineno or statement.lineno)
    line_offsets = [0] + [match.end() for match in _NEWLINE.finditer(text)]
    cuts = [0] + [line_offsets[line - 1] for line in starts[1:]] + [len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:])]


def _joined(pieces: list[cst.Module], text: str) -> cst.Module | None:
    """The module the pieces make together, or None where it would not equal the whole text's parse."""
    newline = _first_newline(text)
    indent = None
    body: list[cst.BaseStatement] = []
    for index, piece in enumerate(pieces):
        if len(piece.body) != 1 or (index and (piece.header or piece.body[0].leading_lines)):
            return None
        if piece.default_newline != newline:
            return None  # a Newline node stores its line end only where it differs from the module's default
        statement = piece.body[0]
        if _has_block(statement):
            if indent is None:
                indent = piece.default_indent
            elif piece.default_indent != indent:
                return None  # a block's indent is stored relative to the module's default
        if index:
            footer = pieces[index - 1].footer
            if footer:
                statement = statement.with_changes(leading_lines=footer)
        body.append(statement)
    last = pieces[-1]
    return cst.Module(body=body, header=pieces[0].header, footer=last.footer, encoding=pieces[0].encoding,
                      default_indent=indent or pieces[0].default_indent, default_newline=newline,
                      has_trailing_newline=last.has_trailing_newline)


def _first_newline(text: str) -> str:
    match = _NEWLINE.search(text)
    return match.group() if match else "\n"


def _has_block(node: cst.CSTNode) -> bool:
    """Whether the statement has an indented block (its piece's default indent was then read from it).

    Only clause bodies can hold one (a one-line suite holds simple statements only), so only they are looked at.
    """
    if isinstance(node, cst.SimpleStatementLine):
        return False
    if isinstance(getattr(node, "body", None), cst.IndentedBlock):
        return True
    clauses = [getattr(node, name, None) for name in ("orelse", "finalbody")]
    clauses += [*getattr(node, "handlers", ()), *getattr(node, "cases", ())]
    return any(_has_block(clause) for clause in clauses if clause is not None)
