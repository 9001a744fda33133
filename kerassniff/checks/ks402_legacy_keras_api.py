"""KS402 legacy-keras-api (seed 003).

Every version claim below was checked: Keras 3.15 by running it, tf.keras 2.x and standalone Keras 2.0-2.3 against
their sources and the warnings they print (see rules/KS402.md).
"""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from kerassniff.checks._ks402_class_weight import class_weight_not_a_dict
from kerassniff.checks._ks402_methods import (
    SAVE_FUNCTIONS,
    compile_keywords,
    functional_add_loss,
    loss_reading_graph_tensors,
    metric_added,
    iterator_next,
    metrics_not_a_list,
    metrics_per_output,
    LIST_CHANGES,
    changes_a_fresh_copy,
    layer_list_changed,
    positional_grayscale,
    python_numbers,
    load_name,
    save_name,
    tensorflow_1_optimizer,
    unknown_keywords,
    yaml_export,
)
from kerassniff.checks._ks402_h5_losses import (h5_saves_loaded_elsewhere, h5_saves_read_without_compiling,
                                               unreadable_h5_saves)
from kerassniff.checks._ks402_tensorflow_ops import private_tensor_attributes, tensorflow_ops_on_keras_tensors
from kerassniff.checks._ks402_unbuilt import weights_before_build
from kerassniff.checks._ks402_optimizers import (
    epsilon_none,
    keras_3_optimizer,
    legacy_optimizer,
    optimizer_attributes,
    schedule_returns_tensor,
)
from kerassniff.checks._ks402_shared_optimizer import shared_optimizers
from kerassniff.checks._ks402_callbacks import callback_attributes, callback_model_set
from kerassniff.checks._ks402_history import history_keys, learning_rate_key
from kerassniff.checks._ks402_layers import (
    float_sizes,
    string_units,
    integer_shape,
    defaulted_argument_missing,
    keras0_sizes,
    keras1_kernel,
    keras_2_layers,
    layer_shape_attributes,
    sequential_of_one,
)
from kerassniff.checks._ks402_keywords import (
    CALL_STORY,
    KERAS_2_LAYER_KEYWORDS,
    compile_positional_metrics,
    layer_keywords,
    legacy_keywords,
    model_keywords,
    optimizer_keywords,
    recurrent_input_keywords,
    removed_keywords,
)
from kerassniff.checks._ks402_names import removed_names
from kerassniff.checks._shared import keras_2_only
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import safe_fix
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import (
    CALL_KEYWORDS,
    LEGACY_KERAS_VARIABLE,
    LOAD_FUNCTIONS,
    LOWERCASE_OPTIMIZERS,
    PRIVATE_COPY,
    RECURRENT_LAYERS,
    REMOVED_CALL_KEYWORDS,
    REMOVED_LAYER_KEYWORDS,
    MODEL_METHODS_GONE,
    REMOVED_MODEL_METHODS,
    REMOVED_OPTIMIZER_KEYWORDS,
    SAVE_SUFFIXES,
    YAML_METHOD,
    UTILITY_FUNCTIONS,
)
from kerassniff.semantic.knowledge.model_api import DATA_METHODS as MODEL_METHODS, GENERATOR_METHODS
from kerassniff.semantic.names import is_keras, keras_relative, short
from kerassniff.semantic.values import Instance, LayerList, ModelValue, Unknown, const_value



def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    removed = [r for r in run.data.get("removed_api", []) if r["line"] == finding.line]
    if not removed:
        return None
    keras = ", ".join(run.data.get("keras") or ["Keras"])
    if run.data.get("has_fit_generator") is False:
        return Verdict(True, f"{keras} has no Model.{removed[0]['name']}: the script fails here with AttributeError")
    return Verdict(False, f"{keras} still has Model.{removed[0]['name']} (deprecated)")


# The methods judged below whatever their receiver (a metric object, an iterator, an optimizer, a layer).
_METHODS_OF_ANY_RECEIVER = frozenset({"reset_states", "next", "apply_gradients", "add_metric", *REMOVED_MODEL_METHODS})
# A call is judged below only for a Keras callee, one of these methods, or a receiver of these kinds.
_METHODS_JUDGED = _METHODS_OF_ANY_RECEIVER | frozenset(MODEL_METHODS)
_RECEIVERS_JUDGED = (ModelValue, LayerList)


