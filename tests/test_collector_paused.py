"""A lint holds Python's cyclic collector off while it works on one file and leaves it as it found it."""
from __future__ import annotations

import gc
import weakref

import pytest

from kerassniff.api import lint_source

SCRIPT = """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss="binary_crossentropy", optimizer="adam")
"""

LONG_SCRIPT = SCRIPT + "".join(f"model.add(keras.layers.Dense({n}))\n" for n in range(1, 200))


class Node:
    pass


@pytest.fixture
def during_build(monkeypatch):
    """What a test wants done as each lint builds its model: append callables to the returned list."""
    from kerassniff.engine import lint_file as pipeline

    hooks: list = []
    build = pipeline.build_script

    def build_with_hooks(*args, **kwargs):
        for hook in hooks:
            hook()
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_script", build_with_hooks)
    return hooks


def test_collector_is_off_during_a_lint_and_on_after(during_build):
    seen = []
    during_build.append(lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    result = lint_source(SCRIPT, "train.py")
    assert seen == [False]
    assert gc.isenabled()
    assert [f.code for f in result.findings] == ["KS101"]


def test_a_lint_leaves_no_collection_pending_and_frees_its_cycles(during_build):
    made = []

    def leave_a_cycle():
        node = Node()
        node.self = node  # only the cyclic collector can free it
        made.append(weakref.ref(node))

    during_build.append(leave_a_cycle)
    gc.collect()
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        result = lint_source(LONG_SCRIPT, "train.py")
    finally:
        gc.callbacks.remove(count)
    assert result.analysis is not None  # its parse tree outlives the lint: more than a collection's threshold
    assert collections  # the collection its objects call for ran before it returned (its cost is the lint's)
    assert gc.get_count()[0] < gc.get_threshold()[0]
    assert made and made[0]() is None


def test_a_caller_that_turned_the_collector_off_keeps_it_off():
    gc.disable()
    try:
        lint_source(SCRIPT, "train.py")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_analysis_nobody_will_read_is_dropped_inside_the_lint():
    from kerassniff.engine.lint_paths import analysis_kept

    kept = lint_source(SCRIPT, "train.py")
    dropped = lint_source(SCRIPT, "train.py", keep_analysis=analysis_kept(cross_script=True, keep_models=False))
    assert kept.analysis is not None and dropped.analysis is None  # this script saves and loads no model file
    assert [f.code for f in dropped.findings] == [f.code for f in kept.findings] == ["KS101"]
    saving = SCRIPT + 'model.fit(x, y)\nmodel.save("model.keras")\n'  # a trained model saved: a cross-script fact
    assert lint_source(saving, "train.py", keep_analysis=analysis_kept(True, False)).analysis is not None
    assert lint_source(saving, "train.py", keep_analysis=analysis_kept(False, False)).analysis is None
    assert lint_source(SCRIPT, "train.py", keep_analysis=analysis_kept(False, True)).analysis is not None


def cyclic_garbage_kinds(work) -> set[type]:
    """The types of the objects that ``work()`` leaves for the cyclic collector (garbage only a cycle holds)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        work()
        gc.collect()
        return {type(found) for found in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize("source", [
    ('import keras\n'
     'def block(x, f):\n    """A block."""\n    def inner(y):\n        return keras.layers.Conv2D(f, 3)(y)\n'
     '    return inner(x)\n'
     'class Net:\n    def __init__(self):\n        self.d = keras.layers.Dense(3)\n'
     "scale = [lambda v: v * i for i in range(3)]\nprint('''done''', r'\\d', 'a\\tb')\n"
     'x = block(keras.Input((8, 8, 3)), 4)\n'),
    # no function at the module's top level: the cycle runs through the class's scope to the module's
    'import keras\nclass LeNet:\n    @staticmethod\n    def build(n):\n        return keras.Sequential()\n'
    'model = LeNet.build(3)\n',
])
def test_a_built_model_leaves_no_cycle_through_its_scopes_or_its_string_literals(source: str) -> None:
    """A scope and the functions defined in it refer to each other (and ``ast.literal_eval``'s helpers to each
    other): left in place, those cycles kept the functions' code for the collector to trace."""
    import libcst as cst

    from kerassniff.semantic import build_script
    from kerassniff.semantic.frames import Scope
    from kerassniff.semantic.pyvalues import FunctionValue

    kinds = cyclic_garbage_kinds(lambda: build_script(cst.parse_module(source), "t.py"))
    assert not kinds & {Scope, FunctionValue, type(lambda: None), cst.FunctionDef, cst.ClassDef}


def test_a_dropped_analysis_leaves_no_cycle_between_a_model_and_its_calls() -> None:
    """A model lists its compile, fit and predict calls, and each refers back to it: an analysis the lint drops is
    released first, so that it is freed at once and the collector's pass has no parse tree to trace."""
    from kerassniff.semantic.models import CompileCall, FitCall, Model

    source = SCRIPT + "model.fit(x, y)\nmodel.predict(x)\nmodel.save('m.keras')\nmodel.trainable = False\n"
    kept = lint_source(source, "train.py")
    assert kept.analysis is not None and kept.analysis.script.models[0].fits  # a kept analysis is whole

    def lint_and_drop() -> None:
        result = lint_source(source, "train.py", keep_analysis=lambda _: False)
        assert result.analysis is None and result.findings

    assert not cyclic_garbage_kinds(lint_and_drop) & {Model, CompileCall, FitCall}
