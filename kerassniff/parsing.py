"""Parsing with LibCST, guarded against input that crashes its native parser.

LibCST's Rust parser overflows the C stack (a segmentation fault, which no
``except`` can catch) on expressions nested a few thousand deep: 3,000
nested calls, a 100,000-term ``1+1+...`` chain, ``not not not ...``.
CPython's own parser refuses such input cleanly (more than 200 nested
brackets is a syntax error; very deep trees raise RecursionError or
MemoryError).  So a file that *could* be that deep (a very long line, deep
brackets, many backslash continuations) is first checked with
:func:`ast.parse`, which costs about 15% of a LibCST parse; ordinary files
skip the check.

The parse also skips LibCST's per-node validation (see :func:`_parser_output_unvalidated`): a sixth of a
parse spent checking that the parser built what it parsed.
"""
from __future__ import annotations

import ast
import re
import threading
from contextlib import contextmanager
from itertools import accumulate

import libcst as cst

LONG_LINE = 1000  # characters on one line
DEEP_BRACKETS = 100  # CPython's limit is 200
MANY_CONTINUATIONS = 500

_BRACKET = re.compile(r"[()\[\]{}]")
_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


class TooDeep(Exception):
    """The source nests too deeply to parse safely; the message says how CPython put it."""


def could_be_too_deep(text: str) -> bool:
    if text.count("\\\n") > MANY_CONTINUATIONS:
        return True
    if len(text) > LONG_LINE and max(map(len, text.splitlines()), default=0) > LONG_LINE:
        return True
    brackets = _BRACKET.findall(text)
    return len(brackets) > DEEP_BRACKETS and max(accumulate(map(_DEPTH.__getitem__, brackets))) > DEEP_BRACKETS


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module``, raising :class:`TooDeep` instead of crashing the process."""
    if could_be_too_deep(text):
        try:
            ast.parse(text)
        except SyntaxError as error:
            if "too many nested" in str(error.msg) or "too complex" in str(error.msg):
                raise TooDeep(f"{error.msg} (line {error.lineno})") from None
            pass  # an ordinary syntax error: LibCST reports it with its own position
        except (RecursionError, MemoryError):
            raise TooDeep("expressions are nested too deeply for Python itself to parse") from None
    with _parser_output_unvalidated():
        return cst.parse_module(text)


# LibCST validates every node as it is built (``CSTNode.__post_init__`` calls ``_validate``): the checks that keep a
# hand-built tree printable (a ``lambda`` needs whitespace after it, brackets must pair).  The native parser builds
# nodes only from text it has parsed, so on its output the checks are redundant (LibCST's own comment on
# ``__post_init__`` says as much: "It might make more sense to move validation work into the visitor, which would
# allow us to avoid validating the tree when parsing a file"); they cost 15-20% of a parse.  While a parse runs,
# the hook is a no-op; every other node (a fix's ``with_changes``) is validated as before.  The switch is the
# class's, so it is counted: concurrent parses in threads turn it back on when the last one ends.
_CSTNODE = cst.CSTNode
_VALIDATING_HOOK = _CSTNODE.__dict__.get("__post_init__")
_switch = threading.Lock()
_parses_running = 0


def _no_validation(self: cst.CSTNode) -> None:
    return None


@contextmanager
def _parser_output_unvalidated():
    """LibCST's node validation off while the parser builds a tree (on a LibCST without the hook: unchanged)."""
    global _parses_running
    if _VALIDATING_HOOK is None:
        yield
        return
    with _switch:
        _parses_running += 1
        if _parses_running == 1:
            _CSTNODE.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _switch:
            _parses_running -= 1
            if _parses_running == 0:
                _CSTNODE.__post_init__ = _VALIDATING_HOOK  # type: ignore[method-assign]