@rule("KS402", "legacy-keras-api", Severity.ERROR,
      "Keras 1/2 arguments and names that current Keras rejects, ignores or silently reinterprets",
      "use the modern spelling named in the message", verdict=verdict)
def check(script: Script):
    """Every finding below (the engine drops those inside a module-level function or class a run of the script never
    reaches: that code cannot fail, :func:`kerassniff.engine.lint_file.outside_unreached_definitions`)."""
    yield from _one_per_line_of_missing_names(script, list(_findings(script)))


@across_scripts("KS402")
def check_across(scripts: list[Script]):
    """A model file its script reads back only with load_weights() that another script of the run loads as a model:
    that script's load_model() fails on the short loss name (the report is the saving script's); and the saving
    script's report taken back when other scripts of the run read the file, every one with compile=False or
    load_weights(), and none loads it compiling (:func:`h5_saves_read_without_compiling`)."""
    yield from h5_saves_loaded_elsewhere(scripts, _keras_3_model)
    yield from h5_saves_read_without_compiling(scripts, _keras_3_model)


_MISSING = " does not exist in "


def _one_per_line_of_missing_names(script: Script, reports: list[Report]) -> list[Report]:
    """A name that does not exist read inside the call of another (``K.function([model.input,
    K.learning_phase()], ...)``, ``tf.ConfigProto(gpu_options=tf.GPUOptions(...))``) goes with that call's rewrite:
    one finding, at the call, naming the inner one (and its fix) in its explanation.  Names side by side (``from
    keras.layers import Deconvolution2D, MaxoutDense``) each keep their own finding and fix."""
    missing = [report for report in reports if _MISSING in report.message]
    if len(missing) < 2:
        return reports
    calls = {id(call.node.func): call.node for call in script.calls}
    inner: dict[int, list[Report]] = {}
    script.want_positions([report.node for report in missing] +
                          [calls[id(report.node)] for report in missing if id(report.node) in calls])
    for outer in missing:
        call = calls.get(id(outer.node))
        where = script.position(call) if call is not None else None
        if where is None:
            continue
        for report in missing:
            at = script.position(report.node) if report is not outer else None
            if at is not None and (where.start.line, where.start.column) < (at.start.line, at.start.column) and \
                    (at.end.line, at.end.column) <= (where.end.line, where.end.column):
                inner.setdefault(id(outer), []).append(report)
    dropped = {id(report) for reports_in in inner.values() for report in reports_in}
    kept: list[Report] = []
    for report in reports:
        if id(report) in dropped:
            continue
        if id(report) in inner:
            others = script.in_source_order(inner[id(report)], lambda other: other.node)
            hints = {report.fix_hint}
            words = []
            for other in others:
                told = other.fix_hint if other.fix_hint not in hints else None
                hints.add(other.fix_hint)
                words.append(f"Inside it, {other.message.split(_MISSING)[0]} does not exist either"
                             f"{f' ({told})' if told else ''}.")
            also = " ".join(words)
            report = replace(report, explanation=f"{report.explanation or ''} {also}".strip())
        kept.append(report)
    return kept


