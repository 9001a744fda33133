"""KS402's check of one optimizer object compiled into models that train different weights.

Standalone Keras 2 and tf.keras up to 2.10 created an optimizer's state (Adam's moments) variable by variable as
gradients came, so Keras 2 code often built one ``opt = Adam(...)`` and compiled it into several models.  A Keras 3
optimizer is built for the variables of the first model it updates; a training step of a model with other weights
raises ``ValueError: Unknown variable ... This optimizer can only be called for the variables it was originally
built with`` (checked on 3.15.1).  Two shapes are reported:

- two models compiled with the one object that both train, the second of them with a weight the first lacks
  (a sub-model trained after the model that holds it is fine: its variables are all known);
- a loop that builds, compiles and trains a new model at each pass (a cross-validator's folds, or a loop counted to
  two or more) with an optimizer built once before the loop, in the loop's own scope;
- two-phase fine-tuning: a model trained with part of it frozen, unfrozen (``base.trainable = True``), compiled
  again with the same optimizer object and trained.

The optimizer is built at the first step of the model that trains first, for the weights trainable then; the other
model fails at its first step when it trains a weight outside that set (the last ``trainable`` setting before a step
on a layer, its model or a model around it decides; a setting on a part not indexed leaves the layers it may reach
undecided).  So a GAN whose discriminator is made trainable again for its own step with one optimizer for both is
reported (the combined model meets the generator's weights), and so is one whose combined model trains first (the
discriminator then meets weights it held frozen).  Silent when nothing is surely trainable at the first step (the
Keras 2 GAN recipe with the discriminator left frozen: Keras 3 builds the optimizer at the other model's step; that
frozen discriminator is KS312's question), when the two train only in different arms of one ``if``, and when a
layer of either model was not followed.
"""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from kerassniff.checks._shared import fits_under, fold_loop
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import arms_exclude
from kerassniff.semantic.models import AttributeSet, CompileCall, FitCall, Model
from kerassniff.semantic.names import short
from kerassniff.semantic.syntax import code_children
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.values import Instance, const_value

_STATE = ("A Keras 3 optimizer builds its state (Adam's moments, the step count) for the variables of the first model "
          "it updates")
_ERROR = "ValueError: Unknown variable ... This optimizer can only be called for the variables it was originally built with"
_KERAS_2 = "Standalone Keras 2 and tf.keras up to 2.10 created the state variable by variable."


def shared_optimizers(script: Script) -> Iterator[Report]:
    first: dict[int, CompileCall] = {}
    reported: set[int] = set()
    for compile_call in sorted(script.compiles(), key=lambda c: c.order):
        optimizer = compile_call.args.get("optimizer", 0)
        if type(optimizer) is not Instance or not optimizer.cls.startswith("keras.optimizers.") or \
                optimizer.cls.startswith("keras.optimizers.legacy.") or not fits_under(compile_call):
            continue
        if id(optimizer) in reported:
            continue  # the script already stops at the first failure this optimizer causes
        unfrozen = _unfrozen_since(first.get(id(optimizer)), compile_call)
        if unfrozen is not None:
            reported.add(id(optimizer))
            yield _recompiled_after_unfreezing(script, compile_call, optimizer, unfrozen)
            continue
        loop = _rebuilt_each_pass(script, compile_call, optimizer)
        if loop is not None:
            reported.add(id(optimizer))
            yield _across_passes(script, compile_call, optimizer, loop)
            continue
        earlier = first.setdefault(id(optimizer), compile_call)
        if earlier is compile_call or earlier.model.alternative_to(compile_call.model) or \
                not _fails_when_both_train(script, earlier, compile_call):
            continue
        context = compile_call.model.created_in
        reported.add(id(optimizer))
        if earlier.node is compile_call.node and context is not None:  # one compile() of an unrolled loop, twice
            yield _across_passes(script, compile_call, optimizer, context.node)
        else:
            yield _two_models(script, earlier, compile_call, optimizer)


