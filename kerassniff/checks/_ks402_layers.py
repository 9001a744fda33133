"""KS402's layer arguments of older Keras: Keras 1's ``Convolution2D(filters, rows, cols)``, which current Keras
reads as ``Conv2D(filters, kernel_size, strides)`` without any error, layer sizes given as floats, and an input
shape given as one integer."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._floor_division import integer_quotient

from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.folding import BINOPS
from kerassniff.semantic.knowledge.keras3_removals import (
    INTEGER_SHAPES,
    INTEGER_SIZES,
    KERAS_2_DEFAULTED_ARGUMENTS,
    KERAS_2_LAYER_ATTRIBUTES,
    KERAS_2_LAYER_CLASSES,
    LAYER_KEYWORDS,
)
from kerassniff.semantic.syntax import rendered
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import (
    Const,
    CopiedLayer,
    Instance,
    KnownLen,
    LayerValue,
    LenValue,
    ModelValue,
    Seq,
    UnknownInteger,
    Value,
    const_value,
    int_value,
)


def keras1_kernel(call: CallSite, name: str):
    """``Convolution2D(32, 3, 3)``, or ``Conv2D(32, 3, 3, border_mode="same")`` written with Keras 1's keywords: Keras
    1's filters, rows, cols, which tf.keras 2 and Keras 3 read as filters, kernel_size, strides."""
    if not (name.startswith("Convolution") or (name == "Conv2D" and _keras1_keywords(call))) or \
            not _keras1_kernel_arguments(call.args.positional):
        return
    rows, cols = int_value(call.args.positional[1]), int_value(call.args.positional[2])
    if rows == cols == 1 and not (call.args.has("strides") or call.args.has("subsample")):
        return  # Conv2D(filters, 1, 1): a 1x1 kernel moved by 1 either way
    hint, fix = f"write Conv{name[-2:]}(filters, ({rows}, {cols}))", _kernel_tuple_fix(call.node, name)
    if call.args.has("strides") or call.args.has("subsample"):  # Keras 1's strides too, under either name
        renamed = call.args.has("subsample") and not call.args.has("strides")
        message = (f"{name}(filters, {rows}, {cols}) reads {cols} as strides; subsample= renamed strides= then "
                   f"fails: TypeError" if renamed else
                   f"{name}(filters, {rows}, {cols}, strides=) gives strides twice: TypeError")
        yield Report(call.node, message, hint, fix,
                     explanation=(f"In Keras 1 this meant a {rows}x{cols} kernel moved by subsample=. tf.keras 2 and "
                                  f"Keras 3 read the third positional argument as strides={cols}, so with strides= "
                                  f"given as well (Keras 1's subsample=, renamed) the layer gets strides twice and "
                                  f"raises TypeError (multiple values for argument 'strides')"
                                  + ("; as written, subsample= itself is refused first (its own finding)" if renamed
                                     else "") + "; only standalone Keras 2.0-2.3 converted the call, with a warning."),
                     facts={"strides": cols})
        return
    renamed = " once the call's Keras 1 keywords are renamed" if _keras1_keywords(call) else ""
    yield Report(call.node, (
        f"{name}(filters, {rows}, {cols}) strides by {cols}: current Keras reads the third argument as strides"),
        hint, fix,
        explanation=(f"In Keras 1 this meant a {rows}x{cols} kernel. tf.keras 2 and Keras 3 read the "
                     f"third positional argument as strides={cols}, so the layer skips pixels without any "
                     f"error{renamed}; only standalone Keras 2.0-2.3 converted the call, with a warning."),
        facts={"strides": cols})


