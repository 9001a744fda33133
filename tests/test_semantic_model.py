"""The semantic model resolves names and follows models the way rules rely on."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.names import canonical
from kerassniff.semantic.values import UNKNOWN, str_value


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


@pytest.mark.parametrize("text", [
    "import keras\n\n# build\nmodel = keras.Sequential()\nmodel.fit(x, y)\nprint(1)\n",
    # the same statement twice: its text alone cannot place it, CPython's ast does
    'model.fit(x, y)\nx = 1\nmodel.fit(x, y)\ndef f():\n    return """\nmodel.fit(x, y)\n"""\n',
    "a = 1\r\nmodel.fit(a,\r\n          b)\r\n",  # CRLF
    's = """\nx = 1\n"""\nx = 1\n@dec\ndef g(): pass\nclass C:\n    y = 2\n',
    # the same statements in several cells, each occurrence one of them, and a look-alike with a comment
    "model.summary()\nx = 1\nmodel.summary()\n# again\nmodel.summary()\nx = 1\nif x:\n    model.summary()\n",
])
def test_positions_of_statements_rendered_alone_equal_libcst(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    code = _code_nodes(module.body)  # every node of the statements' code, found without the interpreter
    monkeypatch.setattr(cst.Module, "_codegen", lambda *_: pytest.fail("the whole module was rendered"))
    positions = NodePositions(module)
    positions.locate(text)
    for node in code:
        positions.want(node)
    assert all(positions.get(node) == full[node] for node in code)
    monkeypatch.undo()
    # punctuation and whitespace nodes are in no statement's code: the whole module is rendered for them
    everything = NodePositions(module)
    everything.locate(text)
    nodes = [node for node in full if not isinstance(node, cst.Module)]
    for node in nodes:
        everything.want(node)
    assert all(everything.get(node) == full[node] for node in nodes)


_NESTED = (
    "import keras\n"
    "@decorate(1)\n"
    "def build(units):  # header\n"
    "    model = keras.Sequential()\n"
    "    for u in (units, 10):\n"
    "        if u > 1:\n"
    "            # a comment in the block\n"
    "            model.add(keras.layers.Dense(u))\n"
    "        else:\n"
    "        \tmodel.add(keras.layers.Dropout(0.5))\n"
    "    try:\n"
    "        x = 1\n"
    "    except ValueError:\n"
    "# a comment at column 0\n"
    "        x = 1\n"
    "    with open('f') as f: y = 2\n"
    "    return model\n"
    "class C:\n"
    "    def m(self):\n"
    "        return [i for i in range(3)]\n"
)


def _results_of(monkeypatch: pytest.MonkeyPatch, owner: type, method: str) -> list:
    """What each call of ``owner.method`` returns from now on, in order (the method still runs): how tests see
    which renders the positions and the version checks ask LibCST for."""
    results: list = []
    original = getattr(owner, method)

    def recorded(self, *args, **kwargs):
        results.append(original(self, *args, **kwargs))
        return results[-1]

    monkeypatch.setattr(owner, method, recorded)
    return results


def test_repeated_statements_are_placed_by_their_rank_without_asking_ast(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module-level statement whose code occurs as often as the statements equal to it (``model.fit(x, y)`` in
    three notebook cells) is placed at the occurrence of its rank among them: no ``ast`` parse of the whole text."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic import positions as positions_module
    from kerassniff.semantic.positions import NodePositions

    text = "model.fit(x, y)\nprint(1)\nmodel.fit(x, y)\nprint(2)\nmodel.fit(x, y)\n"
    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    monkeypatch.setattr(positions_module.ast, "parse", lambda *_: pytest.fail("ast was asked"))
    positions = NodePositions(module)
    positions.locate(text)
    calls = [statement.body[0].value for statement in module.body[::2]]
    assert [positions.get(call) for call in calls] == [full[call] for call in calls]
    assert [positions.get(call).start.line for call in calls] == [1, 3, 5]


def _code_nodes(statements) -> list[cst.CSTNode]:
    from kerassniff.semantic.syntax import code_children

    code: list[cst.CSTNode] = []
    stack = list(statements)
    while stack:
        code.append(stack.pop())
        stack.extend(code_children(code[-1]))
    return code


def test_a_node_in_a_block_renders_only_its_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    """A node in a function's (or a loop's, a class's) body is placed by rendering the innermost statement that
    holds it, with its blocks' indentation (tabs and odd widths included), not the whole function."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    module = cst.parse_module(_NESTED)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lines = [line for line in _code_nodes(module.body[1:])
             if isinstance(line, cst.SimpleStatementLine) and "x = 1" not in cst.Module(body=[line]).code]
    inner = _code_nodes(lines)  # the code of every one-line statement in a block, but the repeated `x = 1`
    assert len(lines) == 5 and len(inner) > 30
    for compound in (cst.FunctionDef, cst.For, cst.If, cst.ClassDef):
        monkeypatch.setattr(compound, "_codegen_impl", lambda *_: pytest.fail("a whole block was rendered"))
    batched = NodePositions(module)
    batched.locate(_NESTED)
    for node in inner:
        batched.want(node)
    one_by_one = NodePositions(module)
    one_by_one.locate(_NESTED)
    assert all(batched.get(node) == full[node] for node in inner)
    assert all(one_by_one.get(node) == full[node] for node in reversed(inner))
    monkeypatch.undo()
    # every code node, headers and the repeated `x = 1` (its text alone cannot place it: its block is rendered)
    positions = NodePositions(module)
    positions.locate(_NESTED)
    every = _code_nodes(module.body)
    for node in every:
        positions.want(node)
    assert all(positions.get(node) == full[node] for node in every)


