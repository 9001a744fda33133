"""The interpreter's own machinery: loop-body bindings, the evaluator table, summaries of calls."""
from __future__ import annotations

import libcst as cst
import pytest

from kerassniff.semantic.syntax import assigned_names


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


# -- function summaries ---------------------------------------------------------------------------------------
from collections import Counter  # noqa: E402

from kerassniff.engine.lint_file import rule_set, run_rules, to_finding, unique_findings  # noqa: E402
from kerassniff.config import Config  # noqa: E402
from kerassniff.semantic.interpreter import Interpreter  # noqa: E402
from kerassniff.semantic.summaries import _frozen  # noqa: E402
from kerassniff.semantic.values import Const, KnobConst, Seq, VersionFlag  # noqa: E402

HELPER_CALLED_THREE_TIMES = '''\
from tensorflow import keras


def make(units):
    net = keras.Sequential([keras.layers.Dense(units, activation="softmax")])
    net.compile(loss="binary_crossentropy", optimizer="adam")
    return net


def train(net, x, y):
    net.fit(x, y, epochs=5, validation_data=(x_test, y_test))
    return net.evaluate(x_test, y_test)


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
a = make(10)
b = make(10)
c = make(10)
train(a, x_train, y_train)
train(a, x_train, y_train)
train(a, x_train, y_train)
'''


def _interpreter(source: str) -> Interpreter:
    interpreter = Interpreter(cst.parse_module(source), "script.py")
    interpreter.build()
    return interpreter


def test_a_helper_called_three_times_reports_each_finding_once() -> None:
    """Three calls of a model factory build three models, which share the factory's findings: the user reads each
    once (unique_findings), and the helper that trains one of them three times records one fit."""
    interpreter = _interpreter(HELPER_CALLED_THREE_TIMES)
    script = interpreter.script
    findings = [to_finding(script, rule, report) for rule, report in run_rules(script, rule_set(Config()))]
    keys = Counter((f.code, f.line, f.column, f.message) for f in unique_findings([f for f in findings if f]))
    assert {code for code, *_ in keys} >= {"KS101", "KS205"}
    assert max(keys.values()) == 1, keys
    assert len(script.models) == 3 and [len(model.fits) for model in script.models] == [1, 0, 0]


def test_the_clock_is_read_while_one_statement_calls_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Expressions do not look at the deadline themselves (that is per statement and per call): a single
    statement that calls functions many times still does."""
    looks: list[int] = []
    monkeypatch.setattr(Interpreter, "_check_deadline", lambda self: looks.append(self._ticks))
    calls = ", ".join(f"f({n})" for n in range(200))
    _interpreter(f"f = lambda n: n\nvalues = [{calls}]\n")
    assert len(looks) >= 200 // 32


def test_a_loop_body_is_scanned_for_the_names_it_assigns_only_when_a_condition_in_it_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kerassniff.semantic import control

    scanned: list[cst.CSTNode] = []
    monkeypatch.setattr(control, "assigned_names", lambda body: scanned.append(body) or assigned_names(body))
    _interpreter("for x in data:\n    total = x\n    print(total)\n")
    assert scanned == []
    source = ("n = 0\nfor x in data:\n    for y in x:\n        if n == 0:\n            units = 1\n        else:\n"
              "            units = 2\n    n += 1\n")
    interpreter = _interpreter(source)
    assert len(scanned) == 1  # the condition reads n, which the outer body changes (the inner one is not needed)
    assert interpreter.module_scope.lookup("units") != Const(1)  # not decided: n differs between iterations


@pytest.fixture
def interpreted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each function's body is interpreted (not answered from a summary)."""
    counts: Counter[str] = Counter()
    original = Interpreter._interpret

    def counting(self, function, args, self_value, node):
        counts[function.node.name.value] += 1
        return original(self, function, args, self_value, node)

    monkeypatch.setattr(Interpreter, "_interpret", counting)
    return counts