def defaulted_argument_missing(call: CallSite, name: str):
    """``AveragePooling2D()``: tf.keras 2 pooled 2x2 by default; Keras 3.15.1 requires pool_size (TypeError when the
    layer is made).  A call that gives it by position, by keyword, through ``*``/``**``, or names it by Keras 1's
    ``pool_length=`` (its own finding) is not reported."""
    entry = KERAS_2_DEFAULTED_ARGUMENTS.get(name)
    if entry is None or call.args.positional or any(arg.star for arg in call.args.nodes) or \
            any(keyword in (entry[0], "pool_length") for keyword in call.args.keyword_names):
        return
    keyword, default = entry
    given = cst.Arg(value=cst.parse_expression(default),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if call.node.args else
                    cst.MaybeSentinel.DEFAULT)
    yield Report(call.node, f"{name}() without {keyword}=: Keras 3 requires it and stops with TypeError",
                 f"pass {name}({default}), tf.keras 2's default",
                 safe_fix(f"pass {default}, tf.keras 2's default", call.node,
                          call.node.with_changes(args=(given, *call.node.args))),
                 explanation=(f"tf.keras 2 defaulted {keyword} to {default}; Keras 3's {name} has no default for it "
                              f"(TypeError: missing 1 required positional argument: '{keyword}', checked on 3.15.1), "
                              f"so the script stops where the layer is made."),
                 facts={"keyword": keyword, "default": default})


# Layers whose second parameter is activation= in Keras 2 and 3 (Dense(units, activation), LSTM(units, activation)):
# Keras 0 took Dense(input_dim, output_dim) and LSTM(input_dim, output_dim), a size where the activation now goes.
ACTIVATION_SECOND = frozenset({"Dense", "LSTM", "GRU", "SimpleRNN"})


def keras0_sizes(call: CallSite, name: str):
    """``Dense(128, 10)``, ``LSTM(30, 100)``: Keras 0's (input size, output size), whose second integer Keras 2 and 3
    read as the activation: "Could not interpret activation function identifier" (ValueError on Keras 3.15, TypeError
    on tf_keras 2.21) when the layer is made; with activation= given as well, the activation twice (TypeError).  An
    integer whose value is not known counts too (``Dense(512, len(chars))``), shown as written."""
    positional = call.args.positional
    if name not in ACTIVATION_SECOND or len(positional) < 2:
        return
    size = const_value(positional[1])
    if type(size) is int:
        shown = number = str(size)
    elif isinstance(positional[1], (UnknownInteger, LenValue)) and len(call.args.nodes) > 1 and \
            call.args.nodes[1].keyword is None and not call.args.nodes[1].star:
        code = _short_code(call.args.nodes[1].value)
        shown, number = (code, "N") if code != "..." else ("an integer", "N")
    else:
        return
    given = int_value(positional[0])
    twice = call.args.has("activation")
    error = "TypeError" if twice else "ValueError"
    written = f"{name}({given if given is not None else '...'}, {shown})" if shown != "an integer" else f"{name}(...)"
    yield Report(call.node, f"{written} passes {shown} as the activation: Keras 3 stops with {error}",
                 f"write {name}({shown if shown != 'an integer' else 'units'}): Keras 0 took the input size first "
                 f"(current Keras infers it) and the output size second",
                 explanation=(f"In Keras 0, {name}(input_dim, output_dim) took the input size first and the layer's own "
                              f"size second. Keras 2 and 3 read the second positional argument of {name} as "
                              f"activation=, and {shown} is no activation: the layer raises " + (
                                  "TypeError (multiple values for argument 'activation'), since activation= is given "
                                  "too" if twice else
                                  f"\"Could not interpret activation function identifier: {number}\" (ValueError on "
                                  f"Keras 3, TypeError on tf.keras 2" +
                                  (f", N the number {shown} holds" if number == "N" else "") + ")") +
                              " when it is made."),
                 facts={"activation": size if type(size) is int else shown})


def _keras1_kernel_arguments(positional: tuple) -> bool:
    """``Convolution2D(32, 3, 3)``: filters, rows, cols.  Not Keras 0's ``Convolution2D(32, 32, 3, 3)`` (filters, input
    channels, rows, cols), whose fourth integer Keras 3 reads as padding= and fails on."""
    if len(positional) < 3 or int_value(positional[1]) is None or int_value(positional[2]) is None:
        return False
    return len(positional) == 3 or int_value(positional[3]) is None


