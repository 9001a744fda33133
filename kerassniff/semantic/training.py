"""Training calls linked to models: compile, fit, evaluate, predict, save.

Losses and metrics are resolved here once (string aliases, functions, class
instances with their arguments) so that rules compare plain names.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from kerassniff.semantic.dataflow import Data, normal_path
from kerassniff.semantic.knowledge.losses import (
    BINARY_LOSSES,
    CATEGORICAL_LOSSES,
    CROSSENTROPY_LOSSES,
    EXACT_ACCURACY,
    EXACT_ACCURACY_CLASSES,
    FROM_LOGITS_POSITIONS,
    LOSS_ALIASES,
    METRIC_ALIASES,
    REGRESSION_LOSSES,
    TOP_K_METRICS,
)
from kerassniff.semantic.knowledge.model_api import CHECKPOINT_CALLBACKS, function_metric_name
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.pyvalues import unpack
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.models import (
    AttributeSet,
    CompileCall,
    FitCall,
    InferenceCall,
    LossSpec,
    MetricSpec,
    Model,
    SaveCall,
)
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    DataValue,
    DictValue,
    FormattedValue,
    FunctionValue,
    Instance,
    Seq,
    Symbol,
    Value,
    const_value,
    path_last_part,
    str_value,
)


__all__ = [
    "argument_node",
    # the loss families rules read, from the knowledge tables
    "BINARY_LOSSES", "CATEGORICAL_LOSSES", "CHECKPOINT_CALLBACKS", "CROSSENTROPY_LOSSES", "LOSS_ALIASES",
    "EXACT_ACCURACY", "METRIC_ALIASES", "REGRESSION_LOSSES",
    # the training calls a model records (they live beside Model, which lists them)
    "AttributeSet", "CompileCall", "FitCall", "InferenceCall", "LoopContext", "LossSpec", "MetricSpec", "SaveCall",
    # what this module adds
    "CallSite", "Reference", "compile_losses", "compile_metrics", "loss_name", "resolve_loss", "resolve_metric",
    "saved_paths", "shuffled_in_place", "unknown_if_none",
]


@dataclass
class Reference:
    """A use of an imported name: ``np.int``, ``keras.utils.np_utils``."""

    raw: str
    canonical: str
    node: cst.CSTNode = field(repr=False)
    # inside a version or feature check (``if np.__version__ < "2":``, ``try: ... except AttributeError:``):
    # the script already copes with the name being absent
    guarded: bool = False
    top: int | None = None  # the module-level statement that holds the node (None: in a helper module)


@dataclass(eq=False)
class CallSite:
    """Every call the builder evaluated, with its callee when it is known."""

    node: cst.Call = field(repr=False)
    callee: str | None  # canonical name of a library callee
    method: str | None  # attribute name for method calls
    receiver: Value
    args: CallArgs
    on_model: "Model | None" = None
    # inside a version check or an ImportError/AttributeError fallback (see Reference.guarded)
    guarded: bool = False
    top: int | None = None  # the module-level statement that holds the call (None: in a helper module)


# In-place shuffles of one array: np.random.shuffle(x), random.shuffle(x); rng.shuffle(x) is a method call.
SHUFFLE_FUNCTIONS = frozenset({"numpy.random.shuffle", "random.shuffle"})


def shuffled_in_place(call: CallSite) -> Data | None:
    """The array a call shuffles in place (its samples reordered, nothing returned), if it is one."""
    first = call.args.positional[0] if call.args.positional else None
    if not isinstance(first, DataValue):
        return None
    if call.callee in SHUFFLE_FUNCTIONS or (call.callee is None and call.method == "shuffle"):
        return first.data
    return None


def loss_name(value: Value) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return LOSS_ALIASES.get(value.value.lower()) or LOSS_ALIASES.get(value.value)
    if isinstance(value, Symbol) and is_keras(value.name):
        return LOSS_ALIASES.get(short(value.name).lower())
    if isinstance(value, Instance) and is_keras(value.cls):
        return LOSS_ALIASES.get(short(value.cls).lower())
    return None


def resolve_loss(value: Value, node: cst.CSTNode, output: str | int | None = None) -> LossSpec:
    name = loss_name(value)
    from_logits: bool | None = False
    ignored = None
    if isinstance(value, Instance):
        from_logits = _from_logits(value)
        ignored = const_value(value.args.get("ignore_class"))
    return LossSpec(name, from_logits, node, output,
                    ignore_class=ignored if isinstance(ignored, int) and not isinstance(ignored, bool) else None,
                    given=value.value if isinstance(value, Const) and isinstance(value.value, str) else None)


def _from_logits(value: Instance) -> bool | None:
    """A crossentropy loss's or metric's from_logits, by keyword or by position: False when not given, None when not
    known (a variable, or a ``**`` spread whose entries are not all known)."""
    given = value.args.get("from_logits", _from_logits_position(value.cls))
    if given is None:
        return None if value.args.open_keywords else False
    folded = const_value(given)
    return folded if isinstance(folded, bool) else None


def _from_logits_position(cls: str) -> int | None:
    """Where a crossentropy class of keras.losses or keras.metrics takes from_logits by position
    (:data:`FROM_LOGITS_POSITIONS`); None for another class (the keyword only)."""
    parts = cls.rsplit(".", 2)
    return FROM_LOGITS_POSITIONS.get(parts[-2], {}).get(parts[-1]) if len(parts) == 3 else None


def resolve_metric(value: Value, node: cst.CSTNode) -> MetricSpec:
    name: str | None = None
    k: int | None = None
    from_logits: bool | None = False
    if isinstance(value, Const) and isinstance(value.value, str):
        name = METRIC_ALIASES.get(value.value.lower())
    elif isinstance(value, Symbol) and is_keras(value.name):
        name = _metric_class(short(value.name))
    elif isinstance(value, Instance) and is_keras(value.cls):
        name = _metric_class(short(value.cls))
        kv = const_value(value.args.get("k", 0))
        k = kv if isinstance(kv, int) else None
        from_logits = _from_logits(value)
    if name in TOP_K_METRICS and k is None:
        k = TOP_K_METRICS[name]
    given = value.value if isinstance(value, Const) and isinstance(value.value, str) else None
    function = value.node if isinstance(value, FunctionValue) and type(value.node) is cst.FunctionDef else None
    return MetricSpec(name, node, k, given, from_logits, given or _logged_name(value), function)


def _logged_name(value: Value) -> str | None:
    """The name fit() logs a metric that is not a string under: a function of the script's own by its name (as every
    Keras names it: :func:`~kerassniff.semantic.knowledge.model_api.function_metric_name`; not a decorated one, whose
    decorator may rename it), a metric object by a constant ``name=`` (as given, checked on Keras 3.15.1); None
    otherwise.  (A function renamed with ``fn.__name__ = ...`` is told by Script.renamed_functions.)"""
    if isinstance(value, FunctionValue) and type(value.node) is cst.FunctionDef and not value.node.decorators:
        return function_metric_name(value.node.name.value)
    if isinstance(value, Instance) and is_keras(value.cls):
        named = const_value(value.args.get("name"))
        return named if isinstance(named, str) else None
    return None


def _metric_class(name: str) -> str | None:
    """The canonical metric a Keras metric class computes (``CategoricalAccuracy`` -> categorical_accuracy)."""
    return EXACT_ACCURACY if name in EXACT_ACCURACY_CLASSES else METRIC_ALIASES.get(name.lower())


def compile_losses(args: CallArgs, call: cst.Call) -> list[LossSpec]:
    """The losses of a compile() call: one, a list by output position, or a dict by output name."""
    value = args.get("loss", 1)
    if value is None:
        return []
    return [resolve_loss(item, node, output) for output, item, node in _spread(value, argument_node(args, "loss", 1, call))]


def compile_metrics(args: CallArgs, call: cst.Call) -> list[MetricSpec]:
    value = args.get("metrics", 2)
    if value is None:
        return []
    return [resolve_metric(item, node) for _, item, node in
            _spread(value, argument_node(args, "metrics", 2, call), flatten=True)]


def argument_node(args: CallArgs, name: str, position: int | None, call: cst.Call) -> cst.BaseExpression:
    """Where an argument is written (by keyword, or at ``position``); for one that came in through ``**config``,
    that ``**config``, or the entry of a dict written there (``**{"loss": "mse"}``); else the callee."""
    arg = args.node_of(name, position)
    if arg is not None:
        return arg.value
    spread = [a for a in args.nodes if a.star == "**"]
    if not spread:
        return call.func
    unpacked = spread[-1].value
    if isinstance(unpacked, cst.Dict):  # **{"loss": "mse", ...}: the entry itself
        for element in unpacked.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) and \
                    element.key.evaluated_value == name:
                return element.value
    return unpacked


def _spread(value: Value, node: cst.BaseExpression, flatten: bool = False):
    """Yield (output key, value, node) for a single value, a list or a dict argument."""
    if isinstance(node, (cst.List, cst.Tuple)):
        yield from _spread_list(value, node, flatten)
    elif isinstance(node, cst.Dict) and isinstance(value, DictValue):
        yield from _spread_dict(value, node, flatten)
    else:
        yield from _spread_value(value, node, flatten)


def _spread_list(value: Value, node: cst.List | cst.Tuple, flatten: bool):
    items = unpack(value, len(node.elements))
    for index, (element, item) in enumerate(zip(node.elements, items)):
        if flatten and isinstance(element.value, (cst.List, cst.Tuple, cst.Dict)):
            yield from _spread(item, element.value, flatten)
        else:
            yield (None if flatten else index), item, element.value


def _spread_dict(value: DictValue, node: cst.Dict, flatten: bool):
    for element, (key, item) in zip([e for e in node.elements if isinstance(e, cst.DictElement)], value.items):
        if flatten and isinstance(element.value, (cst.List, cst.Tuple)):
            yield from _spread(item, element.value, flatten)
        else:
            yield const_value(key), item, element.value


def _spread_value(value: Value, node: cst.BaseExpression, flatten: bool):
    """A list, dict or single value that was not written out at the call: everything points at ``node``."""
    if isinstance(value, Seq):
        for index, item in enumerate(value.items):
            yield (None if flatten else index), item, node
    elif isinstance(value, DictValue):  # a dict built elsewhere: {"cls": ..., "box": ...} in a variable
        for key, item in value.items:
            yield const_value(key), item, node
    elif isinstance(value, Const) and isinstance(value.value, tuple):
        for index, item in enumerate(value.value):
            yield (None if flatten else index), Const(item), node
    else:
        yield None, value, node


@dataclass(unsafe_hash=True)
class FileWrite:
    """One write of a model file: by a save() (``node`` its call) or by a ModelCheckpoint given to a fit() (``node``
    the callback's construction, ``call`` that fit(), whose order it writes at)."""

    path: Value | None
    order: int
    node: cst.CSTNode
    call: cst.CSTNode
    checkpoint: bool


def file_writes(model: Model, weights: bool = False) -> Iterator[FileWrite]:
    """Each file ``model`` writes: its save() and export() (save_weights() for ``weights``), and the ModelCheckpoint
    given to its fit() that saves the whole model (known save_weights_only=False) or, for ``weights``, its weights
    only (save_weights_only=True)."""
    methods = ("save_weights",) if weights else ("save", "export")
    for save in model.saves:
        if save.method in methods:
            yield FileWrite(save.path, save.order, save.node, save.node, False)
    for fit in model.fits:
        for callback in fit.callbacks:
            if isinstance(callback, Instance) and callback.cls in CHECKPOINT_CALLBACKS and \
                    const_value(callback.args.get("save_weights_only", 4), False) is weights:
                yield FileWrite(callback.args.get("filepath", 0), fit.order, callback.node, fit.node, True)


def _writes(model: Model, weights: bool = False):
    """(constant path, order) of each file ``model`` writes (:func:`file_writes`)."""
    for write in file_writes(model, weights):
        yield _normal(file_path(write.path)), write.order


def file_path(value: Value | None) -> str | None:
    """A model file's path as far as it is known: a constant path, or the file name at the end of a path built from
    a folder the analysis cannot know (``os.path.join(os.path.dirname(__file__), "models", "clf.keras")``: what
    links a serving script to its trainer, which matches file names)."""
    text = str_value(value)
    return text if text is not None else path_last_part(value) if isinstance(value, FormattedValue) else None


def _normal(path: str | None) -> str | None:
    """A written path by its meaning (``./best.h5`` is ``best.h5``), so that a read of it is matched."""
    return normal_path(path) if path else path


def written_at(model: Model, path: str, weights: bool = False) -> int:
    """When ``model`` last wrote ``path`` so far (the order of the call that wrote it); 0 when it did not."""
    path = normal_path(path)
    return max((order for written, order in _writes(model, weights) if written == path), default=0)


def saved_paths(model: Model) -> set[str]:
    """Constant paths this model is written to: model.save(p), ModelCheckpoint(p) passed to its fit()."""
    return {path for path, _ in _writes(model) if path is not None}


def written_paths(model: Model) -> set[str]:
    """Constant paths this model is written to, whole or weights only: save()/export()/save_weights() and the
    ModelCheckpoint callbacks given to its fit()."""
    return {path for weights in (False, True) for path, _ in _writes(model, weights) if path}


def unknown_if_none(value: Value | None) -> Value:
    return UNKNOWN if value is None else value
