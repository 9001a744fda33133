"""Training calls linked to models: compile, fit, evaluate, predict, save.

Losses and metrics are resolved here once (string aliases, functions, class
instances with their arguments) so that rules compare plain names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    DataValue,
    Instance,
    Symbol,
    Value,
    const_value,
)

if TYPE_CHECKING:
    from kerassniff.semantic.dataflow import Data
    from kerassniff.semantic.models import Model

# Every spelling Keras accepts for a loss, mapped to one name.
LOSS_ALIASES = {
    "binary_crossentropy": "binary_crossentropy", "bce": "binary_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
    "cce": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy", "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categorical_focal_crossentropy": "categorical_focal_crossentropy",
    "categoricalfocalcrossentropy": "categorical_focal_crossentropy",
    "mean_squared_error": "mean_squared_error", "mse": "mean_squared_error", "meansquarederror": "mean_squared_error",
    "mean_absolute_error": "mean_absolute_error", "mae": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "mean_absolute_percentage_error": "mean_absolute_percentage_error", "mape": "mean_absolute_percentage_error",
    "meanabsolutepercentageerror": "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error": "mean_squared_logarithmic_error", "msle": "mean_squared_logarithmic_error",
    "meansquaredlogarithmicerror": "mean_squared_logarithmic_error",
    "huber": "huber", "huber_loss": "huber", "logcosh": "log_cosh", "log_cosh": "log_cosh", "logcosh_loss": "log_cosh",
    "hinge": "hinge", "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "kl_divergence": "kl_divergence", "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "kldivergence": "kl_divergence", "poisson": "poisson", "cosine_similarity": "cosine_similarity",
}
CROSSENTROPY_LOSSES = {
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
}
CATEGORICAL_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy", "categorical_focal_crossentropy"}
BINARY_LOSSES = {"binary_crossentropy", "binary_focal_crossentropy"}
REGRESSION_LOSSES = {
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh",
}

METRIC_ALIASES = {
    "accuracy": "accuracy", "acc": "accuracy",
    "binary_accuracy": "binary_accuracy", "binaryaccuracy": "binary_accuracy",
    "categorical_accuracy": "categorical_accuracy", "categoricalaccuracy": "categorical_accuracy",
    "sparse_categorical_accuracy": "sparse_categorical_accuracy",
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_categorical_accuracy",
    "topkcategoricalaccuracy": "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "sparsetopkcategoricalaccuracy": "sparse_top_k_categorical_accuracy",
}


@dataclass
class LossSpec:
    name: str | None  # canonical loss name, None when unknown (custom function ...)
    from_logits: bool | None  # None when given but not a constant
    node: cst.CSTNode = field(repr=False)
    output: str | int | None = None  # which output, for list/dict losses


@dataclass
class MetricSpec:
    name: str | None
    node: cst.CSTNode = field(repr=False)
    k: int | None = None


@dataclass(eq=False)
class CompileCall:
    model: "Model"
    node: cst.Call = field(repr=False)
    order: int
    losses: list[LossSpec]
    metrics: list[MetricSpec]
    args: CallArgs


@dataclass(eq=False)
class FitCall:
    model: "Model"
    node: cst.Call = field(repr=False)
    order: int
    method: str  # fit, fit_generator, train_on_batch
    x: Value
    y: Value
    args: CallArgs
    epochs: Value
    batch_size: Value
    steps_per_epoch: Value
    validation_data: Value
    validation_split: Value
    in_unknown_loop: bool = False
    repeat: int = 1  # how many times an unrolled loop ran it

    def data(self, value: Value) -> "Data | None":
        return value.data if isinstance(value, DataValue) else None


@dataclass(eq=False)
class InferenceCall:
    model: "Model"
    node: cst.Call = field(repr=False)
    order: int
    method: str  # evaluate, predict, __call__, ...
    x: Value
    y: Value
    args: CallArgs
    loop: "LoopContext | None" = None


@dataclass(eq=False)
class SaveCall:
    model: "Model"
    node: cst.Call = field(repr=False)
    method: str  # save, save_weights, load_weights
    path: Value


@dataclass(eq=False)
class LoopContext:
    node: cst.CSTNode = field(repr=False)
    iterable: Value
    target_names: tuple[str, ...]
    unrolled: bool
    parent: "LoopContext | None" = None
    per_sample: bool = False  # iterates the samples of an array
    count: int | None = None  # iterations, when known (for loops that are not unrolled)

    def repetitions(self) -> int | None:
        """How many times the loop body runs, counting enclosing loops; None if unknown."""
        total = 1
        context: LoopContext | None = self
        while context is not None:
            if not context.unrolled:
                if context.count is None:
                    return None
                total *= context.count
            context = context.parent
        return total


@dataclass
class Reference:
    """A use of an imported name: ``np.int``, ``keras.utils.np_utils``."""

    raw: str
    canonical: str
    node: cst.CSTNode = field(repr=False)
    # inside a version or feature check (``if np.__version__ < "2":``, ``try: ... except AttributeError:``):
    # the script already copes with the name being absent
    guarded: bool = False


@dataclass(eq=False)
class CallSite:
    """Every call the builder evaluated, with its callee when it is known."""

    node: cst.Call = field(repr=False)
    callee: str | None  # canonical name of a library callee
    method: str | None  # attribute name for method calls
    receiver: Value
    args: CallArgs
    on_model: "Model | None" = None


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
    if isinstance(value, Instance):
        given = value.args.get("from_logits")
        if given is not None:
            from_logits = const_value(given) if isinstance(const_value(given), bool) else None
    return LossSpec(name, from_logits, node, output)


def resolve_metric(value: Value, node: cst.CSTNode) -> MetricSpec:
    name: str | None = None
    k: int | None = None
    if isinstance(value, Const) and isinstance(value.value, str):
        name = METRIC_ALIASES.get(value.value.lower())
    elif isinstance(value, Symbol) and is_keras(value.name):
        name = METRIC_ALIASES.get(short(value.name).lower())
    elif isinstance(value, Instance) and is_keras(value.cls):
        name = METRIC_ALIASES.get(short(value.cls).lower())
        kv = const_value(value.args.get("k", 0))
        k = kv if isinstance(kv, int) else None
    if name in ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy") and k is None:
        k = 5
    return MetricSpec(name, node, k)


def unknown_if_none(value: Value | None) -> Value:
    return UNKNOWN if value is None else value
