"""Jupyter notebooks: lint the code cells as one script, report positions per cell.

Code cells are joined in order, one line of the script per line of a cell, so
positions map back exactly.  IPython syntax that is not Python
(``%matplotlib inline``, ``!pip install keras``, ``files = !ls``, ``model?``,
``!wget ... \\`` continued on the next line, ``%time`` inside a block) is read
the way IPython itself reads it: where IPython is installed, its own input
transformer (``IPython.core.inputtransformer2``) turns each cell into Python,
and the result is accepted only if every source line stays on its line (a
magic continued over several lines becomes one harmless call followed by blank
lines).  Without IPython, or for a cell whose transformation would move lines,
a line-by-line masking stands in: magics become ``pass``/``None``, never
removed, so no line shifts either.

Cell magics (``%%time``) are handled before either: their first line is masked
and, when their body is Python (``%%time``, ``%%capture``, ...), the body is
read as a cell; any other cell magic (``%%bash``, ``%%writefile``) masks the
whole cell.  A notebook whose kernel is not Python (R, Julia, ...) is not
read at all (:class:`NotPython`), as ruff does.  Cells are numbered like ruff
does: the n-th code cell is 'cell n'.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from kerassniff.findings import Finding

# Cell magics whose body is still Python: only their first line is masked.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_LINE_MAGIC = re.compile(r"^(\s*)(?:[!%]|\?\??\w)")
_ASSIGNED_MAGIC = re.compile(r"^(\s*)([\w.\[\], ]+?\s*=\s*)[!%]")
_HELP_SUFFIX = re.compile(r"^(\s*)[\w.]+\?\??\s*$")
# A cell with none of these is plain Python for IPython too: no need to transform it (IPython's transformer
# tokenizes the cell in Python: a tenth of a parse on the clean corpus when every ``!=`` and ``%`` sent cells to it).
# What IPython rewrites: an escape (``!`` ``%`` ``?`` ``,`` ``;`` ``/``) opening a logical line, ``x = !cmd`` and
# ``x = %magic``, a line ending in ``?``, prompts, and leading blank lines or indentation of the cell.
_MAYBE_IPYTHON_LINE = re.compile(r"^[ \t]*(?:[!%?,;/]|>>>|\.\.\.|In \[)|=\s*[!%]|\?[ \t]*$", re.MULTILINE)
_MAYBE_IPYTHON = re.compile(_MAYBE_IPYTHON_LINE.pattern + r"|\A\s*\n|\A[ \t]", re.MULTILINE)
# The same question asked in cheaper parts (most cells open with code and hold no ``!``, ``%`` or ``?``): the
# patterns that need one of those characters are searched only in a cell that has one.
_ESCAPE_OPENS_LINE = re.compile(r"^[ \t]*(?:[!%?,;/]|>>>|\.\.\.|In \[)", re.MULTILINE)
_ESCAPE_INSIDE_LINE = re.compile(r"=\s*[!%]|\?[ \t]*$", re.MULTILINE)


# ``pip install x`` or ``conda install x`` alone on a line: not Python, but IPython's automagic (on by default) runs it
# as the %pip / %conda magic, as Jupyter does.
_AUTOMAGIC = re.compile(r"^([ \t]*)((?:pip|conda)[ \t]+(?:install|uninstall|list|show|freeze)\b)", re.MULTILINE)


# A shell command IPython runs by its own aliases (``ls ../input``, ``cd /kaggle/working``), which nbconvert leaves
# as written in the ``.py`` it exports: a line that is not Python on its own (``ls -la`` is, a subtraction, and
# stays as it is).
_SHELL_ALIAS = re.compile(r"^([ \t]*)((?:ls|cd|cat|cp|mkdir|mv|rm|rmdir)[ \t]+\S[^\n]*)$", re.MULTILINE)


def _shell_alias_lines(source: str) -> str:
    """``source`` with each shell-alias line that is not Python made the line magic it stands for (``%ls ../input``)."""
    def as_magic(match: re.Match) -> str:
        try:
            compile(match.group(2), "<line>", "exec")
        except SyntaxError:
            return f"{match.group(1)}%{match.group(2)}"
        return match.group(0)
    return _SHELL_ALIAS.sub(as_magic, source)


def maybe_ipython(source: str) -> bool:
    """Whether a cell could hold IPython syntax (``_MAYBE_IPYTHON``); a cell without is plain Python for IPython too."""
    if not source or source[0].isspace():  # leading blank lines or indentation: the whole pattern decides
        return _MAYBE_IPYTHON.search(source) is not None
    if ("!" in source or "%" in source or "?" in source) and _ESCAPE_INSIDE_LINE.search(source):
        return True
    return _ESCAPE_OPENS_LINE.search(source) is not None


@dataclass(frozen=True)
class NotebookSource:
    text: str
    cell_of_line: list[tuple[int, int]]  # script line (index = line - 1) -> (code cell number, line in cell)


class NotebookError(ValueError):
    """The file is not a notebook kerassniff can read; the message says why."""


class NotPython(NotebookError):
    """The notebook's kernel is another language (R, Julia, ...): there is no Python to analyse."""