def _fails_when_both_train(script: Script, one: CompileCall, other: CompileCall) -> bool:
    """Both models train with the optimizer in one run, and the one that trains second trains, at its first step, a
    weight the optimizer was not built for: one the first model lacks, or held frozen at its first step (a GAN's
    generator trained through the combined model with the discriminator's optimizer; the discriminator trained
    after the combined model that held it frozen)."""
    if one.model is other.model:
        return False
    weights = {id(c): _weighted_layers(c.model) for c in (one, other)}
    if any(not found for found in weights.values()):
        return False  # a layer not followed, or no weights known
    fits = {id(c): fits_under(c) for c in (one, other)}
    if not _both_train(script, fits[id(one)], fits[id(other)]):
        return False
    starts, then = sorted((one, other), key=lambda c: min(fit.order for fit in fits[id(c)]))
    built = _trainable_at(starts.model, min(fit.order for fit in fits[id(starts)]))
    trained = _trainable_at(then.model, min(fit.order for fit in fits[id(then)]))
    if not any(state is True for state in built.values()):
        return False  # (nothing surely trainable at the first step: Keras 3 may build the optimizer at the next)
    return any(state is True and built.get(weight, False) is False for weight, state in trained.items())


# A weight's trainable state at a step: True, False, or None when a setting on a part of its model may or may not
# have reached it (``for layer in base.layers[:-4]: layer.trainable = False``) or was not a constant.
_State = bool | None


def _trainable_at(model: Model, step: int) -> dict[int, _State]:
    """The trainable state of each weighted layer of the model (as :func:`_weighted_layers` names them) when the
    training call at ``step`` runs: the last ``trainable`` setting before it on the layer, on its model or on a
    model around it decides (Keras 3 sets the flag of every layer inside a model it is set on)."""
    return {weight: _state(changes, step) for weight, changes in _settings_over(model).items()}


def _settings_over(model: Model, around: tuple[AttributeSet, ...] = (), depth: int = 0) -> dict[int, list]:
    """Each weighted layer of the model, with the ``trainable`` settings that reach it: on the layer, on its model
    (the whole, or a part not indexed) and on the models around it."""
    own = [change for change in model.attribute_sets if change.attribute == "trainable"]
    on_model = tuple(change for change in own if change.layer is None)
    settings: dict[int, list] = {}
    for layer in model.layers:
        reaching = (*around, *on_model, *(change for change in own if change.layer is layer))
        if layer.nested is not None:
            if layer.nested.layers and layer.nested is not model and depth < 8:
                settings.update(_settings_over(layer.nested, reaching, depth + 1))
            else:  # (a network whose layers are not read, a keras.applications base: one weight, set as a whole)
                settings[id(layer.nested)] = [*reaching, *(change for change in layer.nested.attribute_sets
                                                           if change.attribute == "trainable")]
        elif layer.units is not None:
            settings[id(layer)] = list(reaching)
    return settings


def _state(changes: list, step: int) -> _State:
    """The state the settings before ``step`` leave: a setting on the whole (or on the layer) decides and replaces
    the parts set before it; a setting on a part decides only where it agrees, and a later one from the same
    statement replaces it (a helper's ``for layer in net.layers: layer.trainable = flag``, called again)."""
    whole: _State = True
    parts: dict[int, object] = {}
    for change in sorted((change for change in changes if change.order < step), key=lambda change: change.order):
        value = const_value(change.value)
        if not change.part:
            whole, parts = (value if isinstance(value, bool) else None), {}
        else:
            parts[id(change.node)] = value
    if whole is None or any(value is not whole for value in parts.values()):
        return None
    return whole