def test_nodes_asked_one_by_one_in_a_function_of_repeated_lines_render_it_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines repeated in a function (``model.add(Dropout(0.25))`` twice) cannot be placed by their text: the
    function is rendered whole once, which tells where each of its lines begins; nodes asked for after that, one
    at a time (as ``--show-model`` asks for each layer), render only their line, and the function is walked
    once.  (Rendering the function per node took 75 s for a 641-line model file.)"""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    text = ("import keras\ndef build(model):\n" + "    model.add(keras.layers.Dense(8))\n"
            "    if model:\n        model.add(keras.layers.Dropout(0.25))\n" * 3
            + "    match model:\n      case 1:\n        model.add(keras.layers.Dense(8))\n"  # a match indents
            "        model.add(keras.layers.Dense(8))\n    return model\nbuild(1)\n")  # its cases itself
    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    first = module.body[1].body.body[1].body.body[0]  # the first repeated line: placed by a whole render
    inner = [first, *_code_nodes(module.body[1].body.body)]
    whole = _results_of(monkeypatch, cst.FunctionDef, "_codegen_impl")
    for order in (inner, [first, *reversed(inner)]):
        whole.clear()
        positions = NodePositions(module)
        positions.locate(text)
        assert [positions.get(node) for node in order] == [full[node] for node in order]
        assert len(whole) == 1
    header = module.body[1].name  # the function's own line: still rendered whole, and placed right
    assert positions.get(header) == full[header]


@pytest.mark.parametrize("text", [
    "def f():\n    x = 1\n    return 1\ndef g():\n    y = 2\n    return 1",  # the last line repeats an earlier
    "import keras\ndef build(m):\n    m.add(keras.layers.Dense(8))\n    m.add(keras.layers.Dense(8))\n    return m\n        ",
])
def test_a_file_without_a_last_newline_is_placed_from_its_text(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last line of a file may end without a newline; a statement rendered alone ends with one.  Its nodes
    are placed right (the last line was placed at an earlier line with the same text) without rendering the
    whole module once per node (``--show-model`` took 86 s on a 641-line model file ending so)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = _code_nodes(module.body[-1].body.body)
    whole = _results_of(monkeypatch, cst.Module, "_codegen_impl")
    positions = NodePositions(module)
    positions.locate(text)
    assert [positions.get(node) for node in nodes] == [full[node] for node in nodes]
    assert whole == []


@pytest.mark.parametrize("text", [
    _NESTED, "from a import (b,\n    c)\nimport d.e as f, g\nx = [h(i, *j, k=1) for i in l if i]\n"])
def test_every_node_asked_alone_is_where_libcst_puts_it(text: str) -> None:
    """A node asked for alone records only itself below an expression (no range below it is needed), and every
    node below a statement or block (whose range ends where its body or last name does): both where LibCST's
    provider puts them, from the text or from a whole render."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    for node in full:
        if isinstance(node, cst.Module):
            continue
        for located in (True, False):
            positions = NodePositions(module)
            if located:
                positions.locate(text)
            assert positions.get(node) == full[node], node


