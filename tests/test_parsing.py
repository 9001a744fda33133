"""kerassniff's parse: LibCST's tree, node for node, without LibCST's per-node validation while the parser builds it,
and with validation left on for every node built any other way (a fix's edits)."""
from __future__ import annotations

import threading
from pathlib import Path

import libcst as cst
import pytest

from kerassniff import parsing
from kerassniff.parsing import parse_module

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_the_tree_is_libcsts_own_node_for_node() -> None:
    scripts = sorted(FIXTURES.rglob("*.py"))[:40]
    assert scripts
    for path in scripts:
        text = path.read_text(encoding="utf-8")
        try:
            expected = cst.parse_module(text)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                parse_module(text)
            continue
        ours = parse_module(text)
        assert ours.deep_equals(expected), path
        assert ours.code == expected.code


def test_nodes_are_not_validated_while_the_parser_builds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self) -> None:
        raise cst.CSTValidationError("validated")

    monkeypatch.setattr(cst.Name, "_validate", refuse)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("x")  # a hand-built node is validated
    module = parse_module("x = y\n")  # the parser's are not
    assert module.code == "x = y\n"
    with pytest.raises(cst.CSTValidationError):
        cst.Name("x")  # and validation is back once the parse ends


def test_validation_is_back_after_a_parse_that_fails() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("x = (\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


def test_parses_in_threads_leave_validation_on() -> None:
    errors: list[BaseException] = []

    def parse_many() -> None:
        try:
            for _ in range(30):
                parse_module("import keras\nmodel = keras.Sequential([keras.layers.Dense(3)])\n")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=parse_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert parsing._parses_running == 0
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