def _two_models(script: Script, earlier: CompileCall, compile_call: CompileCall, optimizer: Instance) -> Report:
    node = compile_call.args.node_of("optimizer", 0) or compile_call.node
    shared = script.code_of(node.value if isinstance(node, cst.Arg) else node)
    mine, theirs = compile_call.model.name or "this model", earlier.model.name or "another model"
    return Report(node, f"optimizer {shared} also trains {theirs} ({{other}}): Keras 3 fails when both train",
                  f"give each model its own optimizer: optimizer=keras.optimizers.{short(optimizer.cls)}(...) here",
                  explanation=(f"{_STATE}. {theirs} and {mine} train different weights, so the training call of the "
                               f"one that trains second stops at its first step with {_ERROR}. {_KERAS_2}"),
                  facts={"optimizer": shared, "models": [theirs, mine]}, mentions={"other": earlier.node})


def _unfrozen_since(earlier: CompileCall | None, compile_call: CompileCall) -> AttributeSet | None:
    """Two-phase fine-tuning with one optimizer object: the model trained with part of it frozen, then made
    trainable (``base.trainable = True``) and compiled again with the same optimizer, and trained.  The optimizer
    was built for the weights trainable in the first phase; the newly trainable ones are unknown to it.  The
    ``trainable = True`` that follows a first training under a freeze, or None."""
    if earlier is None or earlier.model is not compile_call.model:
        return None
    model = compile_call.model
    trained = [fit.order for fit in fits_under(earlier)]
    if not trained:
        return None
    changes = sorted(_trainable_changes(model), key=lambda change: change.order)
    frozen = any(change.order < min(trained) and const_value(change.value) is False for change in changes)
    since = [change for change in changes if min(trained) < change.order < compile_call.order]
    # (the last setting before the compile decides: unfrozen, then frozen again, trains only known weights)
    return since[-1] if frozen and since and const_value(since[-1].value) is True else None


def _trainable_changes(model: Model, depth: int = 0) -> Iterator[AttributeSet]:
    """The ``trainable`` settings on the model, its layers and the models nested in it."""
    yield from (change for change in model.attribute_sets if change.attribute == "trainable")
    if depth < 8:
        for layer in model.layers:
            if layer.nested is not None and layer.nested is not model:
                yield from _trainable_changes(layer.nested, depth + 1)


def _recompiled_after_unfreezing(script: Script, compile_call: CompileCall, optimizer: Instance,
                                 unfrozen: AttributeSet) -> Report:
    node = compile_call.args.node_of("optimizer", 0) or compile_call.node
    shared = script.code_of(node.value if isinstance(node, cst.Arg) else node)
    return Report(node, f"optimizer {shared} predates the unfreezing ({{unfrozen}}): Keras 3 fails at the next fit",
                  f"build a new optimizer for the fine-tuning: optimizer=keras.optimizers.{short(optimizer.cls)}(...) "
                  f"here, usually with a lower learning rate",
                  explanation=(f"{_STATE}: here the weights trainable in the first phase. The weights made trainable "
                               f"since are unknown to it, so the first fine-tuning step stops with {_ERROR}. "
                               f"{_KERAS_2}"),
                  facts={"optimizer": shared, "models": [compile_call.model.name or "the model"]},
                  mentions={"unfrozen": unfrozen.node})


def _rebuilt_each_pass(script: Script, compile_call: CompileCall, optimizer: Instance) -> cst.CSTNode | None:
    """The loop that builds, compiles and trains a new model at each of at least two passes with one optimizer built
    before the loop in the loop's own scope (not by a function the loop calls: that builds one per call)."""
    model = compile_call.model
    context = model.created_in
    if context is None or context.unrolled or optimizer.node is None or _freezes(model) or \
            _weighted_layers(model) is None:
        return None  # (an unrolled loop made one model object per pass: compared pairwise)
    if not any(fit.loop is not None and _within(fit.loop, context) for fit in fits_under(compile_call)):
        return None
    if not ((context.count or 0) >= 2 or fold_loop(script, context) is context):
        return None
    where = _layout(script.module, {id(optimizer.node), id(context.node)})
    built, loop = where.get(id(optimizer.node)), where.get(id(context.node))
    if built is None or loop is None or built.function != loop.function or built.index > loop.index:
        return None  # built in a function (one per call), in the loop, or after it
    return context.node