def test_a_call_with_the_same_abstract_inputs_is_interpreted_once(interpreted: Counter[str]) -> None:
    interpreter = _interpreter(HELPER_CALLED_THREE_TIMES + "for _ in range(3):\n    train(a, x_train, y_train)\n")
    assert interpreted["train"] == 2  # the loop is another context: its call is its own
    # A call that builds a model is never answered from a summary: each call of the factory is another model.
    assert interpreted["make"] == 3
    assert interpreter.module_scope.lookup("b") is not interpreter.module_scope.lookup("a")


def test_a_call_that_builds_part_of_a_model_it_is_given_runs_again() -> None:
    script = _interpreter(
        "from tensorflow import keras\n"
        "def add_block(model):\n"
        "    model.add(keras.layers.Dense(64, activation='relu'))\n"
        "    model.add(keras.layers.Dropout(0.5))\n"
        "model = keras.Sequential()\n"
        "add_block(model)\n"
        "add_block(model)\n"
        "model.add(keras.layers.Dense(10, activation='softmax'))\n").script
    assert [layer.kind for layer in script.models[0].layers] == ["Dense", "Dropout"] * 2 + ["Dense"]


def test_a_call_after_a_name_it_reads_changed_runs_again() -> None:
    script = _interpreter(
        "from tensorflow import keras\n"
        "units = 10\n"
        "def make():\n"
        "    return keras.Sequential([keras.layers.Dense(units, activation='softmax')])\n"
        "first = make()\n"
        "units = 2\n"
        "second = make()\n").script
    assert [model.layers[0].units for model in script.models] == [10, 2]


def test_a_reused_call_still_makes_a_version_flag() -> None:
    interpreter = _interpreter(
        "import keras\n"
        "def modern():\n"
        "    return int(keras.__version__[0]) > 2\n"
        "first = modern()\n"
        "second = modern()\n")
    assert isinstance(interpreter.module_scope.lookup("first"), VersionFlag)
    assert isinstance(interpreter.module_scope.lookup("second"), VersionFlag)


@pytest.mark.parametrize(("a", "b"), [
    (Const(1), Const(True)),
    (Const(1), Const(1.0)),
    (Const((1, True)), Const((True, 1))),
    (Const(True), KnobConst(True)),
    (Seq((Const(1),)), Seq((Const(1),), "tuple")),
])
def test_inputs_that_python_calls_equal_are_different_abstract_inputs(a, b) -> None:
    assert _frozen(a) != _frozen(b)
    assert _frozen(a) == _frozen(type(a)(**a.__dict__) if not isinstance(a, Seq) else Seq(a.items, a.kind))


# -- what library handlers use of the interpreter (semantic/effects.py names it) ------------------------------
HANDLER_NAMES = ("eval", "loop", "next_order", "assign", "varies_in_loop", "unroll_items", "top_index", "literals",
                 "is_knob", "in_helper", "element_of", "call_function", "binary", "script")


def test_the_names_library_handlers_call_back_stay_on_the_interpreter() -> None:
    interpreter = _interpreter("import keras\n")
    missing = [name for name in HANDLER_NAMES if not hasattr(interpreter, name)]
    assert not missing
    assert interpreter.script.models == [] and interpreter.script.data_events == []
    evaluators = Interpreter.evaluators()
    assert evaluators[cst.Name] is not None and cst.Call in evaluators and cst.Lambda in evaluators


def test_the_interpreter_module_knows_no_keras() -> None:
    """Keras knowledge sits in the library modules; the interpreter's own modules never name Keras."""
    import kerassniff.semantic as semantic
    from pathlib import Path

    folder = Path(semantic.__file__).parent
    for name in ("interpreter", "statements", "control", "imports", "evaluation", "calls", "builtins", "summaries"):
        text = (folder / f"{name}.py").read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in text.splitlines() if not line.lstrip().startswith(('"', "'")))
        assert "keras." not in code and '"keras' not in code and "tensorflow" not in code, name


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(x, units=size, *a: Hint, **k):\n    return keras.layers.Dense(units=x.shape, name=label)\n",
     {"f", "size", "Hint", "keras", "x", "label"}),  # attribute, keyword and parameter names are never looked up
    ("def f():\n    shape = 3\n    return obj.shape + shape\n", {"f", "shape", "obj"}),  # a name read is kept
    ("@register(name=tag)\ndef f():\n    g = lambda units=n: units\n", {"register", "tag", "f", "g", "n", "units"}),
])
def test_a_summary_keys_on_the_names_a_function_may_look_up(source: str, expected: set[str]) -> None:
    """Its own name included (a recursive call looks it up)."""
    from kerassniff.semantic.syntax import names_read

    assert names_read(cst.parse_module(source).body[0]) == expected


