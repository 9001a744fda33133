"""Where a notebook finding sits in the ``.ipynb`` file itself.

Findings in a notebook are positioned per code cell (``cell 3``, line 4 of
that cell), which is what a person reads.  GitHub annotations and SARIF
results are placed on lines of the file as stored, the notebook's JSON, where
a cell's source is (as Jupyter writes it) a list of strings, one per line:
this module maps (cell, line in cell) to the line of the JSON file holding
that source line, and gives back the source line itself for ``full`` output.
The JSON is scanned once per notebook, keeping the offset of every source
string; a file that cannot be read or scanned maps to nothing (the caller
keeps the per-cell position).
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from json.decoder import scanstring
from pathlib import Path

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _Text(str):
    """A JSON string value that remembers where its opening quote is in the file."""

    offset: int


class _Scanner:
    """A small JSON reader that keeps string positions (the standard library's loses them)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _skip_space(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def _string(self) -> _Text:
        start = self.pos
        value, self.pos = scanstring(self.text, start + 1)
        result = _Text(value)
        result.offset = start
        return result

    def value(self):
        self._skip_space()
        char = self.text[self.pos:self.pos + 1]
        if char == '"':
            return self._string()
        if char == "{":
            return self._container("}", self._member, {})
        if char == "[":
            return self._container("]", self.value, [])
        match = _SCALAR.match(self.text, self.pos)
        if match is None:
            raise ValueError(f"unexpected character at offset {self.pos}")
        self.pos = match.end()
        return json.loads(match.group())

    def _member(self) -> tuple[str, object]:
        self._skip_space()
        key = self._string()
        self._skip_space()
        if self.text[self.pos:self.pos + 1] != ":":
            raise ValueError(f"':' expected at offset {self.pos}")
        self.pos += 1
        return str(key), self.value()

    def _container(self, close: str, item, into):
        self.pos += 1
        self._skip_space()
        if self.text[self.pos:self.pos + 1] == close:
            self.pos += 1
            return into
        while True:
            element = item()
            if isinstance(into, dict):
                into[element[0]] = element[1]
            else:
                into.append(element)
            self._skip_space()
            char = self.text[self.pos:self.pos + 1]
            self.pos += 1
            if char == close:
                return into
            if char != ",":
                raise ValueError(f"',' or '{close}' expected at offset {self.pos - 1}")


@dataclass(frozen=True)
class SourceLine:
    file_line: int  # 1-based line of the .ipynb file that holds (the start of) this source line
    text: str


def code_cell_lines(text: str) -> dict[int, list[SourceLine]]:
    """For each code cell (numbered 1, 2, ... like findings), its source lines and where each is in the file."""
    document = _Scanner(text).value()
    cells = document.get("cells") if isinstance(document, dict) else None
    newlines = [match.start() for match in re.finditer("\n", text)]
    mapped: dict[int, list[SourceLine]] = {}
    number = 0
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        pieces = [p for p in (source if isinstance(source, list) else [source]) if isinstance(p, _Text)]
        lines: list[SourceLine] = []
        pending, start = "", None
        for piece in pieces:
            file_line = bisect.bisect_left(newlines, piece.offset) + 1
            for part in piece.splitlines(keepends=True):
                start = file_line if start is None else start
                bare = part.splitlines()[0] if part.splitlines() else ""
                pending += bare
                if len(bare) != len(part):  # the part ends a line
                    lines.append(SourceLine(start, pending))
                    pending, start = "", None
        if start is not None:
            lines.append(SourceLine(start, pending))
        mapped[number] = lines
    return mapped


class NotebookLines:
    """Looks findings' cells up in their notebooks, reading each notebook once."""

    def __init__(self) -> None:
        self._files: dict[str, dict[int, list[SourceLine]]] = {}

    def _cells(self, path: str) -> dict[int, list[SourceLine]]:
        if path not in self._files:
            try:
                self._files[path] = code_cell_lines(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError, RecursionError):
                self._files[path] = {}
        return self._files[path]

    def line(self, path: str, cell: int, line: int) -> SourceLine | None:
        lines = self._cells(path).get(cell, [])
        return lines[line - 1] if 1 <= line <= len(lines) else None
