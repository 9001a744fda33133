"""KS206 training-data-as-validation: validation_data taken from the arrays, the flow or the folder fit() trains on."""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.checks._shared import shared_parts
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.datasets import reads_files, tfds_slice
from kerassniff.semantic.names import short
from kerassniff.semantic.training import FitCall
from kerassniff.semantic.syntax import bound_anywhere, names_read, rendered, walk_code
from kerassniff.semantic.values import ClassValue, DataValue, FunctionValue, Seq


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, data, _ = run.fit_parts(finding.line)
    overlap = data.get("overlap")
    if not overlap or not overlap.get("validation_rows"):
        return None
    share = overlap["in_training"] / overlap["validation_rows"]
    hashed, rows = overlap.get("training_rows_hashed"), overlap.get("training_rows")
    partial = hashed is not None and rows is not None and hashed < rows
    text = (f"{overlap['in_training']} of the {overlap['validation_rows']} validation rows ({share:.0%}) are "
            f"identical to training rows" + (f" (the first {hashed} of {rows} compared)" if partial else ""))
    return Verdict((True if share >= 0.5 else False if share <= 0.05 and not partial else None), text)


@rule("KS206", "training-data-as-validation", Severity.WARNING,
      "validation_data that is the training array itself, a slice of it, the training flow, or a read of the same folder",
      "validate on samples the model does not train on: validation_split=0.2, or split once with "
      "train_test_split and pass the held-out part", verdict=verdict)
def check(script: Script):
    for fit in script.fits():
        if fit.method not in ("fit", "fit_generator"):
            continue
        trained = _array_argument(fit)
        validation = fit.args.node_of("validation_data")
        if validation is None:
            continue
        if isinstance(validation.value, (cst.Name, cst.Attribute, cst.Call)):
            yield from _same_folder(fit, validation.value)  # the flows' folders, however the flows are written
            yield from _same_read_twice(script, fit, validation.value)
            yield from _overlapping_parts(fit, validation.value)
            yield from _overlapping_tfds_splits(fit, validation.value)
            yield from _same_call_of_own_generator(script, fit, validation.value)
        if isinstance(validation.value, (cst.Tuple, cst.List)) and validation.value.elements:
            yield from _flow_of_validation_arrays(script, fit, validation.value)
        if trained is None:
            continue
        if isinstance(validation.value, (cst.Name, cst.Attribute)):
            yield from _same_flow(script, fit, trained, validation.value)
            continue
        if not isinstance(validation.value, (cst.Tuple, cst.List)):
            continue
        elements = validation.value.elements
        if not elements:
            continue
        first = elements[0].value
        base = first.value if isinstance(first, cst.Subscript) else first
        if not _same_expression(script, base, trained) or (base is first and _noise_probe(fit)):
            continue
        name = script.code_of(trained)
        what = "a slice of" if isinstance(first, cst.Subscript) else "the same array as"
        yield Report(validation.value, (
            f"validation_data is {what} the training array '{name}': validation scores mirror training"),
            explanation=(
                f"fit() trains on '{name}' and validates on {script.code_of(first)} in the same call, so every "
                f"validation sample is also a training sample. Validation loss and accuracy then track the training "
                f"ones and cannot show overfitting; early stopping, checkpoints and learning-rate schedules that "
                f"monitor val_loss choose on training data."))


def _flow_of_validation_arrays(script: Script, fit: FitCall, validation: cst.Tuple | cst.List):
    """``gen = datagen.flow(x_train, y_train)``, then ``fit(gen, validation_data=(x_train, y_train))``: the training
    flow augments the very arrays it is validated on (the same name, the same array when the flow was made)."""
    flow = fit.data(fit.x)
    first = fit.validation_data.items[0] if isinstance(fit.validation_data, Seq) and fit.validation_data.items else None
    held_out = fit.data(first) if first is not None else None
    call = flow.node if flow is not None else None
    if flow is None or held_out is None or not flow.batches or type(call) is not cst.Call or \
            type(call.func) is not cst.Attribute or call.func.attr.value != "flow" or not call.args or \
            call.args[0].keyword is not None or type(call.args[0].value) is not cst.Name:
        return
    array = call.args[0].value.value
    if held_out.name != array or type(validation.elements[0].value) is not cst.Name or \
            held_out.group != flow.group or held_out.split != flow.split or \
            tuple(flow.steps[:len(held_out.steps)]) != held_out.steps:
        return
    given = fit.args.node_of("x", 0) or fit.args.node_of("generator")
    named = given is not None and type(given.value) is cst.Name
    name = f"'{script.code_of(given.value)}'" if named else "a flow"  # type: ignore[union-attr]
    yield Report(validation, f"validation_data is '{array}', the array the training flow{' ' + name if named else ''} "
                             f"yields: validation scores mirror training",
                 explanation=(f"fit() trains on {name}, a flow over '{array}' (line {script.line_of(call)}), and "
                              f"validates on '{array}' itself, so every validation sample is also a training sample "
                              f"(augmented or not). Validation loss and accuracy then track the training ones and "
                              f"cannot show overfitting; early stopping, checkpoints and learning-rate schedules that "
                              f"monitor val_loss choose on training data."))


