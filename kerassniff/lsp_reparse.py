"""Parsing a document again after an edit, reusing the parse of every module-level statement it left alone.

LibCST parses a 500-line script in about 50 ms, half of a whole lint, and a
keystroke changes one statement.  :class:`StatementReuse` cuts the text at its
module-level statements (CPython's ``ast`` finds them in a fifth of that
time), parses each piece as a module of its own, and keeps the pieces by
text, so the next version of the document parses only the pieces that changed.
Nor is the next version cut again whole: the span an edit changed (found by
comparing it with the last text), widened to whole pieces, is cut again, and
the last text's other pieces are kept.

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
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate
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
        self.last: tuple[str, list[int], list[str]] | None = None  # the last text put together: its cuts, pieces
        self.parsed = 0  # pieces parsed (not reused) by the last call; -1: the whole text was parsed
        self.reused = 0  # pieces reused by the last call
        self.split_chars = 0  # how much of the last text was cut with ``ast`` (the rest: the last text's cuts)

    def __call__(self, text: str) -> cst.Module:
        self.parsed, self.reused, self.split_chars = -1, 0, 0
        if len(text) >= self.min_chars:
            for cut in (self._edited, self._split):
                pieces = cut(text)
                module = self._assemble(pieces, text) if pieces is not None else None
                if module is not None:
                    return module
        self.parsed = -1
        return self.parse(text)  # raises as parse_module does: the caller reports the syntax error

    def _split(self, text: str) -> list[str] | None:
        self.split_chars = len(text)
        return split_statements(text)

    def _edited(self, text: str) -> list[str] | None:
        """The pieces of an edit of the last text: its pieces before and after the changed span, and the span
        (widened to whole pieces, and by one piece before it) cut again; None where that cannot be trusted."""
        if self.last is None:
            return None
        old, cuts, pieces = self.last
        prefix = _common_prefix(old, text)
        suffix = _common_suffix(old, text, min(len(old), len(text)) - prefix)
        first = bisect_right(cuts, max(prefix - 1, 0)) - 1  # an edit at a piece's start may belong to the one before
        last = bisect_right(cuts, min(len(old) - suffix, len(old) - 1)) - 1
        start, end = cuts[first], cuts[last + 1] + len(text) - len(old)
        if end < len(text) and text[end - 1] != "\n":
            return None  # the span's last line now runs on into the next piece
        self.split_chars = end - start
        middle = split_statements(text[start:end])
        if middle is None:
            return None
        return pieces[:first] + middle + pieces[last + 1:]

    def _assemble(self, pieces: list[str], text: str) -> cst.Module | None:
        self.parsed, self.reused = 0, 0
        parsed: list[cst.Module] = []
        copies: dict[str, int] = {}
        for piece in pieces:
            copy = copies.get(piece, 0)
            copies[piece] = copy + 1  # a statement written twice gets two parses: no node may appear twice
            module = self._piece(piece, copy)
            if module is None:
                return None
            parsed.append(module)
        module = _joined(parsed, text)
        if module is not None:
            self.last = (text, list(accumulate(map(len, pieces), initial=0)), pieces)
        return module

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
        if _indented_footer_line(module) and module.code != piece:
            return None  # LibCST drops the blank lines before an indented line ending a module: parse whole
        self.parsed += 1
        if known is None:
            known = self.pieces[piece] = []
        known.append(module)
        self.chars += len(piece)
        while self.chars > self.max_chars and len(self.pieces) > 1:
            old, modules = self.pieces.popitem(last=False)
            self.chars -= len(old) * len(modules)
        return module


def _indented_footer_line(module: cst.Module) -> bool:
    """Whether the piece ends with an indented line (``  # note`` or a line of spaces after a block), which LibCST
    may not give back as written when blank lines precede it."""
    return any(line.whitespace.value for line in module.footer)


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


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (string comparisons in C, halving the range each time)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most ``limit``."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:] == b[len(b) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low


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