def test_a_call_after_an_attribute_of_the_same_name_changed_is_reused(interpreted: Counter[str]) -> None:
    _interpreter(
        "from tensorflow import keras\n"
        "def make(x):\n"
        "    return keras.layers.Dense(units=x.shape[-1])\n"
        "units = 1\n"
        "a = make(data)\n"
        "units = 2\n"  # `units` is only a keyword and `shape` only an attribute in make: the second call is the same
        "shape = 3\n"
        "b = make(data)\n")
    assert interpreted == {"make": 1}


def test_an_array_renamed_or_given_a_step_is_a_new_equal_copy() -> None:
    from dataclasses import replace

    from kerassniff.semantic.dataflow import Data, Source

    data = Data(Source("dataset", "mnist.load_data()", cst.Name("x")), group=1, role="x", split="train")
    assert data.renamed("x_train") == replace(data, name="x_train") and data.name is None
    assert data.renamed(None) is data
    step = data.with_step("scale", "/255", cst.Name("x"), n_samples=3)
    assert step == replace(data, steps=step.steps, node=step.node, n_samples=3) and len(step.steps) == 1
    with pytest.raises(TypeError):
        data.with_step("scale", "/255", cst.Name("x"), samples=3)


def test_the_code_fields_readers_find_what_a_read_of_every_code_field_finds() -> None:
    """The readers written per node type (semantic/syntax.py) against a plain loop over the same fields, on every
    node of the bundled fixtures."""
    from kerassniff.semantic.syntax import child_fields, code_children
    from tests.conftest import SINGLE_SCRIPT_FIXTURES

    def every_field(node: cst.CSTNode) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for name in child_fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, (list, tuple)):
                found.extend(value)
            elif isinstance(value, cst.CSTNode):
                found.append(value)
        return found

    kinds: set[type] = set()
    for path in SINGLE_SCRIPT_FIXTURES:
        try:
            stack: list[cst.CSTNode] = [cst.parse_module(path.read_text())]
        except cst.ParserSyntaxError:  # the fixtures of unreadable files
            continue
        while stack:
            node = stack.pop()
            expected = every_field(node)
            assert sorted(map(id, code_children(node))) == sorted(map(id, expected)), type(node)
            kinds.add(type(node))
            stack.extend(expected)
    assert {cst.If, cst.ImportFrom, cst.Call, cst.Lambda, cst.Param} <= kinds


@pytest.mark.parametrize("spelling", [
    "'abc'", '"abc"', "''", '""', "'''doc'''", '"""doc"""', '""""""', "''''''", '"""a\nb"""', "'''it's'''",
    '"\'\'\'"', "r'a\\nb'", 'R"\\d+"', "r'''x\\y'''", "u'abc'", "U'''a'''", "'a\\nb'", "'\\''", "b'abc'", "rb'x'",
    "'é'", '"""a\\\nb"""',
])
def test_a_string_literal_is_read_as_python_reads_it(spelling: str) -> None:
    import ast

    from kerassniff.semantic.expressions import _literal_value

    node = cst.parse_expression(spelling)
    assert isinstance(node, cst.SimpleString)
    value = _literal_value(node)
    assert value == ast.literal_eval(spelling) and type(value) is type(ast.literal_eval(spelling))