def _same_flow(script: Script, fit: FitCall, trained: cst.BaseExpression, validation: cst.BaseExpression):
    """``fit(train_flow, validation_data=train_flow)``: a generator or dataset validated on itself.  The data must be
    known, or the name bound to a call somewhere in the file (a pipeline kerassniff could not follow: a
    ``TFRecordDataset``); a placeholder such as an exercise's ``____`` is not data."""
    if fit.validation_data is not fit.x or not _same_expression(script, validation, trained) or (
            fit.data(fit.x) is None and not _bound_to_a_call(script, trained)) or _synthetic_stream(script, trained):
        return
    name = script.code_of(trained)
    yield Report(validation, (
        f"validation_data is the training data '{name}' itself: validation scores mirror training"),
        explanation=(
            f"fit() trains on '{name}' (a generator or dataset that yields inputs and labels) and validates on the "
            f"same object, so every validation batch is drawn from the training data. Validation loss and accuracy "
            f"then track the training ones and cannot show overfitting; early stopping, checkpoints and "
            f"learning-rate schedules that monitor val_loss choose on training data."))


def _same_call_of_own_generator(script: Script, fit: FitCall, validation: cst.BaseExpression):
    """``fit(batches(x_train, y_train, 32), validation_data=batches(x_train, y_train, 32))``: the script's own
    generator function (or data class: a ``keras.utils.Sequence``) called twice with the same arguments, the same
    arrays at both calls; each call written in fit() or bound once to a name.  Any difference in the arguments (a
    flag, a range of rows) may select other samples inside the function: not reported."""
    if not _repeated_own_calls(script):
        return  # the common case, told without looking up any name
    given = fit.args.node_of("x", 0) or fit.args.node_of("generator")
    trained = _own_call(script, given.value) if given is not None else None
    held_out = _own_call(script, validation)
    if trained is None or held_out is None or trained is held_out or trained.receiver is not held_out.receiver or \
            trained.args != held_out.args or any(a.star for a in trained.node.args) or \
            [script.code_of(a) for a in trained.node.args] != [script.code_of(a) for a in held_out.node.args]:
        return
    arrays = [v.data for v in (*trained.args.positional, *(v for _, v in trained.args.keywords))
              if isinstance(v, DataValue)]
    name = script.code_of(trained.node.func)
    if not arrays and not trained.node.args and isinstance(trained.receiver, FunctionValue) and \
            _reads_its_own_files(script, trained.receiver.node):
        yield Report(validation, f"validation_data is {name}() again, reading the files it trains on: validation "
                                 f"scores mirror training",
                     "give the validation generator files held out from training (another folder, or a split list)",
                     explanation=(f"fit() trains on {name}() (line {script.line_of(trained.node)}) and validates on "
                                  f"another call of it with no arguments (line {script.line_of(held_out.node)}): both "
                                  f"read their samples from the same files, which the function chooses itself, so "
                                  f"validation batches come from the training data. Validation loss and accuracy "
                                  f"then track the training ones and cannot show overfitting; early stopping, "
                                  f"checkpoints and learning-rate schedules that monitor val_loss choose on training "
                                  f"data."),
                     facts={"function": name})
        return
    if not arrays or any(_toy_or_noise(data) for data in arrays):
        return
    named = ", ".join(f"'{script.code_of(a.value)}'" for a in trained.node.args
                      if isinstance(_value_of(trained, a), DataValue))
    yield Report(validation, f"validation_data is {name}() of the training arrays again: validation scores mirror "
                             f"training",
                 "call it on held-out arrays (split once with train_test_split, or use validation_split=)",
                 explanation=(f"fit() trains on {name}("
                              f"{', '.join(script.code_of(a.value) for a in trained.node.args)}) "
                              f"(line {script.line_of(trained.node)}) and validates on the same call with the same "
                              f"arguments (line {script.line_of(held_out.node)}), so every validation batch is drawn "
                              f"from the training arrays {named}. Validation loss and accuracy then track the "
                              f"training ones and cannot show overfitting; early stopping, checkpoints and "
                              f"learning-rate schedules that monitor val_loss choose on training data."),
                 facts={"function": name})


