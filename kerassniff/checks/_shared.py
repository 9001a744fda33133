"""Phrases and pairings several rules share (no tree walking here)."""
from __future__ import annotations

from typing import Iterator

import libcst as cst

from kerassniff.evidence import Measurements, Verdict, range_text, scale_ratio
from kerassniff.findings import Finding
from kerassniff.registry import Elsewhere
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.array_names import SPLIT_WORDS, name_words
from kerassniff.semantic.knowledge.datasets import FOLD_SPLITTERS, SINGLE_SPLIT_SPLITTERS
from kerassniff.semantic.knowledge.keras3_removals import LEGACY_KERAS_VARIABLE, PRIVATE_COPY
from kerassniff.semantic.knowledge.layers import PREPROCESSING_MODES
from kerassniff.semantic.knowledge.model_api import CALLBACKS_POSITION
from kerassniff.semantic.layer_facts import OutputHead
from kerassniff.semantic.models import Model
from kerassniff.semantic.names import keras_relative
from kerassniff.semantic.shapes import ShapedLayer, model_shapes
from kerassniff.semantic.training import CompileCall, FitCall, LoopContext, LossSpec
from kerassniff.semantic.values import Const, Instance, KnobConst, const_value


# A call's argument longer than this is not repeated in a message (``fit_on_texts()`` rather than its whole expression).
LONGEST_ARGUMENT_SHOWN = 30


def argument_shown(script: Script, node: cst.CSTNode) -> str:
    """An argument's code as a message repeats it inside its call's parentheses: '' when it is too long to."""
    written = script.code_of(node)
    return written if len(written) <= LONGEST_ARGUMENT_SHOWN else ""


def in_script(trainer: Script | None):
    """How a cross-script report mentions a node: of ``trainer`` (the script that trained a loaded model) as
    :class:`Elsewhere` (its own file and line), of the reporting script (``trainer`` None) as it is."""
    if trainer is None:
        return lambda node: node
    return lambda node: Elsewhere(node, trainer.describe)


def loss_heads(script: Script) -> list[tuple[Model, CompileCall, LossSpec, OutputHead]]:
    """Each compiled loss with the output head it applies to (known heads only); paired once per script, for every
    rule that asks."""
    return script.derived("loss_heads", lambda: list(_pair_losses_with_heads(script)))


def _pair_losses_with_heads(script: Script) -> Iterator[tuple[Model, CompileCall, LossSpec, OutputHead]]:
    for model in script.models:
        if not model.heads():
            continue
        for compile_call in model.compiles:
            if _replaced_unused(script, model, compile_call):
                continue  # compiled again before any training: this loss never trains the model
            heads = model.heads_when_compiled(compile_call)
            for loss in compile_call.losses:
                if loss.output is None:
                    targets = heads
                elif isinstance(loss.output, int) and loss.output < len(heads):
                    targets = [heads[loss.output]]
                else:  # loss={"name": ...}: Keras matches the key to the output's name
                    targets = [head for index, head in enumerate(heads) if model.output_name(index) == loss.output]
                for head in targets:
                    if head is not None:
                        yield model, compile_call, loss, head


def _replaced_unused(script: Script, model: Model, compile_call: CompileCall) -> bool:
    """Whether the model is compiled again, by a statement of the script's top level that always runs, before any
    fit() or evaluate() runs with this compile() in force (a compile() under an if may not replace it)."""
    later = [other for other in model.compiles if other.order > compile_call.order]
    if not later:
        return False
    following = min(later, key=lambda other: other.order)
    if not _top_level_statement(script, following.node):
        return False
    replaced = following.order
    used = [*(fit.order for fit in model.fits),
            *(call.order for call in model.inferences if call.method in ("evaluate", "test_on_batch"))]
    return not any(compile_call.order < order < replaced for order in used)


def _top_level_statement(script: Script, node: cst.CSTNode) -> bool:
    """Whether a call is part of a simple statement at the script's top level (not inside an if, a loop, a with or a
    function)."""
    top = next((call.top for call in script.calls if call.node is node), None)
    return top is not None and top < len(script.module.body) and \
        type(script.module.body[top]) is cst.SimpleStatementLine


