"""KS402's legacy arguments: Keras 1 names of arguments (renamed, ``nb_epoch=`` -> ``epochs=``), arguments Keras 3
removed without a successor (``workers=``, ``batch_input_shape=``), and compile()'s metrics given by Keras 2's
position, each with the story of what each Keras does with it.  The tables live in
:mod:`kerassniff.semantic.knowledge.keras3_removals`; this module turns an entry into a report (message, hint, fix,
explanation)."""
from __future__ import annotations

import libcst as cst

from kerassniff.fixes import Edit, Fix, as_keyword, safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import (
    COUNT_CHANGING_KEYWORDS,
    LAYER_KEYWORDS,
    MODEL_KEYWORDS,
    ONE_LAYER_KEYWORDS,
    OPTIMIZER_KEYWORDS,
    REMOVED_CALL_KEYWORDS,
    REQUIRED_LAYER_ARGUMENTS,
)
from kerassniff.semantic.values import Const, Instance, Seq, const_value


# What each table's old keyword does on each Keras: (the consequence for the message, the story for the explanation).
CALL_STORY = ("Keras 3 stops with TypeError",
              "'{old}=' is the Keras 1 name of '{modern}='. Keras 3's fit()/evaluate()/predict() have no such argument "
              "(TypeError: unexpected keyword argument); standalone Keras 2.0-2.3 still renamed it with a warning.")
LAYER_STORY = ("Keras 3 stops with ValueError",
               "'{old}=' is the Keras 1 name of '{modern}='. Keras 3 layers raise ValueError (Unrecognized keyword "
               "arguments), tf.keras 2 layers TypeError (Keyword argument not understood); only standalone Keras "
               "2.0-2.3 renamed it with a warning.")
# The Keras 1 name of a required argument, given alone: Keras 3's constructor misses the argument (checked on 3.15.1:
# Dense(output_dim=10) and Dropout(p=0.1) raise TypeError; with the argument also given positionally, ValueError).
# Another Keras 1 keyword of a call that also misses a required argument (Conv1D(64, filter_length=3,
# subsample_length=1)): Keras 3 binds the arguments first and stops with TypeError for the missing one.
ALONGSIDE_STORY = ("Keras 3 stops with TypeError",
                   "'{old}=' is the Keras 1 name of '{modern}='. Keras 3 layers reject it (ValueError, Unrecognized "
                   "keyword arguments), but this call also misses a required argument renamed since Keras 1, so it "
                   "stops first with TypeError; only standalone Keras 2.0-2.3 renamed them with a warning.")
REQUIRED_STORY = ("Keras 3 stops with TypeError",
                  "'{old}=' is the Keras 1 name of '{modern}='. Keras 3 (like tf.keras 2) then misses its required "
                  "'{modern}' argument and raises TypeError; only standalone Keras 2.0-2.3 renamed it with a warning.")
MODEL_STORY = ("Keras 3 stops with ValueError",
               "'{old}=' is the Keras 1 name of '{modern}='. Keras 3's Model raises ValueError (Unrecognized keyword "
               "arguments), tf.keras 2's TypeError (Keyword argument not understood); only standalone Keras 2.0-2.3 "
               "renamed it with a warning.")
# Model(x, output=y): with the inputs by position and no outputs=, Keras 3 takes the subclassing path (checked on
# 3.15.1).
MODEL_POSITIONAL_STORY = ("Keras 3 stops with TypeError",
                          "'{old}=' is the Keras 1 name of '{modern}='. With the inputs given by position and no "
                          "outputs=, Keras 3's Model is built as a subclassed model and stops with TypeError "
                          "(Layer.__init__() takes 1 positional argument); only standalone Keras 2.0-2.3 renamed it "
                          "with a warning.")
OPTIMIZER_STORIES = {
    "lr": ("is ignored by tf.keras 2.11-2.15 and rejected by Keras 3",
           "tf.keras <= 2.10 read lr= as learning_rate= (with a deprecation warning). tf.keras 2.11-2.15 log a "
           "warning and drop it, so the optimizer silently trains at its default learning rate (0.01 for SGD, "
           "0.001 for Adam, RMSprop and the others). "
           "Keras 3 raises ValueError: Argument(s) not recognized."),
    "decay": ("is ignored by Keras 3 and rejected by tf.keras 2.11-2.15",
              "decay= decayed the learning rate as lr / (1 + decay * iterations) in Keras 2 and tf.keras <= 2.10. "
              "Keras 3 warns that it is no longer supported and trains at a constant learning rate; tf.keras "
              "2.11-2.15 raise ValueError."),
}


