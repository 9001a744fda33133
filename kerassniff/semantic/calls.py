"""The interpreter's calls: user functions and classes, builtins, libraries, methods; and what it records.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`.  A function's body is interpreted
where it is called, with the call's arguments bound (:meth:`Calls.call_function`); a library's
function goes to the builtin and standard-library tables (:mod:`kerassniff.semantic.builtins`),
then to the Keras and array handlers (:mod:`keras_calls`, :mod:`data_calls`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import libcst as cst

from kerassniff.semantic import cli_args, data_calls, keras_calls
from kerassniff.semantic.builtins import (
    ENVIRONMENT_SETTERS,
    STDLIB_CALLS,
    call_builtin,
    dict_method,
    set_environment,
    string_method,
    text_file_method,
    unknown_text_method,
)
from kerassniff.semantic.frames import Frame, Scope, by_type
from kerassniff.semantic.knowledge.model_api import (
    PREDICTION_DECIDING, PREDICTION_KEEPING, PREDICTION_KEEPING_BUILTINS, PREDICTION_RESHAPING,
)
from kerassniff.semantic.summaries import Same, Summary
from kerassniff.semantic.keras_values import positions_of_inputs
from kerassniff.semantic.library.datasets import drawn, generator_batches
from kerassniff.semantic.library.keras_models import attach_model, instance_model, model_of
from kerassniff.semantic.library.tokenizers import unknown_object_method
from kerassniff.semantic.listings import named_listing, read_in_listing_order
from kerassniff.semantic.operators import fold_binary
from kerassniff.semantic.training import CallSite, Reference
from kerassniff.semantic.values import (
    UNKNOWN,
    BoundMethod,
    CallArgs,
    ClassValue,
    Const,
    DataValue,
    DictValue,
    FolderListing,
    FunctionValue,
    HistoryLog,
    Instance,
    KnobConst,
    ModelValue,
    PartialValue,
    Predictions,
    StoredObject,
    Symbol,
    TensorValue,
    TextFile,
    TokenizerIndex,
    WordId,
    WordIndex,
    Unknown,
    UnknownText,
    Value,
)

MAX_CALL_DEPTH = 12
# Interpreting a body at every call is exponential when functions call functions several times each;
# after this many interpretations a function's further calls are unknown.  Loops that build a model
# through a helper (``for f in (32, 64, 128): x = block(x, f)``) stay well below it.
MAX_CALLS_PER_FUNCTION = 24


class Calls:
    """Calling values, and recording call sites and references for rules."""

    def call_value(self, callee: Value, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if isinstance(callee, PartialValue):
            return self.call_value(callee.func, callee.applied(args), node, frame)
        if isinstance(callee, Symbol):
            return self.call_library(callee, args, node, frame)
        if isinstance(callee, BoundMethod):
            return self.call_function(callee.function, args, node, self_value=callee.self_value)
        if isinstance(callee, FunctionValue):
            return self.call_function(callee, args, node)
        if isinstance(callee, ClassValue):
            return self.instantiate(callee, args, node)
        return keras_calls.call_object(self, callee, args, node)

    def call_library(self, callee: Symbol, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        name = callee.name
        if name in ("builtins.next", "builtins.iter") and args.positional and \
                isinstance(args.positional[0], DataValue):  # next(flow), next(iter(dataset)): one item, a batch
            if name == "builtins.iter":
                return args.positional[0]
            return drawn(self.element_of(args.positional[0], node)[0], args.positional[0].data.name)
        if name.startswith("builtins."):
            if name == "builtins.list.sort" and args.positional and type(args.positional[0]) is FolderListing and \
                    node.args and not node.args[0].star:  # list.sort(classes)
                self.sorted_in_place(node.args[0].value, args.positional[0], args, frame)
            if name == "builtins.setattr" and len(args.positional) == 3 and type(args.positional[0]) is FunctionValue \
                    and args.positional[1] == Const("__name__"):
                self.script.renamed_functions.add(id(args.positional[0].node))  # (Keras logs a metric by fn.__name__)
            if name == "builtins.getattr" and len(args.positional) == 2 and not args.keywords and \
                    type(args.positional[0]) is TensorValue and type(args.positional[1]) is Const and \
                    type(args.positional[1].value) is str:
                return self._tensor_attribute(args.positional[0], args.positional[1].value, node)
            if name[9:] in PREDICTION_KEEPING_BUILTINS and len(args.positional) == 1 and \
                    isinstance(args.positional[0], Predictions):
                # int(np.argmax(row)): the row's label, still these predictions; round(p): thresholded at 0.5
                return args.positional[0].deciding() if name == "builtins.round" else args.positional[0]
            return call_builtin(name[9:], args)
        if _may_be_handled(name):
            if cli_args.is_flag_definition(name):
                cli_args.define_flag(self.flag_values, args)
                return UNKNOWN
            if name in ENVIRONMENT_SETTERS and len(args.positional) == 2:  # os.environ.setdefault("X", "1")
                set_environment(self.script.environment, *args.positional, overwrite=name == "os.putenv")
            stdlib = STDLIB_CALLS.get(name)
            result = stdlib(args) if stdlib is not None else None
            if type(result) is FolderListing:  # os.listdir(folder), glob.glob(pattern): which folder it lists
                self.script.folder_listings += 1
                return named_listing(result, node, args.positional[0] if args.positional else None, self.loop)
            if result is None:
                result = keras_calls.call_keras(self, name, args, node, callee.raw)
            if result is None:
                result = data_calls.call_library(self, name, args, node)
            if result is not None:  # (a file read in a loop over a folder's listing: read in its order)
                return read_in_listing_order(result, node, self.loop) if self.loop is not None else result
        last = name.rsplit(".", 1)[-1]
        if last[:1].isupper() or name in cli_args.CLICK_OPTIONS:
            return Instance(name, args, node)
        return UNKNOWN

    def call_method(self, receiver: Value, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        caller = by_type(_METHOD_CALLERS, receiver)
        return caller(self, receiver, method, args, node, frame) if caller is not None else UNKNOWN

    def _word_index_method(self, receiver: WordIndex, method: str, args: CallArgs, node: cst.Call,
                           frame: Frame) -> Value:
        if method != "get" or not args.positional:
            return UNKNOWN
        default = args.positional[1] if len(args.positional) > 1 else None
        return receiver.word_id(args.positional[0], default)  # word_index.get(w, 2): the word's id

    def _tokenizer_index_method(self, receiver: TokenizerIndex, method: str, args: CallArgs, node: cst.Call,
                                frame: Frame) -> Value:
        key = args.positional[0] if args.positional else None
        return data_calls.index_method(receiver, method, key)  # tokenizer.word_index.update(...), .get(w, 0)

    def _const_method(self, receiver: Const, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        return string_method(receiver, method, args)  # "w-{epoch:02d}.h5".format(epoch=3)

    def _model_method(self, receiver: ModelValue, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if not receiver.alternatives:
            return keras_calls.model_method(self, receiver.model, method, args, node)
        # a name that holds one of several models after an if, called where no arm of that if's condition decides
        # which (Evaluation.arm_model): the call runs on each of them the code around it may meet; its value is the
        # first's
        held = receiver.held_under(self.branches)[0] or [receiver.model]
        results = [keras_calls.model_method(self, model, method, args, node) for model in held]
        return results[0]

    def _class_method(self, receiver: ClassValue, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if method in receiver.methods:  # LeNet.build(...): a static or class method
            return self.call_value(self.method_of(receiver.methods[method], None, receiver), args, node, frame)
        return UNKNOWN

    def _instance_method(self, receiver: Instance, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if receiver.local_class is not None:
            attribute = receiver.attrs.get(method)
            if attribute is not None:  # self.critic(x): the object the instance holds, called (its dict comes first)
                return self.call_value(attribute, args, node, frame)
            function = receiver.local_class.methods.get(method)
            if function is not None:
                return self.call_value(self.method_of(function, receiver, receiver.local_class), args, node, frame)
            model = instance_model(receiver)
            return keras_calls.model_method(self, model, method, args, node) if model is not None else UNKNOWN
        parsed = cli_args.parser_method(receiver, method, args)
        if parsed is not None:
            return parsed
        return data_calls.instance_method(self, receiver, method, args, node)

    def _predictions_method(self, receiver: Predictions, method: str, args: CallArgs, node: cst.Call,
                            frame: Frame) -> Value:
        """``model.predict(x).argmax(axis=1)``, ``(pred > 0.5).astype(int)``: the same predictions."""
        if positions_of_inputs(receiver, method, args, axis_position=0):
            return UNKNOWN  # pred.argmax(axis=0): which input, not a class
        if method in PREDICTION_DECIDING:
            return receiver.deciding()
        if method in PREDICTION_RESHAPING:
            return receiver.reshaping()
        return receiver if method in PREDICTION_KEEPING else UNKNOWN

    def _log_method(self, receiver: HistoryLog, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        """``logs.get("acc")``: a dict's get() reads the key as a subscript does."""
        if method == "get" and args.positional:
            self.read_log(receiver, args.positional[0], node)
        return UNKNOWN

    def _data_method(self, receiver: DataValue, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        return data_calls.data_method(self, receiver.data, method, args, node)

    @staticmethod
    def method_of(function: FunctionValue, instance: Value | None, cls: ClassValue) -> Value:
        """A method read from an instance or from its class, bound as Python binds it.

        A static method binds nothing, a class method binds the class, a plain method binds the
        instance (read from the class, it is the plain function: ``Cls.method(obj, ...)``).
        """
        decorators = {d.decorator.value for d in function.node.decorators
                      if type(function.node) is cst.FunctionDef and type(d.decorator) is cst.Name}
        if "staticmethod" in decorators:
            return function
        if "classmethod" in decorators:
            return BoundMethod(function, cls)
        return function if instance is None else BoundMethod(function, instance)

    # -- calling user code
    def call_function(self, function: FunctionValue, args: CallArgs, node: cst.Call | None,
                      self_value: Value | None = None) -> Value:
        """Interpret a function's body with its parameters bound, once per distinct abstract inputs
        (see :mod:`kerassniff.semantic.summaries`)."""
        self.tick()
        key = id(function.node)
        self.called.add(key)
        if key in self.active or self.depth >= MAX_CALL_DEPTH or self.call_counts[key] >= MAX_CALLS_PER_FUNCTION:
            return UNKNOWN
        self.call_counts[key] += 1
        # A function nobody called, run once with unknown arguments (node None), keeps no summary: its
        # calls, if any come later, have other inputs, and reading its names would be wasted work.
        inputs = None if node is None else self.summaries.inputs(
            function.node, function.scope, args, self_value,
            (Same(self.loop), self.guarded > 0, self.in_helper, self.branches))
        known = self.summaries.get(inputs)
        if known is not None:
            self.version_names_seen += known.version_names
            return known.value
        seen, models = self.version_names_seen, len(self.registry.models)
        value = self._interpret(function, args, self_value, node)
        if len(self.registry.models) == models:
            # A call that built a model keeps no summary: the next call builds another model (a factory called
            # twice gives two models, which must not be one object).
            self.summaries.put(inputs, Summary(value, self.version_names_seen - seen))
        return value

    def _interpret(self, function: FunctionValue, args: CallArgs, self_value: Value | None,
                   node: cst.Call | None) -> Value:
        uncalled = node is None
        key = id(function.node)
        self.active.add(key)
        self.depth += 1
        caller_top, self.top_index = self.top_index, function.top
        # (a function's body is not its caller's try: a main() called under ``except KeyboardInterrupt`` is run
        # for what it does, not probed)
        caller_trying, self.trying = self.trying, 0
        try:
            frame = Frame(Scope(function.scope), self_value=self_value)
            self._bind_parameters(function, args, frame, self_value, uncalled)
            if type(function.node) is cst.Lambda:
                return self.eval(function.node.body, frame)
            self.exec_suite(function.node.body, frame)
        finally:
            self.depth -= 1
            self.active.discard(key)
            self.top_index = caller_top
            self.trying = caller_trying
        if frame.generator or (not uncalled and self.summaries.is_generator(function.node)):
            # a generator object: the batches it yields when every yield gives one kind of array, else not followed
            return UNKNOWN if node is None else generator_batches(frame.yields, node)
        return _returned(frame.returns)

    def _bind_parameters(self, function: FunctionValue, args: CallArgs, frame: Frame, self_value: Value | None,
                         uncalled: bool = False) -> None:
        """Bind a call's arguments to the parameters; a parameter the call does not give takes its default.  In a
        function nobody calls, a constant default is a knob (:class:`KnobConst`): a caller elsewhere may pass
        anything, so ``if targets is not None:`` keeps both branches."""
        params = function.node.params
        positional = list(params.posonly_params) + list(params.params)
        given = list(args.positional)
        if self_value is not None and positional:
            frame.scope.bind(positional[0].name.value, self_value)
            positional = positional[1:]
        keywords = dict(args.keywords)
        definition_frame = Frame(function.scope)
        for index, param in enumerate(positional):
            name = param.name.value
            if index < len(given):
                value = given[index]
            elif name in keywords:
                value = keywords[name]
            else:
                value = self._default(function, param, definition_frame, uncalled)
            frame.scope.bind(name, _parameter_value(value, name))
        for param in params.kwonly_params:
            name = param.name.value
            value = keywords[name] if name in keywords else self._default(function, param, definition_frame, uncalled)
            frame.scope.bind(name, _parameter_value(value, name))
        for star in (params.star_arg, params.star_kwarg):
            if type(star) is cst.Param:
                frame.scope.bind(star.name.value, UNKNOWN)

    def _default(self, function: FunctionValue, param: cst.Param, definition_frame: Frame,
                 uncalled: bool = False) -> Value:
        """A parameter's value when the call does not give it: its default, or a command-line option's."""
        if param.default is not None:
            value = cli_args.parameter_default(self.eval(param.default, definition_frame))
            return KnobConst(value.value) if uncalled and type(value) is Const else value
        return function.option_defaults.get(param.name.value, UNKNOWN)

    def instantiate(self, cls: ClassValue, args: CallArgs, node: cst.Call) -> Value:
        instance = Instance(cls=cls.node.name.value, args=args, node=node, local_class=cls)
        model = attach_model(instance, cls, node, args)
        if model is None and not self.in_helper:
            self.instances.setdefault(id(cls.node), []).append(instance)
        init = cls.methods.get("__init__")
        if init is not None:
            self.call_function(init, args, node, self_value=instance)
        return instance if model is None else ModelValue(model)

    # -- operators
    def binary(self, left: Value, op: str, right: Value, node: cst.CSTNode, frame: Frame) -> Value:
        if isinstance(left, StoredObject) or isinstance(right, StoredObject):  # X = pickle.load(f) / 255.0: an array
            left, right = _as_array(left), _as_array(right)
        if isinstance(left, (DataValue, data_calls.Statistic)) or isinstance(right, (DataValue, data_calls.Statistic)):
            return data_calls.arithmetic(self, left, op, right, node)
        if type(left) is WordId or type(right) is WordId:
            return _shifted_word_id(left, op, right)
        return fold_binary(left, op, right, node)

    # -- recording
    # A call or a name is recorded as a tuple each time it is evaluated (the last evaluation of a call wins, the
    # first of a name); the records become CallSite and Reference objects once, when the build ends.  A record
    # also says which module-level statement holds its node (positions render only that statement).
    def _record_call(self, node: cst.Call, callee: str | None, method: str | None, receiver: Value, args: CallArgs) -> None:
        if not self.in_helper:
            self._call_sites[id(node)] = (node, callee, method, receiver, args, self.guarded > 0, self.top_index)

    def _reference(self, symbol: Symbol, node: cst.CSTNode) -> None:
        if not self.in_helper and id(node) not in self._references:
            self._references[id(node)] = (symbol, node, self.guarded > 0, self.top_index)

    def calls_so_far(self) -> Iterator[tuple[Value, CallArgs]]:
        """The receiver and the arguments of each call recorded until now, while the interpretation goes on."""
        return ((receiver, args) for _, _, _, receiver, args, _, _ in self._call_sites.values())

    def recorded_calls(self) -> list[CallSite]:
        return [CallSite(node, callee, method, receiver, args, model_of(receiver), guarded, top)
                for node, callee, method, receiver, args, guarded, top in self._call_sites.values()]

    def recorded_references(self) -> list[Reference]:
        return [Reference(symbol.raw, symbol.name, node, guarded, top)
                for symbol, node, guarded, top in self._references.values()]


def _shifted_word_id(left: Value, op: str, right: Value) -> Value:
    """``word_index[w] + 3``: the id with the offset load_data() adds; any other arithmetic: unknown."""
    word, other = (left, right) if type(left) is WordId else (right, left)
    by = other.value if type(other) is Const else None
    if type(by) is not int or op not in ("Add", "Subtract") or (op == "Subtract" and word is right):
        return UNKNOWN
    return word.shifted(by if op == "Add" else -by)


def _as_array(value: Value) -> Value:
    """An object read from a file, used in arithmetic: the array it holds."""
    return DataValue(value.data) if isinstance(value, StoredObject) and value.data is not None else value


def _parameter_value(value: Value, name: str) -> Value:
    """A parameter's value: an array the call computed in its argument (``train(data[:250], data[251:])``), not one
    a name held, is named for the parameter, as ``X_test = data[251:]`` would name it; an array passed by its name
    keeps that name (the caller's, which messages speak of)."""
    if isinstance(value, DataValue) and value.data.node is not value.data.bound_at:
        return DataValue(value.data.renamed(name))
    return value


@lru_cache(maxsize=4096)
def _may_be_handled(name: str) -> bool:
    """Whether any library table can handle some call of the function ``name``; the others (a plot, a file
    operation) are an instance or unknown straight away."""
    return (cli_args.is_flag_definition(name) or name in STDLIB_CALLS or name in ENVIRONMENT_SETTERS
            or keras_calls.may_handle(name) or data_calls.may_handle(name))


def _returned(returns: list[Value]) -> Value:
    """A call's value: None without a ``return``, else the last known value returned; when every return is a file's
    text (:data:`_CONTENT_FREE`), that; else unknown."""
    if not returns:
        return Const(None)
    known = [r for r in returns if not isinstance(r, Unknown)]
    if known:
        return known[-1]
    last = returns[-1]  # every return unknown: a file's text (or the file) from every return is still that
    return last if type(last) in _CONTENT_FREE and all(type(r) is type(last) for r in returns) else UNKNOWN


# Unknown values that carry no identity or options, only a kind: any two are the same value.
_CONTENT_FREE = (UnknownText, TextFile)


_METHOD_CALLERS = {
    Const: Calls._const_method,
    DictValue: lambda calls, receiver, method, args, node, frame: dict_method(receiver, method, args),
    ModelValue: Calls._model_method, ClassValue: Calls._class_method,
    Instance: Calls._instance_method, DataValue: Calls._data_method, HistoryLog: Calls._log_method,
    Predictions: Calls._predictions_method, WordIndex: Calls._word_index_method,
    TokenizerIndex: Calls._tokenizer_index_method,
    TextFile: lambda calls, receiver, method, args, node, frame: text_file_method(method, args),
    UnknownText: lambda calls, receiver, method, args, node, frame: unknown_text_method(receiver, method, args),
    Unknown: lambda calls, receiver, method, args, node, frame: data_calls.flattened_unknown(method, args) or
    unknown_object_method(method, args, node),
}
