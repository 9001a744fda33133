"""The rule documents in ``rules/``: found at run time and read by the tests.

In a checkout (and an editable install) they are read from ``rules/`` beside
the package; a wheel carries a copy inside the package as ``_rules/``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_rules", _PACKAGE.parent / "rules")
_EXAMPLE = re.compile(r"^```python (?P<kind>bad|good)(?P<name>[^\n]*)\n(?P<code>.*?)^```", re.MULTILINE | re.DOTALL)


def rules_folder() -> Path | None:
    for folder in _CANDIDATES:
        if folder.is_dir():
            return folder
    return None


def document_path(code: str) -> Path | None:
    folder = rules_folder()
    if folder is None:
        return None
    path = folder / f"{code.upper()}.md"
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def document_uri(code: str) -> str:
    """A ``file://`` URI of rule CODE's document as installed (a wheel's ``_rules/``, a checkout's ``rules/``)."""
    path = document_path(code)
    if path is None:
        path = (rules_folder() or _CANDIDATES[0]) / f"{code.upper()}.md"
    return path.as_uri()


def folder_uri() -> str:
    return (rules_folder() or _CANDIDATES[0]).as_uri() + "/"


def rule_document(code: str, summary: str | None = None) -> str:
    """Rule CODE's document; when it is not installed, ``summary`` (the caller's one line about the rule: this
    module sits below the registry and does not read it) and a note saying so."""
    path = document_path(code)
    if path is None:
        return f"{summary or code}\n(The full document was not found next to the installed package.)"
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Example:
    kind: str  # "bad" or "good"
    label: str
    code: str


def examples(text: str) -> list[Example]:
    """The fenced ```python bad``` / ```python good``` blocks of a document."""
    return [Example(m.group("kind"), m.group("name").strip(), m.group("code")) for m in _EXAMPLE.finditer(text)]