def test_a_string_bound_in_each_branch_is_one_of_them() -> None:
    """``path = "a.hdf5"`` in one branch and ``"b.hdf5"`` in the other: one of those strings (unknown to every
    reader but those that ask whether all of them share a fact); a number or a repeat of one string stays as before."""
    from kerassniff.semantic.folding import merge
    from kerassniff.semantic.values import Const, Strings, Unknown, string_endings

    both = merge(Const("a.hdf5"), Const("b.hdf5"))
    assert isinstance(both, Strings) and isinstance(both, Unknown) and both.options == ("a.hdf5", "b.hdf5")
    assert merge(both, Const("c.keras")).options == ("a.hdf5", "b.hdf5", "c.keras")
    assert string_endings(both) == ("a.hdf5", "b.hdf5") and string_endings(Const("x.h5")) == ("x.h5",)
    assert merge(Const("x"), Const("x")) == Const("x")
    assert merge(Const(1), Const("x")) == Unknown()


def test_str_format_of_a_constant_template() -> None:
    """``"cp-{epoch:04d}.ckpt".format(epoch=0)``: the string itself when every argument is a constant; otherwise the
    text after the last field is still known (a file name's extension)."""
    from kerassniff.semantic.builtins import string_method
    from kerassniff.semantic.values import UNKNOWN, CallArgs, Const, string_ending

    template = Const("cp-{epoch:04d}.ckpt")
    assert string_method(template, "format", CallArgs((), (("epoch", Const(3)),))) == Const("cp-0003.ckpt")
    assert string_ending(string_method(template, "format", CallArgs((), (("epoch", UNKNOWN),)))) == ".ckpt"
    assert string_ending(string_method(Const("model_{}"), "format", CallArgs((UNKNOWN,)))) is None
    assert string_method(Const("{0.x}"), "format", CallArgs((Const(1),))) == UNKNOWN  # Python would raise
    assert string_method(template, "upper", CallArgs()) == Const("CP-{EPOCH:04D}.CKPT")  # a text method, folded
    assert string_method(Const("a fine film"), "split", CallArgs()) == Const(("a", "fine", "film"))
    assert string_method(template, "zfill", CallArgs((Const(40),))) == UNKNOWN


def test_one_of_the_strings_with_anything_else_or_too_many_is_unknown() -> None:
    """A choice of strings merged with an unknown value, or past MAX_STRINGS choices, is simply unknown: a reader
    asking whether every choice shares a fact must not see only some of them."""
    from kerassniff.semantic.folding import merge
    from kerassniff.semantic.pyvalues import MAX_STRINGS
    from kerassniff.semantic.values import UNKNOWN, Const, Strings

    both = merge(Const("a.hdf5"), Const("b.hdf5"))
    assert merge(both, UNKNOWN) is UNKNOWN and merge(UNKNOWN, both) is UNKNOWN
    many = Strings(options=tuple(f"{i}.keras" for i in range(MAX_STRINGS)))
    assert merge(many, Const("x.hdf5")) is UNKNOWN


def test_calls_in_the_two_arms_of_an_if_interpreted_both_ways_exclude_each_other() -> None:
    """``if augment: fit(flow) else: fit(x)`` with a knob: both arms are read, but never run together."""
    source = (
        "import numpy as np\nfrom tensorflow import keras\n"
        "x = np.load('x.npy')\ny = np.load('y.npy')\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\naugment = False\n"
        "if augment:\n    model.fit(x, y)\nelif x.ndim > 1:\n    model.fit(x / 2, y)\nelse:\n    model.fit(x, y)\n"
        "model.evaluate(x, y)\n")
    interpreter = _interpreter(source)
    fits = [e for e in interpreter.script.data_events if e.role == "x" and e.kind == "fit"]
    final = next(e for e in interpreter.script.data_events if e.role == "x" and e.kind == "evaluate")
    assert len(fits) == 3
    assert all(a.excludes(b) for a in fits for b in fits if a is not b)
    assert not any(final.excludes(fit) or fit.excludes(final) for fit in fits)


