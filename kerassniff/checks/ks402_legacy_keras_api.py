"""KS402 legacy-keras-api (seed 003).

Every version claim below was checked: Keras 3.15 by running it, tf.keras 2.x and standalone Keras 2.0-2.3 against
their sources and the warnings they print (see rules/KS402.md).
"""
from __future__ import annotations

import libcst as cst

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import Edit, Fix, safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import DATA_METHODS as MODEL_METHODS, GENERATOR_METHODS
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
    "decay": ("a learning-rate schedule", "pass learning_rate=keras.optimizers.schedules.InverseTimeDecay("
                                          "<lr>, decay_steps=1, decay_rate=<decay>), which is what decay= did"),
}
# What each table's old keyword does on each Keras: (the consequence for the message, the story for the explanation).
CALL_STORY = ("Keras 3 stops with TypeError",
              "'{old}=' is the Keras 1 name of '{modern}='. Keras 3's fit()/evaluate()/predict() have no such argument "
              "(TypeError: unexpected keyword argument); standalone Keras 2.0-2.3 still renamed it with a warning.")
LAYER_STORY = ("Keras 3 stops with ValueError",
               "'{old}=' is the Keras 1 name of '{modern}='. Keras 3 layers raise ValueError (Unrecognized keyword "
               "arguments), tf.keras 2 layers TypeError (Keyword argument not understood); only standalone Keras "
               "2.0-2.3 renamed it with a warning.")
OPTIMIZER_STORIES = {
    "lr": ("is ignored by tf.keras 2.11-2.15 and rejected by Keras 3",
           "tf.keras <= 2.10 read lr= as learning_rate= (with a deprecation warning). tf.keras 2.11-2.15 log a "
           "warning and drop it, so the optimizer silently trains at its default learning rate (0.001 for Adam). "
           "Keras 3 raises ValueError: Argument(s) not recognized."),
    "decay": ("is ignored by Keras 3 and rejected by tf.keras 2.11+",
              "decay= decayed the learning rate as lr / (1 + decay * iterations) in Keras 2 and tf.keras <= 2.10. "
              "Keras 3 warns that it is no longer supported and trains at a constant learning rate; tf.keras "
              "2.11-2.15 raise ValueError."),
}
LOWERCASE_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                        "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    removed = [r for r in run.data.get("removed_api", []) if r["line"] == finding.line]
    if not removed:
        return None
    keras = ", ".join(run.data.get("keras") or ["Keras"])
    if run.data.get("has_fit_generator") is False:
        return Verdict(True, f"{keras} has no Model.{removed[0]['name']}: the script fails here with AttributeError")
    return Verdict(False, f"{keras} still has Model.{removed[0]['name']} (deprecated)")


@rule("KS402", "legacy-keras-api", Severity.ERROR,
      "Keras 1/2 arguments and names that current Keras rejects, ignores or silently reinterprets",
      "use the modern spelling named in the message", verdict=verdict)
