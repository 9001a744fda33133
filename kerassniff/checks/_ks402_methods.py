"""KS402's checks of single calls: methods Keras 3's own objects no longer have, file names its savers refuse,
arguments its callbacks, loaders and data methods do not take, TensorFlow 1's optimizers, and history keys logged
under another name (the rule module holds the others and decides which Keras the script runs on).

Kept apart so that the rule module stays a readable size; each function takes one recorded call and returns or
yields the report, nothing when the call is not one it judges.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import compiled_metric_names, fit_validates
from kerassniff.fixes import as_keyword, safe_fix
from kerassniff.registry import Report
from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.knowledge.keras3_removals import (
    CALLBACK_PARAMETERS,
    COMPILE_KEYWORD_ADVICE,
    COMPILE_PARAMETERS,
    DATASET_LOADER_PARAMETERS,
    LOADABLE_PREFIXES,
    LOADABLE_SUFFIXES,
    LOADABLE_WEIGHTS_SUFFIXES,
    METRIC_ADDING_BASES,
    ORBAX_CHECKPOINT,
    RENAMED_KEYWORD_DEFAULTS,
    RENAMED_LIBRARY_KEYWORDS,
    REGULARIZER_PARAMETERS,
    TENSORFLOW_1_OPTIMIZERS,
    UTILITY_PARAMETERS,
)
from kerassniff.semantic import Script
from kerassniff.semantic.syntax import rendered, walk_code
from kerassniff.semantic.training import CallSite, CompileCall, argument_node
from kerassniff.semantic.values import (
    Const,
    FunctionValue,
    Instance,
    KnobConst,
    ModelValue,
    Seq,
    Symbol,
    UnknownFloat,
    UnknownInteger,
    Value,
    const_value,
    string_endings,
)


def iterator_next(call: CallSite) -> Report | None:
    """``train_flow.next()`` on an ImageDataGenerator flow: Keras 2's image iterators kept a Python 2 ``next()``
    method; Keras 3's (keras.src.legacy.preprocessing.image.Iterator, a PyDataset) define only ``__next__``, so the
    call raises AttributeError (checked on Keras 3.15.1, also through tensorflow.keras). A tf.data iterator still
    has next(); a TimeseriesGenerator never had either (it is indexed), so neither is judged here."""
    data = data_of(call.receiver)
    if call.method != "next" or call.args.positional or call.args.keywords or data is None or \
            not data.keras_iterator or not isinstance(call.node.func, cst.Attribute):
        return None
    flow = call.node.func.value
    name = flow.value if isinstance(flow, cst.Name) else "iterator"
    return Report(call.node, f"{name}.next() was removed from Keras 3's image iterators: AttributeError",
                  "call next(iterator), which every Keras version accepts",
                  safe_fix("call next() on the iterator", call.node,
                           cst.Call(cst.Name("next"), [cst.Arg(flow)])),
                  explanation=("Keras 2's ImageDataGenerator iterators had a next() method for Python 2; the "
                               "iterators Keras 3 keeps for ImageDataGenerator define only __next__, so the script "
                               "stops here with AttributeError. The built-in next(iterator) works with both."),
                  facts={"method": "next", "modern": "next(iterator)"})


def save_name(call: CallSite, where: str, suffixes: tuple[str, ...], position: int = 0):
    """A file name Keras 3 refuses to save to, when its end is known (a string, or an f-string's last text);
    ``position``: where the path is passed without its keyword (1 for ``save_model(model, path)``)."""
    arg = call.args.node_of("filepath", position)
    if arg is None or call.args.has("zipped"):
        return  # save(path, zipped=False): Keras 3 writes a folder of that name
    # the end of f"{folder}/model.h5" is known; a name chosen in branches is judged when every choice fails
    names = string_endings(call.args.get("filepath", position))
    if names is None or any(name.lower().endswith(suffixes) for name in names):
        return
    name = names[0]
    wanted = suffixes[0] if len(suffixes) == 1 else f"{', '.join(suffixes[:-1])} or {suffixes[-1]}"
    consequence = "before training starts" if where.startswith("ModelCheckpoint") else \
        "so the script stops here, after any training before it, without this file"
    hdf5 = name.lower().endswith(".hdf5")  # tf.keras 2 wrote HDF5 for .h5, .keras and .hdf5 (is_hdf5_filepath)
    hint = ("name the file '<name>.h5' (the same HDF5 format) or '<name>.keras'" if hdf5 and ".h5" in suffixes else
            f"name the file '<name>{suffixes[0]}'" + ("; for a TensorFlow SavedModel folder call model.export()"
                                                      if where in SAVED_MODEL_WRITERS and not hdf5 else ""))
    written = ("for a name ending in .hdf5 it wrote an HDF5 file, as for .h5" if hdf5 else
               "without .h5 it wrote TensorFlow's SavedModel or checkpoint format")
    yield Report(arg, f"{where} needs a file name ending in {wanted}: Keras 3 raises ValueError", hint,
                 explanation=(f"tf.keras 2 accepted this name ({written}). Keras 3's {where} raises ValueError for "
                              f"any name not ending in {wanted}, {consequence}."),
                 facts={"path": name, "suffixes": list(suffixes)})




def load_name(script: Script, call: CallSite, weights: bool = False):
    """``load_model("saved_model_dir")`` or ``model.load_weights("cp.ckpt")`` (``weights``): a name Keras 3 refuses
    (a TensorFlow SavedModel folder or checkpoint that tf.keras 2 wrote), when every name it may be is known; not in
    a script that writes Keras folders (Orbax checkpoints, ``save(..., zipped=False)``), which Keras 3 reads whatever
    their names."""
    arg = call.args.node_of("filepath", 0)
    value = call.args.get("filepath", 0)
    names = string_endings(value)
    suffixes = LOADABLE_WEIGHTS_SUFFIXES if weights else LOADABLE_SUFFIXES
    # a command-line option's default is a placeholder each run may replace ("" behind `if args.weights:`)
    if arg is None or not names or isinstance(value, KnobConst) or "" in names or \
            any(name.lower().endswith(suffixes) or name.startswith(LOADABLE_PREFIXES) for name in names):
        return
    if any(reference.canonical == ORBAX_CHECKPOINT for reference in script.references) or \
            any(c.method == "save" and c.args.has("zipped") for c in script.calls):
        return
    if weights:
        yield Report(arg, "load_weights() of a name without .weights.h5/.h5: Keras 3 raises ValueError",
                     "save the weights as '<name>.weights.h5' with save_weights() and load that file; a tf.keras 2 "
                     "checkpoint can be read with the Keras that wrote it and saved again",
                     explanation=("tf.keras 2 read a TensorFlow checkpoint (what save_weights() wrote for a name "
                                  "without .h5, such as 'cp.ckpt' or 'weights.tf'). Keras 3's load_weights() reads "
                                  "only .keras, .weights.h5 (or sharded .weights.json) and legacy .h5/.hdf5 files "
                                  "or an Orbax checkpoint, and "
                                  "raises ValueError (\"File format not supported\") for anything else, so the "
                                  "script stops here."),
                     facts={"path": names[0]})
        return
    yield Report(arg, "load_model() of a name without .keras/.h5: Keras 3 raises ValueError (it reads no SavedModel)",
                 "re-save the model as '<name>.keras' (or .h5) with the Keras that wrote it; for a TensorFlow "
                 "SavedModel folder used for inference, wrap it in keras.layers.TFSMLayer",
                 explanation=("tf.keras 2 loaded a TensorFlow SavedModel folder (what model.save() wrote for a name "
                              "without .h5) or an HDF5 file. Keras 3's load_model() reads a .keras zip, a .h5/.hdf5 "
                              "file or a folder Keras 3 itself wrote, and raises ValueError (\"File format not "
                              "supported\") for anything else, so the script stops here."),
                 facts={"path": names[0]})


# The save functions beside model.save() (Keras 3.15.1: the same ValueError for a name without .keras/.h5).
SAVE_FUNCTIONS = frozenset({"keras.models.save_model", "keras.saving.save_model"})
SAVED_MODEL_WRITERS = ("model.save()", "save_model()")


def positional_grayscale(call: CallSite):
    """``load_img(path, True, target_size=...)``: Keras 2's second parameter was ``grayscale``; Keras 3's is
    ``color_mode``, so the flag becomes color_mode=True/False and load_img() raises ValueError ('color_mode must be
    "grayscale", "rgb", or "rgba"', Keras 3.15.1)."""
    flag = call.args.positional[1] if len(call.args.positional) > 1 else None
    value = const_value(flag) if flag is not None else None
    if not isinstance(value, bool):
        return
    arg = call.args.nodes[1]
    mode = "grayscale" if value else "rgb"
    twice = call.args.has("color_mode")  # load_img(path, False, color_mode="rgb"): color_mode given twice
    last = len(call.args.positional) == 2 and not twice and not any(a.star for a in call.args.nodes)
    error = "TypeError" if twice else "ValueError"
    yield Report(arg.value, f"load_img()'s second argument is color_mode in Keras 3, not grayscale: {error}",
                 f"write color_mode=\"{mode}\"" if not twice else "drop the grayscale flag",
                 safe_fix(f'write color_mode="{mode}"', arg,
                          as_keyword(arg, "color_mode").with_changes(value=cst.SimpleString(f'"{mode}"')))
                 if last else None,
                 explanation=(f"Keras 2's load_img(path, grayscale=False, color_mode='rgb', ...) took the grayscale "
                              f"flag second; Keras 3's load_img(path, color_mode='rgb', target_size=None, ...) reads "
                              f"{value} as color_mode and " + (
                                  "stops with TypeError, since color_mode= is given as well." if twice else
                                  "raises ValueError ('color_mode must be \"grayscale\", \"rgb\", or \"rgba\"'), "
                                  "so the script stops here.")),
                 facts={"keyword": "grayscale", "modern": "color_mode"})


def metrics_not_a_list(call: CallSite):
    """``model.compile(metrics="accuracy")`` or ``metrics=keras.metrics.AUC()``: tf.keras 2 spread one metric over
    the outputs; Keras 3's compile() raises ValueError ("Expected `metrics` argument to be a list, tuple, or dict",
    checked on 3.15.1; the same for weighted_metrics=). Only the keywords: compile()'s positional order differs
    between tf.keras 2 (metrics third) and Keras 3 (loss_weights third)."""
    for keyword in ("metrics", "weighted_metrics"):
        value = call.args.get(keyword)
        if not _one_metric(value):
            continue
        # written as a keyword, or unpacked from a dict (compile(**{"metrics": "accuracy", ...}): its entry)
        written = argument_node(call.args, keyword, None, call.node)
        text = "a string" if isinstance(value, Const) else "one metric"
        # a list of one metric is the same metric only for a model with one output (a list is one entry per output)
        model = call.receiver.model if isinstance(call.receiver, ModelValue) else None
        single = model is not None and (model.kind == "sequential" or len(model.output_paths()) == 1)
        fixable = single and call.args.node_of(keyword) is not None  # (a dict variable's entry is elsewhere)
        yield Report(written, f"compile({keyword}=...) gets {text}, not a list: Keras 3 raises ValueError",
                     f"put it in a list: {keyword}=[...]" if single else
                     f"put it in a list ({keyword}=[...]), or for several outputs a dict by output name",
                     safe_fix("put the metric in a list", written,
                              cst.List([cst.Element(written)])) if fixable else None,
                     explanation=(f"tf.keras 2 accepted a single metric and applied it to every output; Keras 3's "
                                  f"compile() accepts only a list, tuple or dict and raises ValueError (\"Expected "
                                  f"`{keyword}` argument to be a list, tuple, or dict\"), before any training."),
                     facts={"keyword": keyword})


def metrics_per_output(call: CallSite):
    """``compile(metrics=["accuracy"])`` on a functional model with a list of two or more outputs: tf.keras 2 applied
    every metric of a list to every output; Keras 3 reads a list as one entry per output, and when the counts differ
    its first fit() or evaluate() raises ValueError ("tuple arity mismatch ... Invalid `metrics`",
    keras/src/trainers/compile_utils.py, checked on 3.15.1; the same for weighted_metrics=). Dict outputs (read by
    name) and dicts of metrics are left alone."""
    model = call.receiver.model  # type: ignore[union-attr]
    if model.kind != "functional" or model.outputs is None or model.output_names is not None \
            or len(model.outputs) < 2 or not _trained_after(model, call.node):
        return
    outputs = len(model.outputs)
    for keyword in ("metrics", "weighted_metrics"):
        arg, value = call.args.node_of(keyword), call.args.get(keyword)
        items = value.items if isinstance(value, Seq) and value.kind == "list" else \
            value.value if isinstance(value, Const) and isinstance(value.value, tuple) else None
        if arg is None or not items or len(items) == outputs or type(arg.value) not in (cst.List, cst.Tuple, cst.Name):
            continue  # (a list written there, or held in a name: ``track = ["accuracy"]``, ``metrics=track``)
        names = type(arg.value) is not cst.Name and all(
            isinstance(item, str) or (isinstance(item, Const) and isinstance(item.value, str)) for item in items)
        fix = safe_fix("give the list to every output", arg.value,
                       cst.List([cst.Element(arg.value.deep_clone()) for _ in range(outputs)])) if names else None
        yield Report(arg.value, (f"compile({keyword}=[...]) has {len(items)} entr{'y' if len(items) == 1 else 'ies'} for {outputs} outputs: Keras 3 raises "
                                 f"ValueError at fit()"),
                     f"give one entry per output ({keyword}=[[...], [...]]) or a dict by output name",
                     fix,
                     explanation=(f"tf.keras 2 applied each metric of the list to every output. Keras 3 reads a list "
                                  f"of {keyword} as one entry per output: with {len(items)} entries for the model's "
                                  f"{outputs} outputs, building the metrics at the first fit() or evaluate() raises "
                                  f"ValueError (\"tuple arity mismatch ... Invalid `{keyword}`\"), so training never "
                                  f"starts."),
                     facts={"keyword": keyword, "entries": len(items), "outputs": outputs})


# list methods that change a list in place: on ``model.layers`` (a new list on each read) they change nothing
LIST_CHANGES = frozenset({"pop", "remove", "insert", "append", "extend", "clear"})


def layer_list_changed(script: Script, call: CallSite) -> Report:
    """``model.layers.pop()``: Keras 2.0-2.2's way to drop a model's last layer. Keras 3's ``model.layers`` builds a
    new list on each read (checked on 3.15.1: len(model.layers) and model.layers[-1] unchanged after pop()), so the
    call changes nothing and the layer the script meant to remove is still the output."""
    owner = script.code_of(call.node.func.value) if type(call.node.func) is cst.Attribute else "model.layers"  # type: ignore
    owner = owner if len(owner) <= 40 else "model.layers"
    return Report(call.node, f"{owner}.{call.method}() changes a copy: Keras 3 leaves the model's layers as they were",
                  "build the model you want instead: keras.Model(model.input, model.layers[-2].output) drops the "
                  "last layer, or build a new model from the layers you keep",
                  explanation=(f"model.layers is a new list each time it is read in Keras 3, so {call.method}() on it "
                               f"leaves the model unchanged: model.layers[-1] and model.output are still the layer "
                               f"this line meant to remove, and what is built on them stacks on that layer (a new "
                               f"head on top of the old softmax)."),
                  facts={"method": call.method})


def changes_a_fresh_copy(script: Script, call: CallSite) -> bool:
    """Whether the list changed is read from the model at the call and then dropped: ``model.layers.pop()`` as a
    statement of its own (a copy kept in a name and used afterwards, ``layers = model.layers; layers.pop()``, or
    ``last = model.layers.pop()`` that only reads the last layer, does what the script means)."""
    func = call.node.func
    if type(func) is not cst.Attribute or type(func.value) is not cst.Attribute or func.value.attr.value != "layers":
        return False
    if call.top is None or call.top >= len(script.module.body):
        return False
    return any(type(node) is cst.Expr and node.value is call.node  # type: ignore[attr-defined]
               for node in walk_code(script.module.body[call.top]))


def _trained_after(model, compile_node: cst.Call) -> bool:
    """Whether a fit() or evaluate() of the model runs with this compile() in force (the metrics are built then)."""
    compiled = next((c for c in model.compiles if c.node is compile_node), None)
    if compiled is None:
        return False
    calls = [*model.fits, *(i for i in model.inferences if i.method in ("evaluate", "test_on_batch"))]
    return any(model.compile_before(c.order) is compiled for c in calls)


def _one_metric(value) -> bool:
    """A metric given alone: a name, a metric object, a metric function (a Keras one or the script's own)."""
    return (isinstance(value, Const) and isinstance(value.value, str)) or isinstance(value, FunctionValue) or (
        isinstance(value, Instance) and value.cls.startswith("keras.metrics.")) or (
        isinstance(value, Symbol) and value.name.startswith(("keras.metrics.", "keras.losses.")))


def python_numbers(call: CallSite, numpy: str | None):
    """``model.predict([10.0])``, ``model.fit(xs, ys)`` with ``xs = [1.0, 2.0]``: tf.keras 2 turned a list (or tuple)
    of plain numbers into an array (its ListsOfScalarsDataAdapter); Keras 3's data adapters take arrays, tensors,
    datasets and generators only, and fit()/evaluate()/predict() raise ValueError ("Unrecognized data type", checked
    on Keras 3.15.1, for x and for y). A list of arrays is still one array per input, and is not judged. One report
    per call; ``numpy``: the name NumPy is imported as, for the fix (none without one)."""
    lists = []
    for keyword, position in (("x", 0), ("y", 1)):
        if keyword == "y" and call.method == "predict":
            break
        arg = call.args.node_of(keyword, position)
        if arg is not None and _plain_numbers(call.args.get(keyword, position)):
            lists.append((keyword, arg))
    if not lists:
        return
    where, names = f"model.{call.method}()", " and ".join(keyword for keyword, _ in lists)
    fix = None
    if numpy is not None:
        wrapped = {id(arg): arg.with_changes(value=cst.Call(cst.Attribute(cst.Name(numpy), cst.Name("array")),
                                                            [cst.Arg(arg.value)])) for _, arg in lists}
        fix = safe_fix(f"convert the list{'s' if len(lists) > 1 else ''} with {numpy}.array()", call.node,
                       call.node.with_changes(args=[wrapped.get(id(arg), arg) for arg in call.node.args]))
    yield Report(lists[0][1].value, f"{where} gets Python lists of numbers as {names}: Keras 3 raises ValueError"
                 if len(lists) > 1 else f"{where} gets a Python list of numbers as {names}: Keras 3 raises ValueError",
                 f"pass NumPy arrays: {numpy or 'np'}.array(...) of each list" if len(lists) > 1 else
                 f"pass a NumPy array: {numpy or 'np'}.array(...) of the list",
                 fix,
                 explanation=(f"tf.keras 2 converted a list of plain numbers to an array itself; Keras 3's "
                              f"{call.method}() accepts NumPy arrays, tensors, datasets and generators, and stops "
                              f"with ValueError (\"Unrecognized data type\") on a list of numbers"
                              + (", before any training." if call.method == "fit" else ".")),
                 facts={"arguments": [keyword for keyword, _ in lists]})


def _plain_numbers(value: Value | None, depth: int = 0) -> bool:
    """A non-empty list or tuple whose items are numbers, or lists of numbers (a literal, as the model reads it)."""
    if isinstance(value, Const):
        items = value.value
        if not isinstance(items, tuple) or not items:
            return False
        return all(_number(item) for item in items) if depth < 3 else False
    if isinstance(value, Seq) and value.items and depth < 3:
        return all(_plain_numbers(item, depth + 1) or (isinstance(item, Const) and _number(item.value)) or
                   type(item) in _NUMBERS_OF_UNKNOWN_VALUE for item in value.items)
    return False


# Numbers the analysis cannot fold (``float(request.form["age"])``, ``int(text)``, ``len(rows)``): still numbers.
_NUMBERS_OF_UNKNOWN_VALUE = (UnknownFloat, UnknownInteger)


def _number(item) -> bool:
    if isinstance(item, tuple):
        return bool(item) and all(_number(part) for part in item)
    return isinstance(item, (int, float)) and not isinstance(item, bool)


def tensorflow_1_optimizer(call: CallSite, keras_3: bool):
    """``model.compile(optimizer=tf.train.AdamOptimizer(0.01))``: TensorFlow 1's optimizers (TENSORFLOW_1_OPTIMIZERS).
    TensorFlow 2 has no ``tf.train.AdamOptimizer`` (AttributeError where it is built, whatever the Keras); its
    ``tf.compat.v1.train`` copy is refused by Keras 3's compile() (``keras_3``: the script runs on Keras 3)."""
    value = call.args.get("optimizer", 0)
    if not isinstance(value, Instance) or not isinstance(value.node, cst.Call):
        return
    module, _, name = value.cls.rpartition(".")
    if name not in TENSORFLOW_1_OPTIMIZERS or module not in ("tensorflow.train", "tensorflow.compat.v1.train"):
        return
    modern = f"keras.optimizers.{TENSORFLOW_1_OPTIMIZERS[name]}"
    if module == "tensorflow.train":
        message = f"tf.train.{name} is TensorFlow 1's: TensorFlow 2 stops with AttributeError"
        explanation = (f"TensorFlow 1's tf.keras accepted tf.train optimizers in compile(). TensorFlow 2 removed "
                       f"tf.train.{name} (only tf.compat.v1.train.{name} is left, which Keras 3 refuses), so the "
                       f"script stops where the optimizer is built, before training.")
    elif keras_3:
        message = f"compile() gets TensorFlow 1's tf.compat.v1.train.{name}: Keras 3 raises ValueError"
        explanation = (f"tf.compat.v1.train.{name} is TensorFlow 1's optimizer, which tf.keras 2 wrapped; Keras 3's "
                       f"compile() accepts only Keras optimizers and raises ValueError (\"Could not interpret "
                       f"optimizer identifier\") before any training.")
    else:
        return
    yield Report(value.node.func, message, f"use {modern}", explanation=explanation,
                 facts={"optimizer": name, "modern": modern})


# What a renamed keyword that Keras 3 ignores leaves the call doing (the explanation's last sentence).
_IGNORED_RENAME_STORIES = {
    ("ReduceLROnPlateau", "epsilon"): "the plateau threshold stays at min_delta's default, 0.0001",
    ("imdb.load_data", "nb_words"): "every word of the vocabulary is kept and word indices exceed an Embedding sized "
                                    "for the words the script meant to keep",
}


# How a renamed keyword came to be (the explanation's first sentence), where Keras 2 did not rename it with a warning.
_RENAME_HISTORY = {
    "l": "Standalone Keras up to 2.3 wrote regularizers.l2(l=...) (and l1(l=...)); tf.keras 2 still took l= for "
         "backwards compatibility.",
}


def unknown_keywords(call, package: str, key: str):
    """Keywords a Keras 3 callback, dataset loader, image utility or weight regularizer does not take
    (CALLBACK_PARAMETERS, DATASET_LOADER_PARAMETERS, UTILITY_PARAMETERS, REGULARIZER_PARAMETERS):
    a TypeError, or silently ignored where the constructor swallows **kwargs; a Keras 2 name is renamed."""
    known = {"callbacks": CALLBACK_PARAMETERS, "datasets": DATASET_LOADER_PARAMETERS,
             "utils": UTILITY_PARAMETERS, "regularizers": REGULARIZER_PARAMETERS}[package].get(key)
    if known is None:
        return
    accepted, swallows = known
    where = f"{key}()"
    consequence = "Keras 3 ignores it" if swallows else "Keras 3 stops with TypeError"
    if package == "utils":
        yield from _too_many_positional(call, where, accepted)
    for arg in call.args.nodes:
        old = arg.keyword.value if arg.keyword is not None else None
        if old is None or old in accepted or (key == "ModelCheckpoint" and old == "period"):
            continue  # ModelCheckpoint(period=) has its own report
        modern = RENAMED_LIBRARY_KEYWORDS.get((key, old))
        if swallows and (key, old) in RENAMED_KEYWORD_DEFAULTS and \
                const_value(call.args.get(old), "?") == RENAMED_KEYWORD_DEFAULTS[(key, old)]:
            continue  # ignored, and the same as the default of the keyword it stands for: nothing changes
        behaviour = (f"Keras 3.15's {where} takes {', '.join(accepted)}" +
                     (" and accepts any other keyword without reading it" if swallows else "") + ".")
        if modern is not None:
            present = {a.keyword.value for a in call.args.nodes if a.keyword is not None}
            fix = None if modern in present else safe_fix(f"rename {old}= to {modern}=", arg,
                                                          arg.with_changes(keyword=cst.Name(modern)))
            ending = (f" so {_IGNORED_RENAME_STORIES[(key, old)]}." if swallows else
                      " so the script stops here with TypeError.")
            yield Report(arg, f"'{old}=' in {where} is the Keras 2 name of '{modern}=': {consequence}",
                         f"rename {old}= to {modern}=", fix,
                         explanation=(_RENAME_HISTORY.get(old, f"Keras 2 renamed {old}= to {modern}= with a warning.")
                                      + f" {behaviour[:-1]}," + ending),
                         facts={"keyword": old, "modern": modern})
            continue
        yield Report(arg, f"'{old}=' is not an argument of {where}: {consequence}",
                     f"remove it, or use one of {where}'s arguments ({', '.join(accepted)})",
                     explanation=(behaviour + (f" '{old}=' is none of them and changes nothing." if swallows else
                                               f" '{old}' is none of them: TypeError (unexpected keyword argument).")),
                     facts={"keyword": old})


# Utilities whose Keras 2 form took more positional arguments than Keras 3's: what the extra one was.  (load_img is not
# among them: Keras 2's took grayscale second, so every argument after the path is shifted, and its other reports
# name that.)
_EXTRA_POSITIONAL = {"to_categorical()": "dtype"}


def _too_many_positional(call, where: str, accepted: tuple[str, ...]):
    """``to_categorical(y, 10, "float32")``: tf.keras 2's dtype given third, which Keras 3's signature lacks
    (UTILITY_PARAMETERS lists its parameters in order)."""
    positional = [arg for arg in call.args.nodes if arg.keyword is None]
    extra_name = _EXTRA_POSITIONAL.get(where)
    if extra_name is None or any(arg.star for arg in positional) or len(positional) <= len(accepted):
        return
    extra = positional[len(accepted)]
    given = rendered(extra.value)
    yield Report(extra, f"{where} takes at most {len(accepted)} positional arguments in Keras 3: TypeError",
                 f"drop the argument and convert the result: .astype({given})",
                 explanation=(f"tf.keras 2's {where} took {extra_name} as its argument number {len(accepted) + 1}. "
                              f"Keras 3.15's is {where[:-2]}({', '.join(accepted)}): given {len(positional)} "
                              f"positional arguments it stops with TypeError at this call. Without the argument it "
                              f"returns float64 rows, so convert them to the type that was asked for."),
                 facts={"given": len(positional), "accepted": len(accepted)})


def compile_keywords(call: CallSite):
    """``model.compile(loss=..., class_mode="binary")``: a keyword Keras 3's compile() does not take
    (COMPILE_PARAMETERS) is a TypeError before any training (checked on 3.15.1)."""
    for arg in call.args.nodes:
        old = arg.keyword.value if arg.keyword is not None else None
        if old is None or old in COMPILE_PARAMETERS:
            continue
        hint = COMPILE_KEYWORD_ADVICE.get(old, f"remove it, or use one of compile()'s arguments "
                                               f"({', '.join(COMPILE_PARAMETERS)})")
        yield Report(arg, f"'{old}=' is not an argument of compile(): Keras 3 stops with TypeError", hint,
                     explanation=(f"Keras 3's compile() takes {', '.join(COMPILE_PARAMETERS)}; '{old}' is none of "
                                  f"them, so the script stops at compile() with TypeError (unexpected keyword "
                                  f"argument), before any training."),
                     facts={"keyword": old})


def yaml_export(call: CallSite) -> Report:
    """``model.to_yaml()``: tf.keras 2.6 made it raise RuntimeError (loading YAML could run arbitrary code) and
    Keras 3 has no such method (AttributeError, checked on 3.15.1): the script stops here, after its training."""
    return Report(call.node.func, "model.to_yaml() does not exist in Keras 3: AttributeError",
                  "save the architecture with model.to_json(), or the whole model with model.save('name.keras')",
                  explanation=("tf.keras 2.6 removed YAML support (to_yaml() raises RuntimeError: loading YAML could "
                               "run arbitrary code), and Keras 3 has no to_yaml(), so the script stops here, after "
                               "any training before it."),
                  facts={"method": "to_yaml"})


def functional_add_loss(call: CallSite):
    """``vae.add_loss(kl_loss)`` on a functional model (the Keras 2 VAE recipe, a loss built from the graph's
    tensors): Keras 3's Functional.add_loss() only raises NotImplementedError (checked on 3.15.1), so the script
    stops there, before compile(). A layer's add_loss() inside its call(), or a subclass's train_step, is the way."""
    yield Report(call.node.func, "add_loss() on a functional model raises NotImplementedError in Keras 3",
                 "compute the extra loss in a layer's call() with self.add_loss(...), or in a Model subclass's "
                 "train_step (as Keras 3's VAE example does)",
                 explanation=("tf.keras 2 let a functional model take a loss built from its own symbolic tensors "
                              "(model.add_loss(kl_loss)), the classic VAE recipe. Keras 3's functional Model keeps "
                              "add_loss() only to raise NotImplementedError, so the script stops at this line."),
                 facts={"method": "add_loss"})


def loss_reading_graph_tensors(script: Script, compile_call: CompileCall):
    """``compile(loss=vae_loss)`` where the script's own loss function reads a symbolic tensor of the functional graph
    from around it (``z_mean``, ``z_log_var``: the Keras 2 VAE recipe's KL term).  tf.keras 2 in graph mode let a
    loss close over the model's tensors; Keras 3 hands the loss real values, and a KerasTensor inside it stops the
    first fit() step (ValueError "A KerasTensor cannot be used as input to a TensorFlow function", or a TypeError
    when a keras.ops result of it meets the real values; checked on 3.15.1)."""
    for function, tensors in compile_call.graph_tensor_losses[:1]:
        name, read = function.name.value, "', '".join(tensors[:3])
        yield Report(compile_call.node, f"loss {name}() reads the graph tensor '{tensors[0]}': Keras 3's fit() "
                                        f"fails on it",
                     "move the extra term into the model: a layer whose call() does self.add_loss(...), or a Model "
                     "subclass's train_step (as Keras 3's VAE example does)",
                     explanation=(f"{name}() (line {script.line_of(function)}) reads '{read}', symbolic tensors of "
                                  f"the functional model built around it. tf.keras 2 in graph mode let a loss close "
                                  f"over them (the Keras 2 VAE recipe's KL term); Keras 3 runs the loss on real "
                                  f"values, and a KerasTensor in it stops the first training step (ValueError "
                                  f"\"A KerasTensor cannot be used as input to a TensorFlow function\", or TypeError "
                                  f"when a keras.ops result of it meets the real values)."),
                     facts={"loss": name, "tensors": list(tensors)})


def metric_added(call: CallSite):
    """``self.add_metric(...)`` in a method of a Keras layer or model class of the script, or ``model.add_metric``:
    Keras 3 keeps the method only to raise NotImplementedError (checked on 3.15.1)."""
    receiver = call.receiver
    if isinstance(receiver, ModelValue):
        adds = receiver.model.kind != "external"  # one built where kerassniff cannot read may be tf_keras's
    else:
        cls = receiver.local_class if isinstance(receiver, Instance) else None
        adds = cls is not None and any(base in METRIC_ADDING_BASES for base in cls.bases)
    if not adds:
        return
    yield Report(call.node.func, "add_metric() is disabled in Keras 3: NotImplementedError",
                 "pass the metric to compile(metrics=[...]), or track it in a keras.metrics object the "
                 "layer or model lists in its metrics property",
                 explanation=("tf.keras 2 let a layer or model log any tensor as a metric with add_metric(); "
                              "Keras 3 keeps the method only to raise NotImplementedError (\"Layer "
                              "`add_metric()` method is deprecated\"), so the script stops where it is "
                              "called, for a layer while the model is built."),
                 facts={"method": "add_metric"})