def test_len_minus_an_offset_counts_windows_not_samples() -> None:
    """``range(len(s) - w)`` still walks s (one window per sample), but ``len(s) - 1`` is no count of s's samples."""
    from kerassniff.semantic.dataflow import LenValue, RangeValue

    interpreter = _interpreter("import numpy as np\ns = np.load('s.npy')\nw = 24\nn = len(s) - w\n"
                               "steps = range(n)\nlater = range(w, len(s))\nprint(n, steps, later)\n")
    scope = interpreter.module_scope
    assert isinstance(scope.lookup("n"), LenValue) and scope.lookup("n").shifted
    assert isinstance(scope.lookup("steps"), RangeValue) and scope.lookup("steps").over is not None
    assert isinstance(scope.lookup("later"), RangeValue) and scope.lookup("later").over is not None


def test_a_function_returns_a_files_text_from_every_return_but_not_other_unknowns() -> None:
    from kerassniff.semantic.calls import _returned
    from kerassniff.semantic.keras_values import Predictions
    from kerassniff.semantic.values import UNKNOWN, FolderListing, UnknownText

    assert type(_returned([UnknownText(), UnknownText()])) is UnknownText
    assert _returned([UnknownText(), UNKNOWN]) is UNKNOWN
    assert _returned([Predictions(), Predictions()]) is UNKNOWN  # (whose predictions is not known: not kept)
    assert _returned([FolderListing(lister="os.listdir")]) is UNKNOWN


def test_a_loaded_models_row_is_kept_and_a_row_of_a_row_is_one_value() -> None:
    from kerassniff.semantic.keras_values import Predictions
    from kerassniff.semantic.models import Model

    loaded = Predictions(model=Model(kind="loaded", node=cst.Name("m"), name="m"))
    row = loaded.one_row()
    assert row is not None and row.row and not row.reshaped
    value = row.one_value()
    assert value is not None and value.reshaped and value.one_value() is None


# -- dicts ------------------------------------------------------------------------------------------------------
def _module_names(source: str) -> dict:
    interpreter = Interpreter(cst.parse_module(source), "t.py")
    interpreter.build()
    return interpreter.module_scope.vars


def test_dict_called_with_keywords_is_a_known_dict() -> None:
    """``dict(a=1, b=2)`` is ``{"a": 1, "b": 2}``; over a dict given first, the keywords override its entries; a spread
    or pairs leave entries unknown."""
    from kerassniff.semantic.values import DictValue

    names = _module_names("base = {'a': 1}\n"
                          "plain = dict(a=1, b=2)\n"
                          "over = dict(base, a=3)\n"
                          "spread = dict(**opts, c=1)\n"
                          "pairs = dict(zip(keys, values))\n")
    assert names["plain"] == DictValue(((Const("a"), Const(1)), (Const("b"), Const(2))))
    assert names["over"] == DictValue(((Const("a"), Const(3)),))
    assert isinstance(names["spread"], DictValue) and not names["spread"].complete
    assert not isinstance(names["pairs"], DictValue)


@pytest.mark.parametrize(("source", "expected"), [
    # filled in a loop by keys it does not know: not the empty dict it started as
    ("d = {}\nfor k in ks:\n    d[k] = 1\n", None),
    # the keys both arms hold, each value merged (one of two constants: unknown), all of them
    ("if c:\n    d = {'a': 1, 'b': 2}\nelse:\n    d = {'a': 1, 'b': 3}\n", ((("a", 1), ("b", None)), True)),
    ("if c:\n    d = {'a': 1}\nelse:\n    d = {'a': 1}\n", ((("a", 1),), True)),
    # a key one arm lacks: not among the items, and the dict is not all known
    ("if c:\n    d = {'a': 1, 'b': 2}\nelse:\n    d = {'a': 1}\n", ((("a", 1),), False)),
])
def test_a_dict_after_branches_holds_what_both_agree_on(source: str, expected) -> None:
    from kerassniff.semantic.values import DictValue

    value = _module_names(source)["d"]
    if expected is None:
        assert not isinstance(value, DictValue)
        return
    items, complete = expected
    assert isinstance(value, DictValue) and value.complete is complete
    assert tuple((k.value, v.value if isinstance(v, Const) else None) for k, v in value.items) == items