def test_positions_in_blocks_equal_libcst_on_the_fixtures() -> None:
    """Every code node of (a sample of) the fixtures, placed from the text as the lint does, where LibCST's
    PositionProvider puts it."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions
    from tests.conftest import FIXTURES

    for path in sorted(FIXTURES.rglob("*.py"))[1::4]:
        text = path.read_text(encoding="utf-8")
        try:
            module = cst.parse_module(text)
        except Exception:  # noqa: BLE001 - KS001 fixtures
            continue
        full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        nodes = _code_nodes(module.body)
        positions = NodePositions(module)
        positions.locate(text)
        for node in nodes[::2]:
            positions.want(node)
        assert all(positions.get(node) == full[node] for node in nodes), path


def test_positions_asked_one_at_a_time_resume_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes asked for in separate batches, in any order: each found in its statement without a whole render."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic.positions import NodePositions

    text = "import keras\ndef f(x):\n    return g(x)\n\nm = keras.Sequential()\nm.fit(a, b)\nclass C:\n    y = f(2)\n"
    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    names = [node for node in full if isinstance(node, (cst.Name, cst.Call, cst.Integer))]
    monkeypatch.setattr(cst.Module, "_codegen", lambda *_: pytest.fail("the whole module was rendered"))
    positions = NodePositions(module)
    positions.locate(text)
    for node in [*names[len(names) // 2:], *reversed(names[: len(names) // 2])]:
        assert positions.get(node) == full[node]


def test_a_recorded_calls_statement_is_known_without_a_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The interpreter tells which module-level statement holds each call and name it recorded (in a function's
    body: the function's definition), so a finding on a call, its callee, an argument or a library name needs no
    walk of the statements to place it."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kerassniff.semantic import build_script
    from kerassniff.semantic import positions as positions_module

    text = ("import keras\ndef train(m):\n    m.fit(x, y)\n\nmodel = keras.Sequential()\n"
            "model.compile(loss='mse')\ntrain(model)\nf = lambda m: m.predict(x)\nf(model)\n")
    module = cst.parse_module(text)
    full = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    script = build_script(module, "t.py", text=text)
    walked: list[cst.CSTNode] = []  # a call in a function's body is looked for in that function only
    code_children = positions_module.code_children
    monkeypatch.setattr(positions_module, "code_children", lambda node: walked.append(node) or code_children(node))
    calls = [call.node for call in script.calls]
    assert len(calls) == 6  # Sequential, compile, train, fit (in train), f, predict (in the lambda)
    parts = [part for call in calls for arg in call.args for part in (arg, arg.value)]
    nodes = [*calls, *(call.func for call in calls), *parts, *(reference.node for reference in script.references)]
    assert len(parts) == 12 and len(script.references) == 3  # keras (imported, then read), keras.Sequential
    for node in nodes:
        script.positions.want(node)
    assert all(script.position(node) == full[node] for node in nodes)
    assert not any(node in walked for node in module.body if not isinstance(node, cst.FunctionDef))


def test_messages_name_lines_not_markers() -> None:
    from kerassniff.api import lint_paths
    from kerassniff.config import Config
    from tests.conftest import FIXTURES

    findings = lint_paths([str(FIXTURES)], Config()).findings
    assert findings and all("\x00" not in f.message and "line ?" not in f.message for f in findings)
    assert any("(line " in f.message for f in findings)


# -- Python facts the interpreter follows (issue 12) --------------------------------------------
HEAD_BUILDER = (
    "import keras\n"
    "def build(num_classes):\n"
    "    if {condition}:\n"
    "        units, act = 1, 'sigmoid'\n"
    "    else:\n"
    "        units, act = num_classes, 'softmax'\n"
    "    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(units, activation=act)])\n"
    "model = build({argument})\n"
)


def head_of(script) -> tuple:
    head = script.models[0].layers[-1]
    return (head.units, head.activation)


@pytest.mark.parametrize("condition, argument, expected", [
    ("num_classes == 2", "2", (1, "sigmoid")),
    ("num_classes == 2", "10", (10, "softmax")),
    ("num_classes != 2", "2", (2, "softmax")),
    ("num_classes < 3", "num_classes=2", (1, "sigmoid")),
    ("2 <= num_classes < 3", "2", (1, "sigmoid")),
    ("1 < num_classes < 2", "5", (5, "softmax")),
    ("num_classes in (1, 2)", "2", (1, "sigmoid")),
    ("num_classes not in [1, 2]", "2", (2, "softmax")),
    ("num_classes is None or num_classes <= 2", "None", (1, "sigmoid")),
    ("num_classes is not None and num_classes <= 2", "None", (None, "softmax")),
    ("not num_classes > 2", "2", (1, "sigmoid")),
    ("num_classes == 2 and 'softmax'", "2", (1, "sigmoid")),
    ("'a' in {'a': 1}", "3", (1, "sigmoid")),
])
def test_a_known_condition_takes_one_branch(condition: str, argument: str, expected: tuple) -> None:
    script = build(HEAD_BUILDER.format(condition=condition, argument=argument))
    assert head_of(script) == expected


def test_an_unknown_condition_leaves_values_that_differ_unknown() -> None:
    script = build(HEAD_BUILDER.format(condition="num_classes == 2", argument="int(open('n').read())"))
    assert head_of(script) == (None, None)
    same = build("import keras\nif open('f').read():\n    act = 'relu'\nelse:\n    act = 'relu'\n"
                 "model = keras.Sequential([keras.layers.Dense(3, activation=act)])\n")
    assert head_of(same) == (3, "relu")


def test_a_conditional_expression_with_a_known_test() -> None:
    script = build("import keras\nn = 2\nunits = 1 if n == 2 else n\nact = 'sigmoid' if n == 2 else 'softmax'\n"
                   "model = keras.Sequential([keras.layers.Dense(units, activation=act)])\n")
    assert head_of(script) == (1, "sigmoid")


def test_a_module_level_boolean_flag_keeps_both_branches() -> None:
    """A configuration knob: a bug in either branch is real when the author flips the flag."""
    source = ("import keras\ndata_augmentation = True\nmodel = keras.Sequential([keras.layers.Dense(3)])\n"
              "if not data_augmentation:\n    model.fit(a, b)\nelse:\n    model.fit(c, d)\n"
              "epochs = 5 if data_augmentation else 50\nmodel.fit(e, f, epochs=epochs)\n")
    script = build(source)
    assert len(script.models[0].fits) == 3
    assert script.models[0].fits[-1].epochs == UNKNOWN
    # the same test on a parameter is decided: only one branch runs
    inside = build("import keras\ndef train(model, augment=True):\n    if not augment:\n        model.fit(a, b)\n"
                   "    else:\n        model.fit(c, d)\ntrain(keras.Sequential([keras.layers.Dense(3)]))\n")
    assert len(inside.models[0].fits) == 1


def test_a_version_check_keeps_both_branches() -> None:
    script = build("import keras\nimport tensorflow as tf\nmodel = keras.Sequential([keras.layers.Dense(3)])\n"
                   "if tf.__version__ >= '2':\n    model.fit(a, b)\nelse:\n    model.fit_generator(a)\n")
    assert [f.method for f in script.models[0].fits] == ["fit", "fit_generator"]


@pytest.mark.parametrize("test", [
    "tf.__version__ >= '2'", "hasattr(np, 'float_')", "'version' in flags", "f'{x}version' == y",
    "f'{x:version}' == y", "check(version=2)", "(x > 1  # needs version 2\n )",
    pytest.param("t'{x}version' == y", marks=pytest.mark.skipif(not hasattr(cst, "TemplatedStringText"),
                                                               reason="this LibCST reads no t-strings")),
])
def test_a_test_is_a_version_check_by_its_names_strings_and_comments(test: str) -> None:
    """The test's text is judged: a word in a name, a string or a comment inside it makes it a check."""
    source = (f"import keras\nimport numpy as np\nimport tensorflow as tf\n"
              f"model = keras.Sequential([keras.layers.Dense(3)])\nif {test}:\n    model.fit(a, b)\n"
              "else:\n    model.fit_generator(a)\n")
    script = build_script(cst.parse_module(source), "t.py", text=source)
    assert [f.method for f in script.models[0].fits] == ["fit", "fit_generator"]
    assert all(f.guarded for f in script.calls if f.method in ("fit", "fit_generator"))


