"""Dispatch tables for the library handlers: a canonical name (or method name) to the function that handles it."""
from __future__ import annotations

from typing import Iterable, TypeVar

Handler = TypeVar("Handler")


def first_wins(*rows: tuple[Iterable[str], Handler]) -> dict[str, Handler]:
    """A table from rows of (names, handler), highest priority first: a name in two rows keeps the first's."""
    table: dict[str, Handler] = {}
    for names, handler in rows:
        for name in names:
            table.setdefault(name, handler)
    return table