def check(script: Script):
    for call in script.calls:
        callee = call.callee or ""
        keras_callee = is_keras(callee)
        on_model = isinstance(call.receiver, ModelValue) or (call.method in MODEL_METHODS and isinstance(call.receiver, Unknown))
        if call.guarded and any(a.keyword is not None and a.keyword.value in CALL_KEYWORDS for a in call.args.nodes):
            continue  # a Keras 1 call (nb_epoch=, samples_per_epoch=) in a version shim: the old branch, not run today
        if call.method in GENERATOR_METHODS and on_model:
            modern = GENERATOR_METHODS[call.method]
            yield Report(call.node.func, f"model.{call.method}() was removed in Keras 3: AttributeError",
                         f"call model.{modern}(), which accepts generators and datasets",
                         _generator_method_fix(call.node, modern),
                         explanation=(f"tf.keras 2 deprecated model.{call.method}() once model.{modern}() accepted "
                                      f"generators, and runs it with a deprecation warning up to 2.15; Keras 3 has "
                                      f"no such method."),
                         facts={"method": call.method, "modern": modern})
        if call.guarded:
            # Inside a version check or an ImportError fallback, Keras 1 spellings are the shim's other branch
            # (``if keras_2: ... else: fit(nb_epoch=...)``); what Keras 3 removed from Keras 2 is still reported.
            continue
        if on_model and call.method in MODEL_METHODS:
            yield from _keywords(call, CALL_KEYWORDS, f"model.{call.method}()", CALL_STORY)
        if not keras_callee:
            continue
        package = callee.split(".")[1] if callee.count(".") >= 2 else ""
        name = short(callee)
        if package == "layers":
            yield from _keywords(call, LAYER_KEYWORDS, f"{name}()", LAYER_STORY)
            if name == "Dense":
                yield from _keywords(call, DENSE_ONLY_KEYWORDS, f"{name}()", LAYER_STORY)
            if name.startswith("Convolution") and len(call.args.positional) >= 3 and \
                    int_value(call.args.positional[1]) is not None and int_value(call.args.positional[2]) is not None:
                rows, cols = int_value(call.args.positional[1]), int_value(call.args.positional[2])
                yield Report(call.node, (
                    f"{name}(filters, {rows}, {cols}) silently strides by {cols}: the third argument is strides"),
                    f"write Conv{name[-2:]}(filters, ({rows}, {cols}))", _kernel_tuple_fix(call.node, name),
                    explanation=(f"In Keras 1 this meant a {rows}x{cols} kernel. tf.keras 2 and Keras 3 read the "
                                 f"third positional argument as strides={cols}, so the layer skips pixels without any "
                                 f"error; only standalone Keras 2.0-2.3 converted the call, with a warning."),
                    facts={"strides": cols})
        elif package == "optimizers":
            yield from _keywords(call, OPTIMIZER_KEYWORDS, f"{name}()", None)
            if name in LOWERCASE_OPTIMIZERS:
                yield Report(call.node.func, (
                    f"optimizers.{name}() is an old lowercase alias: Keras 3 stops with AttributeError"),
                    f"use optimizers.{LOWERCASE_OPTIMIZERS[name]}()",
                    _rename_attribute(call.node.func, LOWERCASE_OPTIMIZERS[name]),
                    explanation=(f"Standalone Keras 2.x up to 2.3 kept lowercase aliases of the optimizer classes; "
                                 f"Keras 3 has only the class, optimizers.{LOWERCASE_OPTIMIZERS[name]}."))
    yield from _np_utils(script)


def _keywords(call, table, where: str, story: tuple[str, str] | None):
    """One report per legacy keyword; ``story`` is the table's (consequence, explanation), None for the optimizer
    keywords, whose stories differ per keyword (OPTIMIZER_STORIES)."""
    for arg in call.args.nodes:
        if arg.keyword is not None and arg.keyword.value in table:
            old = arg.keyword.value
            modern, hint = table[old]
            fix = None
            present = {a.keyword.value for a in call.args.nodes if a.keyword is not None}
            if modern.isidentifier() and modern not in present:
                fix = safe_fix(f"rename {old}= to {modern}=", arg, arg.with_changes(keyword=cst.Name(modern)))
            if story is None:
                consequence, explanation = OPTIMIZER_STORIES[old]
                message = f"'{old}=' in {where} {consequence}"
            else:
                consequence, explanation = story
                message = f"'{old}=' in {where} is the Keras 1 name of '{modern}=': {consequence}"
                explanation = explanation.format(old=old, modern=modern)
            yield Report(arg, message, hint, fix, explanation=explanation, facts={"keyword": old, "modern": modern})


def _np_utils(script: Script):
    for reference in script.references:
        # tensorflow.python.keras (TensorFlow's private copy of Keras 2) still has np_utils
        if reference.raw.endswith(".utils.np_utils") and ".python." not in reference.raw and not reference.guarded:
            yield Report(reference.node, "keras.utils.np_utils does not exist in Keras 3: ModuleNotFoundError",
                         "import to_categorical from keras.utils instead: 'from keras.utils import to_categorical'",
                         _np_utils_fix(script, reference),
                         explanation=("Keras 3 has no keras.utils.np_utils module (nor tensorflow.keras.utils.np_utils "
                                      "on TensorFlow 2.16+, which uses Keras 3); to_categorical is in keras.utils "
                                      "itself, in Keras 2 as well."))
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