def legacy_keywords(call, table, where: str, story: tuple[str, str] | None, together: bool = False):
    """One report per legacy keyword, written or unpacked from a dict (``Dense(**params)`` with ``"output_dim": 8``:
    reported at the ``**``, without a fix, the dict's entry being elsewhere); ``story`` is the table's (consequence,
    explanation), None for the optimizer keywords, whose stories differ per keyword (OPTIMIZER_STORIES).
    ``together``: the call's legacy keywords are one report, at the first (``Model(input=x, output=y)``: one rename
    of a pair, not two findings)."""
    present = {a.keyword.value for a in call.args.nodes if a.keyword is not None}
    found = []  # (where to report, old, modern, hint, fixable, unpacked)
    for arg in call.args.nodes:
        if arg.keyword is not None and arg.keyword.value in table:
            old = arg.keyword.value
            modern, hint = table[old]
            if modern in present:
                hint = f"drop {old}= ({modern}= is given too)"
            # (not to a modern name Keras 3 rejects too: nb_worker= renamed workers= still stops fit() with TypeError)
            fixable = modern.isidentifier() and modern not in present and old not in COUNT_CHANGING_KEYWORDS and \
                modern not in REMOVED_CALL_KEYWORDS
            found.append((arg, old, modern, hint, fixable, False))
    spread = [arg for arg in call.args.nodes if arg.star == "**"]
    if spread:
        for old in call.args.keyword_names:
            if old not in present and old in table:
                modern, hint = table[old]
                if modern in call.args.keyword_names or modern in present:
                    hint = f"drop {old}= ({modern}= is given too)"
                found.append((spread[-1], old, modern, hint, False, True))
    if together and story is not None and len(found) > 1:
        yield _together(found, where, story)
        return
    for node, old, modern, hint, fixable, unpacked in found:
        fix = safe_fix(f"rename {old}= to {modern}=", node, node.with_changes(keyword=cst.Name(modern))) \
            if fixable else None
        message, explanation = _keyword_story(old, modern, where, story)
        yield Report(node, message, hint, fix, explanation=explanation,
                     facts={"keyword": old, "modern": modern, **({"unpacked": True} if unpacked else {})})


def model_keywords(call):
    """``Model(input=x, output=y)``: Keras 1's names of inputs= and outputs=, one report.  Not when the call gives
    Keras both inputs and outputs besides (by keyword or position): Keras 3 then builds the functional model and
    ignores input=/output= (checked on 3.15.1)."""
    named = {arg.keyword.value for arg in call.args.nodes if arg.keyword is not None} | set(call.args.keyword_names)
    positional = sum(1 for arg in call.args.nodes if arg.keyword is None and not arg.star)
    if positional >= 2 or (positional == 1 and "outputs" in named) or {"inputs", "outputs"} <= named:
        return
    yield from legacy_keywords(call, MODEL_KEYWORDS, "Model()", MODEL_POSITIONAL_STORY if positional else MODEL_STORY,
                               together=True)


def _together(found: list, where: str, story: tuple[str, str]) -> Report:
    """The legacy keywords of one call as one report: ``Model(input=, output=) are Keras 1 names for ...``."""
    olds, moderns = [entry[1] for entry in found], [entry[2] for entry in found]
    consequence, explanation = story
    rest = explanation.split(". ", 1)[1].replace("renamed it", "renamed them")  # (its first sentence names one)
    named = " and ".join(f"'{old}='" for old in olds)
    successors = " and ".join(f"'{modern}='" for modern in moderns)
    fix = None
    if all(entry[4] for entry in found):
        fix = Fix(f"rename {', '.join(f'{old}=' for old in olds)} to {', '.join(f'{m}=' for m in moderns)}",
                  tuple(Edit(arg, arg.with_changes(keyword=cst.Name(modern))) for arg, _, modern, *_ in found))
    return Report(found[0][0], f"{where[:-1]}{', '.join(f'{old}=' for old in olds)}) are Keras 1 names for "
                               f"{', '.join(f'{m}=' for m in moderns)}: {consequence}",
                  "; ".join(dict.fromkeys(entry[3] for entry in found)), fix,
                  explanation=f"{named} are the Keras 1 names of {successors}. {rest}",
                  facts={"keywords": olds, "modern": moderns})


