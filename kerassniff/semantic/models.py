"""Models, the calls each records, and the facts rules ask of them.

A :class:`Model` is created for every ``Sequential``, functional ``Model``,
``keras.applications`` constructor, ``load_model`` and subclassed model the
script builds.  Its layers and output heads are :mod:`kerassniff.semantic.layer_facts`'s.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerassniff.semantic.knowledge.layers import (
    ACTIVATION_LAYERS,
    ACTIVATION_SYNONYMS,
    CONV_LAYERS,
    INPUT_SCALING_LAYERS,
    MASKING_LAYERS,
    WEIGHTLESS_PREPROCESSING_LAYERS,
    PASS_THROUGH,
    POOLING_LAYERS,
    RECURRENT_DEFAULT_ACTIVATION,
    UNIT_LAYERS,
    UPSAMPLING_LAYERS,
    WRAPPER_LAYERS,
)
from kerassniff.semantic.dataflow import Arm, Data, arms_exclude, data_of
from kerassniff.semantic.layer_facts import (
    Application,
    Layer,
    OutputHead,
    application_head,
    head_of,
    learns,
)
from kerassniff.semantic.knowledge.model_api import CALLBACKS_POSITION
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.pyvalues import CallArgs, Const, Instance, Seq, Value, const_value

# The kinds of model whose training methods are Keras's own Model's (not a subclass's, a KerasHub task's or those of
# a package kerassniff does not read).
KERAS_MODEL_KINDS = frozenset({"sequential", "functional", "application", "loaded"})

__all__ = [  # the layer tables rules read, from the knowledge tables
    "ACTIVATION_LAYERS", "ACTIVATION_SYNONYMS", "CONV_LAYERS", "PASS_THROUGH", "POOLING_LAYERS",
    "RECURRENT_DEFAULT_ACTIVATION", "UNIT_LAYERS", "UPSAMPLING_LAYERS", "WRAPPER_LAYERS",
]


@dataclass(eq=False)
class Model:
    kind: str  # sequential | functional | application | loaded | subclassed | library (KerasHub, KerasCV) | external
    # (external: built where kerassniff cannot read, known only because the script compiles it)
    node: cst.CSTNode = field(repr=False)
    name: str | None = None  # the variable it was first bound to
    layers: list[Layer] = field(default_factory=list)
    complete: bool = True  # False when a layer we cannot follow was added
    outputs: list[tuple[Layer, ...]] | None = None  # functional: one layer path per output
    output_complete: bool = True
    application: Application | None = None
    load_path: Value | None = None
    compiles: list[CompileCall] = field(default_factory=list)
    fits: list[FitCall] = field(default_factory=list)
    inferences: list[InferenceCall] = field(default_factory=list)
    # losses called by hand on this model's outputs (``loss_fn(y, model(x))`` in a GradientTape loop), at the call
    loss_calls: list[LossSpec] = field(default_factory=list)
    saves: list[SaveCall] = field(default_factory=list)
    attribute_sets: list[AttributeSet] = field(default_factory=list)  # model.x = ... / model.layers[i].x = ...
    weight_sets: list[WeightSet] = field(default_factory=list)  # set_weights() on the model or one of its layers
    # when something may have built it (build(), or a call of the model on anything): fits and inferences say theirs
    builds: list[int] = field(default_factory=list)
    input_shape: tuple | None = None  # from keras.Input(shape=...) when the model starts with one
    output_names: list[str | None] | None = None  # functional dict outputs: the keys, in order
    origin: "Model | None" = None  # a reload of this model's own checkpoint (same script): the trained model
    origin_order: int = 0  # when the file it was read back from was written (the origin's fits up to it trained it)
    reloaded_at: int = 0  # when it read that file (load_weights() into a model built before: what came earlier is
    # the untrained model's)
    keras_2: bool = False  # built by a Keras 2 package (KERAS_2_PACKAGES), perhaps in a helper module
    private_copy: bool = False  # of those, by TensorFlow's private copy (tensorflow.python.keras)
    own_methods: frozenset[str] = frozenset()  # the methods its script-defined Model subclass overrides (compile)
    created_in: "LoopContext | None" = None  # the innermost loop interpreted when the script made it (None: outside)
    # the arms of the ifs interpreted both ways around the call that made it (as DataEvent.branches): a call in
    # another arm of one of those conditions never meets this model
    created_branches: tuple[Arm, ...] = ()
    # ids of the models one name holds instead of this one (ModelValue.alternatives): a call on that name runs on
    # one of them, so rules comparing two models (an optimizer shared by both) do not pair them
    held_with: set[int] = field(default_factory=set)

    def alternative_to(self, other: "Model") -> bool:
        """Whether a run holds this model where it holds ``other``: made in other arms of one condition, or held by one
        name in turn (one call then runs on one of the two)."""
        return id(other) in self.held_with or arms_exclude(self.created_branches, other.created_branches)
    tuned: bool = False  # stands for the models a keras-tuner tuner builds with its hypermodel (and trains)

    def release(self) -> None:
        """Forget the calls made on the model, each of which refers back to it: for an analysis nobody will read
        again, so that it is freed as soon as it is dropped rather than by the cyclic collector's pass."""
        for calls in (self.compiles, self.fits, self.inferences, self.saves, self.attribute_sets, self.loss_calls,
                      self.weight_sets):
            calls.clear()

    def sample_shape(self) -> tuple | None:
        """The per-sample input shape, when the script states it (keras.Input, input_shape=, input_dim=)."""
        if self.input_shape is not None:
            return self.input_shape
        if not self.layers:
            return None
        first = self.layers[0].shape_args
        for keyword in ("input_shape", "batch_input_shape", "input_dim"):
            value = first.get(keyword)
            if value is not None and isinstance(getattr(value, "value", None), (tuple, int)):
                shape = value.value if isinstance(value.value, tuple) else (value.value,)
                shape = shape[1:] if keyword == "batch_input_shape" else shape
                return shape if all(isinstance(d, int) for d in shape) else None
        return None

    @property
    def label(self) -> str:
        return f"'{self.name}'" if self.name else f"the {self.kind} model"

    @property
    def has_batchnorm(self) -> bool:
        if self.application is not None and self.application.has_batchnorm:
            return True
        return any(layer.has_batchnorm for layer in self.all_layers())

    @property
    def scales_inputs(self) -> bool:
        """True when the model itself rescales raw inputs, or might: a Lambda layer, or a model inside it whose
        layers are not known (a loaded model, a KerasCV backbone built with ``include_rescaling=True``)."""
        return self.scales_inputs_besides(frozenset())

    def scales_inputs_besides(self, known: frozenset[int], seen: frozenset[int] = frozenset(),
                              look_inside: bool = False) -> bool:
        """:attr:`scales_inputs`, leaving out the scalings whose nodes are in ``known`` (a rule has read them: its
        Rescaling layers, a network's built-in scaling by the network's node).  With ``look_inside``, a model inside
        this one that comes before any network is looked into as well (its scalings may be among those read), one
        after a network (a head) is not, and a keras.applications network inside counts only for the scaling it
        does itself; without, any model inside whose layers are not known might scale."""
        if self.application is not None and self.application.scales_itself and id(self.node) not in known:
            return True
        for layer in self.all_layers():
            if layer.kind in INPUT_SCALING_LAYERS and id(layer.node) not in known and \
                    not (layer.kind == "Lambda" and self._behind_learned(layer)):
                return True
            nested = layer.nested
            if nested is None or nested is self or id(nested) in seen:
                continue
            if look_inside and (nested.structure_known or nested.application is not None):
                if self.before_any_network(layer) and nested.scales_inputs_besides(known, seen | {id(self)}, True):
                    return True  # (a model inside after the network, a head, works on features)
            elif nested.scales_inputs or not nested.structure_known:
                return True
        return False

    def _behind_learned(self, layer: Layer) -> bool:
        """Whether every known path through ``layer`` reaches it after a layer that learns (Dense, a convolution, a
        recurrent layer, an Embedding): a Lambda there (a VAE's sampling) works on features, not on the inputs."""
        learned = self._learned_before(layer)
        return bool(learned) and all(learned)

    def before_learning(self, layer: Layer) -> bool:
        """Whether a known path reaches ``layer`` from the input with no layer that learns before it: a Lambda there
        works on the inputs themselves (not a residual branch's scaling after a convolution)."""
        return not all(self._learned_before(layer))

    def before_any_network(self, layer: Layer) -> bool:
        """Whether a known path reaches ``layer`` from the input with nothing that learns before it: no layer with
        weights, no model inside (a keras.applications network, a nested model with such layers).  A nested model
        there preprocesses the inputs; one after a network is a head."""
        paths = [path for path in self.head_paths() if any(step is layer for step in path)]
        return not paths or any(not any(_learns_or_holds_learning(step)
                                        for step in path[:[id(s) for s in path].index(id(layer))]) for path in paths)

    def _learned_before(self, layer: Layer) -> list[bool]:
        """For each known path through ``layer``: whether a layer that learns comes before it."""
        paths = [path for path in self.head_paths() if any(step is layer for step in path)]
        return [any(learns(step) for step in path[:[id(s) for s in path].index(id(layer))]) for path in paths]

    @property
    def weightless(self) -> bool:
        """Every layer is known and is a preprocessing layer without weights (``Sequential([RandomFlip(),
        RandomRotation(0.1)])``): nothing in it is trained, so ``model(x, training=True)`` is no training step."""
        layers = self.all_layers()
        return self.structure_known and bool(layers) and all(
            layer.kind in WEIGHTLESS_PREPROCESSING_LAYERS for layer in layers)

    def applications(self):
        """The keras.applications networks that are, or are inside, the model, outermost first."""
        if self.application is not None:
            yield self.application
        for layer in self.all_layers():
            nested = layer.nested
            if nested is not None and nested is not self:
                yield from nested.applications()

    @property
    def structure_kind(self) -> str:
        """How the layers were built: a reload of the script's own checkpoint is built like the original."""
        return self.origin.structure_kind if self.origin is not None else self.kind

    def keras_runs(self, method: str) -> bool:
        """Whether Keras's own ``Model.<method>`` (compile, train_step, ...) is what runs for this model: a model Keras
        builds, and no subclass of the script's overrides the method (``MySubclass(inputs, outputs)``)."""
        return self.kind in KERAS_MODEL_KINDS and method not in self.own_methods

    @property
    def structure_known(self) -> bool:
        """True when every layer on the way to the outputs was followed."""
        kind = self.structure_kind
        if kind == "sequential":
            return self.complete
        if kind == "functional":
            return self.output_complete
        return kind == "application"

    def puts_no_mask(self) -> bool:
        """Whether the model is known to put no Keras mask on what its layers read: every layer followed, no Masking
        layer and no Embedding that may mask (``mask_zero=`` other than the constant False).  Without a mask a
        recurrent layer reads padding as input, and the loss and the metrics score every position."""
        if self.kind not in ("sequential", "functional") or not self.structure_known:
            return False
        for layer in self.all_layers():
            if layer.is_unknown or layer.nested is not None or layer.kind in MASKING_LAYERS:
                return False
            given = layer.args.get("mask_zero") if layer.kind == "Embedding" else None
            if given is not None and const_value(given, "not known") is not False:
                return False  # mask_zero=True, or a value that is not known (a command-line option)
        return True

    def fresh_batchnorm(self) -> tuple[str, float] | None:
        """BatchNormalization whose moving statistics start from scratch: (description, momentum).

        Explicit BatchNormalization layers, or a keras.applications network with BatchNormalization
        built with weights=None.  None when there is none, or a momentum we cannot read.
        """
        app = self.application
        if app is not None:
            return (f"a {app.name} built with weights=None (BatchNormalization throughout)", 0.99) \
                if app.random_init and app.has_batchnorm else None
        for layer in self.all_layers():
            if layer.kind.startswith("BatchNormalization"):
                return ("BatchNormalization layers", layer.momentum) if layer.momentum is not None else None
            if layer.nested is not None and layer.nested is not self:
                nested = layer.nested.fresh_batchnorm()
                if nested is not None:
                    return nested
        return None

    def all_layers(self) -> list[Layer]:
        if self.outputs is not None:
            seen: dict[int, Layer] = {}
            for path in self.outputs:
                for layer in path:
                    seen.setdefault(id(layer), layer)
            return list(seen.values())
        return list(self.layers)

    def output_paths(self) -> list[tuple[Layer, ...]]:
        """Each output's chain of layers, input to output; [] unless every layer was followed."""
        return self.head_paths() if self.structure_known else []

    def head_paths(self) -> list[tuple[Layer, ...]]:
        """Each output's chain of layers as far as it is known; unknown parts are ``Unknown`` layers.

        The head (the last layers) can be plain to see when the body is not: a custom layer or an
        unreadable sub-model early on hides nothing about the output's units and activation.
        """
        if self.outputs is not None:
            return self.outputs
        if self.structure_kind == "sequential":
            return [tuple(self.layers)] if self.layers else []
        return []

    def heads(self) -> list[OutputHead | None]:
        """The output head of each output; None for an output we cannot read."""
        if self.structure_kind == "application" and self.application is not None:
            return [application_head(self.application, self.node)]
        return [head_of(path) for path in self.head_paths()]

    def output_name(self, index: int) -> str | None:
        """The name Keras gives output ``index`` (dict keys of ``outputs=``, else the last layer's name=)."""
        if self.output_names is not None and index < len(self.output_names):
            return self.output_names[index]
        paths = self.head_paths()
        return paths[index][-1].name if index < len(paths) and paths[index] else None

    def compile_before(self, order: int) -> "CompileCall | None":
        """The compile() in force at a call of program order ``order``: the last one before it."""
        before = [c for c in self.compiles if c.order < order]
        return before[-1] if before else None

    def heads_when_compiled(self, compile_call: "CompileCall") -> list[OutputHead | None]:
        """The output heads the loss of ``compile_call`` was compiled for: a Sequential model's layers as they were
        then (``model.add()`` after ``compile()`` and ``fit()`` changes the model, not that training)."""
        count = compile_call.layer_count
        if count is None or count >= len(self.layers) or self.structure_kind != "sequential":
            return self.heads()
        return [head_of(tuple(self.layers[:count]))] if count else []

    def single_head(self) -> OutputHead | None:
        heads = self.heads()
        return heads[0] if len(heads) == 1 else None