def hand_loss_heads(script: Script) -> Iterator[tuple[Model, LossSpec, OutputHead]]:
    """Each loss called by hand on a model's outputs (``loss_fn(y, model(x))``) with the output head it scores (a
    single-output model's known head); the rules that judge a loss against an activation alone ask for these too."""
    for model in script.models:
        heads = model.heads() if model.loss_calls else []
        if len(heads) == 1 and heads[0] is not None:
            for loss in model.loss_calls:
                yield model, loss, heads[0]


def layer_shapes(script: Script, model: Model) -> list[list[ShapedLayer]]:
    """:func:`~kerassniff.semantic.shapes.model_shapes` of a model, inferred once per script for every rule."""
    return script.derived(("layer_shapes", model), lambda: model_shapes(model))  # a model hashes by identity


def onehot_fit_labels(script: Script, model: Model) -> list[Data]:
    """The labels reaching fit() when every known one is one-hot (none conditional, none multiplied by a model's
    predictions: ``model.predict(s) * actions_onehot`` holds probabilities, not one-hot rows); else []."""
    labels = script.fit_labels(model)
    if not labels or any(d.encoding != "onehot" or d.conditional or d.made_from_predictions for d in labels):
        return []
    return labels


def describe_head(head: OutputHead) -> str:
    """'10-unit softmax output ({head})': the report that says it mentions ``head_mention(head)``."""
    units = f"{head.units}-unit " if head.units is not None else ""
    return f"{units}{head.activation} output ({{head}})"


def head_mention(head: OutputHead) -> dict:
    """The ``mentions`` of a report whose words use :func:`describe_head`: where the head's activation is."""
    return {"head": head.activation_node}


def quoted(script: Script, node) -> str:
    """A loss or metric as written, quoted once: 'binary_crossentropy', 'losses.BinaryCrossentropy()'."""
    text = script.code_of(node)
    return text if text.startswith(("'", '"')) else f"'{text}'"


def loss_text(script: Script, loss: LossSpec) -> str:
    """The loss as written when that is short ('bce', 'losses.BinaryCrossentropy()'), else its canonical name:
    a one-sentence message has no room for ``tf.keras.losses.SparseCategoricalCrossentropy(from_logits=...)``."""
    if type(loss.node) is cst.Name and loss.name is not None and len(loss.name) <= 24:
        return f"'{loss.name}'"  # a variable (loss=objective, **config): what it holds says more than its name
    text = quoted(script, loss.node)
    return text if len(text) <= 32 else f"'{loss.name}'"


_ALL_KINDS = ("fit", "validation", "evaluate", "predict")


def events(script: Script, model: Model, role: str, kinds: tuple[str, ...] = _ALL_KINDS, each_input: bool = False):
    """Arrays (role 'x' or 'y') that reach this model, in script order; with ``each_input``, role 'x' also brings
    each input of a multi-input model's list (``fit([images, table], y)``: roles 'x[0]', 'x[1]'), for the rules that
    ask which arrays a call used rather than what one input holds.  A reload of the script's own checkpoint
    (``model.save("net.h5")`` ... ``load_model("net.h5")``) that is not trained again was trained by the original's
    fit() calls up to the write of that file: their inputs and validation data come first."""
    if each_input and role == "x":
        inputs = script.derived("input_roles", lambda: sorted({e.role for e in script.data_events if e.role != "x" and
                                                                 e.role != "y"}))
        if not inputs:
            return events(script, model, "x", kinds)
        return sorted((e for one in ("x", *inputs) for e in events(script, model, one, kinds)), key=lambda e: e.order)
    origin = model.origin if model.origin is not None and not model.fits else None
    if origin is None:
        return [e for e in _events_by_model(script).get((id(model), role), ()) if e.kind in kinds]
    return [e for e in script.data_events if e.role == role and e.kind in kinds and (
        (e.model is model and e.order > model.reloaded_at)  # (before a load_weights(): the untrained network's)
        or (e.model is origin and e.kind in _TRAINING_KINDS and e.order <= model.origin_order))]


_TRAINING_KINDS = ("fit", "validation")