def test_an_if_test_without_a_version_word_in_its_code_is_not_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A script whose comments hold no version word: tests whose names and strings hold none are judged
    without rendering them (a render per if-test cost a twentieth of the model)."""
    rendered = _results_of(monkeypatch, cst.Module, "code_for_node")
    source = ("import keras\nimport tensorflow as tf\nmodel = keras.Sequential([keras.layers.Dense(3)])\n"
              "if epochs > 3:\n    model.fit(a, b)\nif tf.__version__ >= '2':\n    model.fit(c, d)\n")
    build_script(cst.parse_module(source), "t.py", text=source)
    assert rendered == ["tf.__version__ >= '2'"]
    rendered.clear()  # a comment with a word: every test is rendered, as the text may hold it
    build_script(cst.parse_module(source + "# versions\n"), "t.py", text=source + "# versions\n")
    assert rendered == ["epochs > 3", "tf.__version__ >= '2'"]


@pytest.mark.parametrize("stop", [
    "import sys\nsys.exit(0)", "exit()", "quit()", "import os\nos._exit(1)", "raise SystemExit",
    "raise RuntimeError('stop here')", "from sys import exit\nexit(1)",
])
def test_code_after_an_exit_is_unreachable(stop: str) -> None:
    source = f"import keras\nmodel = keras.Sequential([keras.layers.Dense(3)])\nmodel.fit(a, b)\n{stop}\nmodel.fit(c, d)\n"
    assert len(build(source).models[0].fits) == 1


def test_exit_is_an_ordinary_name_when_the_script_defines_it() -> None:
    source = "import keras\ndef exit():\n    pass\nmodel = keras.Sequential([keras.layers.Dense(3)])\nexit()\nmodel.fit(c, d)\n"
    assert len(build(source).models[0].fits) == 1


def test_a_notebook_cell_that_exits_does_not_end_the_notebook() -> None:
    source = "import sys\nimport keras\nmodel = keras.Sequential([keras.layers.Dense(3)])\nsys.exit()\nmodel.fit(c, d)\n"
    script = build_script(cst.parse_module(source), "t.ipynb", cells=[(1, 1), (1, 2), (1, 3), (1, 4), (2, 1)])
    assert len(script.models[0].fits) == 1


def test_code_after_return_is_unreachable() -> None:
    script = build(
        "import keras\n"
        "def head(n):\n    if n == 2:\n        return keras.layers.Dense(1, activation='sigmoid')\n"
        "    return keras.layers.Dense(n, activation='softmax')\n"
        "def train(model):\n    model.fit(a, b)\n    return model\n    model.fit(c, d)\n"
        "def build(n):\n    for width in (8, 16, 32):\n        if width > n:\n            break\n"
        "    else:\n        width = 0\n    return width\n"
        "model = train(keras.Sequential([keras.Input((4,)), head(2)]))\n"
        "narrow = keras.Sequential([keras.layers.Dense(build(10))])\n"
        "wide = keras.Sequential([keras.layers.Dense(build(100))])\n")
    model = script.models[0]
    assert head_of(script) == (1, "sigmoid") and len(model.fits) == 1
    assert script.models[1].single_head().units == 16
    assert script.models[2].single_head().units == 0


def test_after_a_branch_that_leaves_only_the_other_branch_counts() -> None:
    script = build("import keras\ndef build(act):\n    if act is None:\n        raise ValueError('act')\n"
                   "    else:\n        units = 10\n    return keras.Sequential([keras.layers.Dense(units, activation=act)])\n"
                   "model = build(open('a').read())\n")
    assert head_of(script)[0] == 10


def fit_labels(source: str):
    script = build(source)
    return script.fit_labels(script.models[0])[0]


def test_a_list_appended_in_a_loop_has_unknown_length_and_the_items_kind() -> None:
    labels = fit_labels(
        "import numpy as np\nimport keras\nrows = []\nfor c in np.load('c.npy'):\n    row = np.zeros(10)\n"
        "    row[c] = 1\n    rows.append(row)\n"
        "model = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\nmodel.fit(x, np.array(rows))\n")
    assert labels.n_samples is None and labels.encoding is None and labels.source.kind == "generated"


@pytest.mark.parametrize("grow", ["labels += [1]\n    labels += [0]", "labels.extend([1, 0])", "labels.append(1)",
                                  "labels.insert(0, 1)", "labels = labels\n    labels += (1,)"])
def test_labels_gathered_in_a_loop_are_not_counted_from_the_literals(grow: str) -> None:
    labels = fit_labels(
        f"import numpy as np\nimport keras\nlabels = []\nwhile True:\n    {grow}\n"
        "model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\nmodel.fit(x, np.array(labels))\n")
    assert labels.n_samples is None and labels.encoding is None


def test_a_list_grown_outside_loops_and_in_unrolled_loops_keeps_its_length() -> None:
    labels = fit_labels(
        "import numpy as np\nimport keras\nlabels = [0]\nlabels.append(1)\nlabels += [2, 3]\n"
        "for c in range(2):\n    labels.append(c)\n"
        "model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\nmodel.fit(x, np.array(labels))\n")
    assert labels.n_samples == 6 and labels.encoding == "int"
    script = build("import keras\nlayers = []\nlayers.append(keras.layers.Dense(8))\n"
                   "layers.append(keras.layers.Dense(2, activation='softmax'))\nmodel = keras.Sequential(layers)\n")
    assert head_of(script) == (2, "softmax") and len(script.models[0].layers) == 2


def test_a_counter_in_a_loop_is_unknown() -> None:
    script = build("import keras\nsteps = 0\nfor batch in open('f'):\n    steps += 1\n"
                   "model = keras.Sequential([keras.layers.Dense(3)])\nmodel.fit(x, y, steps_per_epoch=steps)\n")
    assert script.models[0].fits[0].steps_per_epoch == UNKNOWN


def test_a_layer_list_built_in_a_loop_is_not_a_known_model() -> None:
    script = build("import keras\nstack = []\nfor w in open('widths'):\n    stack.append(keras.layers.Dense(int(w)))\n"
                   "model = keras.Sequential(stack)\n")
    assert script.models[0].complete is False


def test_a_snippet_without_imports_reads_keras_names_as_keras() -> None:
    script = build("model = Sequential()\nmodel.add(Dense(10, activation='softmax'))\n"
                   "x = np.zeros((4, 3))\nopt = keras.optimizers.Adam()\n")
    assert head_of(script) == (10, "softmax")
    assert {r.canonical for r in script.references} >= {"keras.models.Sequential", "numpy.zeros", "keras.optimizers.Adam"}
    not_a_snippet = build("def load():\n    import numpy as np\nmodel = Sequential()\nmodel.add(Dense(10))\n")
    assert not_a_snippet.models == []


def test_values_cross_a_call_by_keyword() -> None:
    script = build("import keras\ndef build_model(num_classes=2, activation='sigmoid'):\n"
                   "    return keras.Sequential([keras.layers.Dense(num_classes, activation=activation)])\n"
                   "model = build_model(activation='softmax', num_classes=10)\n")
    assert head_of(script) == (10, "softmax")


def load_paths(source: str) -> list:
    return [m.load_path for m in build(source).models if m.kind == "loaded"]


@pytest.mark.parametrize("declare, read, expected", [
    ("p.add_argument('--model', default='a.keras')", "args.model", "a.keras"),
    ("p.add_argument('-m', '--model-path', default='a.keras')", "args.model_path", "a.keras"),
    ("p.add_argument('--weights', dest='path', default='a.keras')", "args.path", "a.keras"),
    ("p.add_argument('model', nargs='?', default='a.keras')", "args.model", "a.keras"),
    ("g = p.add_argument_group('io')\ng.add_argument('--model', default='a.keras')", "args.model", "a.keras"),
    ("p.set_defaults(model='a.keras')", "args.model", "a.keras"),
    ("p.add_argument('--model', required=True)", "args.model", None),
    ("p.add_argument('--model', default='a.keras')", "args.other", None),
])
def test_argparse_defaults_are_known_values(declare: str, read: str, expected) -> None:
    source = (f"import argparse\nimport keras\np = argparse.ArgumentParser()\n{declare}\nargs = p.parse_args()\n"
              f"model = keras.models.load_model({read})\n")
    assert [str_value(v) for v in load_paths(source)] == [expected]


def test_argparse_converts_a_string_default_and_leaves_switches_unknown() -> None:
    script = build("import argparse\nimport keras\np = argparse.ArgumentParser()\n"
                   "p.add_argument('--classes', type=int, default='10')\np.add_argument('--aug', action='store_true')\n"
                   "p.add_argument('--bn', type=bool, default=False)\nargs, rest = p.parse_known_args()\n"
                   "model = keras.Sequential([keras.layers.Dense(args.classes, activation='softmax')])\n"
                   "if args.aug or args.bn:\n    model.fit(a, b)\nelse:\n    model.fit(c, d)\n")
    assert head_of(script) == (10, "softmax")
    assert len(script.models[0].fits) == 2


def test_click_and_typer_defaults_bind_the_parameters() -> None:
    paths = load_paths(
        "import click\nimport typer\nimport keras\n"
        "@click.command()\n@click.option('--model', default='c.keras')\n@click.option('--fast', is_flag=True)\n"
        "def main(model, fast):\n    keras.models.load_model(model)\n"
        "    keras.models.load_model('fast.keras' if fast else 'slow.keras')\n"
        "@click.command()\n@click.argument('path', default='d.keras')\ndef other(path):\n    keras.models.load_model(path)\n"
        "def run(weights: str = typer.Option('t.keras', help='w'), name: str = typer.Option(...)):\n"
        "    keras.models.load_model(weights)\n    keras.models.load_model(name)\n"
        "main()\n")
    assert sorted(str(str_value(v)) for v in paths) == ["None", "None", "c.keras", "d.keras", "t.keras"]  # fast, name: unknown


def test_a_list_grown_by_a_function_has_unknown_length() -> None:
    labels = fit_labels(
        "import numpy as np\nimport keras\nlabels = []\ndef add(row):\n    labels.append(row)\n"
        "add([0, 1])\nmodel = keras.Sequential([keras.layers.Dense(2, activation='softmax')])\n"
        "model.fit(x, np.array(labels))\n")
    assert labels.n_samples is None and labels.encoding is None


def test_no_condition_is_decided_in_a_loop_interpreted_once() -> None:
    """The names a condition reads may change from one iteration to the next."""
    script = build("import keras\nmodel = keras.Sequential()\nlayer = 0\nwhile layer < int(open('n').read()):\n"
                   "    if layer == 0:\n        model.add(keras.layers.Dense(64, input_dim=8))\n"
                   "    else:\n        model.add(keras.layers.Dense(32))\n"
                   "    act = 'relu' if layer == 0 else 'tanh'\n    model.add(keras.layers.Activation(act))\n"
                   "    layer += 1\n")
    assert [l.units for l in script.models[0].layers if l.kind == "Dense"] == [64, 32]
    assert [l.activation for l in script.models[0].layers if l.kind == "Activation"] == [None]


def test_an_object_is_not_a_boolean_singleton() -> None:
    script = build("import keras\ndef train(net, callback=False):\n    if callback is False:\n        net.fit(a, b)\n"
                   "    else:\n        net.fit(a, b, callbacks=[callback])\n"
                   "model = keras.Sequential([keras.layers.Dense(3)])\ntrain(model)\n"
                   "train(model, keras.callbacks.EarlyStopping())\n")
    assert [f.args.has("callbacks") for f in script.models[0].fits] == [False, True]


def test_a_condition_on_a_command_line_option_is_a_knob() -> None:
    """The default mode is training, but the evaluation branch is what another run executes."""
    script = build("import argparse\nimport keras\np = argparse.ArgumentParser()\n"
                   "p.add_argument('--mode', default='train')\np.add_argument('--model', default='m.keras')\n"
                   "args = p.parse_args()\nif args.mode == 'train':\n"
                   "    model = keras.Sequential([keras.layers.Dense(3)])\n    model.fit(a, b)\n"
                   "elif args.model:\n    model = keras.models.load_model(args.model)\n    model.evaluate(c, d)\n")
    assert sorted(m.kind for m in script.models) == ["loaded", "sequential"]


def test_a_module_flag_passed_to_a_function_is_still_a_knob_and_a_computed_flag_is_not() -> None:
    script = build("import keras\nAUGMENT: bool = False\nnum_classes = 2\nbinary = num_classes == 2\n"
                   "def train(model, augment):\n    if augment:\n        model.fit(a, b)\n    else:\n        model.fit(c, d)\n"
                   "model = keras.Sequential([keras.layers.Dense(1 if binary else num_classes)])\n"
                   "train(model, AUGMENT)\n")
    assert len(script.models[0].fits) == 2
    assert head_of(script)[0] == 1


def test_a_condition_on_what_a_loop_does_not_change_is_decided_inside_it() -> None:
    script = build("import keras\ndef rank(model, xs, regression):\n    for x in xs:\n"
                   "        if regression:\n            model.predict(x)\n        else:\n            model.evaluate(x)\n"
                   "rank(keras.Sequential([keras.layers.Dense(3)]), open('f'), True)\n")
    assert [i.method for i in script.models[0].inferences] == ["predict"]


@pytest.mark.parametrize("imports, flags", [
    ("from absl import app, flags", "flags"),
    ("import tensorflow as tf", "tf.compat.v1.flags"),
])
def test_absl_flag_defaults_are_known_values(imports: str, flags: str) -> None:
    paths = load_paths(
        f"{imports}\nimport keras\nFLAGS = {flags}.FLAGS\n"
        f"{flags}.DEFINE_string('model_path', 'a.keras', 'where the model is')\n"
        f"{flags}.DEFINE_integer(name='epochs', default=3, help='epochs')\n"
        f"{flags}.DEFINE_boolean('fast', False, 'quick run')\n"
        "def main(argv):\n    keras.models.load_model(FLAGS.model_path)\n"
        "    keras.models.load_model('b.keras' if FLAGS.fast else 'c.keras')\n"
        "    keras.models.load_model(FLAGS.unknown_flag)\n")
    assert sorted(str(str_value(v)) for v in paths) == ["None", "None", "a.keras"]


def test_absl_flags_imported_by_name() -> None:
    paths = load_paths("from absl.flags import FLAGS, DEFINE_string\nimport keras\n"
                       "DEFINE_string('model', 'm.keras', 'help')\nkeras.models.load_model(FLAGS.model)\n")
    assert [str_value(v) for v in paths] == ["m.keras"]


def test_trainable_assignments_are_recorded_on_the_model_in_program_order() -> None:
    script = build(
        "import keras\n"
        "dense = keras.layers.Dense(4)\n"
        "base = keras.Sequential([dense])\n"
        "model = keras.Sequential([base, keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\n"
        "base.trainable = False\n"
        "dense.trainable = True\n"
        "model.layers[1].trainable = False\n"
        "model.fit(x, y)\n")
    base = next(m for m in script.models if m.name == "base")
    model = next(m for m in script.models if m.name == "model")
    assert [(s.attribute, s.value.value, s.layer is None) for s in base.attribute_sets] == [
        ("trainable", False, True), ("trainable", True, False)]
    assert [s.layer for s in model.attribute_sets] == [None]  # model.layers[1]: the model's own layer, index unknown
    assert base.attribute_sets[0].order > model.compiles[0].order
    assert model.attribute_sets[0].order < model.fits[0].order


def test_a_trainable_set_on_the_loop_variable_over_model_layers_is_the_models() -> None:
    script = build(
        "import keras\n"
        "model = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(1)])\n"
        "for layer in model.layers[:1]:\n"
        "    layer.trainable = False\n"
        "for layer in other_layers:\n"
        "    layer.trainable = False\n")
    model = next(m for m in script.models if m.name == "model")
    assert [(s.attribute, s.value.value) for s in model.attribute_sets] == [("trainable", False)]


def test_functools_partial_layers_take_stored_then_given_arguments() -> None:
    script = build("import functools\nfrom functools import partial\nimport keras\n"
                   "Conv = partial(keras.layers.Conv2D, kernel_size=3, activation='relu')\n"
                   "Head = functools.partial(keras.layers.Dense, 10)\n"
                   "model = keras.Sequential([Conv(16), Conv(filters=32, kernel_size=5, activation='tanh'),"
                   " Head(activation='softmax')])\n")
    layers = script.models[0].layers
    assert [(l.kind, l.units, l.kernel_size, l.activation) for l in layers] == [
        ("Conv2D", 16, (3,), "relu"), ("Conv2D", 32, (5,), "tanh"), ("Dense", 10, None, "softmax")]


@pytest.mark.parametrize("decorator, call", [
    ("@staticmethod", "Builder.build(10)"),
    ("@staticmethod", "Builder().build(10)"),
    ("@classmethod", "Builder.build(10)"),
    ("@classmethod", "Builder().build(10)"),
    ("", "Builder().build(10)"),
])
def test_methods_bind_as_python_binds_them(decorator: str, call: str) -> None:
    first = "cls, " if decorator == "@classmethod" else "" if decorator else "self, "
    script = build(f"import keras\nclass Builder:\n    {decorator}\n    def build({first}units):\n"
                   f"        return keras.Sequential([keras.layers.Dense(units, activation='softmax')])\n"
                   f"model = {call}\nmodel.compile(loss='categorical_crossentropy')\n")
    (model,) = script.models
    assert model.layers[0].units == 10 and model.compiles


def test_a_library_model_is_followed_with_its_layers_unknown() -> None:
    """``keras_hub.models.X.from_preset(...)`` builds a Keras model: what the script does with it (compile, fit,
    trainable) is followed, its architecture is not read (only a classifier's head is known), and a tokenizer is no
    model."""
    script = build(
        "import keras_hub\n"
        "tokenizer = keras_hub.models.BertTokenizer.from_preset('bert_base_en')\n"
        "classifier = keras_hub.models.BertTextClassifier.from_preset('bert_base_en', num_classes=4)\n"
        "classifier.compile(loss='binary_crossentropy')\n"
        "classifier.fit(x, y, epochs=1)\n")
    (model,) = script.models
    assert (model.kind, model.name, model.structure_known, model.output_paths()) == ("library", "classifier", False, [])
    assert [(head.units, head.activation) for head in model.heads()] == [(4, "linear")]
    assert [len(model.compiles), len(model.fits)] == [2, 1]  # a KerasHub task compiles itself as it is built


@pytest.mark.parametrize(("call", "head"), [
    ("keras_hub.models.BertTextClassifier.from_preset('p', num_classes=3)", (3, "linear")),
    ("keras_hub.models.ImageClassifier.from_preset('p', num_classes=3, activation=None)", (3, "linear")),
    ("keras_nlp.models.TextClassifier.from_preset('p', num_classes=2, activation='softmax')", (2, "softmax")),
    ("keras_hub.models.TextClassifier.from_preset('p', num_classes=n, activation=act)", None),  # act unknown
    ("keras_cv.models.ImageClassifier.from_preset('p', num_classes=3)", None),  # KerasCV defaults to softmax
    ("keras_hub.models.Backbone.from_preset('p')", None),
])
def test_a_kerashub_classifier_outputs_logits_unless_told(call: str, head: tuple | None) -> None:
    """A KerasHub classifier ends in Dense(num_classes, activation=activation), and activation defaults to None."""
    (model,) = build(f"import keras_hub, keras_nlp, keras_cv\nm = {call}\n").models
    found = model.single_head()
    assert (None if found is None else (found.units, found.activation)) == head
    assert not model.structure_known and model.output_paths() == []


@pytest.mark.parametrize("call", [
    "keras_hub.models.BertTextClassifier.from_preset('bert_base_en', num_classes=2, **options)",  # may set it
    "keras_hub.models.BertTextClassifier(backbone, 4, preprocessor, 'softmax')",  # by position
    "keras_hub.models.ImageClassifier.from_preset('./my_finetuned_classifier', num_classes=2)",  # saved preset
    "keras_hub.models.ImageClassifier.from_preset('kaggle://me/model/keras/v1', num_classes=2)",
    "keras_hub.models.ImageClassifier.from_preset(preset_name, num_classes=2)",
])
def test_a_kerashub_classifier_head_is_unknown_when_something_else_may_set_its_activation(call: str) -> None:
    (model,) = build(f"import keras_hub\nm = {call}\n").models
    assert model.single_head() is None


def test_calling_a_generator_function_gives_a_generator_not_its_return_value() -> None:
    # A function with ``yield`` returns a generator object when called: its (absent) return value is not what the
    # caller gets (validation_data=batches(...) is validation data, not None).
    script = build("import keras\n"
                   "def batches(path):\n"
                   "    while True:\n"
                   "        yield load(path)\n"
                   "def ones():\n"
                   "    return 1\n"
                   "model = keras.Sequential([keras.layers.Dense(1)])\n"
                   "model.compile(loss='mse')\n"
                   "model.fit(batches('t'), validation_data=batches('v'), epochs=ones())\n")
    fit = script.models[0].fits[0]
    assert type(fit.x).__name__ == "Unknown" and type(fit.validation_data).__name__ == "Unknown"
    assert fit.epochs.value == 1
    # a generator whose yield the interpretation does not reach (a branch taken, a loop over nothing) is one too
    script = build("import keras\n"
                   "def stream(limit):\n"
                   "    if limit == 0:\n"
                   "        return\n"
                   "    while True:\n"
                   "        yield load(limit)\n"
                   "def over(paths):\n"
                   "    for p in paths:\n"
                   "        yield load(p)\n"
                   "model = keras.Sequential([keras.layers.Dense(1)])\n"
                   "model.compile(loss='mse')\n"
                   "model.fit(over([]), validation_data=stream(0))\n")
    fit = script.models[0].fits[0]
    assert type(fit.x).__name__ == "Unknown" and type(fit.validation_data).__name__ == "Unknown"


def test_a_loss_object_called_on_a_models_outputs_is_paired_with_that_model() -> None:
    script = build("import keras\n"
                   "a = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
                   "b = keras.Sequential([keras.layers.Dense(3)])\n"
                   "ce = keras.losses.CategoricalCrossentropy(from_logits=True)\n"
                   "for x, y in batches:\n"
                   "    loss = ce(y, a(x, training=True)) + ce(y, b(x))\n"
                   "    other = ce(y, unknown_model(x))\n")
    first, second = script.models
    assert [(l.name, l.from_logits) for l in first.loss_calls] == [("categorical_crossentropy", True)]
    assert len(second.loss_calls) == 1 and second.loss_calls[0].node is not first.loss_calls[0].node


def test_a_function_nobody_calls_keeps_both_branches_of_a_test_on_a_default() -> None:
    # Run with unknown arguments, a parameter's default is only one of the values callers may pass: the code under
    # ``if targets is not None:`` is interpreted too (a called function still folds the test on what it was given).
    script = build("import keras\n"
                   "def train(x, y, validation=None):\n"
                   "    model = keras.Sequential([keras.layers.Dense(1)])\n"
                   "    if validation is not None:\n"
                   "        model.compile(loss='mse')\n"
                   "    return model\n"
                   "def other(flag=False):\n"
                   "    m = keras.Sequential([keras.layers.Dense(2)])\n"
                   "    if flag:\n"
                   "        m.compile(loss='mae')\n"
                   "other()\n")
    trained, called = sorted(script.models, key=lambda m: m.layers[0].units)
    assert len(trained.compiles) == 1 and called.compiles == []


@pytest.mark.parametrize("raw, name", [
    ("tensorflow.optimizers.Adam", "keras.optimizers.Adam"), ("tensorflow.losses.BinaryCrossentropy",
                                                              "keras.losses.BinaryCrossentropy"),
    ("tensorflow.metrics.Mean", "keras.metrics.Mean"), ("tensorflow.optimizers", "tensorflow.optimizers"),
    ("tensorflow.nn.softmax", "tensorflow.nn.softmax"),
])
def test_tensorflows_own_names_of_keras_packages_are_keras(raw: str, name: str) -> None:
    assert canonical(raw) == name  # tf.optimizers is tf.keras.optimizers in TensorFlow 2


def test_a_value_nobody_could_follow_compiled_with_a_loss_is_one_model_of_unknown_layers() -> None:
    """``net = WideResNet(...)`` from a package not read, compiled in a loop: a model (kind "external") per pass,
    named, whose fits are followed; re.compile and torch's module.compile() make none. A Keras 2 package's model
    knows it."""
    script = build("import re\nimport numpy as np\nfrom netzoo import WideResNet, build\n"
                   "x = np.load('x.npy')\nfor fold in range(3):\n"
                   "    net = WideResNet(classes=10)\n    net.compile(optimizer='adam', loss='mse')\n"
                   "    net.fit(x, x, epochs=1)\n"
                   "pattern = re.compile(r'\\d+')\nother = build()\nother.compile()\n"
                   "third = build()\nthird.compile('adam', 'mse')\n")
    external = [m for m in script.models if m.kind == "external"]
    assert [(m.name, m.complete, m.structure_known) for m in external] == [("net", False, False)] * 3 + [
        ("third", False, False)]
    assert all(len(m.compiles) == 1 and len(m.fits) == 1 for m in external[:3])
    private = build("from tensorflow.python.keras.models import Sequential\nnet = Sequential()\n")
    assert [m.keras_2 for m in private.models] == [True]


def test_a_star_import_of_a_helper_binds_its_all_or_its_public_names(tmp_path) -> None:
    """``from helpers import *`` binds what Python binds: the names of ``__all__``, else every public name (a helper
    that imports keras rebinds keras only without an ``__all__`` leaving it out)."""
    from pathlib import Path

    (tmp_path / "listed.py").write_text("import keras\n__all__ = ['net']\nnet = keras.Sequential()\n_hidden = 1\n")
    (tmp_path / "open_helper.py").write_text("import keras\nnet = keras.Sequential()\n_hidden = 1\n")
    for helper, bound in (("listed", {"net"}), ("open_helper", {"net", "keras"})):  # _hidden: never
        script_path = Path(tmp_path / f"use_{helper}.py")
        source = f"from {helper} import *\n"
        script = build_script(cst.parse_module(source), str(script_path))
        assert ("keras" in script.imports) == ("keras" in bound)  # the helper's import, bound here or not
        assert {m.name for m in script.models} == {"net"}


def test_the_environment_variables_a_script_sets_to_constants_are_noted() -> None:
    """``os.environ[...] = ...`` sets, ``setdefault`` keeps what was set, a value not known forgets the variable."""
    script = build("import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\nos.environ.setdefault('TF_USE_LEGACY_KERAS', '0')\n"
                   "os.environ.setdefault('KERAS_BACKEND', 'jax')\nos.environ['CUDA_VISIBLE_DEVICES'] = '0'\n"
                   "os.environ['CUDA_VISIBLE_DEVICES'] = str(device)\n")
    assert script.environment == {"TF_USE_LEGACY_KERAS": "1", "KERAS_BACKEND": "jax"}


def test_a_resume_branch_keeps_the_model_the_script_builds() -> None:
    """``if os.path.exists(p): model = load_model(p)`` beside a built model: a reload of a file nothing in the script
    says who made is the same network resumed, so what follows (fit, save) is the built model's; after two models
    the script builds in two branches, what follows runs on either (the name may hold both)."""
    script = build(
        "import os\nfrom tensorflow import keras\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "if os.path.exists('m.keras'):\n    model = keras.models.load_model('m.keras')\n"
        "model.compile(loss='categorical_crossentropy')\nmodel.fit(None, epochs=1)\nmodel.save('m.keras')\n")
    (built,) = [m for m in script.models if m.kind == "sequential"]
    assert len(built.fits) == 1 and len(built.compiles) == 1 and [s.method for s in built.saves] == ["save"]
    branches = build(
        "import os\nfrom tensorflow import keras\nif os.path.exists('small'):\n"
        "    model = keras.Sequential([keras.layers.Dense(2)])\nelse:\n"
        "    model = keras.Sequential([keras.layers.Dense(5)])\nmodel.fit(None)\n")
    assert [len(m.fits) for m in branches.models] == [1, 1]


def test_methods_nobody_calls_run_on_the_one_instance_the_script_made() -> None:
    """A GUI's button handler (called by the framework, not the script) sees what __init__ stored on the one
    instance the script made; with two instances, or none, a fresh one with nothing stored."""
    source = ("from tensorflow import keras\nnet = keras.Sequential([keras.layers.Dense(2)])\n"
              "class App:\n    def __init__(self, model):\n        self.model = model\n"
              "    def on_click(self):\n        self.model.predict(None)\n")
    assert len(build(source + "app = App(net)\n").models[0].inferences) == 1
    assert len(build(source + "a = App(net)\nb = App(net)\n").models[0].inferences) == 0


def test_two_ifs_on_one_flag_are_one_choice() -> None:
    """A model built under one arm of a flag's test meets only the calls made under the same arm of a later test of
    the same flag; a call outside both ifs runs on either model."""
    script = build(
        "import keras\n"
        "multi = False\n"
        "if not multi:\n"
        "    model = keras.Sequential([keras.layers.Dense(1)])\n"
        "else:\n"
        "    model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "if multi:\n"
        "    model.compile(loss='categorical_crossentropy')\n"
        "else:\n"
        "    model.compile(loss='mse')\n"
        "model.fit(x, y)\n")
    single, several = script.models
    assert [loss.name for c in single.compiles for loss in c.losses] == ["mean_squared_error"]
    assert [loss.name for c in several.compiles for loss in c.losses] == ["categorical_crossentropy"]
    assert len(single.fits) == len(several.fits) == 1  # after both ifs, the name holds either model


def test_a_flag_bound_again_is_another_condition() -> None:
    script = build(
        "import keras\n"
        "multi = False\n"
        "if multi:\n"
        "    model = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\n"
        "else:\n"
        "    model = keras.Sequential([keras.layers.Dense(1)])\n"
        "multi = True\n"
        "if multi:\n"
        "    model.compile(loss='mse')\n")
    # the second test is another condition: the compile under it may meet either model (were the two tests taken for
    # one, it would meet only the first arm's)
    assert [len(model.compiles) for model in script.models] == [1, 1]


def test_nodes_sorted_in_source_order_are_placed_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Script.in_source_order sorts by line and column (nodes without a position last), asking the positions of all
    the nodes at once: one pass, not one per node (KS402 sorts the Keras 2 backend names it lists)."""
    from kerassniff.semantic.positions import NodePositions

    text = ("import numpy as np\n"
            "def helper():\n"
            "    return np.ones(2)\n"
            "x = np.zeros(3)\n"
            "y = helper()\n")
    script = build(text)
    calls = [call.node for call in script.calls if call.callee in ("numpy.ones", "numpy.zeros")]
    assert len(calls) == 2
    passes = _results_of(monkeypatch, NodePositions, "_compute")
    stray = cst.Name("elsewhere")
    ordered = script.in_source_order([stray, *calls], lambda node: node)
    assert [script.position(node).start.line for node in ordered[:2]] == [3, 4] and ordered[2] is stray
    assert len(passes) == 1
