"""A lint holds Python's cyclic collector off while it works on one file and leaves it as it found it."""
from __future__ import annotations

import gc
import weakref

from kerassniff.api import lint_source

SCRIPT = """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss="binary_crossentropy", optimizer="adam")
"""

LONG_SCRIPT = SCRIPT + "".join(f"model.add(keras.layers.Dense({n}))\n" for n in range(1, 200))


def test_collector_is_off_during_a_lint_and_on_after(monkeypatch):
    from kerassniff.engine import lint_file as pipeline

    seen = []
    build = pipeline.build_script

    def spying_build(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_script", spying_build)
    assert gc.isenabled()
    result = lint_source(SCRIPT, "train.py")
    assert seen == [False]
    assert gc.isenabled()
    assert [f.code for f in result.findings] == ["KS101"]


def test_a_lint_leaves_no_collection_pending_and_frees_its_cycles(monkeypatch):
    from kerassniff.engine import lint_file as pipeline

    class Node:
        pass

    made = []
    build = pipeline.build_script

    def build_leaving_a_cycle(*args, **kwargs):
        node = Node()
        node.self = node  # only the cyclic collector can free it
        made.append(weakref.ref(node))
        return build(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_script", build_leaving_a_cycle)
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