def notebook_source(text: str) -> NotebookSource:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(f"not a valid notebook: the file is not JSON ({error.msg} at line {error.lineno}, "
                            f"column {error.colno})") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a valid notebook: it has no 'cells' list (nbformat 4 is expected)")
    language = kernel_language(document)
    if language is not None and not language.lower().startswith("python"):
        raise NotPython(f"the notebook's kernel language is {language}, not Python")
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
        for offset, line in enumerate(cell_python(source), start=1):
            lines.append(line)
            mapping.append((number, offset))
    return NotebookSource("\n".join(lines) + "\n" if lines else "", mapping)


def kernel_language(document: dict) -> str | None:
    """The language the notebook runs in, from ``language_info`` (what the kernel reported) or the kernelspec."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for section, key in (("language_info", "name"), ("kernelspec", "language")):
        entry = metadata.get(section)
        value = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


# A cell of a notebook saved as a script in the percent format (Jupytext, VS Code, Spyder, Kaggle's exports).
PERCENT_CELL = re.compile(r"^#\s*%%")
# A comment that starts a cell of a notebook saved as a script: ``# %%`` (the percent format), ``# In[3]:`` (a
# notebook exported by nbconvert), ``# COMMAND ----------`` (Databricks).
CELL_MARKER = re.compile(r"#\s*(?:%%|In\[[\d ]*\]:|COMMAND -+)")


def percent_script_python(text: str) -> str | None:
    """A script made of ``# %%`` cells read as a notebook's cells are (``!pip install x`` and ``%matplotlib inline``
    become Python, each line in its place), when it has such cells and that changes something; else None."""
    lines = text.split("\n")
    starts = [index for index, line in enumerate(lines) if PERCENT_CELL.match(line)]
    if not starts or not _newline_lines(text):
        return None
    bounds = [0, *starts, len(lines)]
    out: list[str] = []
    for start, end in zip(bounds, bounds[1:]):
        chunk = lines[start:end]
        python = cell_python("\n".join(chunk))[: len(chunk)]
        out.extend(python + chunk[len(python):])
    return "\n".join(out) if out != lines else None


_IPYTHON_LINE = re.compile(r"^[ \t]*[!%]", re.MULTILINE)


def ipython_script_python(text: str) -> str | None:
    """A script without ``# %%`` cells that holds IPython lines (a Colab cell pasted into a ``.py`` file: ``!pip
    install x``, ``%matplotlib inline``) read as one notebook cell, each line in its place; None when it has none or
    that changes nothing."""
    if not (_IPYTHON_LINE.search(text) or _AUTOMAGIC.search(text) or _SHELL_ALIAS.search(text)) or \
            not _newline_lines(text):
        return None
    lines = text.split("\n")
    python = cell_python(text)[: len(lines)]
    out = python + lines[len(python):]
    return "\n".join(out) if out != lines else None


# A line that opens a block (``try:``, ``if IS_COLAB:``, ``else:  # note``): a keyword, the header, a closing colon.
_BLOCK_HEADER = re.compile(r"^([ \t]*)(?:if|elif|else|try|except|finally|for|while|with|def|class|async)\b[^#]*:[ \t]*"
                           r"(?:#.*)?$")


def commented_block_python(text: str) -> str | None:
    """A script whose block holds only comments, as Colab's "Download .py" leaves ``try:`` over a commented-out
    ``# %tensorflow_version 2.x`` ("Commented out IPython magic to ensure Python compatibility"): each such block's
    first comment line becomes ``pass  # <comment>``, one level deeper, every line in its place; None when there is
    none.  (The script itself cannot run: IndentationError; this reads the rest of it.)"""
    lines = text.split("\n")
    out = list(lines)
    for index, line in enumerate(lines):
        header = _BLOCK_HEADER.match(line)
        if header is None:
            continue
        after = index + 1
        comments = []
        while after < len(lines) and (not lines[after].strip() or lines[after].lstrip().startswith("#")):
            if lines[after].strip():
                comments.append(after)
            after += 1
        indent = len(header.group(1).expandtabs())
        following = lines[after].expandtabs() if after < len(lines) else ""
        if comments and len(following) - len(following.lstrip()) <= indent:
            out[comments[0]] = " " * (indent + 4) + "pass  " + lines[comments[0]].lstrip()
    return "\n".join(out) if out != lines else None


def _newline_lines(text: str) -> bool:
    """Whether str.splitlines() (what a cell is read with) cuts the text where "\n" does: no form feed, vertical
    tab, lone carriage return or Unicode line separator, which would shift every later line."""
    return not re.search("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)", text)


# A line magic that runs the Python statement after it (``%time history = model.fit(x, y)``, ``%timeit -n1 f()``):
# the statement runs, so it is read as code; the magic and its options become ``pass;`` padded to their width, so
# the statement keeps its columns.  A compound statement after the magic (``%timeit for x in ds: pass``) cannot
# follow ``pass;``: left to IPython's reading.
_TIMED_STATEMENT = re.compile(r"^([ \t]*)(%(?:time|timeit|prun)(?:[ \t]+-\w+(?:[ \t]+\d+)?)*[ \t]+)"
                              r"(?=[A-Za-z_(\[])(?!(?:for|while|if|with|try|def|class|async)\b)", re.MULTILINE)


def _run_timed_statement(match: re.Match) -> str:
    return match.group(1) + "pass;".ljust(len(match.group(2)))  # (the shortest magic, "%time ", is wider)


def cell_python(source: str) -> list[str]:
    """One code cell as Python, one line per source line (same count, same order)."""
    if ("pip" in source or "conda" in source) and _AUTOMAGIC.search(source):
        source = _AUTOMAGIC.sub(r"\1%\2", source)  # automagic: the line magic it stands for
    if _SHELL_ALIAS.search(source):
        source = _shell_alias_lines(source)
    if "%time" in source or "%prun" in source:
        source = _TIMED_STATEMENT.sub(_run_timed_statement, source)
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        words = lines[0].lstrip()[2:].split(maxsplit=1)
        if not words or words[0] not in _PYTHON_CELL_MAGICS:
            return ["# (cell magic: not Python)" for _ in lines]
        return ["pass  # cell magic", *cell_python("\n".join(lines[1:]))][: len(lines)]
    if not maybe_ipython(source):
        return lines
    transform = ipython_transformer()
    if transform is None:
        return _mask_cell(lines)
    head = _escaped_head(lines)
    if head:  # only the leading magics go through IPython; the plain Python after them is kept as it is
        transformed = _line_preserving(lines[:head], transform)
        if transformed is not None:
            return transformed + lines[head:]
    transformed = _line_preserving(lines, transform)
    return transformed if transformed is not None else _mask_cell(lines)


def _escaped_head(lines: list[str]) -> int:
    """How many leading lines are whole-line magics or shell commands (``%matplotlib inline``, ``!pip install x``)
    followed by plain Python only; 0 when the cell is not of that shape.

    IPython rewrites such a line by itself (a line opening with an escape is a complete line unless it ends in a
    backslash) and nothing after it changes how it is read, so those lines alone are transformed: the transformer
    tokenizes the whole cell again for every line it rewrites, and cells of this shape are most of the notebooks'
    cells it is asked about."""
    head = 0
    while head < len(lines) and lines[head][:1] in ("%", "!") and not lines[head].endswith("\\"):
        head += 1
    if head == 0 or head == len(lines) or _MAYBE_IPYTHON_LINE.search("\n".join(lines[head:])):
        return 0
    return head


@functools.cache
def ipython_transformer() -> Callable[[str], str] | None:
    """IPython's own cell transformer, or None where IPython is not installed (or will not import)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # noqa: BLE001 - ImportError, or a broken installation: the masking stands in
        return None
    return TransformerManager().transform_cell


