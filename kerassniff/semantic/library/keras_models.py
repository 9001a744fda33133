"""What the interpreter learns about Keras models from plain Python: registration, names, owners.

The interpreter (:mod:`kerassniff.semantic.interpreter`) knows Python only; these functions hold
the Keras facts it needs at Python's own seams: a model is registered once when a call creates
it, takes its name from the first name it is bound to, a ``keras.Model`` subclass's instance
carries its model, and ``model.layers[i].trainable = False`` changes a layer of ``model``.
"""
from __future__ import annotations

from typing import Callable

import libcst as cst

from kerassniff.semantic import keras_calls
from kerassniff.semantic.knowledge.model_api import CALLBACK_BASES, EPOCH_LOG_HOOKS, REBUILDING_WRAPPER_PACKAGES
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.dataflow import Arm
from kerassniff.semantic.models import Model
from kerassniff.semantic.names import is_keras
from kerassniff.semantic.values import (
    CallArgs,
    ClassValue,
    Const,
    DataValue,
    FunctionValue,
    HistoryLog,
    Instance,
    ModelValue,
    StoredObject,
    Unknown,
    Value,
)

KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})  # a script importing one of these is a Keras script
_MODEL = "__model__"  # the attribute of a subclass's instance that holds its model


class ModelRegistry:
    """Every model a script creates, in order of creation, each once."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self._seen: set[int] = set()

    def track(self, value: Value, loop: LoopContext | None, branches: tuple[Arm, ...] = ()) -> Value:
        """Register a model the first time a call returns it; ``loop``, the loop being interpreted then, and
        ``branches``, the arms of the undecided ifs around the call, are where the script made it."""
        if isinstance(value, ModelValue) and id(value.model) not in self._seen:
            self._seen.add(id(value.model))
            self.models.append(value.model)
            value.model.created_in = loop
            value.model.created_branches = branches
        return value

    def adopted_unknown(self, receiver: Value, method: str, args: CallArgs, node: cst.Call,
                        loop: LoopContext | None) -> ModelValue | None:
        """``net = DenseNet(...)`` from a package kerassniff does not read, then ``net.compile(loss=..., ...)`` or
        ``net.fit(x, y, validation_data=...)``: a value nobody could follow, compiled with a loss or an optimizer or
        fitted with Keras's validation arguments, is a Keras model whose layers are unknown (kind "external": no rule
        reads its architecture; what the script feeds and does with it is followed), as a model built in a loop is
        one model per pass."""
        if not _unfollowed(receiver) or not (_compile_arguments(args) if method == "compile" else
                                              _fit_arguments(receiver, args)):
            return None
        return self.track(ModelValue(Model("external", node, complete=False)), loop)  # type: ignore[return-value]

    def layer_counts(self) -> list[int]:
        """How many layers each model has now (in creation order): compared around the branches of an if."""
        return [len(model.layers) for model in self.models]

    def branches_joined(self, before: list[int], after_body: list[int]) -> None:
        """Both branches of an undecided if were interpreted, one after the other: a model both of them grew
        (``if logits: model.add(Dense(10)) else: model.add(Dense(10, activation="softmax"))``) holds the layers of
        two alternatives, an architecture no run has, so its layers are no longer taken as known."""
        for index, model in enumerate(self.models[:len(before)]):
            body_added = after_body[index] - before[index]
            else_added = len(model.layers) - after_body[index]
            if body_added > 0 and else_added > 0:
                model.complete = False


def _unfollowed(value: Value) -> bool:
    """A value the interpreter could not follow: unknown, or an instance of a class of a package it does not read."""
    return type(value) in (Unknown, StoredObject) or (type(value) is Instance and value.local_class is None and
                                      not is_keras(value.cls) and not value.cls.startswith("builtins."))


def _compile_arguments(args: CallArgs) -> bool:
    """Keras's compile(): a loss or an optimizer by keyword, or a Keras optimizer (an object, or its name with a
    loss after it) first; re.compile(pattern) and torch's module.compile() take neither."""
    if args.has("loss") or args.has("optimizer"):
        return True
    first = args.positional[0] if args.positional else None
    return (type(first) is Instance and first.cls.startswith("keras.optimizers.")) or (
        isinstance(first, Const) and isinstance(first.value, str) and len(args.positional) > 1)


def _fit_arguments(receiver: Value, args: CallArgs) -> bool:
    """Keras's fit(): validation_data= or validation_split= (scikit-learn's estimators and the other libraries'
    fit() methods take neither), not on a wrapper that builds a new model at each fit() (scikeras)."""
    if type(receiver) is Instance and receiver.cls.startswith(REBUILDING_WRAPPER_PACKAGES):
        return False
    return args.has("validation_data") or args.has("validation_split")


def imports_keras(imports: dict[str, str]) -> bool:
    """Whether a script's imports (local name -> dotted name) include Keras or TensorFlow."""
    return any(raw.split(".")[0] in KERAS_ROOTS for raw in imports.values())