def _across_passes(script: Script, compile_call: CompileCall, optimizer: Instance, loop: cst.CSTNode) -> Report:
    node = compile_call.args.node_of("optimizer", 0) or compile_call.node
    shared = script.code_of(node.value if isinstance(node, cst.Arg) else node)
    mine = compile_call.model.name or "the model"
    return Report(node, f"optimizer {shared} serves a new model each pass ({{loop}}): Keras 3 fails at pass 2",
                  f"build a new optimizer for each model: optimizer=keras.optimizers.{short(optimizer.cls)}(...) here",
                  explanation=(f"{_STATE}. The loop builds a new {mine}, with new variables, at each pass but keeps "
                               f"the one optimizer built before it, so the second pass stops at its first training "
                               f"step with {_ERROR}. {_KERAS_2}"),
                  facts={"optimizer": shared, "models": [mine]}, mentions={"loop": loop})


def _within(inner: LoopContext, outer: LoopContext) -> bool:
    context: LoopContext | None = inner
    while context is not None:
        if context is outer:
            return True
        context = context.parent
    return False


def _both_train(script: Script, mine: list[FitCall], theirs: list[FitCall]) -> bool:
    """Whether a training call of each can run in the same run: not only in two arms of one ``if`` (as the
    interpreter recorded them, or, inside loops, where it merged the arms, as the syntax places them)."""
    arms = _layout(script.module, {id(fit.node) for fit in (*mine, *theirs)})
    for one in mine:
        for other in theirs:
            if one.excludes(other):
                continue
            a, b = arms.get(id(one.node)), arms.get(id(other.node))
            if a is not None and b is not None and arms_exclude(a.arms, b.arms):
                continue
            return True
    return False


class _Place:
    """Where a node lies: its order in a walk of the module, the function around it, and the arms of the ifs around
    it ((id of the If, 0 for its body, 1 for its else))."""

    __slots__ = ("index", "function", "arms")

    def __init__(self, index: int, function: int | None, arms: tuple[tuple[int, int], ...]) -> None:
        self.index, self.function, self.arms = index, function, arms


def _layout(module: cst.Module, wanted: set[int]) -> dict[int, _Place]:
    """The places of the wanted nodes, by id (one walk of the module in source order, run only when a finding is
    near)."""
    found: dict[int, _Place] = {}
    stack: list[tuple[cst.CSTNode, int | None, tuple[tuple[int, int], ...]]] = [(module, None, ())]
    index = 0
    while stack and len(found) < len(wanted):
        node, function, arms = stack.pop()
        index += 1
        if id(node) in wanted:
            found[id(node)] = _Place(index, function, arms)
        kind = type(node)
        if kind in (cst.FunctionDef, cst.Lambda):
            function = id(node)
        if kind is cst.If:
            if node.orelse is not None:
                stack.append((node.orelse, function, (*arms, (id(node), 1))))
            stack.append((node.body, function, (*arms, (id(node), 0))))
            stack.append((node.test, function, arms))
            continue
        stack.extend((child, function, arms) for child in reversed(code_children(node)))
    return found


def _freezes(model: Model) -> bool:
    """Whether the script sets ``trainable`` on the model, one of its layers or a model nested in it."""
    return next(_trainable_changes(model), None) is not None


def _weighted_layers(model: Model, depth: int = 0) -> frozenset[int] | None:
    """The identities of a model's layers with weights (units or filters), its nested models' included; None when a
    layer was not followed."""
    if not model.complete or not model.layers or depth > 8:
        return None
    found: set[int] = set()
    for layer in model.layers:
        if layer.nested is not None:
            inner = _weighted_layers(layer.nested, depth + 1) if layer.nested.layers else frozenset({id(layer.nested)})
            if inner is None:
                return None
            found |= inner
        elif layer.is_unknown:
            return None
        elif layer.units is not None:
            found.add(id(layer))
    return frozenset(found)
