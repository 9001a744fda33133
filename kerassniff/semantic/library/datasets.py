"""Flows: ImageDataGenerator flows, directory datasets and tf.data pipelines.

A flow yields batches of (x, y); its Data has ``batches=True`` and carries the
labels it yields.  What a flow does to every element becomes steps on that
Data, so KS201, KS202 and KS204 compare flows like arrays:

* ``ImageDataGenerator(rescale=1./255)`` scales nothing by itself; each
  ``flow``/``flow_from_directory`` it makes yields scaled batches.
* a tf.data pipeline keeps what is known of its elements through ``.batch()``,
  ``.shuffle()``, ``.cache()``, ``.prefetch()``, ``.repeat()``..., and ``.map(f)``
  interprets ``f`` on one element (``lambda x, y: (x / 255, y)`` scales x).
* Keras preprocessing layers called on data (``Rescaling(1/255)(x)``) are steps too.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable
import libcst as cst

from kerassniff.semantic.class_labels import class_names_given, last_order
from kerassniff.semantic.dataflow import Data, Source, Step, data_of, new_group, size_text
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.knowledge.arrays import NUMBER_CALLS, SCALE_KEEPING_AUGMENTATIONS
from kerassniff.semantic.knowledge.layers import AUGMENTATION_LAYERS
from kerassniff.semantic.loaders import flag_on
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.library.channels import channel_constants
from kerassniff.semantic.names import short
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    DataValue,
    FunctionValue,
    Instance,
    KnobConst,
    LayerValue,
    Seq,
    Symbol,
    Value,
    const_value,
    path_last_part,
    str_value,
)

# tf.data methods that regroup, reorder or repeat elements without changing them.
DATASET_PASSTHROUGH = frozenset(
    "batch shuffle prefetch cache repeat take skip unbatch padded_batch rebatch shard with_options "
    "apply_options ignore_errors".split())
# tf.data methods whose elements are made by a function not modelled: the pipeline, not its contents.
DATASET_REBUILT = frozenset("interleave flat_map parallel_interleave window group_by_window".split())
DATASET_METHODS = DATASET_PASSTHROUGH | DATASET_REBUILT | {"map"}

# ------------------------------------------------------------ ImageDataGenerator
STANDARDIZING_OPTIONS = ("featurewise_center", "featurewise_std_normalization", "samplewise_center",
                         "samplewise_std_normalization", "zca_whitening")


def generator_steps(instance: Instance, node: cst.CSTNode) -> tuple[Step, ...]:
    """What an ImageDataGenerator does to every image of each flow it makes, in Keras's order (its standardize():
    preprocessing_function, then rescale, then the standardizing options)."""
    args = instance.args
    where = instance.node or node
    # (an option a ``**settings`` of unknown entries may give is unknown, not absent)
    absent = UNKNOWN if args.open_keywords else None
    function, rescale = args.get("preprocessing_function"), args.get("rescale")
    steps = [*_preprocessing_steps(absent if function is None else function, where),
             *_rescale_steps(absent if rescale is None else rescale, where)]
    for option in STANDARDIZING_OPTIONS:
        if const_value(args.get(option)) is True:
            steps.append(_set_by_hand(instance, option, where) or Step("standardize", option, where))
    return tuple(steps)


def _set_by_hand(instance: Instance, option: str, where: cst.CSTNode) -> Step | None:
    """``datagen.mean = [123.68, 116.779, 103.939]`` on a generator with ``featurewise_center=True``: Keras subtracts
    that mean (fit() would measure one; set by hand it is the script's constants), a shift like
    ``img - [123.68, 116.779, 103.939]``; ``datagen.std = 64.0`` with ``featurewise_std_normalization``, a division;
    None when neither was set (before the flow is made: one set later is not seen)."""
    if option == "featurewise_std_normalization" and "std" in instance.attrs:
        number = const_value(instance.attrs["std"])  # datagen.std = 64.0: divided by it
        known = isinstance(number, (int, float)) and not isinstance(number, bool) and number != 0
        return Step("scale", f"/{number:g}" if known else "?", where)
    if option != "featurewise_center" or "mean" not in instance.attrs:
        return None
    channels = channel_constants(instance.attrs["mean"])
    number = const_value(instance.attrs["mean"])
    if channels is None and (not isinstance(number, (int, float)) or isinstance(number, bool)):
        return Step("shift", "?", where)  # a mean not known, set by the script: not one fit() measures
    return Step("shift", f"-[{channels}]" if channels is not None else f"-{number:g}", where)


def _rescale_steps(rescale: Value | None, where: cst.CSTNode) -> list[Step]:
    """``rescale=1./255``: a scale step (none for 0, 1 or None); an unknown factor is an unknown scale."""
    if rescale is None or (isinstance(rescale, Const) and rescale.value is None):
        return []
    number = const_value(rescale)
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        return [Step("scale", "?", where)]
    if number in (0, 1):
        return []
    detail = f"/{1 / number:g}" if 0 < abs(number) < 1 else f"*{number:g}"
    return [Step("scale", detail, where)]


def _preprocessing_steps(function: Value | None, where: cst.CSTNode) -> list[Step]:
    """``preprocessing_function=preprocess_input`` (an application's family) or a function of the script."""
    if function is None or (isinstance(function, Const) and function.value is None):
        return []
    if isinstance(function, Symbol) and short(function.name) == "preprocess_input":
        return [Step("preprocess", function.name.split(".")[-2], where)]
    named = isinstance(function, FunctionValue) and isinstance(function.node, cst.FunctionDef)
    if named and only_augments(function.node):  # type: ignore[union-attr]
        return []  # random flips, turns and jitter: the images keep their scale
    return [Step("preprocess", function.node.name.value if named else "?", where)]  # type: ignore[union-attr]


def only_augments(function: cst.FunctionDef) -> bool:
    """Whether a function of the script only flips, turns or jitters an image (every call one of
    :data:`SCALE_KEEPING_AUGMENTATIONS`, a random draw or a number conversion; no arithmetic, no subscript)."""
    calls = 0
    for node in walk_code(function.body):
        kind = type(node)
        if kind in (cst.BinaryOperation, cst.AugAssign, cst.Subscript, cst.UnaryOperation, cst.Lambda,
                    cst.FunctionDef, cst.ClassDef):
            return False
        if kind is cst.Call:
            calls += 1
            if not _scale_keeping_call(node.func):  # type: ignore[attr-defined]
                return False
    return calls > 0


def _scale_keeping_call(func: cst.BaseExpression) -> bool:
    parts: list[str] = []
    while type(func) is cst.Attribute:
        parts.append(func.attr.value)  # type: ignore[attr-defined]
        func = func.value  # type: ignore[attr-defined]
    if type(func) is not cst.Name:
        return False
    parts.append(func.value)
    parts.reverse()
    if len(parts) == 1:
        return parts[0] in NUMBER_CALLS
    return parts[-1] in SCALE_KEEPING_AUGMENTATIONS or "random" in parts[:-1]


def generator_method(effects: Effects, instance: Instance, method: str, args: CallArgs, node: cst.Call) -> Value:
    steps = generator_steps(instance, node)
    keras_iterator = instance.cls.startswith("keras.")  # not the standalone keras_preprocessing package's
    if method == "flow":
        x = data_of(args.get("x", 0) or UNKNOWN)
        y = data_of(args.get("y", 1) or UNKNOWN)
        if x is None:
            return UNKNOWN
        return DataValue(replace(x, steps=x.steps + steps, batches=True, labels=y, node=node,
                                 keras_iterator=keras_iterator))
    if method in ("flow_from_directory", "flow_from_dataframe"):
        description = f"{method}(...)"
        mode = args.get("class_mode")
        call_args = CallArgs(args.positional, args.keywords + (("label_mode", mode if mode is not None else Const("categorical")),),
                             args.nodes)
        return image_directory(call_args, node, description, steps, "categorical", folder=method == "flow_from_directory",
                               split=_holds_out(instance), iterator=keras_iterator, flow=True)
    return UNKNOWN


def timeseries_flow(args: CallArgs, node: cst.Call) -> Value | None:
    """``TimeseriesGenerator(data, targets, length=...)``: batches of windows over ``data``, ``targets`` their labels
    (a flow of that array, as ``ImageDataGenerator.flow`` is)."""
    x = data_of(args.get("data", 0) or UNKNOWN)
    if x is None:
        return None
    y = data_of(args.get("targets", 1) or UNKNOWN)
    return DataValue(replace(x, steps=x.steps + (Step("reshape", "windows", node),), batches=True, labels=y, node=node))


def _holds_out(generator: Instance) -> bool | None:
    """Whether an ImageDataGenerator holds part of each folder out (``validation_split=`` other than 0): None when that
    is not known (a value read at run time, ``**settings``)."""
    given = generator.args.get("validation_split")
    if given is None:
        return None if generator.args.open_keywords else False
    return const_value(given) not in (0, 0.0) if isinstance(given, Const) else None


def image_directory(args: CallArgs, node: cst.Call, description: str, steps=(), label_mode_default="int",
                    folder: bool = True, split: bool | None = False, iterator: bool = False,
                    flow: bool = False) -> Value:
    """Images read from a folder (``folder``: its path is the first argument, ``directory=``; else a data frame), in
    batches with their labels; ``split``: the generator holds part of the folder out (validation_split=; None: not
    known);
    ``flow``: an ImageDataGenerator's flow, not a tf.data pipeline; ``iterator``: one of Keras's own (not the
    standalone keras_preprocessing package's, whose methods are Keras 2's)."""
    label_mode = const_value(args.get("label_mode"), label_mode_default)
    encoding = {"int": "int", "categorical": "onehot", "binary": "int", "sparse": "int", "input": "input"}.get(
        str(label_mode))  # class_mode="input": the images themselves are the targets (an autoencoder's)
    color = "gray" if const_value(args.get("color_mode")) == "grayscale" else "rgb"
    subset = args.get("subset")
    # image_dataset_from_directory shuffles by default, anew each epoch (a generator's flow is not a tf.data pipeline)
    reshuffles = description.startswith("image_dataset_from_directory") and flag_on(args, "shuffle", None, True)
    if flow:  # an ImageDataGenerator flow shuffles its files anew each epoch unless shuffle=False
        reshuffles = flag_on(args, "shuffle", None, True)
    folder_path = args.get("directory", 0) if folder else None
    size = args.get("target_size") or args.get("image_size")
    source = Source("directory", description, node, pixels=True, color=color, sample_shape=_image_shape(size, args),
                    path=str_value(folder_path) or None, last_part=path_last_part(folder_path),
                    option_default=isinstance(folder_path, KnobConst),
                    subset=_subset_read(subset, split, flow),
                    class_names=_class_order(args, folder))
    group = new_group()
    labels = Data(Source("directory", description, node), group, role="y", encoding=encoding, batches=True, node=node)
    if iterator and const_value(args.get("shuffle")) is False:  # a DirectoryIterator lists the files class folder
        labels = labels.with_step("order", "by-class", node)  # after class folder, and keeps that order unshuffled
    data = Data(source, group, role="x", batches=True, node=node, labels=labels if encoding else None, steps=tuple(steps),
                reshuffles=reshuffles, keras_iterator=iterator)
    if size is not None:
        data = data.with_step("resize", size_text(size), node)
    if source.subset == "both":  # image_dataset_from_directory(subset="both"): the (training, validation) pair,
        # the validation half built with shuffle=False (keras/src/utils/image_dataset_utils.py, 3.15.1)
        return Seq(tuple(DataValue(data._but(source=replace(source, subset=part), split=split,
                                           reshuffles=data.reshuffles and part == "training"))
                         for part, split in (("training", "train"), ("validation", "val"))), "list")
    return DataValue(data)


def _class_order(args: CallArgs, folder: bool) -> tuple[str, ...] | str | None:
    """The order a reader numbers its classes in (Source.class_names): a ``class_names=``/``classes=`` list's, None
    for the sorted sub-folder names (labels inferred from the folders, the default), "?" for any other (labels given,
    ``labels=[...]``, or a data frame's column: not the folders' names)."""
    given = args.get("class_names") or args.get("classes")
    if given is not None:
        return class_names_given(given)
    labels = args.get("labels")
    if not folder or (labels is not None and const_value(labels) != "inferred"):
        return "?"
    return None


def _subset_read(subset: Value | None, split: bool | None, flow: bool) -> str | None:
    """Which part of the folder a reader takes: its ``subset=`` ("training", "validation", "both"), "?" when that is
    not a constant; "split" for a generator that holds part out (validation_split=) and takes the whole folder.  An
    ImageDataGenerator flow on a generator known to have no validation_split= reads, with ``subset="training"``, the
    whole folder, and with ``subset="validation"`` nothing (Keras 3.15.1's DirectoryIterator takes the shares
    (validation_split, 1) and (0, validation_split) of each class folder, with no error)."""
    if subset is None:
        return "split" if split else None
    read = str_value(subset) or "?"
    if flow and split is False:
        return None if read == "training" else "?" if read == "validation" else read
    return read


# The channels of each color_mode= of Keras's folder readers ("rgb" by default).
_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


def _image_shape(size: Value | None, args: CallArgs) -> tuple[int, ...] | None:
    """(height, width, channels) of each image a folder read gives, when target_size=/image_size= is a constant
    pair and color_mode= is left out or a constant: the reader resizes every image to it."""
    pair = const_value(size) if size is not None else None
    mode = const_value(args.get("color_mode")) if args.get("color_mode") is not None else "rgb"
    if not (isinstance(pair, tuple) and len(pair) == 2 and all(type(d) is int and d > 0 for d in pair)):
        return None
    channels = _CHANNELS.get(mode) if isinstance(mode, str) else None
    return (*pair, channels) if channels is not None else None


# What an ImageDataGenerator flow of files is described as (image_directory's description).
FLOW_READERS = ("flow_from_directory", "flow_from_dataframe")


def shuffle_switched(data: Data, value: Value, calls: Iterable[tuple[Value, CallArgs]]) -> Data | None:
    """``flow.shuffle = False`` on a Keras flow no call has drawn from yet: its iterator reads the attribute as it
    orders its samples before its first batch, so the flow no longer reshuffles; ``= True``, it does (a value that is
    not a constant is not claimed to shuffle).  None once one of the calls made so far (their receivers and
    arguments) was given the flow or made on it (``fit()``, ``predict()``, ``next()``, ``reset()``): the
    order it drew stays (checked on Keras 3.15.1)."""
    if any(_given(receiver, data) or any(_given(v, data) for v in args.positional) or
           any(_given(v, data) for _, v in args.keywords) for receiver, args in calls):
        return None
    return data._but(reshuffles=isinstance(value, Const) and bool(value.value))


def _given(value: Value, flow: Data) -> bool:
    """Whether a call's argument or receiver is the flow (also inside a tuple: ``validation_data=(flow, None)``)."""
    if isinstance(value, Seq):
        return any(_given(item, flow) for item in value.items)
    data = data_of(value)
    return data is not None and data.group == flow.group


def is_file_flow(data: Data) -> bool:
    """An ImageDataGenerator flow of image files (Keras's, or the standalone keras_preprocessing package's)."""
    return data.source.kind == "directory" and data.source.description.startswith(FLOW_READERS)


def listed_labels(flow: Data, node: cst.CSTNode) -> Data:
    """``flow.classes`` (``.labels``) of an ImageDataGenerator flow: one integer class id per file, in the order the
    flow lists its files (a folder's: class folder after class folder), whatever order its batches come in."""
    labels = replace(flow.labels, batches=False, encoding="int", node=node)  # type: ignore[arg-type]
    labels = labels.with_step("order", "listing", node)
    return labels.with_step("order", "by-class", node) if flow.source.description.startswith("flow_from_directory") \
        else labels


def batch_of(data: Data, node: cst.CSTNode, iterated: bool = False) -> Value:
    """One element of a pipeline or a flow that the script iterates (``for x_batch, y_batch in dataset``): the
    samples of one batch, the same history as the pipeline's, and its labels' batch beside them (a plain array
    now: no labels of its own, no take()/skip() parts, not an iterator).  ``iterated``: a pass of its own over a
    tf.data pipeline (a loop, a comprehension); when the pipeline reshuffles each pass, the labels carry an
    ``order`` step "iteration": in the order of this pass, which no other pass (a predict()) repeats."""
    batch = DataValue(data._but(batches=False, labels=None, n_samples=None, node=node, parts=(),
                              keras_iterator=False))
    if data.labels is None:
        if iterated and labels_of_a_pass(data):  # a pipeline of labels alone: a batch of them, in this pass's order
            return DataValue(batch.data.with_step("order", PASS_ORDER, node))
        return batch
    labels = replace(data.labels, batches=False, n_samples=None, node=node)
    if iterated and data.reshuffles and not data.keras_iterator:
        labels = labels.with_step("order", PASS_ORDER, node)
    return Seq((batch, DataValue(labels)), "tuple")


def drawn(batch: Value, flow: str | None) -> Value:
    """A batch ``next(flow)`` drew (its inputs, and its labels when it yields them), marked with the flow's name, so
    that it is told apart from batches of other flows made by the same call (flows of one comprehension)."""
    if flow is None:
        return batch
    if isinstance(batch, DataValue):
        return DataValue(replace(batch.data, drawn_from=flow))
    if isinstance(batch, Seq):
        return Seq(tuple(drawn(item, flow) for item in batch.items), batch.kind)
    return batch


# The order step of labels gathered by a pass of their own over a pipeline that reshuffles each pass.
PASS_ORDER = "iteration"


def gathered_in_a_pass(data: Data) -> bool:
    """Labels gathered batch by batch in a pass of their own over a pipeline that reshuffles each pass (their
    last order step is :data:`PASS_ORDER`): the order of that pass, not of another."""
    return last_order(data) == PASS_ORDER


def labels_of_a_pass(data: Data) -> bool:
    """Labels in the order of a pass of their own over a pipeline that reshuffles each pass: gathered batch by
    batch, or a tf.data pipeline of labels alone (``ds.map(lambda x, y: y)``) that whoever reads it walks anew."""
    if gathered_in_a_pass(data):
        return True
    return data.batches and data.reshuffles and data.role == "y" and not data.keras_iterator


def generator_batches(yields: list[Value], node: cst.CSTNode) -> Value:
    """A call of the script's own generator function (``def batches(x, y): ... yield x[i:j], y[i:j]``): a flow of
    the batches it yields, when every ``yield`` gives an array (or an (x, y[, weights]) pair of them) of one
    history; else not followed."""
    pairs = [_yielded(value) for value in yields]
    if not pairs or any(pair is None for pair in pairs):
        return UNKNOWN
    x, y = pairs[0]  # type: ignore[misc]
    history = _yield_history(x, y)
    if any(_yield_history(*pair) != history for pair in pairs[1:]):  # type: ignore[misc]
        return UNKNOWN  # yields of different arrays or different preprocessing: which one fit() sees is not known
    return DataValue(replace(x, batches=True, labels=_unbatched(y), is_sample=False, n_samples=None, parts=(),
                             keras_iterator=False, node=node))


def _yielded(value: Value) -> tuple[Data, Data | None] | None:
    if isinstance(value, Seq) and len(value.items) in (2, 3):
        x = data_of(value.items[0])
        return (x, data_of(value.items[1])) if x is not None else None
    x = data_of(value)
    return (x, None) if x is not None else None


def _yield_history(x: Data, y: Data | None) -> tuple:
    return x.source, x.group, x.split, x.scaling, x.conditional, y is None or (y.source, y.group, y.encoding)


# ----------------------------------------------------------------------- tf.data
def dataset_from(value: Value, node: cst.CSTNode) -> Value:
    """``Dataset.from_tensor_slices((x, y))`` / ``Dataset.zip((xs, ys))``: x's elements, with y as labels."""
    if isinstance(value, Seq) and len(value.items) == 2:
        x, y = data_of(value.items[0]), data_of(value.items[1])
        if x is not None:
            return DataValue(replace(x, batches=True, labels=_unbatched(y), node=node))
        # arrays the analysis lost (a TextVectorization's output): still one pipeline, whose cuts can be compared
        return DataValue(Data(Source("unknown", "Dataset.from_tensor_slices(...)", node), new_group(), batches=True,
                              labels=_unbatched(y), node=node))
    data = data_of(value)
    if data is not None:
        return DataValue(data._but(batches=True, node=node))
    return DataValue(Data(Source("unknown", "a tf.data pipeline", node), new_group(), batches=True, node=node))


def _unbatched(data: Data | None) -> Data | None:
    """Labels zipped from a dataset: the labels' own array, not a second pipeline."""
    return data._but(batches=False, labels=None) if data is not None else None


def dataset_method(effects: Effects, data: Data, method: str, args: CallArgs, node: cst.Call) -> Value:
    if method == "map":
        mapped = dataset_map(effects, data, args, node)
        return mapped if isinstance(mapped, DataValue) else _rebuilt(data, node)
    if method in DATASET_REBUILT:
        return _rebuilt(data, node)
    if method == "shuffle":  # a new order each epoch unless reshuffle_each_iteration=False
        reshuffles = flag_on(args, "reshuffle_each_iteration", 2, True)
        return DataValue(data.passed_through(node, batches=True, reshuffles=reshuffles))
    if method == "cache":  # the first epoch's order is what later epochs read
        return DataValue(data.passed_through(node, batches=True, reshuffles=False))
    if method in ("take", "skip", "shard"):  # a part of the pipeline's elements
        return DataValue(data._but(batches=True, node=node, parts=data.parts + ((method, data.reshuffles),)))
    return DataValue(data.passed_through(node, batches=True))  # DATASET_PASSTHROUGH


def _rebuilt(data: Data, node: cst.CSTNode) -> Value:
    """A pipeline whose elements a function not modelled made: a new pipeline of unknown elements, that
    keeps which split it is (``test_ds.map(vectorize)`` is still the test split) and whether its order changes
    each epoch (``list_files(...).map(load)`` reads the files in a new order each epoch)."""
    source = Source(data.source.kind, f"{data.source.description} mapped", node)
    unknown = (Step("preprocess", "?", node),)  # what the function did to the values is not known
    return DataValue(Data(source, new_group(), split=data.split, batches=True, name=data.name, node=node,
                          steps=unknown, reshuffles=data.reshuffles))


def dataset_map(effects: Effects, data: Data, args: CallArgs, node: cst.Call) -> Value:
    """``ds.map(f)``: f interpreted on one element; what it returns is the new element."""
    function = args.get("map_func", 0)
    if isinstance(function, FunctionValue):
        element: Value = DataValue(data._but(batches=False, labels=None, node=node))
        labels = DataValue(data.labels) if data.labels is not None else UNKNOWN
        params = function.node.params.params
        if len(params) >= 2:
            call_args = CallArgs((element, labels))
        else:  # one parameter: the whole element, an (x, y) pair when the dataset has labels
            call_args = CallArgs((Seq((element, labels), "tuple") if data.labels is not None else element,))
        result = effects.call_function(function, call_args, node)
        if isinstance(result, Seq) and len(result.items) == 2:
            x, y = data_of(result.items[0]), data_of(result.items[1])
            if x is not None:  # (y unknown: labels unknown); map() keeps the pipeline's order and its cuts
                return DataValue(replace(x, batches=True, labels=y, node=node, reshuffles=data.reshuffles,
                                         parts=data.parts, is_sample=False))
            return UNKNOWN
        mapped = data_of(result)
        if mapped is not None:  # the element is x alone now (or y alone: a pipeline of labels)
            return DataValue(replace(mapped, batches=True, labels=None, node=node, reshuffles=data.reshuffles,
                                     parts=data.parts, is_sample=False))  # (an image decoded in f is one element)
    if isinstance(function, LayerValue):
        result = layer_on_data(function.layer, data, node)
        return DataValue(replace(result.data, batches=True)) if isinstance(result, DataValue) else UNKNOWN
    return UNKNOWN


def layer_on_data(layer: Layer, data: Data, node: cst.CSTNode) -> Value:
    """A Keras preprocessing layer called on data: ``Rescaling(1/255)(x)``; other layers are unknown."""
    if layer.kind == "Rescaling":
        scaled = data.with_step("scale", _rescaling_scale(layer.args), node)
        offset = _rescaling_offset(layer.args)  # Rescaling(1 / 127.5, offset=-1): x / 127.5, then - 1, as written out
        return DataValue(scaled.with_step("shift", offset, node) if offset else scaled)
    if layer.kind == "Normalization":
        return DataValue(data.with_step("standardize", "Normalization", node))
    if layer.kind == "Resizing":
        return DataValue(data.with_step("resize", "x".join(str(const_value(layer.args.get(k, i), "?"))
                                                           for i, k in enumerate(("height", "width"))), node))
    if layer.kind in AUGMENTATION_LAYERS:
        return DataValue(data.with_step("augment", layer.kind, node))
    return UNKNOWN


def _rescaling_scale(args: CallArgs) -> str:
    """Rescaling's ``scale`` as the division a script would write ('/255'); '?' when not a constant."""
    scale = const_value(args.get("scale", 0))
    return f"/{round(1 / scale, 4):g}" if isinstance(scale, (int, float)) and scale not in (0, True, False) else "?"


def _rescaling_offset(args: CallArgs) -> str:
    """Rescaling's ``offset`` as the shift a script would write ('-1'); '' without one, '?' when not a constant."""
    given = args.get("offset", 1)
    if given is None:
        return ""
    offset = const_value(given)
    if not isinstance(offset, (int, float)) or isinstance(offset, bool):
        return "?"
    return f"{offset:+g}" if offset else ""