def bound_to(value: Value, name: str) -> Value:
    """A value bound to ``name``: an unnamed model takes the name, an array is renamed."""
    if isinstance(value, ModelValue) and value.model.name is None:
        value.model.name = name
    elif isinstance(value, DataValue):
        return DataValue(value.data.renamed(name))
    return value


def name_attribute_model(value: Value, owner: str | None, attribute: str) -> None:
    """``self.model = ...`` names an unnamed model ``self.model``."""
    if isinstance(value, ModelValue) and value.model.name is None:
        value.model.name = f"{owner or 'self'}.{attribute}"


def kept_alongside(previous: Value | None, value: Value, branches: tuple[Arm, ...]) -> Value:
    """The value ``obj.attr = value`` leaves, under an undecided if, when the attribute held other models (``if not
    self.multi: self.model = ... else: self.model = ...``, or a default model replaced in one arm): the new model,
    with those kept as alternatives (ModelValue.alternatives), as an if's merge keeps a name's; a model made in the
    same arm is replaced (``self.model = ...`` twice in one arm), and outside any if the new model is all there is."""
    if not branches or not isinstance(previous, ModelValue) or not isinstance(value, ModelValue):
        return value
    innermost = branches[-1]  # the arm the assignment runs in
    others = tuple(model for model in (previous.model, *previous.alternatives)
                   if model is not value.model and innermost not in model.created_branches)
    return value.alongside(ModelValue(others[0], alternatives=others[1:])) if others else value


def model_of(value: Value) -> Model | None:
    return value.model if isinstance(value, ModelValue) else None


def attach_model(instance: Instance, cls: ClassValue, node: cst.CSTNode, args: CallArgs | None) -> Model | None:
    """An instance of a ``keras.Model`` subclass carries its model; None for any other class."""
    if not cls.is_keras_model:
        return None
    model = keras_calls.subclassed_model(cls, node, args)
    instance.attrs[_MODEL] = ModelValue(model)
    return model


def hook_arguments(cls: ClassValue, method: FunctionValue) -> CallArgs:
    """What Keras passes a method of the script's class that nobody in the script calls: a callback's
    ``on_epoch_end(self, epoch, logs)`` gets the quantities the fit() logged that epoch."""
    node = method.node
    if not isinstance(node, cst.FunctionDef) or node.name.value not in EPOCH_LOG_HOOKS or \
            not any(base in CALLBACK_BASES for base in cls.bases):
        return CallArgs()
    names = [param.name.value for param in (*node.params.posonly_params, *node.params.params)]
    if "logs" not in names and len(names) < 3:
        return CallArgs()
    return CallArgs(keywords=(("logs" if "logs" in names else names[2], HistoryLog(callback=cls)),))


def instance_model(instance: Instance) -> Model | None:
    """The model a ``keras.Model`` subclass's instance carries."""
    value = instance.attrs.get(_MODEL)
    return value.model if isinstance(value, ModelValue) else None


Evaluate = Callable[[cst.BaseExpression], Value]


def layer_owner(node: cst.BaseExpression, loop, evaluate: Evaluate) -> Value | None:
    """The model of ``model.layers[i]``, ``model.get_layer(...)``, ``layer`` in ``for layer in model.layers[...]`` or
    ``model.backbone`` (a KerasHub or KerasCV task's backbone, part of it); the interpreter does not index a model's
    layers.  ``loop`` is the innermost loop context."""
    finder = _OWNER_EXPRESSIONS.get(type(node))
    owner_node = finder(node, loop) if finder is not None else None
    if owner_node is None:
        return None
    owner = evaluate(owner_node)
    return owner if isinstance(owner, ModelValue) else None


def _loop_layers(node: cst.Name, loop) -> cst.BaseExpression | None:
    """``model`` for ``layer`` in ``for layer in model.layers[...]``."""
    while loop is not None and not (isinstance(loop.node, cst.For) and node.value in loop.target_names):
        loop = loop.parent
    if loop is None or not isinstance(loop.node.target, cst.Name):
        return None
    iterable = loop.node.iter
    iterable = iterable.value if isinstance(iterable, cst.Subscript) else iterable
    return _layers_of(iterable)


def _layers_of(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """``model`` for ``model.layers``."""
    if isinstance(node, cst.Attribute) and node.attr.value == "layers":
        return node.value
    return None


def _indexed_layer(node: cst.Subscript, loop) -> cst.BaseExpression | None:
    return _layers_of(node.value)


def _got_layer(node: cst.Call, loop) -> cst.BaseExpression | None:
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get_layer":
        return node.func.value
    return None


def _backbone(node: cst.Attribute, loop) -> cst.BaseExpression | None:
    return node.value if node.attr.value == "backbone" else None


_OWNER_EXPRESSIONS = {cst.Name: _loop_layers, cst.Subscript: _indexed_layer, cst.Call: _got_layer,
                      cst.Attribute: _backbone}


def model_state(value: Value) -> tuple | None:
    """What a call can change of a model's architecture (``model.add(...)``, a layer popped, its input set):
    compared before and after a call to know whether the call built part of a model it was given."""
    if not isinstance(value, ModelValue):
        return None
    model = value.model
    return (len(model.layers), model.complete, model.input_shape, None if model.outputs is None else len(model.outputs))