def _events_by_model(script: Script) -> dict[tuple[int, str], list[DataEvent]]:
    """The script's data events by model and role, in script order, found once per script (rules ask for one
    model's events tens of thousands of times on the clean corpus)."""
    def index() -> dict[tuple[int, str], list[DataEvent]]:
        found: dict[tuple[int, str], list[DataEvent]] = {}
        for event in script.data_events:
            found.setdefault((id(event.model), event.role), []).append(event)
        return found
    return script.derived("data_events_by_model", index)


EVENT_WORDS = {"fit": "fit()", "validation": "validation_data", "evaluate": "evaluate()", "predict": "predict()"}


_CENTERING = {("-min", "minmax"), ("-amin", "minmax"), ("-mean", "standardize")}


def scaling_text(data: Data) -> str:
    """'divided by 255', 'preprocess_input (resnet50)', 'not scaled' ..."""
    return steps_text([step for step in data.steps if step.is_scaling])


def extra_scaling(data: Data, than: Data) -> list | None:
    """The scaling steps ``data`` goes through besides all of those of ``than`` (which has some), when its steps are
    those and more: the training flow 'is also divided by 255'. None otherwise."""
    mine = [step for step in data.steps if step.is_scaling]
    theirs = [step for step in than.steps if step.is_scaling]
    kinds = [(step.kind, step.detail) for step in mine]
    wanted = [(step.kind, step.detail) for step in theirs]
    if not theirs or len(mine) <= len(theirs):
        return None
    if kinds[:len(wanted)] == wanted:
        return mine[len(wanted):]
    if kinds[-len(wanted):] == wanted:
        return mine[:-len(wanted)]
    return None


def steps_text(steps: list) -> str:
    """The words for scaling steps in order: 'divided by 255, then passed through preprocess_input (vgg16)'."""
    words = []
    for index, step in enumerate(steps):
        following = steps[index + 1].kind if index + 1 < len(steps) else None
        if step.kind == "shift" and (step.detail, following) in _CENTERING:
            continue  # x - min then / (max - min) is one min-max scaling; x - mean then / std one standardisation
        if step.kind == "scale" and step.detail.startswith("/") and step.detail[1:].replace(".", "", 1).isdigit():
            words.append(f"divided by {step.detail[1:]}")
        elif step.kind == "preprocess":
            words.append(f"passed through preprocess_input ({step.detail})" if step.detail != "?" else "passed through a preprocessing function")
        elif step.kind == "standardize":
            words.append("standardised" if step.detail == "/std" else f"standardised ({step.detail})")
        elif step.kind == "minmax":
            words.append("min-max scaled" if step.detail == "/max-min" else f"min-max scaled ({step.detail})")
        elif step.kind == "shift" and step.detail[1:2] == "[":  # a mean per colour channel
            words.append(f"with {step.detail[1:]} {'subtracted' if step.detail[0] == '-' else 'added'}")
        elif step.kind == "shift":
            words.append(f"shifted ({step.detail})")
        else:
            words.append(f"scaled ({step.detail})")
    return ", then ".join(words) if words else "not scaled"


def comparable_scaling(data: Data) -> bool:
    """Only compare histories that are fully known: no branch-dependent value, no unknown factor."""
    return not data.conditional and all("?" not in s for s in data.scaling)


# preprocess_input's module -> the mode it applies ("tf": x / 127.5 - 1, "caffe", "torch"): two modules of one mode
# are the same function (mobilenet_v2's and inception_v3's).
_PREPROCESS_MODE_OF = {module: mode for mode, module in PREPROCESSING_MODES.values()}


def scaled_alike(a: Data, b: Data) -> bool:
    """Whether two arrays' scalings do the same to their values, written alike or not: the same steps, the same
    preprocess_input modes (``mobilenet_v2`` and ``inception_v3``), or the same known range from the same range
    (``(x - 127.5) / 127.5`` and mode "tf")."""
    if a.scaling == b.scaling or _modes(a) == _modes(b):
        return True
    first, second = _effect_range(a), _effect_range(b)
    return first is not None and second is not None and all(abs(x - y) < 1e-3 for x, y in zip(first, second))


