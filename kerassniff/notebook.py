"""Jupyter notebooks: lint the code cells as one script, report positions per cell.

Code cells are joined in order, one line of the script per line of a cell, so
positions map back exactly.  IPython syntax that is not Python
(``%matplotlib inline``, ``!pip install keras``, ``files = !ls``, ``model?``,
``%%time``) is masked line by line, never removed, so no line shifts.  Cell
magics whose body is not Python (``%%bash``, ``%%writefile``, ...) mask the
whole cell.  Cells are numbered like ruff does: the n-th code cell is 'cell n'.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from kerassniff.findings import Finding

# Cell magics whose body is still Python: only their first line is masked.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_LINE_MAGIC = re.compile(r"^(\s*)(?:[!%]|\?\??\w)")
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([\w.\[\], ]+?\s*=\s*)[!%]")
_HELP_SUFFIX = re.compile(r"^(\s*)[\w.]+\?\??\s*$")


@dataclass(frozen=True)
class NotebookSource:
    text: str
    cell_of_line: list[tuple[int, int]]  # script line (index = line - 1) -> (code cell number, line in cell)


class NotebookError(ValueError):
    """The file is not a notebook kerassniff can read; the message says why."""


def notebook_source(text: str) -> NotebookSource:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a valid notebook: the file is not JSON ({error.msg} at line {error.lineno}, "
                            f"column {error.colno})") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: it has no 'cells' list (nbformat 4 is expected)")
    lines: list[str] = []
    mapping: list[tuple[int, int]] = []
    number = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            continue
        for offset, line in enumerate(_mask_cell(source.splitlines()), start=1):
            lines.append(line)
            mapping.append((number, offset))
    return NotebookSource("\n".join(lines) + "\n" if lines else "", mapping)


def _mask_cell(lines: list[str]) -> list[str]:
    if lines and lines[0].lstrip().startswith("%%"):
        words = lines[0].lstrip()[2:].split(maxsplit=1)
        if not words or words[0] not in _PYTHON_CELL_MAGICS:
            return ["# (cell magic: not Python)" for _ in lines]
        return ["pass  # cell magic", *[_mask_line(line) for line in lines[1:]]]
    return [_mask_line(line) for line in lines]


def _mask_line(line: str) -> str:
    assigned = _ASSIGNED_MAGIC.match(line)
    if assigned:
        return f"{assigned.group(1)}{assigned.group(2)}None  # IPython magic"
    magic = _LINE_MAGIC.match(line) or _HELP_SUFFIX.match(line)
    if magic:
        return f"{magic.group(1)}pass  # IPython magic"
    return line


def map_findings(findings: list[Finding], source: NotebookSource) -> list[Finding]:
    """Script positions back to (cell, line in cell); the cell goes into ``extra['cell']``."""
    mapped = []
    for finding in findings:
        if not source.cell_of_line:
            mapped.append(finding)
            continue
        cell, line = _cell_line(source, finding.line)
        end_cell, end_line = _cell_line(source, finding.end_line)
        if end_cell != cell:
            end_line, end_column = line, finding.column
        else:
            end_column = finding.end_column
        mapped.append(replace(finding, line=line, end_line=end_line, end_column=end_column,
                              extra={**finding.extra, "cell": cell}))
    return mapped


def _cell_line(source: NotebookSource, line: int) -> tuple[int, int]:
    index = min(max(line, 1), len(source.cell_of_line)) - 1
    return source.cell_of_line[index]
