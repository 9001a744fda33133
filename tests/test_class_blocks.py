"""The runs a list is appended in (kerassniff/semantic/class_blocks.py): which appends make class blocks, how
branches merge them, and which orders a list of runs has."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic.class_blocks import FOLDER, block_order, grown_blocks, merged_blocks
from kerassniff.semantic.interpreter import Interpreter
from kerassniff.semantic.pyvalues import Block, ComprehensionValue

LOOP_A, LOOP_B = cst.parse_statement("for f in a: pass"), cst.parse_statement("for f in b: pass")


def run(loop, value, rounds=()):
    return Block(loop, rounds, value, loop)


def test_runs_grow_from_an_empty_list_and_are_lost_by_an_append_that_is_not_one() -> None:
    first = grown_blocks((), True, run(LOOP_A, 0))
    assert first == (run(LOOP_A, 0),)
    assert grown_blocks(first, False, run(LOOP_A, 0)) == first  # the same run again: one block
    assert grown_blocks(first, False, run(LOOP_B, 1)) == (run(LOOP_A, 0), run(LOOP_B, 1))
    assert grown_blocks(first, False, None) == ()
    assert grown_blocks((), False, run(LOOP_A, 0)) == ()  # a list with items of unknown order stays unknown


def test_an_if_that_appends_in_one_branch_keeps_the_runs_and_two_different_appends_lose_them() -> None:
    grown = (run(LOOP_A, 0), run(LOOP_B, 1))
    assert merged_blocks(grown, grown[:1], False, False) == grown
    assert merged_blocks((), grown, True, False) == grown
    assert merged_blocks((run(LOOP_A, 0),), (run(LOOP_A, 1),), False, False) == ()


@pytest.mark.parametrize("blocks, order", [
    ((run(LOOP_A, 0), run(LOOP_B, 1)), "by-class"),
    ((run(LOOP_A, 0),), None),  # one class
    ((run(LOOP_A, 0), run(LOOP_A, 1)), None),  # one loop appending two constants in turn
    ((run(LOOP_A, 0, (0,)), run(LOOP_A, 1, (1,))), "by-class"),  # an unrolled loop's passes
    ((run(LOOP_A, 0), run(LOOP_B, 0)), None),  # one class in two runs
    ((run(LOOP_A, FOLDER),), "by-folder"),
    ((run(LOOP_A, FOLDER), run(LOOP_B, FOLDER)), None),  # two folder loops: the last part has every class
    ((run(LOOP_A, FOLDER), run(LOOP_B, 1)), None),
])
def test_the_order_a_list_of_runs_has(blocks, order) -> None:
    found = block_order(blocks)
    assert (found[0] if found else None) == order


@pytest.mark.parametrize("loop, blocks", [
    ("for i, c in enumerate(os.listdir('d')):\n    for f in os.listdir(os.path.join('d', c)):\n        ys.append(i)",
     True),
    ("for c in os.listdir('d'):\n    for f in os.listdir('d/' + c):\n        label = c\n        ys.append(label)", True),
    ("for c in os.listdir('d'):\n    for f in os.listdir('d/' + c):\n        ys.append(f[:3])", False),
    ("for c in os.listdir('d'):\n    for k in range(3):\n        ys.append(c)", False),  # not a folder listing
    ("for c in os.listdir('d'):\n    for f in os.listdir('d/' + c):\n        ys.append(table[c])", False),
    ("for s in ['a', 'b']:\n    for c in os.listdir(s):\n        for f in os.listdir(c):\n            ys.append(c)",
     False),  # a loop around the loop over classes
])
def test_which_folder_loops_append_class_blocks(loop: str, blocks: bool) -> None:
    module = cst.parse_module("import os\ntable = {}\nys = []\n" + loop + "\n")
    interpreter = Interpreter(module, "t.py")
    interpreter.build()
    value = interpreter.module_scope.lookup("ys")
    assert isinstance(value, ComprehensionValue)
    assert bool(block_order(value.blocks)) is blocks