def _findings(script: Script):
    yield from _private_copy_runs(script)
    yield from tensorflow_ops_on_keras_tensors(script)
    yield from private_tensor_attributes(script)
    yield from unreadable_h5_saves(script, _keras_3_model)
    yield from weights_before_build(script, _keras_3_model)
    for call in script.calls:
        callee = call.callee or ""
        keras_callee = is_keras(callee)
        if not keras_callee and call.method not in _METHODS_JUDGED and not isinstance(call.receiver, _RECEIVERS_JUDGED):
            continue  # most calls (the same test as below's, told before the receiver is looked at closer)
        # a model built where kerassniff cannot read (kind "external") may be any Keras's: judged as an unknown object
        known = isinstance(call.receiver, ModelValue) and call.receiver.model.kind != "external"
        unknown = isinstance(call.receiver, Unknown) or (isinstance(call.receiver, ModelValue) and not known) or (
            call.method in GENERATOR_METHODS and isinstance(call.receiver, Instance) and
            call.receiver.local_class is None)  # CNN(...) of an unread module: only Keras models have fit_generator
        on_model = known or (call.method in MODEL_METHODS and unknown)
        if not keras_callee and not on_model and call.method not in _METHODS_OF_ANY_RECEIVER \
                and not isinstance(call.receiver, LayerList):
            continue  # most calls: nothing below judges a call of another library on another object
        if call.guarded and any(a.keyword is not None and a.keyword.value in CALL_KEYWORDS for a in call.args.nodes):
            continue  # a Keras 1 call (nb_epoch=, samples_per_epoch=) in a version shim: the old branch, not run today
        if call.method in GENERATOR_METHODS and on_model and not _private_model(script, call):
            modern = GENERATOR_METHODS[call.method]
            # the keywords to drop with it (the renamed ones, nb_epoch= and the like, have findings of their own)
            refused = [a.keyword.value for a in call.args.nodes if a.keyword is not None and
                       a.keyword.value in REMOVED_CALL_KEYWORDS]
            yield Report(call.node.func, f"model.{call.method}() was removed in Keras 3: AttributeError",
                         f"call model.{modern}(), which accepts generators and datasets" +
                         (f", without {', '.join(f'{k}=' for k in refused)} (Keras 3's {modern}() does not take "
                          f"{'it' if len(refused) == 1 else 'them'})" if refused else ""),
                         _generator_method_fix(call.node, modern),
                         explanation=(f"tf.keras 2 deprecated model.{call.method}() once model.{modern}() accepted "
                                      f"generators, and runs it with a deprecation warning up to 2.15; Keras 3 has "
                                      f"no such method."),
                         facts={"method": call.method, "modern": modern})
        if known and call.method == "add" and call.receiver.model.kind == "sequential" and \
                not _private_model(script, call) and not keras_2_only(script):
            yield from keras_2_layers(call, call.args.get("layer", 0))  # model.add(hub.KerasLayer(url))
        if not call.guarded and known and call.method in SAVE_SUFFIXES and \
                not _private_model(script, call):
            yield from _save_path(script, call, f"model.{call.method}()", SAVE_SUFFIXES[call.method])
        if not call.guarded and callee in LOAD_FUNCTIONS and not _from_private_copy(script, call.node.func) and \
                not keras_2_only(script):
            yield from load_name(script, call)
        if not call.guarded and known and "load_weights" not in call.receiver.model.own_methods and \
                call.method == "load_weights" and not _private_model(script, call) and not keras_2_only(script):
            yield from load_name(script, call, weights=True)
        if not call.guarded and callee in SAVE_FUNCTIONS and not _from_private_copy(script, call.node.func):
            yield from _save_path(script, call, f"{short(callee)}()", SAVE_SUFFIXES["save"], position=1)
        if call.method == "reset_states" and not call.guarded and isinstance(call.receiver, Instance) and \
                call.receiver.cls.startswith("keras.metrics.") and not _from_private_copy(script, call.receiver.node) \
                and not keras_2_only(script):
            yield _metric_reset_states(call)
        if call.method == "next" and not call.guarded and not _imports_keras_2(script):
            report = iterator_next(call)
            if report is not None:
                yield report
        if call.method == "apply_gradients" and not call.guarded and _keras_optimizer(script, call.receiver) and \
                (len(call.args.positional) > 1 or call.args.has("global_step")):
            yield Report(call.node.func, "apply_gradients() takes no global_step in Keras 3: TypeError",
                         "drop the step argument: the optimizer counts its own steps (optimizer.iterations)",
                         explanation=("TensorFlow 1's tf.train optimizers took apply_gradients(grads_and_vars, "
                                      "global_step) and advanced the step. A Keras optimizer counts its own steps "
                                      "(optimizer.iterations), and Keras 3's apply_gradients takes only grads_and_vars, "
                                      "so this call raises TypeError at the first training step."),
                         facts={"method": "apply_gradients"})
        if call.method == "add_metric" and not call.guarded and not _imports_keras_2(script):
            yield from metric_added(call)
        if call.method == "add_loss" and known and not call.guarded and call.receiver.model.kind == "functional" \
                and call.receiver.model.keras_runs("add_loss") and _keras_3_model(script, call):
            yield from functional_add_loss(call)
        if call.method == YAML_METHOD and known and not call.guarded and _keras_3_model(script, call):
            yield yaml_export(call)
        if call.method in MODEL_METHODS_GONE and known and not call.guarded and \
                call.receiver.model.keras_runs(call.method) and _keras_3_model(script, call):
            yield _model_method_gone(call)
        if call.method in REMOVED_MODEL_METHODS and not call.guarded and not _private_model(script, call) and (
                known or (call.method == "predict_classes" and unknown)):
            yield _removed_method(call)
        if call.method in LIST_CHANGES and isinstance(call.receiver, LayerList) and call.receiver.model is not None \
                and not call.guarded and not call.receiver.model.keras_2 and _keras_3_model(script, call) \
                and changes_a_fresh_copy(script, call):
            yield layer_list_changed(script, call)
        if call.guarded:
            # Inside a version check or an ImportError fallback, Keras 1 spellings are the shim's other branch
            # (``if keras_2: ... else: fit(nb_epoch=...)``); what Keras 3 removed from Keras 2 is still reported.
            continue
        if on_model and call.method == "compile":
            keras_3 = _keras_3_model(script, call)
            if keras_3:
                yield from metrics_not_a_list(call)
                if known and call.receiver.model.keras_runs("compile"):  # (not a subclass's own compile())
                    yield from compile_positional_metrics(call)
                if known:
                    yield from metrics_per_output(call)
                if known and call.receiver.model.keras_runs("compile"):
                    yield from compile_keywords(call)
                if known and call.receiver.model.fits and not call.guarded:
                    compiled = next((c for c in call.receiver.model.compiles if c.node is call.node), None)
                    if compiled is not None:
                        yield from loss_reading_graph_tensors(script, compiled)
            yield from tensorflow_1_optimizer(call, keras_3)
        if on_model and call.method in MODEL_METHODS:
            yield from legacy_keywords(call, CALL_KEYWORDS, f"model.{call.method}()", CALL_STORY)
            if call.method in ("fit", "evaluate", "predict") and not _private_model(script, call):
                yield from removed_keywords(call, f"model.{call.method}()", REMOVED_CALL_KEYWORDS,
                                             "ValueError" if call.method == "evaluate" else "TypeError")
                if known and call.receiver.model.kind != "library" and \
                        not keras_2_only(script) and not any(arg.star for arg in call.args.nodes):
                    # (a KerasHub task turns lists into a dataset through its preprocessor)
                    yield from python_numbers(call, _numpy_name(script))
            if call.method in ("fit", "fit_generator") and _keras_3_model(script, call):
                yield from class_weight_not_a_dict(script, call)
        if not keras_callee:
            continue
        package = callee.split(".")[1] if callee.count(".") >= 2 else ""
        name = short(callee)
        if package == "layers":
            yield from layer_keywords(call, name)
            keras_3 = not keras_2_only(script) and not _from_private_copy(script, call.node.func)
            removed = REMOVED_LAYER_KEYWORDS.get(name, ())
            if name not in ("Input", "InputLayer"):
                removed += ("batch_input_shape",)
            # (tf_keras and TensorFlow's private copy still take batch_input_shape= and weights=; Keras 1's
            # Embedding(dropout=) was gone from Keras 2 as well)
            removed = tuple(keyword for keyword in removed if keras_3 or keyword not in KERAS_2_LAYER_KEYWORDS)
            yield from removed_keywords(call, f"{name}()", removed, "ValueError")
            if name in RECURRENT_LAYERS:
                yield from recurrent_input_keywords(script, call, name)
            yield from keras1_kernel(call, name)
            yield from keras0_sizes(call, name)
            if keras_3:
                yield from defaulted_argument_missing(call, name)
            # (the guards below read the script's imports: asked only when there is something to report)
            refused = [*float_sizes(script, call, name), *string_units(call, name), *integer_shape(call, name)]
            if refused and not keras_2_only(script) and not _from_private_copy(script, call.node.func):
                yield from refused  # (tf_keras and TensorFlow's private copy convert them)
        elif callee == "keras.models.Sequential" and not keras_2_only(script) and \
                not _from_private_copy(script, call.node.func):
            yield from sequential_of_one(call)
            yield from keras_2_layers(call, call.args.get("layers", 0))
        elif callee == "keras.callbacks.ModelCheckpoint" and not _from_private_copy(script, call.node.func):
            yield from removed_keywords(call, "ModelCheckpoint()", ("period",), "TypeError")
            weights_only = call.args.get("save_weights_only", 5)
            if weights_only is None or const_value(weights_only) is False:
                yield from _save_path(script, call, "ModelCheckpoint()", (".keras", ".h5"))
            elif const_value(weights_only) is True:
                yield from _save_path(script, call, "ModelCheckpoint(save_weights_only=True)", (".weights.h5",))
        elif package == "models" and name == "Model":
            yield from model_keywords(call)
        elif package == "optimizers":
            if legacy_optimizer(script, call.node.func):
                yield _legacy_optimizer_report(call, name)
            elif not _from_private_copy(script, call.node.func):
                yield from legacy_keywords(call, optimizer_keywords(script, call), f"{name}()", None)
                yield from removed_keywords(call, f"{name}()", REMOVED_OPTIMIZER_KEYWORDS.get(name, ()), "ValueError")
                if not keras_2_only(script):
                    yield from epsilon_none(script, call, name)
            # (imported by name, ``from keras.optimizers import rmsprop`` is reported at the import: ImportError)
            if name in LOWERCASE_OPTIMIZERS and not _imported_by_name(script, call.node.func):
                yield Report(call.node.func, (
                    f"optimizers.{name}() is an old lowercase alias: Keras 3 stops with AttributeError"),
                    f"use optimizers.{LOWERCASE_OPTIMIZERS[name]}()",
                    _rename_attribute(call.node.func, LOWERCASE_OPTIMIZERS[name]),
                    explanation=(f"Standalone Keras 2.x up to 2.3 kept lowercase aliases of the optimizer classes; "
                                 f"Keras 3 has only the class, optimizers.{LOWERCASE_OPTIMIZERS[name]}."))
        if (package in ("callbacks", "datasets", "regularizers") or callee in UTILITY_FUNCTIONS) and \
                not _from_private_copy(script, call.node.func) and not keras_2_only(script):
            key = UTILITY_FUNCTIONS.get(callee) or ".".join(callee.split(".")[2:])
            yield from unknown_keywords(call, "utils" if callee in UTILITY_FUNCTIONS else package, key)
            if callee == "keras.callbacks.LearningRateScheduler":
                yield from schedule_returns_tensor(script, call)
            if key == "load_img":
                yield from positional_grayscale(call)
    yield from removed_names(script)
    yield from history_keys(script)
    if not keras_2_only(script):
        yield from learning_rate_key(script)  # (tf_keras and standalone Keras 2 log 'lr')
    if not keras_2_only(script):
        yield from optimizer_attributes(script)
        yield from layer_shape_attributes(script)
        yield from callback_attributes(script)
        yield from callback_model_set(script)
        yield from shared_optimizers(script)