def _keras1_keywords(call) -> bool:
    """A layer call written with Keras 1's keywords (border_mode=, init=, ...): its positional arguments are Keras 1's
    too (``Conv2D(32, 3, 3, border_mode="same")``: a 3x3 kernel, where a modern ``Conv2D(64, 4, 4)`` may mean
    strides of 4, a patch embedding)."""
    return any(arg.keyword is not None and arg.keyword.value in LAYER_KEYWORDS for arg in call.args.nodes)


def _kernel_tuple_fix(node: cst.Call, name: str):
    """``Convolution2D(32, 3, 3, ...)`` -> ``Conv2D(32, (3, 3), ...)`` (the name only where it is an attribute)."""
    args = list(node.args)
    rows, cols = args[1], args[2]
    kernel = cst.Arg(cst.Tuple([cst.Element(rows.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                                cst.Element(cols.value)]), comma=cols.comma)
    func = node.func
    if isinstance(func, cst.Attribute):
        func = func.with_changes(attr=cst.Name(f"Conv{name[-2:]}"))
    replacement = node.with_changes(func=func, args=[args[0], kernel, *args[3:]])
    return safe_fix(f"pass the kernel size as one tuple: {name}(filters, (rows, cols))", node, replacement)


def float_sizes(script: Script, call: CallSite, name: str):
    """``Dense(vocab / 2)``, ``Dense(64.0)``, ``Conv2D(width / 2, 3)``: Keras 2 took int() of the size; Keras 3 raises
    ValueError (Dense and Embedding when the layer is made, a convolution when it is built). A size is a float when it
    is a float constant or a true division (``/`` always makes a float in Python 3)."""
    for keyword, position in INTEGER_SIZES.get(name, ()):
        arg = call.args.node_of(keyword, position)
        if arg is None:
            continue
        value = const_value(call.args.get(keyword, position))
        divided = type(arg.value) is cst.BinaryOperation and type(arg.value.operator) is cst.Divide
        if not _true_division(arg.value) and not (isinstance(value, float) and not isinstance(value, bool)):
            continue
        fix = integer_quotient(script, arg.value)[1] if divided else None  # type: ignore[arg-type]
        when = "when the layer is made" if name in _SIZES_CHECKED_WHEN_MADE else \
            "when the layer is built (at the model's Input or its first fit())"
        yield Report(arg.value, f"{name}({keyword}=...) is a float: Keras 3 raises ValueError (it needs an integer)",
                     "divide with // or wrap the size in int()", fix,
                     explanation=(f"Keras 3's {name}() raises ValueError for a float {keyword} {when}, before any "
                                  f"training (tf.keras 2's {name} turned it into an integer with int()). In Python 3, "
                                  f"/ always makes a float, even for 10 / 2."),
                     facts={"keyword": keyword})


# Layers whose constructor checks its size (Keras 3.15.1: "expected a positive integer"); a convolution's filters are
# only used, and refused, when its kernel is made.
_SIZES_CHECKED_WHEN_MADE = frozenset({"Dense", "Embedding"})


def string_units(call: CallSite, name: str):
    """``Dense(units='128')``: tf.keras 2's Dense took int(units), so a number written as a string worked; Keras 3
    raises ValueError.  Only Dense: tf.keras 2's Embedding already refused a string size (TypeError)."""
    if name != "Dense":
        return
    arg = call.args.node_of("units", 0)
    value = const_value(call.args.get("units", 0)) if arg is not None else None
    if not isinstance(value, str) or not value.strip().isdecimal() or not value.strip().isascii():
        return
    literal = type(arg.value) is cst.SimpleString
    fix = safe_fix(f"write the number: units={int(value)}", arg.value, cst.Integer(str(int(value)))) if literal else None
    yield Report(arg.value, "Dense(units=...) is a string: Keras 3 raises ValueError (it needs an integer)",
                 f"pass the number {int(value)}, not a string", fix,
                 explanation=("Keras 3's Dense() raises ValueError (\"expected a positive integer\") for units given as "
                              "a string, before any training; tf.keras 2's Dense turned it into an integer with "
                              "int()."),
                 facts={"keyword": "units"})


def _true_division(expression: cst.BaseExpression) -> bool:
    """Whether the arithmetic holds a ``/`` whose float reaches the result: ``n / 2``, ``n + 1 / 2``, ``(n / 2) // 1``
    (a float floor-divided is still a float); not inside a call (``int(n / 2)``) or a subscript."""
    if type(expression) is cst.UnaryOperation:
        return _true_division(expression.expression)
    if type(expression) is not cst.BinaryOperation or type(expression.operator) not in BINOPS:
        return False
    return type(expression.operator) is cst.Divide or _true_division(expression.left) or \
        _true_division(expression.right)


def integer_shape(call: CallSite, name: str):
    """``keras.Input(shape=784)`` or ``Input(shape=(X.shape[1]))`` (parentheses around one value make no tuple):
    tf.keras 2's InputLayer turned an integer into a one-element shape; Keras 3 raises ValueError."""
    for keyword, position in INTEGER_SHAPES.get(name, ()):
        arg = call.args.node_of(keyword, position)
        value = call.args.get(keyword, position)
        if arg is None or not _an_integer(value):
            continue
        shown = f"{keyword}={_short_code(arg.value)}"
        tupled = cst.Tuple([cst.Element(arg.value.with_changes(lpar=[], rpar=[]))])
        # a name may be a parameter that other callers give a tuple: rewriting the use would break those calls
        fix = None if type(arg.value) is cst.Name else \
            safe_fix("make the shape a one-element tuple", arg.value, tupled)
        yield Report(arg.value, f"{name}({shown}) is one integer: Keras 3 raises ValueError (a shape is a tuple)",
                     "write the shape as a one-element tuple: (n,)", fix,
                     explanation=(f"tf.keras 2's InputLayer turned an integer shape n into (n,). Keras 3's {name}() "
                                  f"raises ValueError (Cannot convert ... to a shape) before the model is built "
                                  f"(checked on 3.15.1). Parentheses around one value, as in shape=(n), make no "
                                  f"tuple: the comma does, shape=(n,)."),
                     facts={"keyword": keyword})
        return


def _an_integer(value: object) -> bool:
    """A plain integer (not a tuple of them): a constant, ``len()`` of something, a dimension of an array's shape."""
    if isinstance(value, Const):
        return type(value.value) is int or isinstance(value, KnownLen)
    return isinstance(value, (LenValue, UnknownInteger))


def _short_code(node: cst.BaseExpression) -> str:
    """The argument as written, or "..." where it would make the message long."""
    text = rendered(node)
    return text if len(text) <= 16 else "..."


def keras_2_layers(call: CallSite, layers: Value | None):
    """``Sequential([hub.KerasLayer(url), Dense(5)])`` or ``model.add(hub.KerasLayer(url))``: a layer of a package
    built on tf_keras (Keras 2), which Keras 3's Sequential refuses."""
    items = layers.items if isinstance(layers, Seq) else (layers,) if layers is not None else ()
    for item in items:
        if isinstance(item, Instance) and item.cls in KERAS_2_LAYER_CLASSES and item.node is not None:
            name = item.cls.rsplit(".", 1)[-1]
            yield Report(item.node, f"{name} of {item.cls.split('.')[0]} is a tf_keras layer: Keras 3's Sequential "
                                    f"refuses it (ValueError)",
                         "install tf_keras and set TF_USE_LEGACY_KERAS=1 before TensorFlow is imported (the script "
                         "then runs on Keras 2), or use a Keras 3 model (keras.applications, KerasHub)",
                         explanation=(f"{item.cls.split('.')[0]} builds {name} on tf_keras's Layer when tf.keras is "
                                      f"Keras 3 (TensorFlow 2.16 and later); Keras 3's Sequential accepts only Keras 3 "
                                      f"layers and stops with 'ValueError: Only instances of keras.Layer can be added "
                                      f"to a Sequential model' (checked with tensorflow_hub 0.16.1 and TensorFlow "
                                      f"2.21)."),
                         facts={"layer": item.cls})


def sequential_of_one(call: CallSite):
    """``Sequential(base)`` / ``Sequential(Dense(3))``: one layer or model where a list of them belongs.  tf.keras 2's
    Sequential wrapped a lone layer into a list; Keras 3's iterates its argument and raises TypeError ('Dense'
    object is not iterable, checked on 3.15.1)."""
    arg = call.args.node_of("layers", 0)
    value = call.args.get("layers", 0)
    if arg is None or arg.star or not isinstance(value, (LayerValue, ModelValue)):
        return
    what = "a model" if isinstance(value, ModelValue) else "one layer"
    yield Report(arg.value, f"Sequential() gets {what}, not a list of layers: Keras 3 raises TypeError",
                 "put it in a list: Sequential([...])",
                 safe_fix("put it in a list", arg.value, cst.List([cst.Element(arg.value)])),
                 explanation=("tf.keras 2's Sequential accepted a single layer and wrapped it into a list; Keras 3's "
                              "Sequential(layers) iterates what it is given and stops with TypeError (object is not "
                              "iterable) before the model is built (checked on 3.15.1)."),
                 facts={"given": "model" if isinstance(value, ModelValue) else "layer"})


# The kinds of model whose layers are Keras's own (not a KerasHub or unread package's, whose Keras may be 2).
_KERAS_MODEL_KINDS = frozenset({"sequential", "functional", "application", "loaded", "subclassed"})


def layer_shape_attributes(script: Script):
    """``layer.output_shape`` / ``layer.input_shape`` of a Keras layer (``for layer in model.layers``, ``Dense(3)``
    bound to a name): tf.keras 2's layer attributes, gone from Keras 3's layers (KERAS_2_LAYER_ATTRIBUTES); not of a
    Sequential or functional model, which keeps them, nor where the read is guarded."""
    for read in script.library_attribute_reads.values():
        node, attribute = read.node, read.attribute
        tensor = KERAS_2_LAYER_ATTRIBUTES.get(attribute)
        if tensor is None or read.guarded or not _a_keras_3_layer(read.value) or _type_tested_above(script, node):
            continue
        holder = script.code_of(node.value)
        yield Report(node, f"{holder}.{attribute} does not exist on a Keras 3 layer: AttributeError",
                     f"read {holder}.output.shape (the layer's output tensor in a built model)"
                     if tensor == "output" else
                     f"read {holder}.input.shape for a layer after the model's input (an InputLayer's input is []), "
                     f"or the model's input_shape",
                     explanation=(f"tf.keras 2's layers had {attribute}; Keras 3's layers have no such attribute (a "
                                  f"Sequential or functional model still has one), so this read stops the script "
                                  f"with AttributeError (checked on Keras 3.15.1). In a built model a layer's "
                                  f"{tensor} tensor has the shape: {holder}.{tensor}.shape."),
                     facts={"attribute": attribute, "replacement": f"{tensor}.shape"})


def _a_keras_3_layer(value: Value) -> bool:
    """A layer of Keras's own: a layer made from keras.layers, or the layers of a Keras model (``model.layers``) met
    one after another in a loop over all of them (some is a plain layer: a model's input layer, its head), or taken
    by index or from a slice or a reversed list, when every layer of that model was followed and none is a model (a
    model in ``model.layers``, a transfer-learning base or an ensemble's member, has ``output_shape``)."""
    if isinstance(value, CopiedLayer):
        model = value.model
        if model is None or model.kind not in _KERAS_MODEL_KINDS or model.keras_2:
            return False
        return value.whole or (model.structure_known and not any(layer.nested is not None
                                                                 for layer in model.all_layers()))
    return isinstance(value, LayerValue) and value.layer.qualname.startswith("keras.layers.")


# Lines above an attribute read searched for a type test that may keep layers out (``if isinstance(layer, Model):``).
_TYPE_TEST_LINES = 3


def _type_tested_above(script: Script, node: cst.Attribute) -> bool:
    """Whether the read's line or one of the few above it tests a type (``isinstance(layer, keras.Model)``): the
    loop may read only the models among the layers, which keep ``output_shape``."""
    where = script.position(node)
    if where is None:
        return True
    first = max(1, where.start.line - _TYPE_TEST_LINES)
    return any("isinstance(" in script.line_text(line) for line in range(first, where.start.line + 1))