def _effect_range(data: Data) -> tuple[float, float] | None:
    """The values' range after the scaling: followed through constant steps, or the one range preprocess_input's "tf"
    mode gives every channel of pixels (-1 to 1; "caffe" and "torch" give each channel its own)."""
    if data.value_range is not None:
        return data.value_range
    modes = _modes(data)
    return (-1.0, 1.0) if data.source.pixels and modes == ("mode:tf",) else None


def _modes(data: Data) -> tuple[str, ...]:
    return tuple(f"mode:{_PREPROCESS_MODE_OF.get(step.detail, step.detail)}" if step.kind == "preprocess" else
                 f"{step.kind}:{step.detail}" for step in data.steps if step.is_scaling)


def scaling_mismatches(script: Script, model: Model, flows: bool):
    """(reference, other) input events whose scaling differs from the first fit() input.

    ``flows`` picks generator/dataset flows (KS204) or plain arrays (KS201); both compare only
    fully known histories.
    """
    inputs = [e for e in events(script, model, "x") if e.data.batches == flows and comparable_scaling(e.data)]
    if first_fit(inputs) is None:
        return
    for event in inputs:
        reference = _reference_for(inputs, event)  # the first fit() input that can run in the same run as it
        if reference is not None and event is not reference and event.data.scaling != reference.data.scaling:
            yield reference, event


def _reference_for(inputs: list, event) -> "DataEvent | None":
    """The first fit() input that may run with ``event``: not in the other arm of an if that holds it."""
    return first_fit([e for e in inputs if not e.excludes(event)])


def trainer_name(script: Script, node) -> str:
    """The method of the training call at ``node`` as a message names it: ``search()`` for a keras-tuner tuner's
    search, ``fit()`` otherwise (fit_generator and train_on_batch included)."""
    call = script.call_at(node)
    return "search()" if call is not None and call.method == "search" else "fit()"


def brief_scaling_text(data: Data) -> str:
    """The scaling as a short message says it: 'preprocessed for resnet50' for one preprocess_input call (a message
    has no room for 'passed through preprocess_input (resnet50)'); anything else as :func:`scaling_text` says it."""
    steps = [s for s in data.steps if s.is_scaling]
    if len(steps) == 1 and steps[0].kind == "preprocess" and steps[0].detail != "?":
        return f"preprocessed for {steps[0].detail}"
    return scaling_text(data)


def same_kind_of_data(a: Data, b: Data) -> bool:
    """Two inputs whose scales can be compared: one source's data (the same group), or both image pixels, known
    from their reader or from what the script does to them (an array of a file divided by 255: the script treats
    it as pixels, so images read and prepared otherwise are compared with it)."""
    return a.group == b.group or _one_read(a, b) or (
        (a.source.pixels or a.scaled_as_pixels) and (b.source.pixels or b.scaled_as_pixels)
        and (a.source.pixels or b.source.pixels))


def _one_read(a: Data, b: Data) -> bool:
    """Arrays made from what one read of one file gave (windows gathered from a series, and the series itself later
    on): one data, though gathering the windows made a new array.  A reader in a helper called for two files whose
    paths are not known is not one read."""
    return a.source == b.source and (a.source.kind != "file" or a.source.path is not None)


def twin_files(reference: Data, other: Data) -> bool:
    """Two arrays read from files by the same reader (``np.loadtxt(train_file)``, ``np.loadtxt(test_file)``), the
    first divided into 0-1 as pixels are and the other not scaled at all: the script treats what the reader gives
    as 0-255 pixels, so its twin holds them too.  Files whose folder is not known (``folder + "/train.csv"``, the
    folder set by a flag) are compared by their names."""
    if not (reference.source.kind == other.source.kind == "file" and
            reference.source.description == other.source.description and
            reference.scaled_as_pixels and not other.is_scaled and not other.conditional):
        return False
    paths = reference.source.normal_path, other.source.normal_path
    if paths == (None, None):
        paths = reference.source.last_part, other.source.last_part
    return _split_names_of_one_file(*paths)


# The words that name a split in a file's path (the variable names' SPLIT_WORDS, and the longer forms paths use).
_PATH_SPLIT_WORDS = SPLIT_WORDS | {"training", "testing", "eval", "dev"}


