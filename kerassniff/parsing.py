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
"""
from __future__ import annotations

import ast
import re
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
    return cst.parse_module(text)