# -- the calls a model records, in program order ----------------------------------------
@dataclass
class LossSpec:
    name: str | None  # canonical loss name, None when unknown (custom function ...)
    from_logits: bool | None  # None when given but not a constant
    node: cst.CSTNode = field(repr=False)
    output: str | int | None = None  # which output, for list/dict losses
    ignore_class: int | None = None  # a loss object's constant ignore_class= (the target left out of the loss)
    given: str | None = None  # the string the script names it by ('mse'), in the call or through a variable


@dataclass
class MetricSpec:
    name: str | None
    node: cst.CSTNode = field(repr=False)
    k: int | None = None
    given: str | None = None  # the string the script names it by ('acc'), in the call or through a variable
    from_logits: bool | None = False  # a crossentropy metric's from_logits= (None: not known)
    # the name fit() logs it under (tf.keras 2 and Keras 3): the string given, a function of the script's own by its
    # name (Keras wraps it under fn.__name__), a metric object by its name= (None: not known; an unnamed object's
    # name grows a suffix when the class is made twice: 'auc_1')
    logged: str | None = None
    function: cst.FunctionDef | None = field(default=None, repr=False)  # a metric function of the script's own


@dataclass(eq=False)
class CompileCall:
    model: "Model"
    node: cst.Call = field(repr=False)
    order: int
    losses: list[LossSpec]
    metrics: list[MetricSpec]
    args: CallArgs
    # a Sequential model's layer count when compiled: layers add()ed later are not what this loss was compiled for
    layer_count: int | None = None
    # the script's own loss functions given to it that read symbolic tensors of a functional graph from around them
    # (the Keras 2 VAE recipe's KL term): (the function's definition, the names of those tensors)
    graph_tensor_losses: tuple[tuple[cst.FunctionDef, tuple[str, ...]], ...] = ()