def _legacy_optimizer_report(call, name: str) -> Report:
    return Report(call.node.func, f"optimizers.legacy.{name}() is not supported in Keras 3: ImportError",
                  f"use keras.optimizers.{name}(learning_rate=...); a decay= becomes a learning-rate schedule",
                  explanation=("tf.keras 2.11-2.15 kept the pre-2.11 optimizers in optimizers.legacy (with lr= and "
                               "decay=); Keras 3, and tensorflow.keras on TensorFlow 2.16+, raise ImportError ('keras."
                               "optimizers.legacy is not supported in Keras 3') when one is built."),
                  facts={"optimizer": name})


def _imported_by_name(script: Script, func: cst.BaseExpression) -> bool:
    """Whether a call's function is a name the script imported as it is (``from keras.optimizers import rmsprop``,
    then ``rmsprop()``): a name Keras 3 lacks fails at that import, reported there."""
    return type(func) is cst.Name and func.value in script.imports


def _keras_optimizer(script: Script, value) -> bool:
    """An optimizer of Keras 3 (keras.optimizers.Adam(...), not TensorFlow 1's tf.compat.v1.train ones nor Keras 2's),
    in a script whose Keras is 3, made outside TensorFlow's private copy."""
    return keras_3_optimizer(script, value) and not keras_2_only(script) and \
        not _from_private_copy(script, value.node.func)


