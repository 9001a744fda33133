"""What Keras calls do to the semantic model: layers, models and training calls.

Called by the builder with already-evaluated arguments; returns the abstract
value of the call, or None when the callee is not a Keras name this module
knows (the builder then tries the data-flow handlers).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.knowledge.layers import (
    ACTIVATION_LAYERS,
    ACTIVATION_MODULES,
    MERGE_FUNCTIONS,
    RECURRENT_DEFAULT_ACTIVATION,
    TENSOR_ACTIVATIONS,
    UNIT_LAYERS,
    WRAPPER_LAYERS,
)
from kerassniff.semantic.knowledge.model_api import (
    EVALUATE_METHODS,
    FIT_METHODS,
    MODEL_LOADERS,
    PREDICT_METHODS,
    SAVE_METHODS,
)
from kerassniff.semantic.models import (
    UNKNOWN_LAYER,
    Application,
    Layer,
    Model,
    normalise_activation,
)
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.training import (
    AttributeSet,
    CompileCall,
    FitCall,
    InferenceCall,
    SaveCall,
    compile_losses,
    compile_metrics,
    saved_paths,
    unknown_if_none,
)
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ClassValue,
    Const,
    Instance,
    DataValue,
    DictValue,
    LayerValue,
    ModelValue,
    Seq,
    Symbol,
    TensorValue,
    Unknown,
    Value,
    const_value,
    int_value,
    str_value,
)

if TYPE_CHECKING:
    from kerassniff.semantic.builder import Builder


def call_keras(builder: "Builder", name: str, args: CallArgs, node: cst.Call) -> Value | None:
    if name in TENSOR_ACTIVATIONS:
        result = tensor_op(TENSOR_ACTIVATIONS[name], name, args, node)
        if result is not None:
            return result
    if not is_keras(name):
        return None
    parts = name.split(".")
    last = parts[-1]
    package = parts[1] if len(parts) > 2 else ""
    if name in ("keras.layers.Input",):
        shape = args.get("shape", 0)
        constant = shape.value if isinstance(shape, Const) and isinstance(shape.value, tuple) else None
        return TensorValue((), shape=constant)
    if package == "layers":
        if last[:1].isupper():
            return LayerValue(make_layer(name, args, node))
        if last in MERGE_FUNCTIONS:
            return merge_tensors(Layer(last.capitalize(), name, node, args), args.get("inputs", 0) or UNKNOWN)
        return None
    if name == "keras.models.Sequential":
        return ModelValue(make_sequential(args, node))
    if name == "keras.models.Model":
        return ModelValue(make_functional(args, node))
    if name in MODEL_LOADERS:
        path = args.get("filepath", 0) if last == "load_model" else None
        return ModelValue(reloaded(builder, path, args, node) or Model("loaded", node, complete=False, load_path=path))
    if package == "applications" and len(parts) == 3 and last[:1].isupper():
        return ModelValue(make_application(last, args, node))
    return None


def make_layer(name: str, args: CallArgs, node: cst.Call) -> Layer:
    kind = short(name)
    if kind in WRAPPER_LAYERS:
        return unwrap(kind, name, args, node)
    layer = Layer(kind, name, node, args)
    if kind in UNIT_LAYERS:
        width = args.get(UNIT_LAYERS[kind], 0)
        if width is None:
            width = args.get("nb_filter") or args.get("output_dim")
        layer.units = int_value(width)
        given = args.get("activation", 1 if kind == "Dense" else None)
        if given is None:
            layer.activation = RECURRENT_DEFAULT_ACTIVATION.get(kind, "linear")
        else:
            layer.activation = resolve_activation(given)
        if layer.is_conv or kind.endswith("Transpose"):
            layer.kernel_size = kernel_size(args, kind)
    elif kind == "Activation":
        layer.activation = resolve_activation(args.get("activation", 0) or UNKNOWN)
    elif kind in ACTIVATION_LAYERS:
        layer.activation = ACTIVATION_LAYERS[kind]
    elif kind.startswith("BatchNormalization"):
        momentum = const_value(args.get("momentum", 1))
        layer.momentum = float(momentum) if isinstance(momentum, (int, float)) and not isinstance(momentum, bool) else (
            0.99 if args.get("momentum", 1) is None else None)
    return layer


def unwrap(kind: str, name: str, args: CallArgs, node: cst.Call) -> Layer:
    """``TimeDistributed(Dense(10, activation="softmax"))`` is read as its inner layer, for every rule.

    ``Bidirectional`` concatenates both directions by default (twice the units); with another
    ``merge_mode`` the width is left unknown.
    """
    inner = args.get("layer", 0)
    if not isinstance(inner, LayerValue):
        return Layer(kind, name, node, args)  # the wrapped layer is unknown: so is this one
    layer = replace(inner.layer, wrapper=kind)
    if kind == "Bidirectional":
        merge = args.get("merge_mode", 1)
        concat = merge is None or const_value(merge) == "concat"
        layer.units = 2 * layer.units if concat and layer.units is not None else None
    return layer


def unknown_layer(node: cst.CSTNode) -> Layer:
    """A layer or tensor operation kerassniff cannot read, kept in place so the layers after it still count."""
    return Layer(UNKNOWN_LAYER, "", node, CallArgs())


def kernel_size(args: CallArgs, kind: str) -> tuple[int, ...] | None:
    value = const_value(args.get("kernel_size", 1))
    if value is None:
        rows, cols = int_value(args.get("nb_row", 1)), int_value(args.get("nb_col", 2))
        if rows is not None and cols is not None:  # Keras 1: Convolution2D(filters, rows, cols)
            return (rows, cols)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if kind.startswith("Convolution") and len(args.positional) >= 3:
            cols = int_value(args.positional[2])  # Keras 1: Convolution2D(filters, rows, cols)
            if cols is not None:
                return (value, cols)
        return (value,)
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return value
    return None


def resolve_activation(value: Value) -> str | None:
    if isinstance(value, Const):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str):
            return normalise_activation(value.value)
        return None
    if isinstance(value, Symbol):
        name = value.name
        if name.startswith(ACTIVATION_MODULES):
            return normalise_activation(short(name))
        return None
    if isinstance(value, LayerValue):
        return value.layer.activation
    return None


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


def as_layer(value: Value) -> Layer | None:
    if isinstance(value, LayerValue):
        return value.layer
    if isinstance(value, ModelValue):
        model = value.model
        return Layer("Model", "keras.models.Model", model.node, CallArgs(), nested=model)
    return None


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


def reloaded(builder: "Builder", path: Value | None, args: CallArgs, node: cst.Call) -> Model | None:
    """``load_model(p)`` of a file this script's own model was saved to: the trained model again.

    Its layers and head carry over, and its compile settings unless ``compile=False``; it stays a
    separate model (kind "loaded") whose ``origin`` is the model that was saved, so that what was done
    to the original (fits, validation data) is found through ``origin``.
    """
    wanted = str_value(path)
    if wanted is None:
        return None
    origins = [m for m in builder.script.models if wanted in saved_paths(m)]
    if len(origins) != 1:
        return None  # never saved here, or by several models: which one is unknown
    origin = origins[0]
    model = Model("loaded", node, layers=list(origin.layers), complete=origin.complete,
                  outputs=list(origin.outputs) if origin.outputs is not None else None,
                  output_complete=origin.output_complete, application=origin.application, load_path=path,
                  input_shape=origin.input_shape, output_names=origin.output_names, origin=origin)
    if const_value(args.get("compile"), True) is not False:
        model.compiles = list(origin.compiles)
    return model


def make_application(name: str, args: CallArgs, node: cst.Call) -> Model:
    weights = args.get("weights")
    include_top = const_value(args.get("include_top"), True) if args.get("include_top") is not None else True
    classes = int_value(args.get("classes")) if args.get("classes") is not None else 1000
    given_activation = args.get("classifier_activation")
    activation = resolve_activation(given_activation) if given_activation is not None else "softmax"
    app = Application(name, weights if weights is not None else Const("imagenet"),
                      include_top if isinstance(include_top, bool) else None, classes, activation)
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
            return model
    return Model("subclassed", node, name=cls.node.name.value, complete=False)


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
    longest = max(tensors, key=lambda t: len(t.path))
    return TensorValue(longest.path + (layer,), all(t.complete for t in tensors))


def tensor_op(activation: str, name: str, args: CallArgs, node: cst.Call) -> Value | None:
    """``tf.nn.softmax(x)`` on a tensor is an activation layer; on anything else its result is unknown."""
    first = args.get("x", 0) or args.get("logits") or args.get("features") or UNKNOWN
    if isinstance(first, TensorValue):
        layer = Layer("Activation", name, node, args, activation=activation)
        return TensorValue(first.path + (layer,), first.complete, shape=None)
    return None


def call_object(builder: "Builder", callee: Value, args: CallArgs, node: cst.Call) -> Value:
    """Calling a value that is not a function: a layer on a tensor, or a model."""
    first = args.positional[0] if args.positional else (args.get("inputs") or UNKNOWN)
    if isinstance(callee, LayerValue):
        if isinstance(first, DataValue):  # a preprocessing layer on data: Rescaling(1/255)(x)
            from kerassniff.semantic.generators import layer_on_data

            return layer_on_data(callee.layer, first.data, node)
        return apply_layer(callee.layer, first)
    if isinstance(callee, Instance) and isinstance(first, TensorValue):
        # a custom layer (or any callable object) applied to a tensor: a tensor made by something unknown
        return TensorValue(first.path + (unknown_layer(node),), complete=False)
    if isinstance(callee, ModelValue):
        model = callee.model
        if isinstance(first, (TensorValue, Seq)):
            return apply_layer(Layer("Model", "keras.models.Model", model.node, CallArgs(), nested=model), first)
        if isinstance(first, DataValue):
            record_inference(builder, model, "__call__", args, node, first, UNKNOWN)
        return UNKNOWN
    return UNKNOWN


def model_attribute(builder: "Builder", model: Model, attribute: str, node: cst.CSTNode) -> Value:
    if attribute in ("output", "outputs"):
        if model.kind == "application":
            return TensorValue((Layer(model.application.name if model.application else "Application",
                                      "keras.applications", model.node, CallArgs(), nested=model),), source=model)
        paths = model.output_paths()
        if len(paths) == 1:
            return TensorValue(paths[0], source=model)
        known = model.head_paths()
        path = known[0] if len(known) == 1 else (unknown_layer(node),)
        return TensorValue(path, complete=False, source=model)
    if attribute in ("input", "inputs"):
        return TensorValue(())
    return UNKNOWN


def set_attribute(builder: "Builder", receiver: Value, attribute: str, value: Value, node: cst.CSTNode) -> None:
    """Record ``receiver.attribute = value`` on a model, or on every model already holding the layer."""
    if isinstance(receiver, ModelValue):
        receiver.model.attribute_sets.append(AttributeSet(attribute, value, node, builder.next_order()))
    elif isinstance(receiver, LayerValue):
        holders = [m for m in builder.script.models if any(l is receiver.layer for l in m.all_layers())]
        order = builder.next_order()
        for model in holders:
            model.attribute_sets.append(AttributeSet(attribute, value, node, order, receiver.layer))


def model_method(builder: "Builder", model: Model, method: str, args: CallArgs, node: cst.Call) -> Value:
    if method == "add":
        added = args.get("layer", 0) or UNKNOWN
        if isinstance(added, TensorValue) and not added.path:
            if not model.layers:
                model.input_shape = added.shape
            return Const(None)  # model.add(keras.Input(...))
        layer = as_layer(added)
        if layer is None:
            model.complete = False
            layer = unknown_layer(node)
        model.layers.append(layer)
        return Const(None)
    if method == "pop" and model.layers:
        model.layers.pop()
        return Const(None)
    if method == "compile":
        record_compile(builder, model, args, node)
        return Const(None)
    if method in FIT_METHODS:
        record_fit(builder, model, method, args, node)
        return UNKNOWN
    if method in EVALUATE_METHODS or method in PREDICT_METHODS:
        x = args.get("x", 0) or args.get("generator") or UNKNOWN
        y = args.get("y", 1) if method in EVALUATE_METHODS and method != "evaluate_generator" else None
        record_inference(builder, model, "evaluate" if method in EVALUATE_METHODS else "predict", args, node, x,
                         unknown_if_none(y))
        return UNKNOWN
    if method in SAVE_METHODS:
        path = args.get("filepath", 0) or UNKNOWN
        model.saves.append(SaveCall(model, node, method, path))
        return Const(None)
    return UNKNOWN


def record_compile(builder: "Builder", model: Model, args: CallArgs, node: cst.Call) -> None:
    losses, metrics = compile_losses(args, node), compile_metrics(args, node)
    model.compiles.append(CompileCall(model, node, builder.next_order(), losses, metrics, args))


def _loop_repetitions(builder: "Builder") -> int | None:
    return builder.loop.repetitions() if builder.loop is not None else 1


def record_fit(builder: "Builder", model: Model, method: str, args: CallArgs, node: cst.Call) -> None:
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
    if method == "train_on_batch":
        epochs, steps = Const(1), Const(1)
    if epochs is None:
        epochs = args.get("nb_epoch") or Const(1)
    if steps is None and args.get("samples_per_epoch") is not None:
        steps = UNKNOWN
    repetitions = _loop_repetitions(builder)
    fit = FitCall(model, node, builder.next_order(), method, unknown_if_none(x), unknown_if_none(y), args,
                  epochs, unknown_if_none(batch_size) if batch_size is not None else Const(None),
                  unknown_if_none(steps) if steps is not None else Const(None),
                  unknown_if_none(validation_data), unknown_if_none(args.get("validation_split")),
                  in_unknown_loop=repetitions is None, repeat=repetitions or 1)
    model.fits.append(fit)
    _events(builder, model, "fit", fit.x, fit.y, node, fit.order)
    val_x, val_y = _pair(fit.validation_data)
    _events(builder, model, "validation", val_x, val_y, node, fit.order)


def record_inference(builder: "Builder", model: Model, method: str, args: CallArgs, node: cst.Call,
                     x: Value, y: Value) -> None:
    call = InferenceCall(model, node, builder.next_order(), method, x, y, args, builder.loop)
    model.inferences.append(call)
    _events(builder, model, method if method != "__call__" else "predict", x, y, node, call.order)


def _pair(value: Value) -> tuple[Value, Value]:
    if isinstance(value, Seq) and len(value.items) >= 2:
        return value.items[0], value.items[1]
    if isinstance(value, DataValue) and value.data.labels is not None:
        return value, DataValue(value.data.labels)
    return value, UNKNOWN


def _events(builder: "Builder", model: Model, kind: str, x: Value, y: Value, node: cst.Call, order: int) -> None:
    if isinstance(x, DataValue) and isinstance(y, Unknown) and x.data.labels is not None:
        y = DataValue(x.data.labels)
    for role, value in (("x", x), ("y", y)):
        if isinstance(value, DataValue):
            builder.script.data_events.append(DataEvent(kind, role, value.data, node, order, model))

