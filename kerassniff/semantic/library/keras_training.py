"""What calling a Keras model or layer object records: compile, fit, evaluate, predict, save, attribute sets.

Each model method is one row of :data:`MODEL_METHODS`; the rows record a call on the :class:`Model` (in
program order, with the loop it ran in) and the arrays that reached the model (data events).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.effects import Effects, known_models, loop_repetitions, record_data_event
from kerassniff.semantic.knowledge.model_api import EVALUATE_METHODS, FIT_METHODS, PREDICT_METHODS, SAVE_METHODS
from kerassniff.semantic.library.arrays import from_collection, typed_rows
from kerassniff.semantic.library.datasets import layer_on_data
from kerassniff.semantic.library.dispatch import first_wins
from kerassniff.semantic.library.keras import apply_layer, record_loss_call
from kerassniff.semantic.library.keras_layers import as_layer, unknown_layer
from kerassniff.semantic.library.sequences import batches_of
from kerassniff.semantic.keras_values import HistoryValue
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.models import Model, WeightSet
from kerassniff.semantic.syntax import bound_anywhere, names_read, walk_code
from kerassniff.semantic.training import (
    AttributeSet,
    CompileCall,
    FitCall,
    InferenceCall,
    SaveCall,
    compile_losses,
    compile_metrics,
    loss_name,
    unknown_if_none,
    written_at,
)
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ComprehensionValue,
    Const,
    CopiedLayer,
    DataValue,
    FunctionValue,
    Instance,
    LayerValue,
    ModelValue,
    Predictions,
    Seq,
    TensorValue,
    Unknown,
    Value,
    ZipValue,
    const_value,
    str_value,
)

ModelMethod = Callable[[Effects, Model, str, CallArgs, cst.Call], Value]


def call_object(effects: Effects, callee: Value, args: CallArgs, node: cst.Call) -> Value:
    """Calling a value that is not a function: a layer on a tensor, or a model."""
    first = args.positional[0] if args.positional else (args.get("inputs") or UNKNOWN)
    if isinstance(callee, LayerValue):
        if isinstance(first, DataValue):  # a preprocessing layer on data: Rescaling(1/255)(x)
            return layer_on_data(callee.layer, first.data, node)
        return apply_layer(callee.layer, first)
    if isinstance(callee, Instance) and loss_name(callee) is not None:
        record_loss_call(callee, args, node)
        return UNKNOWN
    if isinstance(callee, Instance) and isinstance(first, TensorValue):
        # a custom layer (or any callable object) applied to a tensor: a tensor made by something unknown
        return TensorValue(first.path + (unknown_layer(node),), complete=False)
    if isinstance(callee, ModelValue):
        model = callee.model
        model.builds.append(effects.next_order())  # (a model called on anything has built its weights)
        if isinstance(first, (TensorValue, Seq)):
            return apply_layer(Layer("Model", "keras.models.Model", model.node, CallArgs(), nested=model), first)
        if isinstance(first, DataValue):
            record_inference(effects, model, "__call__", args, node, first, UNKNOWN)
            passed = _through_preprocessing(model, first, node)
            if passed is not None:
                return passed
        return Predictions(model=model)  # on data, or on a batch the script draws from a dataset
    return UNKNOWN


def _through_preprocessing(model: Model, data: DataValue, node: cst.Call) -> Value | None:
    """A Sequential of preprocessing layers without weights (``augment = Sequential([RandomFlip(), RandomRotation(0.1)])``)
    called on data: the same data, through each layer in turn (``ds.map(lambda x, y: (augment(x, training=True), y))``
    keeps the pixels' earlier scaling); None for any other model, or a layer whose effect on data is not known."""
    if model.kind != "sequential" or not model.weightless:
        return None
    value: Value = data
    for layer in model.all_layers():
        if layer.kind == "InputLayer":
            continue
        value = layer_on_data(layer, value.data, node) if isinstance(value, DataValue) else UNKNOWN
    return value if isinstance(value, DataValue) else None


def set_attribute(effects: Effects, receiver: Value, attribute: str, value: Value, node: cst.CSTNode,
                  part: bool = False) -> None:
    """Record ``receiver.attribute = value`` on a model, or on every model already holding the layer; ``part``: the
    receiver is the model holding the part that was set (``model.layers[0].trainable = False``)."""
    if isinstance(receiver, ModelValue):
        receiver.model.attribute_sets.append(AttributeSet(attribute, value, node, effects.next_order(), part=part))
    elif isinstance(receiver, LayerValue):
        holders = [m for m in known_models(effects) if any(l is receiver.layer for l in m.all_layers())]
        order = effects.next_order()
        for model in holders:
            model.attribute_sets.append(AttributeSet(attribute, value, node, order, receiver.layer))


def set_weights(effects: Effects, receiver: Value, node: cst.Call) -> None:
    """Record ``receiver.set_weights(...)`` on a model (or the model holding the part whose weights were set:
    ``model.layers[0].set_weights([matrix])``), or on every model already holding the layer."""
    if isinstance(receiver, ModelValue):
        receiver.model.weight_sets.append(WeightSet(node, effects.next_order()))
    elif isinstance(receiver, LayerValue):
        holders = [m for m in known_models(effects) if any(l is receiver.layer for l in m.all_layers())]
        order = effects.next_order()
        for model in holders:
            model.weight_sets.append(WeightSet(node, order))


def model_method(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    handler = MODEL_METHODS.get(method)
    return handler(effects, model, method, args, node) if handler is not None else UNKNOWN


# ------------------------------------------------------------------ the methods
def add(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    added = args.get("layer", 0) or UNKNOWN
    if isinstance(added, TensorValue) and not added.path:
        if not model.layers:
            model.input_shape = added.shape
        return Const(None)  # model.add(keras.Input(...))
    if isinstance(added, CopiedLayer) and model.layers and model.layers[-1].node is node:
        return Const(None)  # the copying loop's body met again: its layers are in already
    layer = copied_layers(effects, added, node) if isinstance(added, CopiedLayer) else as_layer(added)
    if layer is None:
        model.complete = False
        layer = unknown_layer(node)
    model.layers.append(layer)
    return Const(None)


def copied_layers(effects: Effects, added: CopiedLayer, node: cst.Call) -> Layer | None:
    """``for layer in vgg.layers: seq.add(layer)``: the Sequential holds the network's layers, in order; as a
    block they are the network itself (the same layer objects: freezing either freezes both).  Known only when
    the add() is a statement of the loop over the list itself (no condition picks some), and when the list is
    the whole of a keras.applications network; a slice (``vgg.layers[:-1]``) is a part of it whose output is not
    known.  Any other model's layers are not followed: None (an unknown layer)."""
    source = added.model
    loop = effects.loop
    if source is None or source.application is None or loop is None or not _adds_each(loop.node, node):
        return None
    part = source if added.whole else _part_of(source)
    return Layer(source.application.name, "keras.applications", node, CallArgs(), nested=part, copied=True)


def _part_of(network: Model) -> Model:
    """Some of a keras.applications network's layers, in order from its input: the same pretrained weights and input
    preprocessing, an output that is not known."""
    assert network.application is not None
    return Model("application", network.node, network.name, application=replace(
        network.application, include_top=None, classes=None, classifier_activation=None))


def _adds_each(loop: cst.CSTNode, call: cst.Call) -> bool:
    """Whether ``call`` is a statement of the loop's own body (not under an if, try or inner loop)."""
    body = getattr(loop, "body", None)
    statements = getattr(body, "body", ())
    return any(type(line) is cst.SimpleStatementLine and any(
        type(small) is cst.Expr and small.value is call for small in line.body) for line in statements)


def pop(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    if not model.layers:
        return UNKNOWN
    last = model.layers.pop()
    if last.copied and last.nested is not None and last.nested.application is not None:
        model.layers.append(replace(last, nested=_part_of(last.nested)))  # the network's layers but its last
    return Const(None)


def compile_model(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    losses, metrics = compile_losses(args, node), compile_metrics(args, node)
    model.compiles.append(CompileCall(model, node, effects.next_order(), losses, metrics, args,
                                      layer_count=len(model.layers) if model.kind == "sequential" else None,
                                      graph_tensor_losses=graph_tensor_losses(args.get("loss", 1))))
    return Const(None)


def graph_tensor_losses(given: Value | None) -> tuple[tuple[cst.FunctionDef, tuple[str, ...]], ...]:
    """The script's own loss functions (``loss=vae_loss``, or in a list) that read, from around them, names holding
    symbolic tensors of a functional model (not their parameters, not what they bind): read now, while the scopes
    they were defined in still hold those names."""
    found = []
    for function in (given.items if isinstance(given, Seq) else (given,)):
        if not isinstance(function, FunctionValue) or type(function.node) is not cst.FunctionDef:
            continue
        node = function.node
        own = bound_anywhere(node)
        candidates = {name for name in names_read(node.body) - own
                      if isinstance(function.scope.lookup(name), TensorValue)}
        tensors = tuple(sorted(candidates & _values_read(node.body, candidates)))
        if tensors:
            found.append((node, tensors))
    return tuple(found)


# Attributes of a symbolic tensor that are plain Python values (its static shape, dtype, name): reading them in a loss
# is fine in Keras 3.
STATIC_TENSOR_ATTRIBUTES = frozenset({"shape", "dtype", "name", "ndim"})


def _values_read(body: cst.CSTNode, names: set[str]) -> set[str]:
    """Those of ``names`` that the code reads as values somewhere, not only for a static attribute (``z.shape[-1]``)."""
    static: set[int] = set()
    occurrences: list[cst.Name] = []
    for node in walk_code(body):
        kind = type(node)
        if kind is cst.Attribute and type(node.value) is cst.Name and node.attr.value in STATIC_TENSOR_ATTRIBUTES:
            static.add(id(node.value))
        elif kind is cst.Name and node.value in names:
            occurrences.append(node)
    return {name.value for name in occurrences if id(name) not in static}


def fit(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    record_fit(effects, model, method, args, node)
    return HistoryValue(model.fits[-1]) if method in ("fit", "fit_generator") else UNKNOWN


def inference(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    x = batches_of(effects, args.get("x", 0) or args.get("generator") or UNKNOWN, node)
    y = args.get("y", 1) if method in EVALUATE_METHODS and method != "evaluate_generator" else None
    record_inference(effects, model, "evaluate" if method in EVALUATE_METHODS else "predict", args, node, x,
                     unknown_if_none(y))
    if method in EVALUATE_METHODS:
        return UNKNOWN
    return Predictions(model=model, call=node)


def tuner(effects: Effects, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    """``keras_tuner.RandomSearch(build_model, ...)``: stands for the model its hypermodel builds (built here once,
    with hyper-parameters the analysis does not know), which ``search()`` trains and ``get_best_models()`` returns.
    None when the hypermodel is not a function of the script or a model."""
    hypermodel = args.get("hypermodel", 0)
    if isinstance(hypermodel, FunctionValue):
        hypermodel = effects.call_function(hypermodel, CallArgs((UNKNOWN,)), node)
    if not isinstance(hypermodel, ModelValue):
        return None
    hypermodel.model.tuned = True
    return hypermodel


def build_method(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    """``tuner.hypermodel.build(best_hp)`` (keras-tuner's idiom to train the best configuration again): a model
    the hypermodel builds, which the tuner stands for; any other model's ``build(input_shape)`` builds its weights
    (noted: Model.builds) and returns None."""
    if model.tuned:
        return ModelValue(model)
    model.builds.append(effects.next_order())
    return Const(None)


def search(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    """A tuner's ``search(x, y, epochs=..., validation_data=...)``: fit()'s arguments, for every trial."""
    record_fit(effects, model, method, args, node)
    return Const(None)


def best_models(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    """A tuner's ``get_best_models(num_models=n)``: n models trained by its search (the one model it stands for)."""
    count = const_value(args.get("num_models", 0), 1)
    return Seq((ModelValue(model),) * (count if isinstance(count, int) and 0 < count <= 16 else 1), "list")


def save(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    path = args.get("filepath", 0) or UNKNOWN
    model.saves.append(SaveCall(model, node, method, path, effects.next_order()))
    if method == "load_weights":
        _reloaded_weights(effects, model, str_value(path))
    return Const(None)


# Whole-model files that load_weights() reads too (Keras 3.15: .keras through saving_lib, .h5 through the legacy
# HDF5 reader, which takes the "model_weights" group of a whole model; tf_keras 2 reads HDF5 alike).
WEIGHTS_READABLE_MODEL_FILES = (".h5", ".hdf5", ".keras")


def _reloaded_weights(effects: Effects, model: Model, path: str | None) -> None:
    """``restored = make_net(); restored.load_weights("best.weights.h5")`` of weights another model of the script
    wrote (save_weights(), a weights-only ModelCheckpoint, or a whole-model file in one of the formats
    load_weights() also reads: ``.h5``/``.hdf5``/``.keras``): the network that training made, read back, as a
    load_model() of the script's own file is (``origin``)."""
    if path is None or model.origin is not None or model.fits:
        return
    whole_files = path.lower().endswith(WEIGHTS_READABLE_MODEL_FILES)
    writers = [(other, order) for other in known_models(effects) if other is not model
               for order in (max(written_at(other, path, weights=True),
                                 written_at(other, path) if whole_files else 0),) if order]
    if len(writers) == 1:
        model.origin, model.origin_order = writers[0]
        model.reloaded_at = model.saves[-1].order


# Model methods the model records, by name (any other method's result is unknown and records nothing).
MODEL_METHODS: dict[str, ModelMethod] = first_wins(
    (("add",), add), (("pop",), pop), (("compile",), compile_model), (FIT_METHODS, fit),
    (EVALUATE_METHODS | PREDICT_METHODS, inference), (SAVE_METHODS, save),
    (("search",), search), (("get_best_models",), best_models),  # a keras-tuner tuner standing for its model
    (("build",), build_method),
)


# --------------------------------------------------------------------- records
def record_fit(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call) -> None:
    if method == "fit_generator":
        x = args.get("generator", 0)
        y = None
        steps, epochs = args.get("steps_per_epoch", 1), args.get("epochs", 2)
        validation_data = args.get("validation_data", 5)
        batch_size = None
    else:
        x, y = args.get("x", 0), args.get("y", 1)
        batch_size, epochs = args.get("batch_size", 2), args.get("epochs", 3)
        steps = args.get("steps_per_epoch")
        validation_data = args.get("validation_data", 7)
    x = batches_of(effects, x, node) if x is not None else None  # the script's own Sequence: its batches
    if validation_data is not None:
        validation_data = batches_of(effects, validation_data, node)
    if method == "train_on_batch":
        epochs, steps = Const(1), Const(1)
    if epochs is None:
        epochs = args.get("nb_epoch") or Const(1)
    if steps is None and args.get("samples_per_epoch") is not None:
        steps = UNKNOWN
    repetitions = loop_repetitions(effects)
    call = FitCall(model, node, effects.next_order(), method, unknown_if_none(x), unknown_if_none(y), args,
                   epochs, unknown_if_none(batch_size) if batch_size is not None else Const(None),
                   unknown_if_none(steps) if steps is not None else Const(None),
                   unknown_if_none(validation_data), unknown_if_none(args.get("validation_split")),
                   in_unknown_loop=repetitions is None, repeat=repetitions or 1, loop=effects.loop,
                   branches=effects.branches)
    model.fits.append(call)
    _events(effects, model, "fit", call.x, call.y, node, call.order)
    val_x, val_y = _pair(call.validation_data)
    _events(effects, model, "validation", val_x, val_y, node, call.order)


def record_inference(effects: Effects, model: Model, method: str, args: CallArgs, node: cst.Call,
                     x: Value, y: Value) -> None:
    call = InferenceCall(model, node, effects.next_order(), method, x, y, args, effects.loop)
    model.inferences.append(call)
    _events(effects, model, method if method != "__call__" else "predict", x, y, node, call.order)


def _pair(value: Value) -> tuple[Value, Value]:
    if isinstance(value, Seq) and len(value.items) >= 2:
        return value.items[0], value.items[1]
    if isinstance(value, DataValue) and value.data.labels is not None:
        return value, DataValue(value.data.labels)
    return _zipped_flows(value) or (value, UNKNOWN)


def _zipped_flows(value: Value) -> tuple[Value, Value] | None:
    """``zip(image_flow, mask_flow)``: batches of inputs paired with batches of targets, each from a flow of its own
    (a segmentation model's images and masks, one seed for both); None for any other value."""
    if type(value) is ZipValue and not value.enumerate and len(value.parts) == 2 and \
            all(isinstance(part, DataValue) and part.data.batches for part in value.parts):
        return value.parts[0], value.parts[1]
    return None


def _events(effects: Effects, model: Model, kind: str, x: Value, y: Value, node: cst.Call, order: int) -> None:
    if isinstance(x, DataValue) and isinstance(y, Unknown) and x.data.labels is not None:
        labels = x.data.labels  # (labels equal to the inputs themselves: an autoencoder's pairs, the same array)
        y = x if labels == replace(x.data, labels=None) else DataValue(labels)
    if isinstance(y, Unknown):
        x, y = _zipped_flows(x) or (x, y)
    for role, value in (("x", x), ("y", y)):
        if isinstance(value, Seq) and len(value.items) == 1:
            value = value.items[0]  # predict([batch]): a list of one array is that array for a one-input model
        if role == "x" and isinstance(value, (Seq, ComprehensionValue)) and typed_rows(value):
            value = from_collection(value, node)  # predict([age, income]): numbers a user typed, given as a list
        if isinstance(value, DataValue):
            record_data_event(effects, DataEvent(kind, role, value.data, node, order, model))
        elif role == "x" and isinstance(value, Seq):  # fit([images, table], y): each input of a multi-input model
            for index, item in enumerate(value.items):
                if isinstance(item, DataValue):
                    record_data_event(effects, DataEvent(kind, f"x[{index}]", item.data, node, order, model))