def _split_names_of_one_file(a: str | None, b: str | None) -> bool:
    """Two different paths that are one file name but for the split's word (``sign_train.csv`` and
    ``sign_test.csv``, ``digits/train.csv`` and ``digits/test.csv``, ``input.csv`` and ``input_test.csv``): the
    same data, split in two.  Not a file named for what was done to it (``x_val_normalised.npy``)."""
    if a is None or b is None or a == b:
        return False
    words_a, words_b = name_words(a), name_words(b)
    if not any(word in _PATH_SPLIT_WORDS for word in words_a + words_b):
        return False  # (data1.csv and data2.csv: no split named)
    return [w for w in words_a if w not in _PATH_SPLIT_WORDS] == [w for w in words_b if w not in _PATH_SPLIT_WORDS]


def first_fit(inputs: list) -> "DataEvent | None":
    """The first fit() input among ``inputs``: what the other splits' scaling is compared with."""
    return next((e for e in inputs if e.kind == "fit"), None)


def held_out_inputs(script: Script, model: Model) -> "tuple[DataEvent | None, list[DataEvent]]":
    """The model's first fit() input and the inputs of its other calls (validation_data, evaluate(), predict()) that
    may run with it (not in the other arm of one if), arrays the same in every branch only; without a fit(), every
    other input, for a model the script does not train."""
    inputs = [event for event in events(script, model, "x") if not event.data.conditional]
    reference = first_fit(inputs)
    return reference, [event for event in inputs if event.kind != "fit" and
                       (reference is None or not event.excludes(reference))]


def fit_words(event: "DataEvent", reference: "DataEvent") -> str:
    """How a message names the fit() an input is compared with: with its line ({fit}), unless the input is that
    fit()'s own validation_data."""
    return "fit()'s" if event.call_node is reference.call_node else "fit()'s ({fit})"


def flow_array_mismatches(script: Script, model: Model):
    """(training flow, array) input events of one source whose scaling differs: ``fit(gen.flow(x_train),
    validation_data=(x_val, y_val))`` with a rescaling generator and raw arrays (KS201 compares arrays, KS204 flows)."""
    inputs = [e for e in events(script, model, "x") if comparable_scaling(e.data)]
    for event in inputs:
        reference = _reference_for(inputs, event)
        if reference is not None and reference.data.batches and not event.data.batches and \
                event.data.group == reference.data.group and event.data.scaling != reference.data.scaling:
            yield reference, event


# -- verdict helpers: what several rules' dynamic verdicts read in a run (kerassniff.evidence) -------------------
def scaling_verdict(train: dict | None, used: dict | None, where: str) -> Verdict | None:
    """Do the arrays fit() trained on and the ones used at ``where`` differ in scale by more than 10x?"""
    ratio = scale_ratio(train, used)
    if ratio is None:
        return None
    differs = ratio > 10 or ratio < 0.1
    return Verdict(differs, f"fit() x {range_text(train)}; {where} x {range_text(used)}")


def used_scaling_verdict(finding: Finding, run: Measurements) -> Verdict | None:
    """The scale of the arrays used at the finding's line against the first fit()'s (KS201, KS204)."""
    used = run.at(finding.line)
    fit = run.fit_for(0)
    if used is None or fit is None:
        return None
    if used["kind"] == "fit":
        return scaling_verdict(fit.get("x"), used.get("validation_x"), "validation")
    return scaling_verdict(fit.get("x"), used.get("x"), f"{used['kind']}()")


def shape_failure(run: Measurements) -> Verdict | None:
    """The first training step failed on a shape: what KS111 and KS310 predict."""
    crash = run.data.get("crash") or {}
    error = str(crash.get("error") or "")
    if run.data.get("status") != "crashed" or not error:
        return None
    if "shape" in error or "rank" in error or "outside the valid range" in error:
        return Verdict(True, f"training stops with: {error}")
    return None


def kernel_layer(layer: dict) -> bool:
    """A built layer (as the run recorded it) with a kernel: an affine map."""
    return layer.get("class") in ("Dense", "Conv1D", "Conv2D", "Conv3D")


def layer_chains(layers: list[dict]) -> list[tuple[dict, dict]]:
    """(producer, consumer) pairs of top-level layers, by the built graph."""
    by_name = {layer["name"]: layer for layer in layers if not layer.get("nested")}
    return [(by_name[layer["inbound"]], layer) for layer in by_name.values() if layer.get("inbound") in by_name]


