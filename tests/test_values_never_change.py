"""The semantic model's values are never changed once made (:class:`kerassniff.semantic.pyvalues.Value`).

They are not declared frozen, for speed (a frozen dataclass's ``__init__`` sets every field through
``object.__setattr__``), so nothing stops an assignment to one.  This test puts the guard back while every fixture
is linted: assigning a field a value already has raises, and the lint would report an internal error.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import kerassniff.semantic as semantic
from kerassniff.engine.lint_file import lint_source
from kerassniff.engine.results import Status
from tests.conftest import FIXTURES

# Values compared by identity (eq=False) that were frozen all the same: an array, a tensor, a tokenizer's index.
_IDENTITY_VALUES = frozenset({"DataValue", "TensorValue", "TokenizerIndex"})


def _value_classes() -> list[type]:
    """The semantic model's dataclasses whose instances never change: those hashed by their fields, and the
    identity-compared values above."""
    found = []
    for info in pkgutil.walk_packages(semantic.__path__, semantic.__name__ + "."):
        module = importlib.import_module(info.name)
        for item in vars(module).values():
            if isinstance(item, type) and dataclasses.is_dataclass(item) and item.__module__ == module.__name__ and \
                    (item.__dataclass_params__.unsafe_hash or item.__name__ in _IDENTITY_VALUES):
                found.append(item)
    return found


def _refuse_changes(instance: object, name: str, value: object) -> None:
    if name in instance.__dict__:
        raise dataclasses.FrozenInstanceError(f"{type(instance).__name__}.{name} changed after it was made")
    object.__setattr__(instance, name, value)


def test_no_value_is_changed_after_it_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    classes = _value_classes()
    assert {"Const", "Data", "DataValue", "Seq", "Symbol", "CallArgs", "Unknown"} <= {c.__name__ for c in classes}
    for cls in classes:
        monkeypatch.setattr(cls, "__setattr__", _refuse_changes)
    failed = []
    for path in sorted([*FIXTURES.rglob("*.py"), *FIXTURES.rglob("*.ipynb")]):
        result = lint_source(path.read_text(encoding="utf-8"), str(path))
        if result.status is Status.INTERNAL_ERROR:
            failed.append(f"{path.relative_to(FIXTURES)}: {(result.error or '').strip().splitlines()[-1]}")
    assert not failed, "\n".join(failed)


def test_the_guard_catches_a_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard itself: a value's field assigned after it was made raises."""
    from kerassniff.semantic.values import Const

    monkeypatch.setattr(Const, "__setattr__", _refuse_changes)
    constant = Const(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        constant.value = 4