@functools.lru_cache(maxsize=512)
def _transformed_lines(cell: str, transform: Callable[[str], str]) -> tuple[str, ...] | None:
    """IPython's reading of a cell's text, line by line (None when IPython cannot read it), remembered by the text:
    the editor lints a notebook again on every keystroke with all but one cell unchanged, and notebooks repeat the
    same magic lines (``%matplotlib inline``, ``!pip install ...``); IPython tokenizes each cell it is given in
    Python, a third of a millisecond for one line."""
    try:
        return tuple(transform(cell).splitlines())
    except Exception:  # noqa: BLE001 - IPython raises assorted errors on code that is not valid either way
        return None


def _line_preserving(lines: list[str], transform: Callable[[str], str]) -> list[str] | None:
    """IPython's reading of the cell with every line in place, or None when that cannot be had.

    IPython joins a magic continued with backslashes into one line and drops
    leading blank lines; each such block is put back at its first line and
    padded with blank lines.  A block that would grow (more lines out than
    in) cannot keep positions: the caller falls back to the masking.
    """
    new = _transformed_lines("\n".join(lines), transform)
    if new is None:
        return None
    kept: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, lines, new, autojunk=False).get_opcodes():
        if j2 - j1 > i2 - i1:
            return None
        if tag == "equal":
            kept.extend(lines[i1:i2])
        else:  # replace or delete: IPython's lines first, then blanks up to the original count
            kept.extend(new[j1:j2])
            kept.extend("" for _ in range((i2 - i1) - (j2 - j1)))
    return kept if len(kept) == len(lines) else None


def _mask_cell(lines: list[str]) -> list[str]:
    """The fallback: mask magic lines, and the lines a magic continues onto with a backslash (a Python line
    continued with a backslash is never a magic, even if it starts with ``%``)."""
    masked: list[str] = []
    continued: str | None = None  # what the previous line's backslash continues: "magic", "python" or nothing
    for line in lines:
        if continued == "magic":
            masked.append("")
        elif continued == "python":
            masked.append(line)
        else:
            masked.append(_mask_line(line))
            continued = "magic" if masked[-1] != line else "python"
        continued = continued if line.endswith("\\") else None
    return masked


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