def compiled_metric_names(script: Script, fit: FitCall) -> set[str] | None:
    """The names the model's last compile() before ``fit`` logs its metrics under (tf.keras 2 and Keras 3 log a
    string metric by the string given, a function of the script's by its name: MetricSpec.logged); an empty set when
    it names none; None when one's name is not known, the model has several outputs (their names prefix the
    metrics') or no compile is known, or a metric function the script gives another ``__name__``
    (Script.renamed_functions)."""
    compile_call = fit.model.compile_before(fit.order)
    if compile_call is None or len(fit.model.heads()) > 1:
        return None
    names = set()
    for metric in compile_call.metrics:
        if metric.logged is None or (metric.function is not None and id(metric.function) in script.renamed_functions):
            return None
        names.add(metric.logged)
    return names


def compiled_metric_strings(fit: FitCall) -> set[str]:
    """The metrics the model's last compile() before ``fit`` names by a string (``"acc"``): the only ones another
    spelling of a name can stand for (:func:`~kerassniff.semantic.knowledge.model_api.other_spelling`)."""
    compile_call = fit.model.compile_before(fit.order)
    return {metric.given for metric in compile_call.metrics if metric.given} if compile_call is not None else set()


def keras_2_only(script: Script) -> bool:
    """See :func:`_keras_2_only`; computed once per script (rules ask it per call)."""
    return script.derived("keras_2_only", lambda: _keras_2_only(script))


def _keras_2_only(script: Script) -> bool:
    """Whether the script's Keras is a Keras 2: it imports tf_keras (which also makes ``tensorflow.keras`` tf_keras
    when TF_USE_LEGACY_KERAS is set, as such scripts do), or sets TF_USE_LEGACY_KERAS itself and reaches Keras only
    through TensorFlow, or it imports TensorFlow's private copy and uses no public Keras (``keras``,
    ``tensorflow.keras``, ``tf.keras``). A script that imports the private copy beside a public Keras is judged object
    by object (KS402's ``_from_private_copy`` and ``_private_model``): a stray private import does not make it Keras 2."""
    if script.imports_from("tf_keras"):
        return True
    variable, set_values = LEGACY_KERAS_VARIABLE
    if script.environment.get(variable) in set_values and not script.imports_from("keras"):
        return True  # os.environ["TF_USE_LEGACY_KERAS"] = "1": its tf.keras is tf_keras (standalone keras stays 3)
    if not script.imports_from(PRIVATE_COPY):
        return False
    public = (lambda raw: keras_relative(raw) is not None and not raw.startswith(PRIVATE_COPY))
    # a public Keras imported, or reached through TensorFlow (``import tensorflow as tf`` then tf.keras.Sequential)
    return not any(public(raw) for raw in script.imports.values()) and \
        not any(public(reference.raw) for reference in script.references)


def shared_parts(mine: Data, theirs: Data) -> tuple[str, str, dict] | None:
    """Two parts of one tf.data pipeline cut by take()/skip() that share samples: two take()s (two prefixes) or two
    skip()s, or a take()/skip() pair of a pipeline reshuffled each epoch before the cut (each epoch's iteration
    draws a new order, so each part holds samples of the other's in other epochs).  (a summary for a message, the
    why for an explanation, facts), or None."""
    if mine.group != theirs.group:
        return None
    a, b = mine.parts, theirs.parts
    if a and len(a) == len(b) and a[:-1] == b[:-1]:
        split = len(a) - 1  # two cuts of one pipeline, last in both chains (take/take, take/skip)
    else:  # the chains part at their first difference: ds.take(a) against ds.skip(a).take(b)
        split = next((i for i, (x, y) in enumerate(zip(a, b)) if x[0] != y[0]), None)
        if split is None:
            return None  # one chain is the other's start: not two parts cut from one pipeline
    (kind, reshuffled), (other, other_reshuffled) = a[split], b[split]
    if "shard" in (kind, other):
        return None  # shard(n, i) against shard(n, j): which shards is not followed
    facts = {"split": f"{kind}/{other}", "reshuffled": bool(reshuffled or other_reshuffled)}
    if kind == other and len(a) == len(b) == split + 1:
        return (f"both are {kind}() of one pipeline", f"two {kind}() of one pipeline overlap: the shorter part is "
                                                       f"inside the longer, so every sample of it is in both", facts)
    if kind != other and (reshuffled or other_reshuffled):  # also ds.take(a) against ds.skip(a).take(b)
        return ("take()/skip() after a shuffle redone each epoch",
                "shuffle() reshuffles the pipeline at every iteration (reshuffle_each_iteration=True by default; "
                "the *_dataset_from_directory readers and Dataset.list_files shuffle so too), so each epoch's take() and skip() cut a new order: "
                "each part holds samples the other held in other epochs", facts)
    return None