def _repeated_own_calls(script: Script) -> bool:
    """Whether the script calls one of its own functions or classes twice with the same arrays (equal arguments):
    asked once per script, before any name is looked up."""
    def compute() -> bool:
        seen: list[tuple[int, object]] = []  # (values need not be hashable: compared by equality)
        for site in script.calls:
            receiver = site.receiver
            if not isinstance(receiver, (FunctionValue, ClassValue)) or not any(
                    isinstance(value, DataValue) for value in (*site.args.positional,
                                                               *(v for _, v in site.args.keywords))) and (
                    site.node.args or not isinstance(receiver, FunctionValue)):
                continue  # (a call with no arguments: a generator that picks its own files, asked about below)
            if any(known == id(receiver) and args == site.args for known, args in seen) and (
                    isinstance(receiver, ClassValue) or _yields(receiver.node)):
                return True  # (a generator or a data class: a plotting helper called twice is no data source)
            seen.append((id(receiver), site.args))
        return False
    return script.derived("ks206_repeated_own_calls", compute)


def _yields(function: cst.CSTNode) -> bool:
    """Whether a function is a generator (a ``yield`` in its own body): a plotting or scoring helper called twice
    with the training arrays is no data source."""
    return any(type(node) in (cst.Yield,) for node in walk_code(function, skip=(cst.FunctionDef, cst.ClassDef,
                                                                                 cst.Lambda)))


def _own_call(script: Script, node: cst.BaseExpression):
    """The call of one of the script's own functions or classes that ``node`` is, or that the name ``node`` is
    bound to by the only binding of that name in the file; None otherwise."""
    if type(node) is cst.Name:
        node = script.single_binding(node.value)
    if type(node) is not cst.Call:
        return None
    site = script.call_at(node)
    return site if site is not None and isinstance(site.receiver, (FunctionValue, ClassValue)) else None


def _reads_its_own_files(script: Script, function: cst.CSTNode) -> bool:
    """Whether a generator function picks its samples from the files of a folder it lists itself
    (``random.choice(os.listdir("data/games"))``, then reads them): called twice with no arguments, both calls read
    the same files (a module-level name it reads is read when the first batch is drawn, after both calls, so binding
    it again between them changes nothing).  One file read beside random samples (a background image, a stats file)
    is no listing of samples."""
    if not _yields(function):
        return False
    read = names_read(function) - bound_anywhere(function)
    if read & _module_bindings(script)[1]:
        return False  # (a setting the script changes between the calls, after drawing from the first generator)
    sites = [script.call_at(inner) for inner in walk_code(function) if type(inner) is cst.Call]
    names = [short(site.callee or site.method or "") for site in sites if site is not None]
    return any(name in FOLDER_LISTING_NAMES for name in names) and any(reads_files(name) for name in names
                                                                      if name not in FOLDER_LISTING_NAMES)


def _synthetic_stream(script: Script, node: cst.BaseExpression) -> bool:
    """A generator of the script's own given no array, that draws its samples at random (``np.random.randn``,
    ``tf.random.uniform``) and reads no file: every batch it yields is new, so validating on it is no repeat of
    the training data."""
    site = _own_call(script, node)
    if site is None or not isinstance(site.receiver, FunctionValue) or \
            any(isinstance(value, DataValue) for value in (*site.args.positional, *(v for _, v in site.args.keywords))):
        return False
    function = site.receiver.node
    nodes = list(walk_code(function))
    if not any(type(inner) is cst.Yield for inner in nodes) or _reads_module_names(script, function):
        return False  # (sampling batches from the module's training arrays is drawing from the training data)
    sites = [script.call_at(inner) for inner in nodes if type(inner) is cst.Call]
    callees = [site.callee for site in sites if site is not None and site.callee]
    return any(f".{callee}".find(".random.") >= 0 for callee in callees) and not any(
        reads_files(short(callee)) for callee in callees)


def _reads_module_names(script: Script, function: cst.CSTNode) -> bool:
    """Whether the function reads a name the module binds by assignment (an array, a list of files) rather than one
    of its own."""
    return bool(_module_bindings(script)[0] & (names_read(function) - bound_anywhere(function)))


