"""The interpreter's expressions: names, attributes, subscripts and calls, and the evaluator table.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`.  Every expression goes through
:meth:`Evaluation.eval`, which finds the evaluator of the node's type in :data:`EVALUATORS`
(the simpler evaluators are functions in :mod:`kerassniff.semantic.expressions`).
"""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from kerassniff.semantic import data_calls, keras_calls
from kerassniff.semantic.expressions import (
    eval_binary,
    eval_boolean,
    eval_comparison,
    eval_comprehension,
    eval_concatenated,
    eval_dict,
    eval_fstring,
    eval_ifexp,
    eval_lambda,
    eval_literal,
    eval_named,
    eval_passthrough,
    eval_sequence,
    eval_unary,
    eval_yield,
)
from kerassniff.semantic.folding import (
    class_names_written, index_value, is_list, listed, sample_of_list, seq_items,
)
from kerassniff.semantic.attributes import Attributes
from kerassniff.semantic.frames import Frame
from kerassniff.semantic.guards import SAYS_VERSION, says_version
from kerassniff.semantic.script import ListedPrediction, NamedPrediction
from kerassniff.semantic.in_place import DICT_CHANGING_METHODS, LIST_GROWERS, output_argument
from kerassniff.semantic.training import SHUFFLE_FUNCTIONS
from kerassniff.semantic.library.keras_models import bound_to, imports_keras, layer_owner
from kerassniff.semantic.listings import unlisted
from kerassniff.semantic.names import (IMPLICIT_ALIASES, IMPLICIT_STAR_MODULES, canonical, is_keras,
                                       may_be_the_projects, short, star_lookup)
from kerassniff.semantic.loaders import opaque_import
from kerassniff.semantic.knowledge.arrays import IN_PLACE_SCALING
from kerassniff.semantic.knowledge.results import RESULT_ONLY_FUNCTIONS
from kerassniff.semantic.knowledge.text_inputs import TEXT_FIELD_MAPPINGS, TEXT_LISTS
from kerassniff.semantic.values import (
    UNKNOWN,
    BoundMethod,
    CallArgs,
    ClassValue,
    Const,
    CopiedLayer,
    DataValue,
    DictValue,
    FolderListing,
    FunctionValue,
    HistoryLog,
    Predictions,
    Instance,
    LayerList,
    LayerValue,
    ModelValue,
    ModuleValue,
    Seq,
    SliceValue,
    Symbol,
    TokenizerIndex,
    UnknownText,
    Value,
    WordIndex,
)

MAX_EXPRESSION_DEPTH = 200  # deeper expressions are not evaluated (they cannot be Keras code anyway)

BUILTINS = frozenset(
    "len range zip enumerate int float round list tuple abs min max sum print sorted open map "
    "str bool dict set isinstance super iter next reversed vars input getattr setattr".split()
)
_CONSTANT_NAMES = {"True": Const(True), "False": Const(False), "None": Const(None)}  # values never change: shared
def written_output(callee: str, node: cst.Call) -> str | None:
    """The name of the array a library call writes its result into (NumPy's ``out=``, OpenCV's ``dst``, by keyword or
    at its position, from :data:`~kerassniff.semantic.knowledge.results.RESULT_ONLY_FUNCTIONS`); None otherwise."""
    known = RESULT_ONLY_FUNCTIONS.get(callee)
    if known is None or (known.output_position is None and known.output_keyword is None) or \
            any(arg.keyword is not None and arg.keyword.value == "dtype" for arg in node.args):
        return None  # (with dtype=, OpenCV writes a new array when the given one has another type: not known here)
    given = output_argument(node, known.output_position, known.output_keyword)
    return given.value if type(given) is cst.Name else None


# ``x[:, ...]``'s first index: every row.
_EVERY_ROW = SliceValue(Const(None), Const(None))
# Calls that tell an unfollowed value is a Keras model (ModelRegistry).
_ADOPTING_METHODS = ("compile", "fit", "fit_generator")