def _metric_reset_states(call) -> Report:
    """``metric.reset_states()``: tf.keras 2's deprecated name of ``reset_state()`` (since 2.5); Keras 3 metrics have
    only reset_state (AttributeError on Keras 3.15.1)."""
    return Report(call.node.func, "metric.reset_states() was removed in Keras 3: AttributeError",
                  "call reset_state(), its name since tf.keras 2.5", _rename_attribute(call.node.func, "reset_state"),
                  explanation=("tf.keras 2.5 renamed Metric.reset_states() to reset_state() and kept the old name as a "
                               "deprecated alias; Keras 3 metrics have only reset_state(), so the script stops here "
                               "with AttributeError."),
                  facts={"method": "reset_states", "modern": "reset_state"})


def _model_method_gone(call) -> Report:
    """``model.reset_states()``, ``model.get_input_at(0)``: tf.keras 2 Model methods Keras 3 dropped."""
    return Report(call.node.func, f"model.{call.method}() does not exist in Keras 3: AttributeError",
                  MODEL_METHODS_GONE[call.method],
                  explanation=(f"{'Standalone Keras 2' if call.method.startswith('_make_') else 'tf.keras 2'}'s "
                               f"Model had {call.method}(); Keras 3's Model has no such method "
                               f"(reset_states() is left on recurrent layers, a layer's inputs and outputs are "
                               f"read as attributes, and the predict, train and test functions are built when first "
                               f"needed), so the script stops here with AttributeError."),
                  facts={"method": call.method})