@pytest.mark.parametrize(("source", "expected"), [
    ("n = 0\nfor line in lines:\n    n = n + 1\n", None),  # how often the loop ran: not known
    ("n = 0\nfor k in [1, 2, 3]:\n    n = n + k\n", 6),  # a loop over a known list runs once per item
    ("n = 0\nwhile more():\n    n = n * 2 + 1\n", None),
])
def test_a_name_rebuilt_from_itself_in_a_loop_counts_its_passes(source: str, expected) -> None:
    value = _module_names(source)["n"]
    assert (value.value if isinstance(value, Const) else None) == expected


def test_a_list_rebuilt_by_concatenation_in_a_loop_has_an_unknown_length() -> None:
    from kerassniff.semantic.values import ComprehensionValue

    names = _module_names("xs = []\nfor line in lines:\n    xs = xs + [line]\nys = []\nfor k in (1, 2):\n    ys = ys + [k]\n")
    assert isinstance(names["xs"], ComprehensionValue) and names["xs"].length is None
    assert names["ys"] == Const((1, 2))


def test_a_size_written_as_a_non_ascii_digit_string_is_not_judged() -> None:
    """KS402's string units: ``Dense(units="²")`` is a string whose characters are digits to Python but no number to
    int(): not reported, and no crash."""
    from kerassniff.api import lint_source

    result = lint_source("from tensorflow import keras\nlayer = keras.layers.Dense(units='\u00b2')\n", "t.py")
    assert not [finding for finding in result.findings if finding.code in ("KS402", "KS002")]


def test_a_spread_of_a_known_dict_leaves_nothing_unknown() -> None:
    """One notion of an open spread (CallArgs.open_keywords): ``dict(**base, c=1)`` of a dict whose entries are all
    known is all known, as a layer's ``**settings`` without an activation gives the layer's default; a spread read
    from a file leaves both open."""
    from kerassniff.semantic import build_script
    from kerassniff.semantic.values import DictValue

    names = _module_names("base = {'a': 1}\nknown = dict(**base, c=1)\nopen_ = dict(**load(), c=1)\n")
    assert isinstance(names["known"], DictValue) and names["known"].complete
    assert isinstance(names["open_"], DictValue) and not names["open_"].complete
    script = build_script(cst.parse_module(
        "import json\nfrom tensorflow import keras\nsettings = {'units': 10}\n"
        "a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(**settings)])\n"
        "b = keras.Sequential([keras.Input((4,)), keras.layers.Dense(**json.load(open('s.json')))])\n"), "t.py")
    assert [model.layers[-1].activation for model in script.models] == ["linear", None]


@pytest.mark.parametrize(("source", "expected"), [
    ("def f(paths):\n    global batch\n    batch = [load(p) for p in paths]\n", ({"batch"}, set(), set())),
    ("def f():\n    global model, graph\n    print(model)\n", (set(), set(), set())),  # read only: nothing changes
    ("def f(p):\n    frames.append(p)\n    log.update(n=1)\n", (set(), set(), {"frames", "log"})),
    # an item written keeps the object's length and kind; a parameter, a local, *args and **options are the function's
    ("def f(i):\n    images[i] = flip(images[i])\n", (set(), set(), set())),
    ("def f(frames, *rest, **options):\n    frames.append(1)\n    rest.append(2)\n    options.update(a=1)\n"
     "    seen = []\n    seen.append(2)\n    if (found := []):\n        found.append(3)\n", (set(), set(), set())),
    ("def f():\n    global count\n    count += 1\n    for row, (a, b) in pairs:\n        pass\n", ({"count"}, set(), set())),
    ("def f():\n    nonlocal total\n    total = 0\n", (set(), {"total"}, set())),
    ("def f():\n    def g():\n        global h\n        h = 1\n    return g\n", (set(), set(), set())),  # g's, not f's
])
def test_the_outer_names_a_function_rebinds_or_resizes(source: str, expected) -> None:
    from kerassniff.semantic.in_place import outer_writes

    function = cst.parse_module(source).body[0]
    assert isinstance(function, cst.FunctionDef)
    writes = outer_writes(function)
    assert (writes.rebound_globals, writes.rebound_nonlocals, writes.grown) == tuple(map(frozenset, expected))