class Evaluation:
    """Expressions to abstract values."""

    def eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value:
        """The node's abstract value.  The interpreter's hottest function (a quarter of a million calls on the
        clean corpus), so it does no more than dispatch: the deadline is looked at per statement and per call
        (an expression's own work is bounded by its size; what it calls ticks)."""
        if node is None:
            return UNKNOWN
        depth = self.expr_depth
        if depth >= MAX_EXPRESSION_DEPTH:
            return UNKNOWN
        kind = type(node)
        leaf = LEAF_EVALUATORS.get(kind)
        if leaf is not None:  # a name or a literal evaluates nothing below it: no depth to count
            return leaf(self, node, frame)
        handler = EVALUATORS.get(kind)
        if handler is None:
            return UNKNOWN
        self.expr_depth = depth + 1
        try:
            return handler(self, node, frame)
        finally:
            self.expr_depth = depth

    # -- names
    def eval_name(self, node: cst.Name, frame: Frame) -> Value:
        name = node.value
        says = SAYS_VERSION.get(name)
        if says or (says is None and says_version(name)):
            self.version_names_seen += 1
        constant = _CONSTANT_NAMES.get(name)
        if constant is not None:
            return constant
        value = frame.scope.lookup(name)
        if value is not None:
            if type(value) is ModelValue and value.alternatives:
                return self.arm_model(value)
            if type(value) is Symbol and not self.in_helper and id(node) not in self._references:
                self._references[id(node)] = (value, node, self.guarded > 0, self.top_index)  # Calls._reference
            return value
        resolved = self._unbound_name(name)
        if resolved is not None:
            symbol = Symbol(resolved)
            self._reference(symbol, node)
            return symbol
        if name in BUILTINS:
            return Symbol(f"builtins.{name}")
        return self._star_imported_split(name, node)

    def arm_model(self, value: ModelValue) -> ModelValue:
        """What a name (or attribute) holding one of several models (ModelValue.alternatives) holds in the arms of
        the conditions now interpreted: the models made in one of those arms (``if multi:`` tested again after ``if
        multi: model = a else: model = b``: a alone; after a one-armed ``if regression: model = r``, under a later
        ``if regression:``, r alone), else those no arm rules out; the value as it is where no arm decides (a method
        called on it then runs on each model, see Calls._model_method)."""
        if not self.branches:
            return value
        allowed, made_here = value.held_under(self.branches)
        held = made_here or allowed
        if not held or len(held) == 1 + len(value.alternatives):
            return value
        key = tuple(id(model) for model in held)
        known = self._arm_models.get(key)
        if known is None:
            known = self._arm_models[key] = ModelValue(held[0], alternatives=tuple(held[1:]))
        return known

    def _star_imported_split(self, name: str, node: cst.Name) -> Value:
        """``x_test``, bound nowhere in a script that star-imports a module kerassniff cannot read (``from
        prepare_data import *``): that module's array (:func:`~kerassniff.semantic.loaders.opaque_import`), bound in
        the module's scope so that every later use is the same array; unknown for any other name."""
        if self.in_helper or not self.star_imports:
            return UNKNOWN
        modules = [module for module in self.star_imports if may_be_the_projects(module)]  # (numpy's brings no x_test)
        value = opaque_import(modules[-1], name, node) if modules else None
        if value is None:
            return UNKNOWN
        self.module_scope.bind(name, value)
        return value

    def _unbound_name(self, name: str) -> str | None:
        """The dotted name a star import gives a name the script never binds."""
        if self.star_imports:
            resolved = star_lookup(self.star_imports, name, guessed=self.implicit_imports)
            if resolved is not None:
                return resolved
        if self._opaque_star_imports():
            # ``from utils import *`` of a module kerassniff cannot read, in a script that imports Keras: a name
            # bound nowhere else and exported by Keras (Sequential, Dense, Softmax) is read as Keras's.
            resolved = star_lookup(list(IMPLICIT_STAR_MODULES), name, guessed=True)
            if resolved is not None:
                return resolved
        if self.implicit_imports and name in IMPLICIT_ALIASES:
            return IMPLICIT_ALIASES[name]
        return None

    def _opaque_star_imports(self) -> bool:
        """A star import of a module that is neither Keras's nor a helper kerassniff read, in a Keras script."""
        if self.implicit_imports or not self.star_imports:
            return False
        if all(is_keras(canonical(module)) for module in self.star_imports):
            return False
        return imports_keras(self.script.imports)

    # -- subscripts
    def eval_subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        indices = [self._index(element.slice, frame) for element in node.slice]
        if len(indices) == 1 and type(indices[0]) is Predictions and indices[0].decided and \
                indices[0].column is None and not self.in_helper:
            names = class_names_written(base)
            if names is not None:  # ["cat", "dog"][np.argmax(p)]: the prediction named by a written list
                self.script.listed_predictions[id(node)] = ListedPrediction(node, names, indices[0])
        if isinstance(base, DataValue):
            return data_calls.subscript(self, base.data, indices, node)
        if len(indices) != 1:
            if type(base) is Predictions and len(indices) == 2 and indices[0] == _EVERY_ROW and \
                    type(indices[1]) is Const and type(indices[1].value) is int:
                # model.predict(x)[:, 0]: one output unit of every input, still these predictions
                return replace(base, reshaped=True, column=indices[1].value)
            return UNKNOWN
        if type(base) is HistoryLog:
            self.read_log(base, indices[0], node)
            return UNKNOWN
        if type(base) is data_calls.DatasetSplits and type(indices[0]) is Const:
            return base.split(indices[0].value)  # tfds.load(name)["train"]: that split's dataset
        if type(base) is WordIndex or type(base) is TokenizerIndex:
            return base.word_id(indices[0])  # word_index["great"]: that word's id
        if type(base) is Predictions and type(indices[0]) is Const and type(indices[0].value) is int:
            # model.predict(image)[0]: the one input's predictions; [0][0]: one value of them
            row = base.one_row() if not base.row else base.one_value()
            return row if row is not None else UNKNOWN
        if type(base) is Predictions and base.decided and not isinstance(indices[0], (Const, SliceValue)):
            return base.reshaping()  # labels[i] of labels = pred.argmax(axis=-1): one input's class
        if type(base) is FolderListing and type(indices[0]) is Predictions and indices[0].decided and \
                indices[0].column is None and not self.in_helper:
            self.script.named_predictions[id(node)] = NamedPrediction(node, base, indices[0])  # classes[np.argmax(p)]
        if type(base) is LayerList and isinstance(indices[0], SliceValue):
            return LayerList(model=base.model, whole=False)  # model.layers[:-1]: some of its layers
        if type(base) is LayerList and type(indices[0]) is Const and type(indices[0].value) is int:
            return CopiedLayer(model=base.model, whole=False)  # model.layers[-1]: one of its layers, not followed
        if type(base) is Symbol and (base.name in TEXT_FIELD_MAPPINGS or (
                base.name in TEXT_LISTS and type(indices[0]) is Const and type(indices[0].value) is int)):
            return UnknownText(typed=True)  # request.form["review"]: the posted text; sys.argv[1]: an argument's
        if type(base) is DictValue and not isinstance(indices[0], (Const, SliceValue)):
            return base.one_of_values() or UNKNOWN  # emotions[code] of a code not known: one of the names
        sample = sample_of_list(base) if not isinstance(indices[0], SliceValue) else None
        if sample is not None:
            return sample  # images[i] of a list of images read one by one: one such image
        return index_value(base, indices[0])

    def read_log(self, log: HistoryLog, key: Value, node: cst.CSTNode) -> None:
        """``history.history["acc"]`` or ``logs.get("acc")``: a constant key read from a fit's logged quantities."""
        if not isinstance(key, Const) or not isinstance(key.value, str) or self.in_helper:
            return
        if log.fit is not None:
            self.script.history_reads.append((log.fit, key.value, node))
        elif log.callback is not None:
            self.script.callback_log_reads.append((log.callback, key.value, node))

    def _index(self, index: cst.Index | cst.Slice, frame: Frame) -> Value:
        if type(index) is cst.Index:
            return self.eval(index.value, frame)
        lower = self.eval(index.lower, frame) if index.lower is not None else Const(None)
        upper = self.eval(index.upper, frame) if index.upper is not None else Const(None)
        if index.step is not None:
            self.eval(index.step, frame)
        return SliceValue(lower, upper)

    # -- calls
    def eval_call(self, node: cst.Call, frame: Frame) -> Value:
        func = node.func
        if type(func) is not cst.Attribute:
            callee = self.eval(func, frame)  # the callee first, then its arguments, as Python evaluates a call
            args = self.eval_args(node.args, frame)
            result = self.call_value(callee, args, node, frame)
            if not isinstance(callee, Symbol) or callee.name in SHUFFLE_FUNCTIONS:
                self.reorders_lists(node, frame)  # random.shuffle(ys), or the script's own shuffle_lists(ys)
            self._record_call(node, callee.name if isinstance(callee, Symbol) else None, None, callee, args)
            if isinstance(callee, (FunctionValue, BoundMethod)):
                self.lists_passed(callee, node, frame)
                self.objects_changed(callee, node, frame)
                self.listings_passed(node, frame)
            elif type(callee) is not ClassValue and (args.positional or args.keywords):
                self.functions_handed_over(args, frame, callee)  # Thread(target=refill): runs when the library likes
            return self.registry.track(result, self.loop, self.branches)
        receiver = self.eval(func.value, frame)
        method = func.attr.value
        args = self.eval_args(node.args, frame)
        if type(receiver) is Symbol:  # a library function (np.array, plt.plot): straight to the library tables
            callee = receiver.attr(method)
            self._reference(callee, func)
            result = self.call_library(callee, args, node, frame)
            if callee.name in SHUFFLE_FUNCTIONS:
                self.reorders_lists(node, frame)
                self.shuffles_indices(node, frame)
            self._record_call(node, callee.name, None, receiver, args)
            if args.positional or args.keywords:
                self.functions_handed_over(args, frame, callee)
            written = written_output(callee.name, node)
            if written is not None:
                # np.divide(x, 255.0, out=x), cv2.normalize(img, img, 0, 1, ...): the array given as the output now
                # holds the result (scaled by a scaling function when the tables do not say how)
                current = frame.scope.lookup(written)
                if isinstance(result, DataValue):
                    self.rebind(written, result, frame)
                elif isinstance(current, DataValue) and short(callee.name) in IN_PLACE_SCALING:
                    self.rebind(written, DataValue(current.data.with_step("scale", "?", node)), frame)
            return self.registry.track(result, self.loop, self.branches)
        if isinstance(receiver, ModuleValue):
            member = receiver.member(method)
            return self.registry.track(self.call_value(member, args, node, frame) if member is not None else UNKNOWN,
                                       self.loop, self.branches)
        if method in _ADOPTING_METHODS and type(func.value) is cst.Name:
            adopted = self.registry.adopted_unknown(receiver, method, args, node, self.loop)
            if adopted is not None:  # net = DenseNet(...) of a package not read, then net.compile(loss=...)
                self.rebind(func.value.value, bound_to(adopted, func.value.value), frame)
                receiver = adopted
        if method in LIST_GROWERS and type(func.value) is cst.Name and is_list(receiver):
            result = self._grow_named_list(func.value.value, receiver, method, args, node, frame)
        elif method in DICT_CHANGING_METHODS and type(func.value) is cst.Name and isinstance(receiver, DictValue):
            self.rebind(func.value.value, UNKNOWN, frame)  # settings.update(...): its entries are no longer known
            result = UNKNOWN
        elif method == "sort" and type(receiver) is FolderListing:  # classes.sort(): sorted from here on
            self.sorted_in_place(func.value, receiver, args, frame)
            result = Const(None)
        else:
            if method == "shuffle" or is_list(receiver):  # rng.shuffle(ys), ys.sort(), ys.reverse()
                self.reorders_lists(node, frame, receiver=type(func.value) is cst.Name and is_list(receiver))
            if method == "sort" and type(func.value) is cst.Name and is_list(receiver):
                self.rebind(func.value.value, unlisted(receiver), frame)  # pairs.sort(): by name, not listing order
            result = self.call_method(receiver, method, args, node, frame)
            if method == "set_weights":
                self.weights_set(func.value, receiver, node, frame)
            function = receiver.local_class.methods.get(method) \
                if isinstance(receiver, Instance) and receiver.local_class is not None else None
            if function is not None:  # helper.add_classes(names): the script's own method
                self.lists_passed(BoundMethod(function, receiver), node, frame)
                self.objects_changed(BoundMethod(function, receiver), node, frame)
                self.listings_passed(node, frame)
            elif args.positional or args.keywords:
                self.functions_handed_over(args, frame, receiver)  # root.after(100, tick), app.add_url_rule(...)
        self._record_call(node, None, method, receiver, args)
        return result

    def _grow_named_list(self, name: str, receiver: Value, method: str, args: CallArgs, node: cst.Call,
                         frame: Frame) -> Value:
        """``xs.append(v)``, ``xs.extend(vs)``, ``xs.insert(i, v)`` rebind ``xs`` to the longer list."""
        added = args.positional[-1] if args.positional else UNKNOWN
        owner = frame.scope.owner(name)
        rows = _rows_of(added) if method == "extend" else None
        if owner is not None and owner is not frame.scope:
            # a list of an enclosing scope, grown by a function that may run any number of times
            owner.vars[name] = self.grow_list(receiver, None, frame,
                                              (listed(added) or rows) if method == "extend" else (added,))
        else:
            run = None
            if method == "append" and len(node.args) == 1 and not node.args[0].star and node.args[0].keyword is None:
                run = self.append_run(node.args[0].value, added, node, frame)
            frame.scope.bind(name, self.grow_list(receiver, (added,) if method != "extend" else listed(added), frame,
                                                  kind_of=rows, run=run))
        return Const(None)

    def weights_set(self, receiver_node: cst.BaseExpression, receiver: Value, node: cst.Call, frame: Frame) -> None:
        """``x.set_weights(...)``: recorded on the model ``x`` is, holds, or indexes (``model.layers[0]``)."""
        owner = None if isinstance(receiver, (ModelValue, LayerValue)) else \
            layer_owner(receiver_node, self.loop, lambda inner: self.eval(inner, frame))
        keras_calls.set_weights(self, receiver if owner is None else owner, node)

    @staticmethod
    def rebind(name: str, value: Value, frame: Frame) -> None:
        """What a method call taught about the object a name holds: the name now holds ``value``, in the scope
        that owns it."""
        owner = frame.scope.owner(name)
        (owner if owner is not None else frame.scope).vars[name] = value

    def eval_args(self, args, frame: Frame) -> CallArgs:
        positional: list[Value] = []
        keywords: list[tuple[str, Value]] = []
        open_keywords = False
        names_allowed = self.expr_depth < MAX_EXPRESSION_DEPTH
        for arg in args:
            node = arg.value
            if type(node) is cst.Name and names_allowed:
                value = self.eval_name(node, frame)  # what eval does for a name (kept this side of the depth limit)
            else:
                value = self.eval(node, frame)
            star = arg.star
            if not star:
                if arg.keyword is None:
                    positional.append(value)
                else:
                    keywords.append((arg.keyword.value, value))
            elif star == "*":
                positional.extend(seq_items(value) if isinstance(value, Seq) else (UNKNOWN,))
            else:  # **kwargs
                if isinstance(value, DictValue):
                    keywords.extend((k.value, v) for k, v in value.items
                                    if isinstance(k, Const) and isinstance(k.value, str))
                open_keywords = open_keywords or _spread_is_open(value)
        return CallArgs(tuple(positional), tuple(keywords), tuple(args), open_keywords)