def _removed_method(call) -> Report:
    """``model.predict_classes(x)`` / ``model.predict_proba(x)``, with the replacement for the model's output."""
    head = call.receiver.model.single_head() if isinstance(call.receiver, ModelValue) else None
    if call.method == "predict_proba":
        hint = "call model.predict(x): it returns the same probabilities"
    elif head is not None and head.activation == "sigmoid":
        hint = "threshold the probabilities: (model.predict(x) > 0.5).astype('int32')"
    elif head is not None and head.activation == "softmax":
        hint = "take the most likely class: np.argmax(model.predict(x), axis=-1)"
    else:
        hint = ("np.argmax(model.predict(x), axis=-1) for a softmax output, (model.predict(x) > 0.5).astype('int32') "
                "for a sigmoid one")
    return Report(call.node.func, f"model.{call.method}() does not exist in Keras 3: AttributeError", hint,
                  explanation=(f"tf.keras 2 deprecated Sequential.{call.method}() (it was model.predict() plus a "
                               f"threshold or an argmax); Keras 3 has no such method, so the script stops here, "
                               f"after any training before it."),
                  facts={"method": call.method})


def _save_path(script: Script, call, where: str, suffixes: tuple[str, ...], position: int = 0):
    """A file name Keras 3 refuses to save to (:func:`~kerassniff.checks._ks402_methods.save_name`), in a script
    that does not pin a Keras 2."""
    if not keras_2_only(script):
        yield from save_name(call, where, suffixes, position)


def _numpy_name(script: Script) -> str | None:
    """The name the script imported NumPy as (``np``), for a fix that calls it."""
    return next((name for name, raw in script.imports.items() if raw == "numpy"), None)


def _imports_keras_2(script: Script) -> bool:
    """Whether the script imports any Keras 2 (tf_keras, the private copy): checks that cannot tell which Keras made
    their object (a layer class's base, a flow's generator) stay silent in such a script."""
    return script.imports_from("tf_keras", PRIVATE_COPY)


def _from_private_copy(script: Script, node: cst.CSTNode) -> bool:
    if not script.imports_from(PRIVATE_COPY):
        return False  # the common case, decided without indexing the references
    raw = script.raw_name(node) or ""
    return raw == PRIVATE_COPY or raw.startswith(PRIVATE_COPY + ".")


def _keras_3_model(script: Script, call) -> bool:
    """Whether the model a call is made on is Keras 3's: not built by a Keras 2 package, in a script whose Keras is
    not a Keras 2 (what only Keras 3 rejects is judged on it)."""
    return not _private_model(script, call) and not keras_2_only(script)


# The calls that run a model on data, which the private copy's models can no longer make on TensorFlow 2.21.
_RUNNING_METHODS = frozenset({"fit", "fit_generator", "evaluate", "evaluate_generator", "predict", "predict_generator",
                              "train_on_batch", "test_on_batch", "predict_on_batch"})


def _private_copy_runs(script: Script):
    """The first call that runs a model built by TensorFlow's private Keras 2 copy (``from tensorflow.python.keras
    .models import Sequential``): on TensorFlow 2.21 its training loop reads a name TensorFlow's distribute module
    no longer has, so fit(), evaluate() and predict() all raise AttributeError (checked; a slow test keeps it).
    Before it, a Keras 3 layer given to such a Sequential, which stops the script where it is added."""
    foreign = _keras_3_layer_in_private_sequential(script)
    if foreign is not None:
        yield foreign
        return
    for call in script.calls:
        if call.method in _RUNNING_METHODS and not call.guarded and isinstance(call.receiver, ModelValue) and \
                call.receiver.model.private_copy:
            yield Report(call.node.func, f"{call.method}() of a model built by tensorflow.python.keras fails on "
                                         f"TensorFlow 2.21: AttributeError",
                         "build the model with keras (or tensorflow.keras) instead of TensorFlow's private copy",
                         explanation=("tensorflow.python.keras is the Keras 2 copy TensorFlow kept inside itself for "
                                      "its own use; on TensorFlow 2.21 its models still build and compile, but their "
                                      "fit(), evaluate() and predict() stop with AttributeError (module "
                                      "'tensorflow.python.distribute.input_lib' has no attribute "
                                      "'DistributedDatasetInterface')."),
                         facts={"method": call.method})
            return