def _module_bindings(script: Script) -> tuple[frozenset[str], frozenset[str]]:
    """(the names the script's module-level statements bind by a plain assignment, those of them bound more than once
    or changed through an item or attribute: ``CONFIG["split"] = "val"``), found in one pass per script."""
    def compute() -> tuple[frozenset[str], frozenset[str]]:
        bound: dict[str, int] = {}
        assigned: set[str] = set()  # (by a plain ``name = ...``)
        changed: set[str] = set()
        for statement in script.module.body:
            if type(statement) is not cst.SimpleStatementLine:
                continue
            for small in statement.body:
                targets = [t.target for t in small.targets] if type(small) is cst.Assign else \
                    [small.target] if type(small) in (cst.AugAssign, cst.AnnAssign) else []
                for target in targets:
                    if type(target) is cst.Name:
                        bound[target.value] = bound.get(target.value, 0) + (1 if type(small) is cst.Assign else 2)
                        if type(small) is cst.Assign:
                            assigned.add(target.value)
                    elif type(target) in (cst.Subscript, cst.Attribute) and type(target.value) is cst.Name:
                        changed.add(target.value.value)
        return frozenset(assigned), frozenset(changed | {name for name, count in bound.items() if count > 1})
    return script.derived("ks206_module_bindings", compute)


# The last names of the calls that list a folder's files (os.listdir, glob.glob, os.walk, Path.iterdir, ...).
FOLDER_LISTING_NAMES = frozenset({"listdir", "glob", "iglob", "walk", "scandir", "iterdir", "rglob", "list_images",
                                  "list_files"})


def _bound_to_a_call(script: Script, node: cst.BaseExpression) -> bool:
    """Whether the file assigns a call's result to the name ``node`` is (``ds = tf.data.TFRecordDataset(...)``) and
    the name is not a parameter of a function that holds ``node`` (which could be any data: ``def probe(data):
    fit(data, validation_data=data)``)."""
    if type(node) is not cst.Name:
        return False
    name, bound, holders = node.value, False, []
    for statement in walk_code(script.module):
        kind = type(statement)
        if kind is cst.FunctionDef and any(param.name.value == name for param in (
                *statement.params.posonly_params, *statement.params.params, *statement.params.kwonly_params)):
            holders.append(statement)
        elif kind is cst.Assign and type(statement.value) is cst.Call and \
                any(type(target.target) is cst.Name and target.target.value == name for target in statement.targets):
            bound = True
    return bound and not any(any(inner is node for inner in walk_code(function)) for function in holders)


def _value_of(site, arg: cst.Arg):
    """The value the call site recorded for one of its written arguments."""
    if arg.keyword is not None:
        return site.args.get(arg.keyword.value)
    position = [a for a in site.node.args if a.keyword is None].index(arg)
    return site.args.positional[position] if position < len(site.args.positional) else None


def _same_folder(fit: FitCall, validation: cst.BaseExpression):
    """Two folder reads of one folder, neither holding part of it out (no subset=, no validation_split=): the training
    flow and the validation flow yield the same images."""
    trained, held_out = fit.data(fit.x), fit.data(fit.validation_data)
    if trained is None or held_out is None or trained is held_out or trained.source.node is held_out.source.node:
        return  # not two folder reads (one flow validated on itself is _same_flow's)
    folders = [_whole_folder(trained), _whole_folder(held_out, parts=("validation",))]
    if folders[0] is None or folders[0] != folders[1]:
        return
    chosen = [data.source.class_names for data in (trained, held_out)]
    if "?" in chosen or (isinstance(chosen[0], tuple) and isinstance(chosen[1], tuple) and
                         set(chosen[0]) != set(chosen[1])):
        return  # other sub-folders of one folder (classes=[...]): other images, or not known to be the same
    if held_out.source.subset is None:
        reads = (f"The training flow and the validation flow both read every image in '{trained.source.path}' (no "
                 f"subset=, no validation_split=)")
    elif _says_subset(trained.source.node):  # flow_from_directory(subset="training"), no validation_split=
        reads = (f"The training flow reads every image in '{trained.source.path}': its subset='training' comes from "
                 f"a generator made without validation_split=, which holds nothing out (no error), while the "
                 f"validation flow reads a part of the same folder")
    else:
        reads = (f"The training flow reads every image in '{trained.source.path}' (no subset=), while the "
                 f"validation flow reads a part of the same folder")
    yield Report(validation, (
        f"validation_data reads the training folder '{trained.source.path}' too: validation scores mirror training"),
        "point the validation flow at a held-out folder, or split one folder with validation_split= and "
        "subset='training' / subset='validation'",
        explanation=(
            f"{reads}, so every validation image is also a training image. Validation loss "
            f"and accuracy then track the training ones and cannot show overfitting; early stopping, checkpoints and "
            f"learning-rate schedules that monitor val_loss choose on training data."),
        facts={"folder": trained.source.path})


