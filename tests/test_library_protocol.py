"""The library handlers need nothing of the interpreter beyond :class:`Effects`, and read one set of tables."""
from __future__ import annotations

import itertools

import libcst as cst
import pytest

from kerassniff.semantic import build_script
from kerassniff.semantic.dataflow import Data, DataEvent, DataValue, Source
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.library import array_table, arrays, datasets, keras, keras_training
from kerassniff.semantic.library.dispatch import first_wins
from kerassniff.semantic.keras_values import HistoryValue
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.models import Model
from kerassniff.semantic.pyvalues import UNKNOWN, CallArgs, Const, FunctionValue, Seq, Value


class FakeScript:
    def __init__(self) -> None:
        self.models: list[Model] = []
        self.data_events: list[DataEvent] = []


class MinimalEffects:
    """Exactly the protocol, nothing more: a handler that needs more fails here with AttributeError."""

    def __init__(self, loop: LoopContext | None = None) -> None:
        self.script = FakeScript()
        self.loop = loop
        self.branches: tuple[tuple[int, int], ...] = ()
        self._orders = itertools.count(1)
        self.called: list[FunctionValue] = []

    def next_order(self) -> int:
        return next(self._orders)

    def call_function(self, function: FunctionValue, args: CallArgs, node: cst.Call | None) -> Value:
        self.called.append(function)
        return Seq((args.positional[0], UNKNOWN), "tuple")


NODE = cst.Call(cst.Name("f"))


def array(split: str) -> DataValue:
    return DataValue(Data(Source("literal", "a literal array", NODE), group=1, split=split))


def test_a_fit_is_recorded_through_the_protocol_alone() -> None:
    effects = MinimalEffects(LoopContext(NODE, UNKNOWN, (), unrolled=False, count=3))
    model = Model("sequential", NODE)
    effects.script.models.append(model)
    args = CallArgs((array("train"), array("train")), (("validation_data", Seq((array("val"), array("val")))),))
    history = keras_training.model_method(effects, model, "fit", args, NODE)
    [fit] = model.fits
    assert isinstance(history, HistoryValue) and history.fit is fit  # what fit() returns: its History
    assert (fit.order, fit.repeat, fit.in_unknown_loop) == (1, 3, False)
    assert [(e.kind, e.role, e.data.split) for e in effects.script.data_events] == [
        ("fit", "x", "train"), ("fit", "y", "train"), ("validation", "x", "val"), ("validation", "y", "val")]


def test_setting_a_layer_attribute_reaches_every_model_holding_it() -> None:
    effects = MinimalEffects()
    layer = keras.make_layer("keras.layers.Dense", CallArgs((Const(4),)), NODE)
    holders = [Model("sequential", NODE, layers=[layer]) for _ in range(2)]
    effects.script.models.extend(holders + [Model("sequential", NODE)])
    keras_training.set_attribute(effects, keras.LayerValue(layer), "trainable", Const(False), NODE)
    assert [len(m.attribute_sets) for m in effects.script.models] == [1, 1, 0]


def test_a_dataset_map_interprets_the_function_through_the_protocol() -> None:
    effects = MinimalEffects()
    function = FunctionValue(cst.parse_statement("def f(x, y):\n    return x, y\n"), scope=None)
    pipeline = DataValue(Data(Source("literal", "a literal array", NODE), group=1, batches=True))
    result = datasets.dataset_method(effects, pipeline.data, "map", CallArgs((function,)), NODE)
    assert effects.called == [function]
    assert isinstance(result, DataValue) and result.data.batches


def test_library_calls_need_no_interpreter() -> None:
    result = array_table.call_library(MinimalEffects(), "keras.utils.to_categorical", CallArgs((array("train"),)), NODE)
    assert isinstance(result, DataValue) and result.data.encoding == "onehot"
    assert array_table.call_library(MinimalEffects(), "numpy.unknown_function", CallArgs(), NODE) is None


def test_the_interpreter_handed_to_handlers_satisfies_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    original = keras_training.record_fit

    def spy(effects, *args):
        seen.append(effects)
        return original(effects, *args)

    monkeypatch.setattr(keras_training, "record_fit", spy)
    build_script(cst.parse_module("import keras\nm = keras.Sequential()\nm.fit(x, y)\n"), "t.py")
    assert seen and all(isinstance(effects, Effects) for effects in seen)


@pytest.mark.parametrize("name, handled", [
    ("matplotlib.pyplot.plot", False), ("os.path.join", False), ("numpy.unknown_function", False),
    ("keras.utils.to_categorical", True), ("numpy.random.rand", True), ("tensorflow.image.resize", True),
    ("keras.utils.image_dataset_from_directory", True), ("tensorflow.nn.softmax", True), ("keras.layers.Dense", True),
    ("numpy.concatenate", True),
])
def test_a_function_no_row_can_handle_is_known_by_its_name(name: str, handled: bool) -> None:
    assert (array_table.may_handle(name) or keras.may_handle(name)) is handled


def test_every_name_a_row_lists_may_be_handled() -> None:
    for rule in array_table.LIBRARY_CALLS:
        for name in rule.exact or ():
            assert array_table.may_handle(name), name
        for last in (rule.names or ()) if rule.exact is None else ():
            assert any(array_table.may_handle(f"{prefix}{last}") for prefix in (*rule.prefix, "numpy.", "")), last


def test_a_function_ruled_out_by_its_name_is_not_handled_whatever_the_arguments() -> None:
    for args in (CallArgs(), CallArgs((array("train"),)), CallArgs((Seq((array("train"), array("test"))),))):
        assert array_table.call_library(MinimalEffects(), "matplotlib.pyplot.imshow", args, NODE) is None
        assert keras.call_keras(MinimalEffects(), "matplotlib.pyplot.imshow", args, NODE) is None


def test_a_name_in_two_rows_keeps_the_first_rows_handler() -> None:
    table = first_wins((("astype",), "cast"), (("astype", "reshape"), "reshape"))
    assert table == {"astype": "cast", "reshape": "reshape"}


def test_library_rows_are_found_by_the_functions_name_in_table_order() -> None:
    rules = array_table._rules_for("concatenate")
    handlers = [rule.handle for rule in rules]
    assert handlers.index(arrays.stacked) < handlers.index(arrays.by_class) < handlers.index(arrays.concat_parts)
    assert all(rule.names is None or "concatenate" in rule.names for rule in rules)


@pytest.mark.parametrize("values, encoding", [
    (((1, 0), (0, 1)), "onehot"), (((1, 1), (0, 1)), "multihot"), (((1, 2), (3, 4)), None),
    ((1, 2, 3), "int"), (((1,), (2,)), "int"), ((((1,),), ((0,),)), None), ((1.5, 2.0), None), ((True,), None),
    (((1, 0), (1,)), None), ((), "int"),  # an empty literal: no sample contradicts integer ids
])
def test_literal_label_arrays(values: tuple, encoding: str | None) -> None:
    from kerassniff.semantic.label_literals import literal_encoding

    assert literal_encoding(values) == encoding