def _spread_is_open(value: Value) -> bool:
    """Whether a ``**`` spread may give keywords not among those read from it: anything but a dict whose every entry is
    known, with string keys."""
    return not isinstance(value, DictValue) or not value.complete or \
        not all(isinstance(k, Const) and isinstance(k.value, str) for k, _ in value.items)


# Names and literals: evaluated without counting depth (nothing below them is evaluated).
LEAF_EVALUATORS = {
    cst.Name: Evaluation.eval_name,
    cst.Integer: eval_literal,
    cst.Float: eval_literal,
    cst.SimpleString: eval_literal,
}

EVALUATORS = {
    cst.Name: Evaluation.eval_name,
    cst.Attribute: Attributes.eval_attribute,
    cst.Call: Evaluation.eval_call,
    cst.Subscript: Evaluation.eval_subscript,
    cst.Integer: eval_literal,
    cst.Float: eval_literal,
    cst.Imaginary: lambda interpreter, node, frame: UNKNOWN,
    cst.SimpleString: eval_literal,
    cst.ConcatenatedString: eval_concatenated,
    cst.FormattedString: eval_fstring,
    cst.UnaryOperation: eval_unary,
    cst.BinaryOperation: eval_binary,
    cst.Tuple: eval_sequence,
    cst.List: eval_sequence,
    cst.Set: eval_sequence,
    cst.Dict: eval_dict,
    cst.ListComp: eval_comprehension,
    cst.SetComp: eval_comprehension,
    cst.GeneratorExp: eval_comprehension,
    cst.DictComp: eval_comprehension,
    cst.Lambda: eval_lambda,
    cst.IfExp: eval_ifexp,
    cst.BooleanOperation: eval_boolean,
    cst.Comparison: eval_comparison,
    cst.NamedExpr: eval_named,
    cst.Await: eval_passthrough,
    cst.Yield: eval_yield,
    cst.StarredElement: eval_passthrough,
}


def _rows_of(added: Value) -> tuple[Value, ...] | None:
    """What ``xs.extend(array)`` adds, by kind: the array's rows, how many not known (one sample stands for them)."""
    if isinstance(added, DataValue) and not added.data.batches:
        return (DataValue(replace(added.data, is_sample=True)),)
    return None