def test_a_lambda_handed_over_counts_the_functions_it_calls() -> None:
    from kerassniff.semantic.in_place import outer_writes

    function = cst.parse_expression("lambda: refill(paths, log.append(1))")
    assert isinstance(function, cst.Lambda)
    writes = outer_writes(function)
    assert writes.called == {"refill"} and writes.grown == {"log"}


def test_a_left_join_keeps_the_frames_rows_and_other_joins_do_not() -> None:
    """``df.join(other)`` (pandas's default left join) is the frame's rows with more columns; an inner or outer join,
    or ``sort=True``, may drop, add or reorder rows: not followed."""
    from kerassniff.semantic.values import DataValue

    names = _module_names("import pandas as pd\n"
                          "extra = pd.read_csv('extra.csv')\n"
                          "left = pd.read_csv('train.csv').join(extra)\n"
                          "named = pd.read_csv('train.csv').join(extra, how='left')\n"
                          "inner = pd.read_csv('train.csv').join(extra, how='inner')\n"
                          "ordered = pd.read_csv('train.csv').join(extra, sort=True)\n")
    assert isinstance(names["left"], DataValue) and names["left"].data.source.description == "pd.read_csv(...)"
    assert isinstance(names["named"], DataValue)
    assert not isinstance(names["inner"], DataValue) and not isinstance(names["ordered"], DataValue)


def test_the_script_functions_unknown_results_named_as_splits_are_arrays() -> None:
    """``x_train, y_train, x_valid, y_valid = get_fold(1)``, a function of the script whose arrays the analysis lost:
    each result named as a split is an array of unknown content (as an unseen loader's would be); a result it
    knows stays as it is, and targets not named as splits are left alone."""
    from kerassniff.semantic.values import DataValue

    names = _module_names("import lost\n"
                          "def get_fold(k):\n"
                          "    return lost.a(k), lost.b(k), lost.c(k), 3\n"
                          "x_train, y_train, x_valid, n = get_fold(1)\n"
                          "first, second, third, fourth = get_fold(2)\n")
    assert all(isinstance(names[name], DataValue) for name in ("x_train", "y_train", "x_valid"))
    assert names["x_valid"].data.group != names["x_train"].data.group
    assert names["n"] == Const(3)
    assert not any(isinstance(names[name], DataValue) for name in ("first", "second", "third"))


@pytest.mark.parametrize("template, text, ending", [
    ("./weights/%s_weights.h5", "./weights/_weights.h5", "_weights.h5"),  # the name's end is known
    ("%(run)s-%03d.keras", "-.keras", ".keras"),  # named and padded conversions
    ("%d%%_%s.h5", "%_.h5", ".h5"),  # '%%' is a literal percent sign
    ("run_%s", "run_", ""),  # ends on a conversion: no known end
])
def test_printf_formatting_of_values_not_known_keeps_the_text_after_the_last_conversion(
        template: str, text: str, ending: str) -> None:
    from kerassniff.semantic.operators import fold_binary
    from kerassniff.semantic.values import UNKNOWN, FormattedValue
    assert fold_binary(Const(template), "Modulo", UNKNOWN, cst.Name("x")) == FormattedValue(text, ending)


def test_printf_formatting_of_known_values_is_the_string_itself() -> None:
    from kerassniff.semantic.operators import fold_binary
    assert fold_binary(Const("./weights/%s_weights.h5"), "Modulo", Const("adiac"), cst.Name("x")) == \
        Const("./weights/adiac_weights.h5")