def _keyword_story(old: str, modern: str, where: str, story: tuple[str, str] | None) -> tuple[str, str]:
    """The message and explanation for a legacy keyword (the table's story, or the optimizer keyword's own)."""
    if story is None:
        consequence, explanation = OPTIMIZER_STORIES[old]
        return f"'{old}=' in {where} {consequence}", explanation
    consequence, explanation = story
    return (f"'{old}=' in {where} is the Keras 1 name of '{modern}=': {consequence}",
            explanation.format(old=old, modern=modern))


def layer_keywords(call, name: str):
    """Keras 1 keywords of a layer: renamed everywhere (border_mode=) or on this layer (Dense(output_dim=)).  Keras 3
    raises TypeError where the modern argument is a required one the call then lacks (Conv1D(64, filter_length=3)
    misses kernel_size), ValueError (an unrecognized keyword) otherwise."""
    own = ONE_LAYER_KEYWORDS.get(name, {})
    required = REQUIRED_LAYER_ARGUMENTS.get(name, {})
    legacy = [(keyword, own.get(keyword) or LAYER_KEYWORDS.get(keyword)) for keyword in call.args.keyword_names]
    legacy = [(old, entry) for old, entry in legacy if entry is not None]
    renamed_required = {entry[0] for _, entry in legacy
                        if required.get(entry[0]) is not None and len(call.args.positional) <= required[entry[0]]}
    for old, entry in legacy:
        story = REQUIRED_STORY if entry[0] in renamed_required else ALONGSIDE_STORY if renamed_required else \
            LAYER_STORY
        yield from legacy_keywords(call, {old: entry}, f"{name}()", story)


# Layer keywords Keras 2 (tf_keras, TensorFlow's private copy) still takes and only Keras 3 refuses.
KERAS_2_LAYER_KEYWORDS = frozenset({"batch_input_shape", "weights"})
_REMOVED_KEYWORD_ADVICE = {
    "weights": ("build the layer, then call layer.set_weights([kernel, bias]) (or pass "
                "kernel_initializer=keras.initializers.Constant(kernel))",
                "Keras 1 and 2 layers took their initial weights as weights=[kernel, bias]; Keras 3's layers raise "
                "ValueError (Unrecognized keyword arguments, checked on 3.15.1) except Embedding, which still reads "
                "weights=."),
    "batch_input_shape": ("start the model with keras.Input(batch_shape=...) (or keras.Input(shape=...) without the batch "
                          "size)",
                          "tf.keras 2 layers took batch_input_shape= to build the model's input; Keras 3 layers raise "
                          "ValueError (Unrecognized keyword arguments): the input is declared by keras.Input."),
    "dropout": ("drop it, and add a Dropout layer after the Embedding for the regularisation it gave",
                "Keras 1's Embedding(dropout=) dropped a fraction of the embedded words while training; Keras 2 "
                "removed the argument and Keras 3's Embedding raises ValueError (Unrecognized keyword arguments, "
                "checked on 3.15.1). A Dropout or SpatialDropout1D layer after the Embedding regularises it now."),
    "schedule_decay": ("drop it: Keras 3's Nadam has no schedule_decay (its momentum schedule is built in)",
                       "Standalone Keras 2 and tf.keras <= 2.10 took Nadam(schedule_decay=) (tf.keras read it as "
                       "decay=); Keras 3 raises ValueError: Argument(s) not recognized (checked on 3.15.1)."),
    "show_accuracy": ("drop it, and log accuracy with compile(metrics=['accuracy'])",
                      "Keras 0 printed the accuracy when fit() or evaluate() was given show_accuracy=True; Keras 1 "
                      "moved it to compile(metrics=['accuracy']). Keras 3's fit() and predict() raise TypeError on it, "
                      "evaluate() ValueError."),
    "period": ("use save_freq= (counted in batches): save_freq=period * steps_per_epoch",
               "ModelCheckpoint(period=) counted epochs in Keras 2 (deprecated since tf.keras 2.1); Keras 3's "
               "ModelCheckpoint has only save_freq= ('epoch' or a number of batches)."),
}
_WORKERS_ADVICE = ("drop it: Keras 3 loads data in parallel through a keras.utils.PyDataset built with workers=, "
                   "use_multiprocessing= and max_queue_size=",
                   "tf.keras 2 read workers=, use_multiprocessing= and max_queue_size= in fit(), evaluate() and "
                   "predict() for generators and keras.utils.Sequence; Keras 3 moved them to keras.utils.PyDataset "
                   "and its fit()/predict() raise TypeError (evaluate() ValueError) on them.")


