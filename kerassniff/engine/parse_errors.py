"""The KS001 and KS002 findings: why a file could not be parsed, or was not analysed within the limit.

When LibCST refuses a file, Python's own parser decides what the user is told
(its message and real position), and a Python 2 statement on that line is
named as such; when Python accepts it, LibCST is the limit and the finding
says so.
"""
from __future__ import annotations

import ast
import re
import sys
import warnings
from typing import Callable

import libcst as cst

from kerassniff.findings import Finding
from kerassniff.parsing import TooDeep, parse_module
from kerassniff.registry import get_rule

# Python 2 statements, as (what to call it, how its line looks): checked on the line where Python 3's parser stops.
# (`except E, e:` is not among them: LibCST reads it, and Python 3.14 accepts it as two exception types.)
_PY2_STATEMENTS = (
    ("print statement", re.compile(r"^\s*print(?:\s*>>|\s+[\"'\w]|[\"'])")),
    ("exec statement", re.compile(r"^\s*exec\s+[\"'\w]")),
    ("raise statement with a comma", re.compile(r"^\s*raise\s+[\w.]+\s*,")),
    ("long integer literal", re.compile(r"^[^#'\"]*\b\d+[lL]\b")),
    # a pair around an expression where Python 2 takes one (after an operator, a bracket or a keyword such as
    # print); a stray one is a typo, and prose with `code` in it (markdown pasted into a cell) is not Python 2
    ("backtick repr", re.compile(r"^[^#'\"]*(?:^|[=(\[{,:+\-*/%<>]|\b(?:print|return|yield|in|and|or|not|if|else|"
                                 r"assert|lambda|exec))\s*`[^`]+`")),
    ("'<>' operator", re.compile(r"^[^#'\"]*<>")),
    ("octal literal without 0o", re.compile(r"^[^#'\"]*(?<![\w.])0\d+\b")),
)
_PY2_MESSAGES = {"Missing parentheses in call to 'print'": "print statement",
                 "Missing parentheses in call to 'exec'": "exec statement"}


def parse_error_finding(path: str, message: str, line: int = 1, column: int = 1, explanation: str = "",
                        fix_hint: str | None = None) -> Finding:
    rule = get_rule("KS001")
    assert rule is not None
    return Finding(path, line, column, line, column, rule.code, rule.name, rule.severity, message,
                   fix_hint or rule.fix_hint, explanation=explanation)


def python2_statement(text: str, line: int, python_message: str = "") -> str | None:
    """What Python 2-only statement is on ``line`` (where Python 3's parser stopped), if there is one."""
    for prefix, kind in _PY2_MESSAGES.items():
        if python_message.startswith(prefix):
            return kind
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return next((kind for kind, pattern in _PY2_STATEMENTS if pattern.search(source_line)), None)


# How a syntax error's explanation ends (a repaired reading of the file says what it analysed instead).
NOT_ANALYSED = "The file was not analysed; fix the syntax and run kerassniff again."


_NATIVE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _libcst_error(error: cst.ParserSyntaxError) -> tuple[int, int, str] | tuple[None, None, str]:
    """LibCST's position and reason.  Its native parser puts the true position in its message; its tokenizer
    errors carry none (LibCST says 1:1), so the position is then unknown."""
    match = _NATIVE_POSITION.search(error.message)
    if match is None:
        return None, None, error.message
    detail = match.group(3).strip()
    if detail.startswith("expected one of "):
        options = detail[len("expected one of "):].split(", ")
        shown = ", ".join(f"'{o}'" for o in options[:6])
        detail = f"unexpected token; expected one of {shown}{', ...' if len(options) > 6 else ''}"
    return int(match.group(1)), max(int(match.group(2)), 1), detail


def _python_error(text: str) -> SyntaxError | None:
    """Python's own verdict on the text: None when it parses, else its SyntaxError (real line and column)."""
    try:
        with warnings.catch_warnings():  # warnings about the user's code (invalid escapes) are not kerassniff's
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(str(error) or type(error).__name__)
    return None


def _indent(text: str, line: int) -> int:
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(source_line) - len(source_line.lstrip())


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


_HINT_SENTENCE = re.compile(r"\.\s+(Perhaps|Did you mean|Maybe)\b(.*?)\??$")


def _one_sentence(reason: str) -> str:
    """Python's 'invalid syntax. Perhaps you forgot a comma?' as one sentence: 'invalid syntax (perhaps ...)'."""
    return _HINT_SENTENCE.sub(lambda m: f" ({m.group(1).lower()}{m.group(2)})", reason)