def _overlapping_parts(fit: FitCall, validation: cst.BaseExpression):
    """Training and validation data split from one tf.data pipeline by take()/skip() that share samples
    (:func:`~kerassniff.checks._shared.shared_parts`)."""
    trained, held_out = fit.data(fit.x), fit.data(fit.validation_data)
    shared = shared_parts(trained, held_out) if trained is not None and held_out is not None else None
    if shared is None:
        return
    summary, why, facts = shared
    yield Report(validation, f"validation_data shares samples with training: {summary}",
                 "split once with a fixed order (shuffle(..., reshuffle_each_iteration=False) before take()/skip(), or "
                 "image_dataset_from_directory(validation_split=0.2, subset='training' / 'validation', seed=...))",
                 explanation=(f"fit() trains on {trained.label} and validates on {held_out.label}: {why}. "
                              f"Validation loss and accuracy then track the training ones and cannot show overfitting; "
                              f"early stopping and checkpoints choose on training data."),
                 facts=facts)


def _overlapping_tfds_splits(fit: FitCall, validation: cst.BaseExpression):
    """Training and validation read from one TFDS data set by slices of one split that overlap (``"train[:80%]"``
    and ``"train[10%:]"``, ``"train"`` and ``"train[:10%]"``): every example in the common range is in both."""
    trained, held_out = fit.data(fit.x), fit.data(fit.validation_data)
    if trained is None or held_out is None or trained.source.kind != "dataset" or \
            not trained.source.description.startswith("tfds.load(") or \
            trained.source.description != held_out.source.description or \
            trained.source.subset is None or held_out.source.subset is None or trained.parts or held_out.parts:
        return  # (take()/skip()/shard() of a read take part of its slice: ranges no longer known)
    mine, theirs = tfds_slice(trained.source.subset), tfds_slice(held_out.source.subset)
    if mine is None or theirs is None or mine[0] != theirs[0] or mine[3] != theirs[3]:
        return
    low, high = max(mine[1], theirs[1]), min(mine[2], theirs[2])
    if low >= high:
        return
    common = f"{low:g}%-{high:g}%" if mine[3] == "%" else f"examples {low:g}-{high:g}"
    yield Report(validation, (f"validation_data shares samples with training: TFDS splits "
                              f"{trained.source.subset!r} and {held_out.source.subset!r} overlap"),
                 "take slices that do not overlap: split=['train[:80%]', 'train[80%:]']",
                 explanation=(f"fit() trains on {trained.label}, read as {trained.source.subset!r}, and validates on "
                              f"{held_out.label}, read as {held_out.source.subset!r}: both hold {common} of "
                              f"{mine[0]!r}, so those validation examples are training examples. Validation loss and "
                              f"accuracy then track the training ones; early stopping and checkpoints choose on "
                              f"training data."),
                 facts={"split": trained.source.subset, "validation_split": held_out.source.subset})


# NumPy's random fills: inputs made of them and validated on themselves are noise fed to a model on purpose.
_NOISE_SOURCES = frozenset(f"np.{name}(...)" for name in ("rand", "randn", "normal", "uniform", "random",
                                                          "random_sample", "standard_normal"))


def _noise_probe(fit: FitCall) -> bool:
    """Training inputs of NumPy random noise, or a few rows written out in the script, validated on the very same
    arrays: a probe of the model or of Keras (train-mode against inference-mode loss), not a training whose
    validation score anyone reads. A slice of them,
    or any array of data (np.zeros filled with one-hot rows is data), is still reported."""
    data = fit.data(fit.x)
    return data is not None and _toy_or_noise(data)


def _toy_or_noise(data) -> bool:
    """Up to HAND_WRITTEN_ROWS rows written out in the script, or NumPy random noise."""
    if data.source.kind == "literal" and data.source.description == "a literal array":
        return data.n_samples is not None and data.n_samples <= HAND_WRITTEN_ROWS  # XOR's four rows: a toy
    return data.source.kind == "generated" and data.source.description in _NOISE_SOURCES