@dataclass(eq=False)
class AttributeSet:
    """``obj.attr = value`` on a model or on one of its layers (``base.trainable = False``), in program order.

    Some attributes take effect only at the next ``compile()`` (``trainable`` once a training call has built the
    train function): rules compare ``order`` with the model's compiles and fits.
    """

    attribute: str
    value: Value
    node: cst.CSTNode = field(repr=False)
    order: int
    layer: "Layer | None" = None  # set on this layer of the model, not on the model itself
    part: bool = False  # set on a part the analysis does not index (model.layers[i], model.backbone): not the whole


@dataclass(eq=False)
class WeightSet:
    """``set_weights(...)`` on a model, on one of its layers, or on a part the analysis does not index
    (``model.layers[0]``), in program order: Keras raises ValueError when the model has no weights yet."""

    node: cst.Call = field(repr=False)
    order: int


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
    loop: "LoopContext | None" = None  # the innermost loop interpreted at the call
    # the arms of the ifs interpreted both ways around the call (as DataEvent.branches): two calls in different arms
    # of one condition never both run
    branches: tuple[Arm, ...] = ()

    def excludes(self, other: "FitCall") -> bool:
        """Whether the two training calls lie in different arms of one if (``if wide: a.fit() else: b.fit()``)."""
        return arms_exclude(self.branches, other.branches)

    def data(self, value: Value) -> Data | None:
        """The array a value of this call holds (``fit.data(fit.x)``), None for anything else."""
        return data_of(value)

    @property
    def callbacks(self) -> tuple[Value, ...]:
        """The callbacks given (``callbacks=``, or fit()'s sixth / fit_generator()'s fifth positional argument), with
        nested lists flattened as Keras flattens them (``callbacks=[my_callbacks]``: Keras 3's and tf.keras 2's
        CallbackList flatten the structure); none when the list is not known."""
        given = self.args.get("callbacks", CALLBACKS_POSITION.get(self.method))
        return _flattened(given.items) if isinstance(given, Seq) else ()

    @property
    def callbacks_unread(self) -> bool:
        """Whether the callbacks include what the analysis cannot read: a list it cannot follow
        (``callbacks=make_callbacks()``), or a callback that is neither Keras's own nor of a class the script defines
        (an imported ``CyclicLR``), which may do anything Keras lets a callback do."""
        given = self.args.get("callbacks", CALLBACKS_POSITION.get(self.method))
        if given is not None and not self.callbacks and not (isinstance(given, Const) and given.value in (None, ())):
            return True
        return any(not isinstance(callback, Instance) or
                   (callback.local_class is None and not callback.cls.startswith("keras.callbacks."))
                   for callback in self.callbacks)


def _flattened(items: tuple[Value, ...], depth: int = 0) -> tuple[Value, ...]:
    """A list's items with the lists inside it spread in place (as ``tree.flatten`` does; three levels at most)."""
    if depth > 2 or not any(isinstance(item, Seq) for item in items):
        return items
    return tuple(inner for item in items for inner in (
        _flattened(item.items, depth + 1) if isinstance(item, Seq) else (item,)))


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
    order: int = 0  # where it ran among the script's calls (as the fits' orders)


def _learns_or_holds_learning(layer: Layer) -> bool:
    """A layer that learns, or a model inside whose layers do (a keras.applications network: weights not listed)."""
    nested = layer.nested
    return learns(layer) or (nested is not None and (nested.application is not None or
                                                      any(learns(inner) for inner in nested.all_layers())))