# Escapes Python decodes while compiling a string literal and LibCST keeps as written: a malformed one (a Windows
# path in a plain string, "C:\Users\me": a truncated \U escape) is a SyntaxError that only Python reports.
_DECODED_ESCAPE = re.compile(r"\\[UuNx]")


def parse(text: str, path: str, cells: list[tuple[int, int]] | None = None,
          parser: Callable[[str], cst.Module] = parse_module) -> cst.Module | Finding:
    """The LibCST module, or the KS001 finding that says why there is none.

    When LibCST refuses a file, Python's own parser decides what the user is
    told: if Python refuses it too, its message and position (real line and
    column, also for tokenizer errors where LibCST has none) name the syntax
    error, and a Python 2 statement on that line is named as such; if Python
    accepts it, the file is valid and LibCST is the limit.  ``cells`` (a
    notebook's script line -> (cell, line in cell)) makes the text name the cell.
    """
    try:
        module = parser(text)
    except TooDeep as error:
        return parse_error_finding(path, f"the file is nested too deeply to parse: {error}")
    except cst.ParserSyntaxError as error:
        return _syntax_error_finding(text, path, error, cells)
    except RecursionError:
        return parse_error_finding(path, "the file is nested too deeply to parse")
    except Exception as error:  # noqa: BLE001 - LibCST raises assorted errors on odd input
        return parse_error_finding(path, f"the file could not be parsed: {type(error).__name__}: {error}")
    if _DECODED_ESCAPE.search(text):  # LibCST keeps escapes as written: Python decodes them, and may refuse one
        python_error = _python_error(text)  # (only that refusal counts: this Python may lack newer syntax LibCST reads)
        if python_error is not None and "(unicode error)" in (python_error.msg or ""):
            return _python_refusal(text, path, python_error, cells)
    return module


def misplaced_future_import(text: str, path: str, module: cst.Module,
                            cells: list[tuple[int, int]] | None = None) -> Finding | None:
    """The KS001 for a ``from __future__ import`` after other code in a script: Python's compiler stops there
    (LibCST and ast read it), but the file is analysed all the same, since moving the line up is all it takes.
    Not in a notebook, whose cells are compiled one by one (a cell may start with one)."""
    if cells is not None or "__future__" not in text or not _late_future_import(module):
        return None
    python_error = _compiler_error(text)
    if python_error is None or "__future__" not in (python_error.msg or ""):
        return None
    line = python_error.lineno or 1
    return parse_error_finding(
        path, "syntax error: from __future__ imports must come first; Python stops here", line,
        python_error.offset or 1, fix_hint="move the from __future__ import to the top of the file",
        explanation=(f"Python {_python_version()} refuses the file at line {line}: "
                     f"{_sentence(_one_sentence(python_error.msg))} kerassniff's parser reads it, so the rest of "
                     f"the file was analysed as if the import came first."))


def _compiler_error(text: str) -> SyntaxError | None:
    """The SyntaxError Python's compiler raises past its parser (a misplaced __future__ import), if any."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<script>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _late_future_import(module: cst.Module) -> bool:
    """A ``from __future__ import ...`` after a statement other than the docstring and other such imports: Python
    refuses the file ("from __future__ imports must occur at the beginning of the file"), though LibCST reads it.
    (A notebook's cells are compiled one by one, so a cell may start with one: not checked there.)"""
    started = False
    for index, statement in enumerate(module.body):
        smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else None
        for small in smalls or (None,):
            future = isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and \
                small.module.value == "__future__"
            docstring = index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)
            if future and started:
                return True
            if not future and not docstring:
                started = True
    return False


def _syntax_error_finding(text: str, path: str, error: cst.ParserSyntaxError,
                          cells: list[tuple[int, int]] | None) -> Finding:
    libcst_line, libcst_column, detail = _libcst_error(error)
    python_error = _python_error(text)
    if python_error is None:
        where = f" at line {libcst_line}, column {libcst_column}" if libcst_line is not None else ""
        return parse_error_finding(
            path, "valid Python that LibCST, the parser kerassniff is built on, cannot read; not analysed",
            libcst_line or 1, libcst_column or 1,
            explanation=(f"Python {_python_version()} parses this file, but LibCST stops{where} ({detail}), so the file "
                         f"was not analysed; newer LibCST releases follow newer Python syntax."),
            fix_hint=_unreadable_hint(text))
    return _python_refusal(text, path, python_error, cells, libcst_line, libcst_column)


def _unreadable_hint(text: str) -> str:
    """What to do about valid Python LibCST cannot read: indentation that mixes tabs and spaces, which Python accepts
    where the two agree at every width, is the usual cause in old scripts; otherwise nothing in the file is wrong."""
    indents = {line[:len(line) - len(line.lstrip(" \t"))] for line in text.splitlines() if line.strip()}
    if any("\t" in indent for indent in indents) and any(" " in indent for indent in indents):
        return "re-indent the file with spaces only (it mixes tabs and spaces, which LibCST cannot follow)"
    return "nothing in the file is wrong: exclude it, or run kerassniff with a newer LibCST"