def _keras_3_layer_in_private_sequential(script: Script) -> Report | None:
    """The first layer of Keras 3 (``keras.layers.Dense``, ``tensorflow.keras.layers.Dense``) in a Sequential of the
    private copy, added or listed: that Sequential accepts only its own layers and raises TypeError (checked on
    TensorFlow 2.21 with Keras 3.15.1: "The added layer must be an instance of class Layer").  (A functional model
    of the private copy wraps a foreign layer's output and builds.)"""
    variable, set_values = LEGACY_KERAS_VARIABLE
    public = ("keras.",) if script.imports_from("tf_keras") or script.environment.get(variable) in set_values else \
        _KERAS_3_LAYER_MODULES  # (with TF_USE_LEGACY_KERAS, tensorflow.keras is tf_keras: only keras is Keras 3)
    for model in script.models:
        if not (model.private_copy and model.kind == "sequential"):
            continue
        for layer in model.layers:
            node = layer.node
            raw = script.raw_name(node.func) if type(node) is cst.Call else None
            if raw is None or not raw.startswith(public):
                continue
            written = script.code_of(node.func)
            return Report(node, f"{written}() is a Keras 3 layer: the tensorflow.python.keras Sequential refuses it "
                                f"with TypeError",
                          "build the model with keras (or tensorflow.keras) instead of TensorFlow's private copy",
                          explanation=("tensorflow.python.keras is the Keras 2 copy TensorFlow kept inside itself "
                                       "for its own use; its Sequential accepts only its own layers, and a Keras 3 "
                                       "layer stops the script where it is added (TypeError: The added layer must "
                                       "be an instance of class Layer)."),
                          facts={"layer": raw})
    return None


# The layer modules of Keras 3, under both public names.
_KERAS_3_LAYER_MODULES = ("keras.layers.", "tensorflow.keras.layers.", "keras.src.layers.")


def _private_model(script: Script, call) -> bool:
    """Whether the model a call is made on was built by a Keras 2 package (the private copy, tf_keras), or, for a
    model kerassniff does not know, whether the script's Keras is a Keras 2 (it imports tf_keras: a model of an
    unread helper is that Keras's) or every Keras import of the script is the private copy."""
    if isinstance(call.receiver, ModelValue) and call.receiver.model.kind != "external":
        # built by the private copy or tf_keras, here or in a helper module, or in a script whose Keras is Keras 2
        return call.receiver.model.keras_2 or keras_2_only(script)
    if keras_2_only(script):
        return True
    keras_imports = [raw for raw in script.imports.values() if keras_relative(raw) is not None]
    return bool(keras_imports) and all(raw == PRIVATE_COPY or raw.startswith(PRIVATE_COPY + ".")
                                       for raw in keras_imports)


# Keywords model.fit/evaluate/predict accept in Keras 3 (fit_generator's 'generator=' becomes 'x=').
MODERN_CALL_KEYWORDS = frozenset(
    "x y batch_size epochs verbose callbacks validation_split validation_data shuffle class_weight sample_weight "
    "initial_epoch steps_per_epoch validation_steps validation_batch_size validation_freq steps return_dict".split())


def _generator_method_fix(node: cst.Call, modern: str):
    """``model.fit_generator(generator=g, ...)`` -> ``model.fit(x=g, ...)``, when every other keyword carries over and
    nothing follows the generator by position (fit_generator's second and third positions, steps_per_epoch and
    epochs in Keras 2, samples_per_epoch and nb_epoch in Keras 1, are fit()'s y and batch_size: a human decides)."""
    if not isinstance(node.func, cst.Attribute) or any(a.star for a in node.args) or \
            len([a for a in node.args if a.keyword is None]) > 1:
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
