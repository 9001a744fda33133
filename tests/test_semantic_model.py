"""The semantic model resolves names and follows models the way rules rely on."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.names import canonical


@pytest.mark.parametrize("raw", [
    "keras.layers.Dense", "tensorflow.keras.layers.Dense", "tensorflow.python.keras.layers.core.Dense",
    "tf_keras.layers.Dense", "keras.src.layers.core.dense.Dense", "keras.layers.core.Dense",
])
def test_every_keras_spelling_is_one_canonical_name(raw: str) -> None:
    assert canonical(raw) == "keras.layers.Dense"


def build(source: str):
    return build_script(cst.parse_module(source), "t.py")


@pytest.mark.parametrize("imports, dense", [
    ("import keras", "keras.layers.Dense"),
    ("import tensorflow as tf", "tf.keras.layers.Dense"),
    ("from tensorflow import keras", "keras.layers.Dense"),
    ("from tensorflow.keras import layers as L", "L.Dense"),
    ("from keras.layers import Dense", "Dense"),
    ("from keras.layers import Dense as D", "D"),
    ("from tensorflow.keras.layers import *", "Dense"),
    ("import tensorflow.keras as K", "K.layers.Dense"),
])
def test_import_styles_resolve_to_the_same_layer(imports: str, dense: str) -> None:
    script = build(f"{imports}\nimport keras as KK\nmodel = KK.Sequential([{dense}(10, activation='softmax')])\n")
    layers = script.models[0].layers
    assert [(l.qualname, l.units, l.activation) for l in layers] == [("keras.layers.Dense", 10, "softmax")]


def test_local_shadowing_is_not_keras() -> None:
    script = build("from keras.layers import Dense\n\ndef Dense(n):\n    return n\n\nimport keras\n"
                   "model = keras.Sequential([Dense(10)])\n")
    assert script.models[0].complete is False
    assert [layer.kind for layer in script.models[0].layers] == ["Unknown"]  # kept in place, unread


def test_constants_functions_and_loops_are_followed() -> None:
    script = build(
        "from tensorflow.keras import layers, models\nNUM_CLASSES = 100\n"
        "def build(width):\n    m = models.Sequential()\n    for f in (width, width * 2):\n"
        "        m.add(layers.Conv2D(f, 3))\n    m.add(layers.Flatten())\n"
        "    m.add(layers.Dense(NUM_CLASSES))\n    m.add(layers.Activation('softmax'))\n    return m\n"
        "model = build(32)\nmodel.compile(loss='categorical_crossentropy', metrics=['accuracy'])\n"
        "model.fit(x, y, epochs=3)\nmodel.evaluate(x, y)\n")
    model = script.models[0]
    assert [l.units for l in model.layers if l.kind == "Conv2D"] == [32, 64]
    head = model.single_head()
    assert (head.units, head.activation) == (100, "softmax")
    assert model.compiles[0].losses[0].name == "categorical_crossentropy"
    assert [f.method for f in model.fits] == ["fit"] and model.inferences[0].method == "evaluate"


def test_functional_application_model() -> None:
    script = build(
        "from keras.applications import NASNetMobile\nfrom keras.layers import Dense, GlobalAveragePooling2D\n"
        "from keras.models import Model\nbase = NASNetMobile(weights=None, include_top=False)\n"
        "x = GlobalAveragePooling2D()(base.output)\nout = Dense(200, activation='softmax')(x)\n"
        "model = Model(inputs=base.input, outputs=out)\n")
    model = [m for m in script.models if m.kind == "functional"][0]
    assert model.has_batchnorm
    assert model.single_head().units == 200


def test_unknown_stays_unknown() -> None:
    script = build("import keras\nn = int(open('n.txt').read())\n"
                   "model = keras.Sequential([keras.layers.Dense(n, activation='softmax')])\n")
    assert script.models[0].single_head().units is None


def test_comprehension_with_condition() -> None:
    script = build("import keras\nsizes = [n for n in range(4) if n % 2]\nmodel = keras.Sequential()\n")
    assert script.models[0].kind == "sequential"


def test_targeted_positions_equal_libcst_position_provider() -> None:
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions
    from tests.conftest import FIXTURES

    for path in sorted(FIXTURES.rglob("*.py"))[::5]:
        try:
            module = cst.parse_module(path.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - KS001 fixtures
            continue
        full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        nodes = list(full)[::3]
        positions = NodePositions(module)
        for node in nodes:
            positions.want(node)
        assert all(positions.get(node) == full[node] for node in nodes), path
        assert positions.get(cst.Name("elsewhere")) is None


def test_messages_name_lines_not_markers() -> None:
    from kerassniff.batch import lint_paths
    from kerassniff.config import Config
    from tests.conftest import FIXTURES

    findings = lint_paths([str(FIXTURES)], Config()).findings
    assert findings and all("\x00" not in f.message and "line ?" not in f.message for f in findings)
    assert any("(line " in f.message for f in findings)
