"""What Keras calls build: layers (read by :mod:`.keras_layers`), models and the tensors of the functional API.

Called with already-evaluated arguments; each handler returns the abstract value of the call, or None when
the callee is not a Keras name handled here (the interpreter then tries :mod:`.arrays`).  Handlers are
typed against :class:`~kerassniff.semantic.effects.Effects` and never see the interpreter.  What a model's
methods record (compile, fit, evaluate, save) is in :mod:`.keras_training`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic.effects import Effects, known_models
from kerassniff.semantic.knowledge.layers import (
    MERGE_FUNCTIONS,
    TENSOR_ACTIVATIONS,
    TENSOR_IDENTITIES,
)
from kerassniff.semantic.knowledge.model_api import (
    MODEL_LOADERS,
    builtin_preset,
    compiles_itself,
    library_model_class,
    outputs_logits_unless_told,
)
from kerassniff.semantic.layer_facts import Application, Layer, normalise_activation
from kerassniff.semantic.library.keras_layers import as_layer, make_layer, resolve_activation, unknown_layer
from kerassniff.semantic.models import CompileCall, Model, SaveCall
from kerassniff.semantic.dataflow import normal_path
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.training import loss_name, resolve_loss, saved_paths, written_at
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ClassValue,
    Const,
    DictValue,
    LayerList,
    LayerValue,
    ModelValue,
    Predictions,
    Seq,
    Symbol,
    TensorValue,
    Value,
    const_value,
    int_value,
    str_value,
)

KerasCall = Callable[[Effects, str, CallArgs, cst.Call], "Value | None"]


# ------------------------------------------------------------------- entry point
def may_handle(name: str) -> bool:
    """Whether :func:`call_keras` can handle some call of the function ``name`` (False: it returns None for all)."""
    return name in TENSOR_ACTIVATIONS or name in TENSOR_IDENTITIES or is_keras(name) or \
        library_model_class(name) is not None


def call_keras(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    if name in TENSOR_IDENTITIES:  # tf.identity(x) on a functional model's tensor: the same tensor
        first = args.get("input", 0) or args.get("x")
        if isinstance(first, TensorValue):
            return first
    if name in TENSOR_ACTIVATIONS:
        result = tensor_op(TENSOR_ACTIVATIONS[name], name, args, node)
        if result is not None:
            return result
    if not is_keras(name):
        return library_model(effects, name, args, node)
    handler = KERAS_CALLS.get(name)
    if handler is not None:
        return handler(effects, name, args, node)
    parts = name.split(".")
    last = parts[-1]
    package = parts[1] if len(parts) > 2 else ""
    if package == "losses" and last[:1].islower() and loss_name(Symbol(name)) is not None:
        record_loss_call(Symbol(name), args, node)  # keras.losses.binary_crossentropy(y, model(x)): a loss value
        return UNKNOWN
    if package == "layers":
        return layer_call(name, last, args, node)
    if package == "applications" and len(parts) == 3 and last[:1].isupper():
        return ModelValue(make_application(last, args, node))
    return None


def record_loss_call(loss: Value, args: CallArgs, node: cst.Call) -> None:
    """``loss_fn(y, model(x))`` or ``keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)``: a
    Keras loss called by hand on a model's outputs (a custom training loop), kept once per call with the model whose
    outputs it scores.  A loss object carries its from_logits; a loss function takes it in the call."""
    predicted = args.get("y_pred", 1)
    if not isinstance(predicted, Predictions) or predicted.model is None:
        return
    model = predicted.model
    if any(spec.node is node for spec in model.loss_calls):
        return
    spec = resolve_loss(loss, node)
    if isinstance(loss, Symbol):
        given = args.get("from_logits", 2)
        from_logits = False if given is None else const_value(given)
        spec = replace(spec, from_logits=from_logits if isinstance(from_logits, bool) else None)
    model.loss_calls.append(spec)


def keras_input(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value:
    """``keras.Input(shape=...)``: a tensor with no layers yet, and its per-sample shape when constant."""
    shape = args.get("shape", 0)
    constant = shape.value if isinstance(shape, Const) and isinstance(shape.value, tuple) else None
    return TensorValue((), shape=constant)


def layer_call(name: str, last: str, args: CallArgs, node: cst.Call) -> Value | None:
    """``keras.layers.Dense(...)`` builds a layer; ``keras.layers.concatenate([a, b])`` merges tensors."""
    if last[:1].isupper():
        return LayerValue(make_layer(name, args, node))
    if last in MERGE_FUNCTIONS:
        return merge_tensors(Layer(last.capitalize(), name, node, args), args.get("inputs", 0) or UNKNOWN)
    return None


def sequential(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value:
    return ModelValue(make_sequential(args, node))


def functional(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value:
    return ModelValue(make_functional(args, node))


def loaded_model(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value:
    """``load_model(p)``, ``model_from_json(...)``, ``clone_model(m)``: a model whose layers are not read,
    unless it reloads a file this script's own model was saved to."""
    path = args.get("filepath", 0) if short(name) == "load_model" else None
    return ModelValue(reloaded(effects, path, args, node) or Model("loaded", node, complete=False, load_path=path))