# A decay= below this (1e-6 is the common value; INIT_LR / EPOCHS of the mask-detector tutorial, 5e-6) changed Keras 2's
# learning rate, lr / (1 + decay * iterations), by under a tenth over 10,000 training steps: Keras 3 ignoring it
# changes nothing worth a finding.  (1e-5 and above is reported.)
NEGLIGIBLE_DECAY = 1e-5


def optimizer_keywords(script: Script, call) -> dict:
    """OPTIMIZER_KEYWORDS, less ``decay=`` when it is 0 or negligible (NEGLIGIBLE_DECAY) or the optimizer is never
    used: Keras 3 ignores a decay that would change nothing, and one of an optimizer nothing trains with (tf.keras
    2.11-2.15's rejection of it is not worth a finding)."""
    decay = call.args.get("decay")
    value = const_value(decay) if decay is not None else None
    negligible = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < NEGLIGIBLE_DECAY
    if decay is not None and (negligible or _unused_optimizer(script, call.node)):
        return {key: value for key, value in OPTIMIZER_KEYWORDS.items() if key != "decay"}
    return OPTIMIZER_KEYWORDS


def _unused_optimizer(script: Script, node: cst.Call) -> bool:
    """An optimizer built and left unused: every compile() of the script gets a name ('sgd') or another Keras
    optimizer, and no method of this one is called (apply_gradients in a training loop)."""
    compiles = [c for c in script.calls if c.method == "compile"]
    if not compiles:
        return False
    for compile_call in compiles:
        given = compile_call.args.get("optimizer", 0)
        if not ((isinstance(given, Const) and isinstance(given.value, str)) or (
                isinstance(given, Instance) and given.cls.startswith("keras.optimizers.") and given.node is not node)):
            return False
    return not any(isinstance(c.receiver, Instance) and c.receiver.node is node for c in script.calls)


def recurrent_input_keywords(script: Script, call, name: str):
    """``LSTM(4, input_dim=3)``: Keras 1's features per time step, which Keras 3 reads as a 2-D input where it
    builds the model's input from it (the first layer of a Sequential model without keras.Input; elsewhere it only
    warns and ignores it), and ``input_length=``, which Keras 3 rejects everywhere."""
    for arg in call.args.nodes:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword not in ("input_dim", "input_length"):
            continue
        if keyword == "input_dim" and not _starts_sequential_model(script, call.node):
            continue
        failure = ("makes a 2-D input in Keras 3: ValueError" if keyword == "input_dim" else
                   "was removed in Keras 3: ValueError")
        yield Report(arg, f"'{keyword}=' in {name}() {failure}",
                     f"declare the input as (time steps, features): {name}(units, input_shape=(steps, features)), or "
                     f"start the model with keras.Input(shape=(steps, features))",
                     explanation=(f"Keras 1 and tf.keras 2 read {name}(input_dim=, input_length=) as the features per "
                                  f"time step and the number of steps. Keras 3 turns input_dim= into a 2-D "
                                  f"input_shape=(input_dim,), which a recurrent layer refuses (ValueError: expected "
                                  f"ndim=3, found ndim=2), and rejects input_length= (Unrecognized keyword "
                                  f"arguments)."),
                     facts={"keyword": keyword})


def _starts_sequential_model(script: Script, node: cst.CSTNode) -> bool:
    """Whether the layer built at ``node`` is the first layer of a Sequential model that has no keras.Input."""
    return any(model.structure_kind == "sequential" and model.input_shape is None and model.layers and
               model.layers[0].node is node for model in script.models)


