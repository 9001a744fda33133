"""The interpreter's own machinery: loop-body bindings, the evaluator table, summaries of calls."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic.frames import assigned_names


def _body(source: str) -> cst.BaseSuite:
    statement = cst.parse_module(source).body[0]
    assert isinstance(statement, (cst.For, cst.While))
    return statement.body


@pytest.mark.parametrize(("source", "expected"), [
    ("for i in x:\n    a = 1\n    b += 1\n    c: int = 2\n", {"a", "b", "c"}),
    ("for i in x:\n    a, (b, *c) = y\n    d[i] = 0\n    self.n = 1\n", {"a", "b", "c", "d", "self"}),
    ("for i in x:\n    for j in y:\n        k = j\n", {"j", "k"}),
    ("while t:\n    if (m := f()):\n        pass\n    g([n := 1 for _ in y])\n", {"m", "n"}),
    ("for i in x:\n    with open(p) as fh:\n        pass\n    try:\n        pass\n    except E as err:\n        pass\n",
     {"fh", "err"}),
    ("for i in x:\n    import numpy as np\n    import os\n    from a import b as c\n", {"np", "c"}),
    ("for i in x:\n    def f(q):\n        inner = 1\n    class K:\n        attr = 2\n    lam = lambda z: z\n",
     {"f", "K", "lam"}),
    ("for i in x: a = 1; b = 2\n", {"a", "b"}),
])
def test_assigned_names_of_a_loop_body(source: str, expected: set[str]) -> None:
    assert assigned_names(_body(source)) == expected