def saved_by_function(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value:
    """``keras.models.save_model(model, filepath)``: the model's ``save(filepath)`` written as a function."""
    model = args.get("model", 0)
    if isinstance(model, ModelValue):
        path = args.get("filepath", 1) or UNKNOWN
        model.model.saves.append(SaveCall(model.model, node, "save", path, effects.next_order()))
    return Const(None)


def library_model(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    """``keras_hub.models.BertTextClassifier.from_preset(...)``: a Keras model whose layers are not read (kind
    "library"); what the script does with it (compile, fit, predict, trainable) is followed like any model's, a
    KerasHub task is compiled as it is built (its own default compile: the losses are not read), and a KerasHub
    classifier's head is known: ``num_classes`` units, linear (logits) unless ``activation=`` is given."""
    if library_model_class(name) is None:
        return None
    model = Model("library", node, complete=False)
    told = args.get("compile")
    if compiles_itself(name) and (const_value(told) is True if told is not None else not _spread(args, "**")):
        model.compiles.append(CompileCall(model, node, effects.next_order(), [], [], CallArgs()))
    from_preset = short(name) == "from_preset"  # from_preset(preset, ...); the class: (backbone, num_classes, ...)
    activation = _classifier_activation(from_preset, args) if outputs_logits_unless_told(name) else None
    if activation is not None:
        units = int_value(args.get("num_classes", None if from_preset else 1))
        head = Layer("Dense", "keras.layers.Dense", node, args, units, activation)
        model.outputs, model.output_complete = [(unknown_layer(node), head)], False
    return ModelValue(model)


def _classifier_activation(from_preset: bool, args: CallArgs) -> str | None:
    """A KerasHub classifier's output activation: its ``activation=``, or the class's default (None: linear) when
    nothing else can set it; None when not known (``*args``/``**options`` or more arguments by position may hold it,
    and a saved preset restores the one it was saved with)."""
    given = args.get("activation")
    if given is not None:
        return "linear" if isinstance(given, Const) and given.value is None else normalise_activation(str_value(given))
    if _spread(args, "*", "**") or len(args.positional) > 2:
        return None
    if from_preset and not builtin_preset(const_value(args.get("preset", 0))):
        return None
    return "linear"


def _spread(args: CallArgs, *stars: str) -> bool:
    """Whether the call spreads arguments (``*args``, ``**options``) whose names the interpreter may not know."""
    return any(arg.star in stars for arg in args.nodes)


# Keras callables handled by their canonical name (layers and applications are handled by their package).
KERAS_CALLS: dict[str, KerasCall] = {
    "keras.layers.Input": keras_input,
    "keras.models.Sequential": sequential,
    "keras.models.Model": functional,
    **{loader: loaded_model for loader in MODEL_LOADERS},
    "keras.models.save_model": saved_by_function,
}


# ------------------------------------------------------------------------ models
def layers_of(value: Value) -> tuple[list[Layer], bool]:
    """Layers from a Sequential's list argument, and whether all were understood."""
    items: tuple[Value, ...]
    if isinstance(value, Seq):
        items = value.items
    elif isinstance(value, Const) and value.value in (None, ()):
        return [], True
    else:
        return [unknown_layer(cst.Name("_"))], False
    layers: list[Layer] = []
    complete = True
    for item in items:
        if isinstance(item, TensorValue) and not item.path:
            continue  # keras.Input(shape=...) as the first entry of a Sequential list
        layer = as_layer(item)
        if layer is None:
            complete = False
            layers.append(unknown_layer(getattr(item, "node", None) or cst.Name("_")))
        else:
            layers.append(layer)
    return layers, complete


def make_sequential(args: CallArgs, node: cst.Call) -> Model:
    given = args.get("layers", 0)
    if given is None:
        return Model("sequential", node)
    layers, complete = layers_of(given)
    model = Model("sequential", node, layers=layers, complete=complete)
    first = given.items[0] if isinstance(given, Seq) and given.items else None
    if isinstance(first, TensorValue) and not first.path:
        model.input_shape = first.shape
    return model


def make_functional(args: CallArgs, node: cst.Call) -> Model:
    outputs = args.get("outputs", 1) or args.get("output")
    model = Model("functional", node, outputs=[])
    inputs = args.get("inputs", 0) or args.get("input")
    if isinstance(inputs, TensorValue) and not inputs.path:
        model.input_shape = inputs.shape
    add_outputs(model, outputs)
    return model


def add_outputs(model: Model, outputs: Value | None) -> None:
    """Record each output tensor's layer path, incomplete ones too (their heads may still be plain)."""
    tensors: tuple[Value, ...]
    if isinstance(outputs, TensorValue):
        tensors = (outputs,)
    elif isinstance(outputs, Seq):
        tensors = outputs.items
    elif isinstance(outputs, DictValue):
        tensors = tuple(v for _, v in outputs.items)
        model.output_names = [str_value(k) for k, _ in outputs.items]
    else:
        tensors = ()
        model.output_complete = False
    for tensor in tensors:
        if isinstance(tensor, TensorValue) and tensor.path:
            model.outputs.append(tensor.path)  # type: ignore[union-attr]
            if not tensor.complete:
                model.output_complete = False
        else:
            model.outputs.append((unknown_layer(model.node),))  # type: ignore[union-attr]
            model.output_complete = False
    model.layers = model.all_layers()


def reloaded(effects: Effects, path: Value | None, args: CallArgs, node: cst.Call) -> Model | None:
    """``load_model(p)`` of a file this script's own model was saved to: the trained model again.

    Its layers and head carry over, and its compile settings unless ``compile=False``; it stays a
    separate model (kind "loaded") whose ``origin`` is the model that was saved, so that what was done
    to the original (fits, validation data) is found through ``origin``.
    """
    wanted = str_value(path)
    if not wanted:
        return None
    wanted = normal_path(wanted)  # ("./best.h5" is "best.h5")
    origins = [m for m in known_models(effects) if wanted in saved_paths(m)]
    if len(origins) != 1:
        return None  # never saved here, or by several models: which one is unknown
    origin = origins[0]
    model = Model("loaded", node, layers=list(origin.layers), complete=origin.complete,
                  outputs=list(origin.outputs) if origin.outputs is not None else None,
                  output_complete=origin.output_complete, application=origin.application, load_path=path,
                  input_shape=origin.input_shape, output_names=origin.output_names, origin=origin,
                  origin_order=written_at(origin, wanted))
    if const_value(args.get("compile"), True) is not False:
        model.compiles = list(origin.compiles)
    return model


def make_application(name: str, args: CallArgs, node: cst.Call) -> Model:
    weights = args.get("weights")
    include_top = const_value(args.get("include_top"), True) if args.get("include_top") is not None else True
    classes = int_value(args.get("classes")) if args.get("classes") is not None else 1000
    given_activation = args.get("classifier_activation")
    activation = resolve_activation(given_activation) if given_activation is not None else "softmax"
    preprocessing = const_value(args.get("include_preprocessing"), True)
    app = Application(name, weights if weights is not None else Const("imagenet"),
                      include_top if isinstance(include_top, bool) else None, classes, activation,
                      preprocessing if isinstance(preprocessing, bool) else None)
    return Model("application", node, application=app, complete=False)


def subclassed_model(cls: ClassValue, node: cst.CSTNode, args: CallArgs | None = None) -> Model:
    """A ``keras.Model`` subclass: its layers live in ``call()``, which kerassniff does not trace.

    A subclass without ``call()`` built as ``MyModel(inputs, outputs)`` (to override ``train_step``,
    say) is a functional model: its outputs are read like ``keras.Model(inputs, outputs)``'s.
    """
    if args is not None and "call" not in cls.methods:
        outputs = args.get("outputs", 1) or args.get("output")
        if isinstance(outputs, (TensorValue, Seq, DictValue)):
            model = make_functional(args, node)
            model.name = None
            model.own_methods = cls.method_names()
            return model
    return Model("subclassed", node, name=cls.node.name.value, complete=False, own_methods=cls.method_names())


# ----------------------------------------------------------------------- tensors
def apply_layer(layer: Layer, inputs: Value) -> Value:
    """A Keras layer called on something gives a tensor: on an unknown input, one whose past is unknown."""
    if isinstance(inputs, TensorValue):
        return TensorValue(inputs.path + (layer,), inputs.complete)
    if isinstance(inputs, Seq):
        return merge_tensors(layer, inputs)
    return TensorValue((unknown_layer(layer.node), layer), complete=False)


def merge_tensors(layer: Layer, inputs: Value) -> Value:
    if not isinstance(inputs, Seq) or not inputs.items:
        return TensorValue((unknown_layer(layer.node), layer), complete=False)
    tensors = [t for t in inputs.items if isinstance(t, TensorValue)]
    if len(tensors) != len(inputs.items) or not tensors:
        return TensorValue((unknown_layer(layer.node), layer), complete=False)
    # the deepest branch stands for the merge: a branch through a network (hundreds of layers in one) before any
    # branch of a few of the script's own layers
    longest = max(tensors, key=lambda t: (any(step.nested is not None for step in t.path), len(t.path)))
    return TensorValue(longest.path + (layer,), all(t.complete for t in tensors))


def tensor_op(activation: str, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    """``tf.nn.softmax(x)`` on a tensor is an activation layer; on anything else its result is unknown."""
    first = args.get("x", 0) or args.get("logits") or args.get("features") or UNKNOWN
    if isinstance(first, TensorValue):
        layer = Layer("Activation", name, node, args, activation=activation)
        return TensorValue(first.path + (layer,), first.complete, shape=None)
    return None


def preprocessing_in_graph(tensor: TensorValue, name: str, args: CallArgs, node: cst.Call) -> Value:
    """``preprocess_input(inputs)`` on a symbolic tensor: the application's scaling inside the model, an operation on
    the way as a Lambda layer would be (the model scales its inputs itself)."""
    return TensorValue(tensor.path + (Layer("Lambda", name, node, args),), tensor.complete, shape=tensor.shape)


def inner_layer_output(owner: Model, attribute: str) -> Value | None:
    """``base.layers[-2].output`` / ``base.get_layer("fc2").output`` of a keras.applications network: a tensor inside
    the pretrained network, which the network's input reaches through its layers (the layers themselves are not
    modelled: the path holds the network, marked incomplete).  None for other models and attributes."""
    if attribute not in ("output", "outputs") or owner.kind != "application":
        return None
    return TensorValue((_network_layer(owner),), complete=False, source=owner)


def _network_layer(network: Model) -> Layer:
    """A keras.applications network as one layer of the model that calls it or extends its output."""
    return Layer(network.application.name if network.application else "Application", "keras.applications",
                 network.node, CallArgs(), nested=network)


def model_attribute(effects: Effects, model: Model, attribute: str, node: cst.CSTNode) -> Value:
    """``model.output`` / ``model.input``: tensors a functional model can be extended from."""
    if attribute in ("output", "outputs"):
        if model.kind == "application":
            return TensorValue((_network_layer(model),), source=model)
        paths = model.output_paths()
        if len(paths) == 1:
            return TensorValue(paths[0], source=model)
        known = model.head_paths()
        path = known[0] if len(known) == 1 else (unknown_layer(node),)
        return TensorValue(path, complete=False, source=model)
    if attribute in ("input", "inputs"):
        return TensorValue(())
    if attribute == "layers":
        return LayerList(model=model)
    if attribute == "hypermodel" and model.tuned:  # tuner.hypermodel: what builds the models the tuner stands for
        return ModelValue(model)
    return UNKNOWN