def fold_loop(script: Script, context: LoopContext | None) -> LoopContext | None:
    """The innermost loop around the call that walks a cross-validator's folds:
    ``for train, test in kfold.split(x, y)``, also through ``enumerate()``."""
    while context is not None:
        node = context.node
        if type(node) is cst.For and split_call(script, node) is not None:
            return context
        context = context.parent
    return None


def split_call(script: Script, loop: cst.For) -> cst.Call | None:
    iterable = loop.iter
    if type(iterable) is cst.Call and type(iterable.func) is cst.Name and iterable.func.value == "enumerate" \
            and iterable.args:
        iterable = iterable.args[0].value
    if type(iterable) is not cst.Call or type(iterable.func) is not cst.Attribute \
            or iterable.func.attr.value != "split":
        return None
    site = script.call_at(iterable)
    if site is None or not isinstance(site.receiver, Instance) or site.receiver.cls not in FOLD_SPLITTERS:
        return None
    if site.receiver.cls in SINGLE_SPLIT_SPLITTERS:
        splits = site.receiver.args.get("n_splits", 0)
        if splits is not None and (isinstance(splits, KnobConst) or
                                   not (isinstance(const_value(splits), int) and const_value(splits) >= 2)):
            return None  # ShuffleSplit(n_splits=1): one split, a number not known, or an option's default
    return iterable


def fits_under(compile_call: CompileCall) -> list[FitCall]:
    """The model's training calls (fit, train_on_batch, ...) while this compile() is its latest: what trains with
    the loss and optimizer it was given."""
    model = compile_call.model
    return [fit for fit in model.fits if model.compile_before(fit.order) is compile_call]


def pretrained_network(model: Model) -> str | None:
    """The keras.applications network with pretrained weights (ImageNet, or a file of them) the model holds, when
    its preprocess_input is known: what its weights were trained on is what that function makes of 0-255 pixels."""
    network = next(model.applications(), None)
    if network is None or network.name not in PREPROCESSING_MODES:
        return None
    # weights left out (ImageNet's by default), or a known name or file; not a value the analysis cannot read
    known = network.weights is None or (isinstance(network.weights, Const) and isinstance(network.weights.value, str))
    return network.name if known else None


def input_path_known(model: Model) -> bool:
    """Whether what the model does to its input is known: every layer on the way to the outputs was followed, or
    the input goes first into a keras.applications network whose output is cut inside it (``base.layers[-2].output``
    of a network built with its top): the layers after the cut do not touch the input."""
    if model.structure_known:
        return True
    paths = model.outputs if model.structure_kind == "functional" else None
    return bool(paths) and all(path and path[0].nested is not None and path[0].nested.kind == "application"
                               for path in paths)  # type: ignore[union-attr]


def fit_validates(fit: FitCall) -> bool | None:
    """Whether a fit() call validates; None when its arguments are not all known.  "No validation" is read from the
    call as written (no validation_data=/validation_split=, or a literal None / 0): a parameter's default is not
    known to be what every caller passes."""
    args = fit.args
    if any(arg.star for arg in args.nodes) or len(args.positional) > CALLBACKS_POSITION[fit.method]:
        return None
    data, split = args.node_of("validation_data"), args.node_of("validation_split")
    if data is not None and not (isinstance(data.value, cst.Name) and data.value.value == "None"):
        return True
    if split is not None and not (isinstance(split.value, (cst.Integer, cst.Float)) and
                                  float(split.value.evaluated_value) == 0):
        value = const_value(args.get("validation_split"))
        return True if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
    return False