def removed_keywords(call, where: str, removed: tuple[str, ...], failure: str):
    """The keywords Keras 3 removed from ``where`` without a renamed equivalent: one report per call, at the first
    (``fit(workers=4, use_multiprocessing=True)`` is one change to make, not two findings)."""
    given = [arg for arg in call.args.nodes if arg.keyword is not None and arg.keyword.value in removed]
    if not given:
        return
    olds = [arg.keyword.value for arg in given]
    advice = list(dict.fromkeys(_REMOVED_KEYWORD_ADVICE.get(old, _WORKERS_ADVICE) for old in olds))
    if len(olds) == 1:
        message = f"'{olds[0]}=' in {where} was removed in Keras 3: {failure}"
    else:
        message = f"{', '.join(f'{old}=' for old in olds)} in {where} were removed in Keras 3: {failure}"
    hint = "; ".join(hint for hint, _ in advice)
    yield Report(given[0], message, hint.replace("drop it", "drop them") if len(olds) > 1 else hint,
                 explanation=" ".join(explanation for _, explanation in advice),
                 facts={"keyword": olds[0]} if len(olds) == 1 else {"keywords": olds})


def compile_positional_metrics(call):
    """``model.compile("adam", "categorical_crossentropy", ["accuracy"])``: Keras 1 and 2 took metrics third, Keras
    3 takes loss_weights there (compile(optimizer, loss, loss_weights, metrics, ...)), so the metrics become loss
    weights (checked on 3.15.1): a list of names passes compile() and the first fit() stops with ValueError ("dtype=
    'string' is not a valid dtype for Keras type promotion"), of metric objects with TypeError; one name or one
    object alone stops compile() itself with ValueError ("Expected `loss_weights` argument to be a float ...").
    Only metric names or Keras metric objects: numbers there are loss weights."""
    positional = [arg for arg in call.node.args if arg.keyword is None and not arg.star]
    if len(positional) < 3 or any(arg.star for arg in call.node.args) or call.args.has("loss_weights") or \
            len(call.args.positional) < 3:
        return
    value = call.args.positional[2]
    given = _metric_names(value)
    if given is None:
        return
    written = positional[2]
    folded = const_value(value)
    alone = not isinstance(value, Seq) and not isinstance(folded, (list, tuple))  # one name or one metric object
    where, failure, error = (
        ("compile()", "ValueError", "\"Expected `loss_weights` argument to be a float (single output case) or a list, "
                                    "tuple, or dict\"") if alone else
        ("fit()", "ValueError", "\"dtype='string' is not a valid dtype for Keras type promotion\"") if given == "names"
        else ("fit()", "TypeError", "\"Failed to convert elements of <AUC name=auc> to Tensor\""))
    # a keyword may replace it only when no positional argument follows; one name alone needs brackets as well
    fixable = written is positional[-1] and not alone
    yield Report(written, f"compile()'s third positional argument is loss_weights in Keras 3: {where} raises {failure}",
                 "pass the metrics by keyword, in a list: compile(optimizer, loss, metrics=[...])",
                 safe_fix("pass it as metrics=", written, as_keyword(written, "metrics")) if fixable else None,
                 explanation=(f"Keras 1 and 2 read compile(optimizer, loss, metrics); Keras 3's compile() is "
                              f"compile(optimizer, loss, loss_weights, metrics, ...), so the metrics given third "
                              f"become "
                              f"loss weights, and {where} stops with {failure} ({error})."),
                 facts={"argument": "metrics"})


def _metric_names(value) -> str | None:
    """"names" for metric names (a list or tuple of them, or one), "objects" when Keras metric objects are among
    them; None for anything else (numbers are loss weights)."""
    folded = const_value(value)
    if isinstance(folded, str) or (isinstance(folded, (list, tuple)) and folded and
                                   all(isinstance(item, str) for item in folded)):
        return "names"  # (a literal list of constants folds to one constant)
    items = value.items if isinstance(value, Seq) else (value,)
    if not items:
        return None
    kinds = [_metric_kind(item) for item in items]
    return None if None in kinds else "objects" if "objects" in kinds else "names"


def _metric_kind(item) -> str | None:
    if isinstance(item, Const) and isinstance(item.value, str):
        return "names"
    return "objects" if isinstance(item, Instance) and item.cls.startswith("keras.metrics.") else None