# At most this many rows written out in the script (np.array([[0, 1], [1, 0]])): a toy or a probe, with no other data
# to validate on.
HAND_WRITTEN_ROWS = 16


def _same_read_twice(script: Script, fit: FitCall, validation: cst.BaseExpression):
    """The training flow and the validation flow made by two calls written alike, one part of a folder each
    (``gen.flow_from_dataframe(df, ..., subset="validation")`` twice, a line copied without its subset changed):
    the same images.  (Reads without subset= are :func:`_same_folder`'s.)"""
    trained, held_out = fit.data(fit.x), fit.data(fit.validation_data)
    if trained is None or held_out is None or trained.source.kind != "directory" or \
            held_out.source.kind != "directory" or trained.source.node is held_out.source.node:
        return
    calls = (trained.source.node, held_out.source.node)
    if not all(_says_subset(call) for call in calls):
        return
    written = [re.sub(r"\s+", "", rendered(call)) for call in calls]  # (whole: code_of abridges)
    if written[0] != written[1]:
        yield from _both_training_parts(trained, held_out, validation)
        return
    subset = next(script.code_of(arg.value) for arg in calls[0].args
                  if arg.keyword is not None and arg.keyword.value == "subset")
    yield Report(validation, f"the training and validation flows are read alike, both subset={subset}: "
                             f"validation scores mirror training",
                 "read the training flow with subset='training' and the validation flow with subset='validation'",
                 explanation=(f"The flows fit() trains on ({trained.label}) and validates on ({held_out.label}) are "
                              f"made by the same call, arguments and subset={subset} alike, so they hold the same "
                              f"images: every validation image is also a training image. Validation loss and "
                              f"accuracy then track the training ones and cannot show overfitting; early stopping, "
                              f"checkpoints and learning-rate schedules that monitor val_loss choose on training "
                              f"data."),
                 facts={"subset": subset})


def _both_training_parts(trained, held_out, validation: cst.BaseExpression):
    """Two reads written differently (an augmenting generator for training, a plain one for validation) of one
    constant folder, both of its ``subset="training"`` part: whatever each generator's validation_split, the two
    training parts hold mostly the same images."""
    folder = trained.source.normal_path
    if folder is None or folder != held_out.source.normal_path or trained.source.option_default or \
            held_out.source.option_default or not trained.source.subset == held_out.source.subset == "training" or \
            trained.source.class_names != held_out.source.class_names:
        return  # (classes= told apart: each read may take other sub-folders)
    yield Report(validation, f"validation_data reads subset='training' of '{folder}' too: validation scores mirror "
                             f"training",
                 "read the validation flow with subset='validation' (and the same validation_split and seed)",
                 explanation=(f"The flows fit() trains on ({trained.label}) and validates on ({held_out.label}) are "
                              f"both the training part of '{folder}' (subset='training'), read by two calls: whatever "
                              f"validation_split each reader sets aside, the two training parts hold mostly the same "
                              f"images. Validation loss and accuracy then track the training ones and cannot show "
                              f"overfitting; early stopping, checkpoints and learning-rate schedules that monitor "
                              f"val_loss choose on training data."),
                 facts={"subset": "training", "folder": folder})


def _says_subset(node: cst.CSTNode | None) -> bool:
    return type(node) is cst.Call and any(arg.keyword is not None and arg.keyword.value == "subset" for arg in node.args)


def _whole_folder(data, parts: tuple[str, ...] = ()) -> str | None:
    """The folder a directory read takes every image of (or one of the ``parts`` of), normalised ('data/train/' is
    'data/train'); None otherwise."""
    source = data.source
    if source.kind != "directory" or source.path is None or (source.subset is not None and
                                                             source.subset not in parts) or source.option_default:
        return None  # (two options' equal defaults are placeholders: each run passes its own folders)
    return source.normal_path


def _array_argument(fit: FitCall) -> cst.BaseExpression | None:
    """The x argument of fit() (fit_generator's generator) when it is a plain name or attribute: the whole training
    array, or the generator or dataset itself."""
    arg = fit.args.node_of("x", 0) or fit.args.node_of("generator")
    if arg is None or not isinstance(arg.value, (cst.Name, cst.Attribute)):
        return None
    return arg.value


def _same_expression(script: Script, a: cst.BaseExpression, b: cst.BaseExpression) -> bool:
    if not isinstance(a, (cst.Name, cst.Attribute)):
        return False
    return script.code_of(a) == script.code_of(b)
