"""KS402 legacy-keras-api (seed 003)."""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.fixes import Edit, Fix, safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import ModelValue, Unknown, int_value

# keyword -> (modern spelling, what to say)
CALL_KEYWORDS = {
    "nb_epoch": ("epochs", "rename nb_epoch= to epochs="),
    "samples_per_epoch": ("steps_per_epoch", "it counted samples; steps_per_epoch counts batches: "
                                             "use steps_per_epoch=len(x_train) // batch_size"),
    "nb_val_samples": ("validation_steps", "it counted samples; validation_steps counts batches: "
                                           "use validation_steps=len(x_val) // batch_size"),
    "nb_worker": ("workers", "rename nb_worker= to workers= (Keras 3 drops it: pass a PyDataset)"),
}
LAYER_KEYWORDS = {
    "border_mode": ("padding", "rename border_mode= to padding="),
    "subsample": ("strides", "rename subsample= to strides="),
    "init": ("kernel_initializer", "rename init= to kernel_initializer="),
    "W_regularizer": ("kernel_regularizer", "rename W_regularizer= to kernel_regularizer="),
    "b_regularizer": ("bias_regularizer", "rename b_regularizer= to bias_regularizer="),
    "W_constraint": ("kernel_constraint", "rename W_constraint= to kernel_constraint="),
    "b_constraint": ("bias_constraint", "rename b_constraint= to bias_constraint="),
    "nb_filter": ("filters", "rename nb_filter= to filters="),
    "dim_ordering": ("data_format", "use data_format='channels_last' / 'channels_first'"),
}
# Keras 1 names that are still valid on some layers (Embedding(output_dim=...)): only these layers are flagged.
DENSE_ONLY_KEYWORDS = {"output_dim": ("units", "rename output_dim= to units=")}
OPTIMIZER_KEYWORDS = {
    "lr": ("learning_rate", "rename lr= to learning_rate="),
    "decay": ("a learning-rate schedule", "pass learning_rate=keras.optimizers.schedules.InverseTimeDecay(...)"),
}
GENERATOR_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}
LOWERCASE_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                        "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}
MODEL_METHODS = {"fit", "fit_generator", "evaluate", "evaluate_generator", "predict", "predict_generator"}
REMOVED = "Keras 3 and tf.keras 2.x reject it"


@rule("KS402", "legacy-keras-api", Severity.ERROR,
      "Keras 1/2 arguments and names that modern Keras rejects",
      "use the modern spelling named in the message")
def check(script: Script):
    for call in script.calls:
        callee = call.callee or ""
        keras_callee = is_keras(callee)
        on_model = isinstance(call.receiver, ModelValue) or (call.method in MODEL_METHODS and isinstance(call.receiver, Unknown))
        if call.method in GENERATOR_METHODS and on_model:
            modern = GENERATOR_METHODS[call.method]
            yield Report(call.node.func, (
                f"model.{call.method}() was deprecated in TensorFlow 2.1 and removed in Keras 3: "
                f"{REMOVED} (AttributeError)"), f"call model.{modern}(), which accepts generators and datasets",
                _generator_method_fix(call.node, modern))
        if call.guarded:
            # Inside a version check or an ImportError fallback, Keras 1 spellings are the shim's other branch
            # (``if keras_2: ... else: fit(nb_epoch=...)``); what Keras 3 removed from Keras 2 is still reported.
            continue
        if on_model and call.method in MODEL_METHODS:
            yield from _keywords(call, CALL_KEYWORDS, f"model.{call.method}()")
        if not keras_callee:
            continue
        package = callee.split(".")[1] if callee.count(".") >= 2 else ""
        name = short(callee)
        if package == "layers":
            yield from _keywords(call, LAYER_KEYWORDS, f"{name}()")
            if name == "Dense":
                yield from _keywords(call, DENSE_ONLY_KEYWORDS, f"{name}()")
            if name.startswith("Convolution") and len(call.args.positional) >= 3 and \
                    int_value(call.args.positional[1]) is not None and int_value(call.args.positional[2]) is not None:
                rows, cols = int_value(call.args.positional[1]), int_value(call.args.positional[2])
                yield Report(call.node, (
                    f"{name}(filters, {rows}, {cols}) is the Keras 1 signature: Keras 2+ reads the third argument "
                    f"as strides={cols}, so this layer silently strides by {cols} (or fails in Keras 3)"),
                    f"write Conv{name[-2:]}(filters, ({rows}, {cols}))", _kernel_tuple_fix(call.node, name))
        elif package == "optimizers":
            yield from _keywords(call, OPTIMIZER_KEYWORDS, f"{name}()")
            if name in LOWERCASE_OPTIMIZERS:
                yield Report(call.node.func, (
                    f"optimizers.{name}() is a Keras 2.2 lowercase alias: {REMOVED} (AttributeError)"),
                    f"use optimizers.{LOWERCASE_OPTIMIZERS[name]}()",
                    _rename_attribute(call.node.func, LOWERCASE_OPTIMIZERS[name]))
    yield from _np_utils(script)