def _plain(reason: str) -> str:
    """Python's reason in words for the message: its "(unicode error) 'unicodeescape' codec can't decode bytes in
    position 2-3: truncated \\UXXXXXXXX escape" names what the user wrote (the explanation keeps Python's words)."""
    if "unicodeescape" in reason:
        return "a backslash escape in a string Python cannot decode (a Windows path? use r\"...\")"
    return reason


def _python_refusal(text: str, path: str, python_error: SyntaxError, cells: list[tuple[int, int]] | None,
                    libcst_line: int | None = None, libcst_column: int | None = None) -> Finding:
    """The KS001 finding for a text Python refuses, at Python's position (LibCST's where Python gives none)."""
    said = _one_sentence(python_error.msg or "invalid syntax")
    reason = _plain(said)
    line = python_error.lineno or libcst_line or 1
    column = python_error.offset or (libcst_column if python_error.lineno is None else None) or 1
    kind = python2_statement(text, line, reason)
    where = f"line {line}"
    if cells and 0 < line <= len(cells):
        where = "cell {}, line {}".format(*cells[line - 1])
    if kind is not None:
        return parse_error_finding(
            path, f"Python 2 code ({kind} on {where}): kerassniff analyses Python 3 only", line, _indent(text, line) + 1,
            fix_hint="port the script to Python 3 (print(...), 'except E as e:', 'raise E(msg)')",
            explanation=(f"Python {_python_version()} stops at {where}: {_sentence(reason)} kerassniff, like Keras 3 "
                         f"and TensorFlow 2, needs Python 3. The 2to3 tool shipped with Python 3.12 and older does "
                         f"the mechanical part of a port (it was removed in 3.13); pyupgrade cannot read Python 2."))
    return parse_error_finding(
        path, f"syntax error: {reason}", line, column,
        explanation=f"Python {_python_version()} stops at {where}, column {column}: {_sentence(said)} {NOT_ANALYSED}")


def broken_cells(cells: dict[int, list[str]]) -> dict[int, SyntaxError]:
    """The code cells Python refuses on their own (Jupyter compiles each cell apart, so the others run), with the
    error; top-level ``await`` is accepted, as IPython accepts it."""
    broken = {}
    for number, lines in cells.items():
        try:
            with warnings.catch_warnings():  # warnings about the user's code (invalid escapes) are not kerassniff's
                warnings.simplefilter("ignore")
                compile("\n".join(lines) + "\n", "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as error:
            broken[number] = error
        except (ValueError, RecursionError, MemoryError) as error:
            broken[number] = SyntaxError(str(error) or type(error).__name__)
    return broken


def python2_cell(lines: list[str], error: SyntaxError) -> bool:
    """Whether a cell Python refuses stops at a Python 2 statement (the notebook is then Python 2 code as a whole)."""
    return python2_statement("\n".join(lines), error.lineno or 1, _one_sentence(error.msg or "")) is not None


def cell_error_finding(path: str, number: int, lines: list[str], error: SyntaxError, first_line: int,
                       others: list[int]) -> Finding:
    """KS001 for the first notebook cell Python refuses, placed in the joined script (``first_line`` is the cell's
    first line there); ``others`` are the further cells refused.  The message says the other cells were analysed."""
    said = _one_sentence(error.msg or "invalid syntax")
    reason = _plain(said)
    line_in_cell = min(max(error.lineno or 1, 1), max(len(lines), 1))
    column = error.offset or 1
    what = f"syntax error: {reason}"
    left_out = f"cell {number}" + (f" and {len(others)} more" if others else "")
    more = (f" Cells {', '.join(map(str, others))} do not compile either and were left out too." if others else "")
    return parse_error_finding(
        path, f"{what}; {left_out} not analysed, the other cells were", first_line + line_in_cell - 1, column,
        explanation=(f"Python {_python_version()} stops at cell {number}, line {line_in_cell}: {_sentence(said)}"
                     f"{more} Jupyter compiles each cell apart and runs the others, so kerassniff analysed the "
                     f"notebook without {'them' if others else 'this cell'}; fix the syntax to have "
                     f"{'them' if others else 'it'} checked too."))


def limit_finding(path: str, message: str, explanation: str = "") -> Finding:
    rule = get_rule("KS002")
    assert rule is not None
    return Finding(path, 1, 1, 1, 1, rule.code, rule.name, rule.severity, message, rule.fix_hint,
                   explanation=explanation)