def _keywords(call, table, where: str):
    for arg in call.args.nodes:
        if arg.keyword is not None and arg.keyword.value in table:
            old = arg.keyword.value
            modern, hint = table[old]
            fix = None
            present = {a.keyword.value for a in call.args.nodes if a.keyword is not None}
            if modern.isidentifier() and modern not in present:
                fix = safe_fix(f"rename {old}= to {modern}=", arg, arg.with_changes(keyword=cst.Name(modern)))
            yield Report(arg, f"{where} argument '{old}=' is the Keras 1/2 spelling of '{modern}': {REMOVED} "
                              f"(TypeError: unrecognized keyword argument)", hint, fix)


def _np_utils(script: Script):
    for reference in script.references:
        # tensorflow.python.keras (TensorFlow's private copy of Keras 2) still has np_utils
        if reference.raw.endswith(".utils.np_utils") and ".python." not in reference.raw and not reference.guarded:
            yield Report(reference.node, (
                "keras.utils.np_utils was removed (tf.keras 2.9+, Keras 3): importing it fails with "
                "ModuleNotFoundError"), "import to_categorical from keras.utils instead: "
                                        "'from keras.utils import to_categorical'", _np_utils_fix(script, reference))
            return


def _np_utils_fix(script: Script, reference):
    """``keras.utils.np_utils`` -> ``keras.utils``; ``from keras.utils import np_utils`` plus its
    ``np_utils.to_categorical(...)`` uses -> ``from keras.utils import to_categorical`` and ``to_categorical(...)``."""
    node = reference.node
    if isinstance(node, cst.Attribute):  # keras.utils.np_utils.to_categorical, from keras.utils.np_utils import ...
        return safe_fix("drop np_utils: keras.utils.to_categorical", node, node.value)
    if not isinstance(node, cst.ImportAlias) or node.asname is not None:
        return None
    uses = [r for r in script.references if r.raw == reference.raw and isinstance(r.node, cst.Name)
            and r.node.value == "np_utils"]
    calls = [r for r in script.references if r.raw == f"{reference.raw}.to_categorical"
             and isinstance(r.node, cst.Attribute) and isinstance(r.node.value, cst.Name)]
    if len(uses) != len(calls):
        return None  # np_utils is used for something else too: a human decides
    edits = [Edit(node, node.with_changes(name=cst.Name("to_categorical")))]
    edits += [Edit(r.node, cst.Name("to_categorical")) for r in calls]
    return Fix("import to_categorical from keras.utils", tuple(edits))


# Keywords model.fit/evaluate/predict accept in Keras 3 (fit_generator's 'generator=' becomes 'x=').
MODERN_CALL_KEYWORDS = frozenset(
    "x y batch_size epochs verbose callbacks validation_split validation_data shuffle class_weight sample_weight "
    "initial_epoch steps_per_epoch validation_steps validation_batch_size validation_freq steps return_dict".split())


def _generator_method_fix(node: cst.Call, modern: str):
    """``model.fit_generator(generator=g, ...)`` -> ``model.fit(x=g, ...)``, when every other keyword carries over."""
    if not isinstance(node.func, cst.Attribute):
        return None
    keywords = [a.keyword.value for a in node.args if a.keyword is not None]
    if any(k != "generator" and k not in MODERN_CALL_KEYWORDS for k in keywords):
        return None  # workers=, max_queue_size=, ... have no place in Keras 3's fit(): a human decides
    args = [a.with_changes(keyword=cst.Name("x")) if a.keyword is not None and a.keyword.value == "generator" else a
            for a in node.args]
    replacement = node.with_changes(func=node.func.with_changes(attr=cst.Name(modern)), args=args)
    return safe_fix(f"call .{modern}()", node, replacement)


def _rename_attribute(node: cst.BaseExpression, name: str):
    """``model.fit_generator`` -> ``model.fit``: only when the callee is spelled as an attribute."""
    if not isinstance(node, cst.Attribute):
        return None
    return safe_fix(f"rename .{node.attr.value} to .{name}", node, node.with_changes(attr=cst.Name(name)))


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
