"""KS402's checks of how Keras 2 scripts used optimizers that Keras 3's no longer allow: the attribute
``model.optimizer.lr``, and one optimizer object compiled into two models that both train.

Keras 2 optimizers kept ``lr`` beside ``learning_rate`` (tf.keras up to 2.15 as an alias property); Keras 3's have
only ``learning_rate`` (checked on 3.15.1): reading ``optimizer.lr`` raises AttributeError, and assigning it sets a
plain Python attribute that nothing reads, so the learning rate stays what it was built with, silently.  Hand-written
learning-rate callbacks do both (``K.set_value(self.model.optimizer.lr, rate)``, ``self.model.optimizer.lr = rate``).

The receiver is read from the spelling ``<anything>.optimizer.lr``: a model's optimizer is reached through its
``optimizer`` attribute, which no other object in a Keras script names so.  The walk runs only on scripts whose
text holds that spelling; uses under ``try: ... except AttributeError`` or ``if hasattr(...)`` are the script's own
fallback and not reported.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from kerassniff.checks._shared import fold_loop
from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.guards import catches_missing_names, is_version_check
from kerassniff.semantic.names import keras_relative
from kerassniff.semantic.models import CompileCall, FitCall, Model
from kerassniff.semantic.syntax import code_children, walk_code
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const, Instance

# Keras 2 optimizer attribute -> Keras 3's name for it.
REMOVED_OPTIMIZER_ATTRIBUTES = {"lr": "learning_rate"}
_SPELLING = re.compile(r"\.\s*optimizer\s*\.\s*(" + "|".join(REMOVED_OPTIMIZER_ATTRIBUTES) + r")\b")


def optimizer_attributes(script: Script) -> Iterator[Report]:
    """One report per ``<model>.optimizer.lr`` read or assignment outside the script's own fallbacks."""
    text = script.text if script.text is not None else script.module.code
    if not _SPELLING.search(text) or not _uses_keras(script):
        return
    for node, assigned in _uses(script.module):
        old, new = node.attr.value, REMOVED_OPTIMIZER_ATTRIBUTES[node.attr.value]
        holder = script.code_of(node.value)
        fix = safe_fix(f"rename .{old} to .{new}", node, node.with_changes(attr=cst.Name(new)))
        if assigned:
            yield Report(node, f"setting {holder}.{old} is ignored by Keras 3: the learning rate stays as built",
                         f"assign {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                         explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'. Keras 3's have "
                                      f"only '{new}': assigning '{old}' stores a Python attribute that the "
                                      f"optimizer never reads, so training goes on at the rate it was built with "
                                      f"and nothing warns (checked on Keras 3.15.1)."),
                         facts={"attribute": old, "modern": new, "assigned": True})
        else:
            yield Report(node, f"{holder}.{old} does not exist in Keras 3: AttributeError",
                         f"read {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                         explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'; Keras 3's have "
                                      f"only '{new}', so this read stops the script with AttributeError (in a "
                                      f"callback: at the end of the first epoch). Keras 3's '{new}' is a variable: "
                                      f"read it with float(...) or .numpy(), set it with .assign(value) or by "
                                      f"assigning the attribute."),
                         facts={"attribute": old, "modern": new, "assigned": False})


def _uses_keras(script: Script) -> bool:
    """Whether the script imports Keras or TensorFlow (another library's ``trainer.optimizer.lr`` is not judged)."""
    return any(keras_relative(raw) is not None or raw.split(".", 1)[0] == "tensorflow"
               for raw in script.imports.values())


def _uses(module: cst.Module) -> Iterator[tuple[cst.Attribute, bool]]:
    """(``x.optimizer.lr`` node, whether it is assigned) outside try/except AttributeError and hasattr() checks."""
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    assigned: set[int] = set()
    while stack:
        node, guarded = stack.pop()
        kind = type(node)
        if kind is cst.Attribute and node.attr.value in REMOVED_OPTIMIZER_ATTRIBUTES and \
                type(node.value) is cst.Attribute and node.value.attr.value == "optimizer" and not guarded:
            yield node, id(node) in assigned
        if kind is cst.Try:
            caught = any(catches_missing_names(module, handler) for handler in node.handlers)
            stack.append((node.body, guarded or caught))
            stack.extend((part, guarded) for part in (*node.handlers, node.orelse, node.finalbody) if part is not None)
            continue
        if kind is cst.If:
            checked = guarded or bool(is_version_check(module, node.test))
            stack.extend([(node.test, guarded), (node.body, checked)] +
                         ([(node.orelse, checked)] if node.orelse is not None else []))
            continue
        if kind is cst.Assign:
            assigned.update(id(target.target) for target in node.targets)
        elif kind in (cst.AugAssign, cst.AnnAssign):
            assigned.add(id(node.target))
        stack.extend((child, guarded) for child in code_children(node))


def shared_optimizers(script: Script) -> Iterator[Report]:
    """One optimizer object given to the compile() of two models that each train with it, when the two train
    different weights (``opt = SGD(0.01)`` once, then compiled into each model a notebook compares; not when
    either model is frozen in part or whole, as in the Keras 2 GAN recipe, where which weights a step updates is
    KS312's question).  A Keras 3 optimizer builds its slots for the variables of the first model it updates and
    raises ValueError ("Unknown variable ... can only be called for the variables it was originally built with") at
    the other model's first training step; Keras 2's created them per variable as they came (checked on 3.15.1)."""
    first: dict[int, CompileCall] = {}
    for compile_call in sorted(script.compiles(), key=lambda c: c.order):
        optimizer = compile_call.args.get("optimizer", 0)
        if type(optimizer) is not Instance or not optimizer.cls.startswith("keras.optimizers.") or \
                optimizer.cls.startswith("keras.optimizers.legacy.") or not _trains_with(compile_call):
            continue
        loop = _rebuilt_each_pass(script, compile_call, optimizer)
        if loop is not None:
            yield _shared_across_passes(script, compile_call, loop)
            continue
        earlier = first.setdefault(id(optimizer), compile_call)
        if earlier is compile_call or not _different_weights(earlier.model, compile_call.model) or \
                not _both_train(earlier, compile_call):
            continue
        node = compile_call.args.node_of("optimizer", 0) or compile_call.node
        shared = script.code_of(node.value if isinstance(node, cst.Arg) else node)
        mine, theirs = compile_call.model.name or "this model", earlier.model.name or "another model"
        yield Report(node, f"{mine} shares optimizer {shared} with {theirs} ({{other}}): Keras 3 raises ValueError "
                           f"once both train",
                     "give each model its own optimizer object (build a second one with the same arguments)",
                     explanation=(f"A Keras 3 optimizer builds its state (Adam's moments, the step count) for the "
                                  f"variables of the first model it updates. {mine} and {theirs} train different "
                                  f"weights, so whichever trains second stops at its first step with ValueError: "
                                  f"Unknown variable ... This optimizer can only be called for the variables it was "
                                  f"originally built with. Standalone Keras 2 and tf.keras up to 2.10 created the "
                                  f"state variable by variable, which is why Keras 2 GAN code shares one."),
                     facts={"optimizer": shared, "models": [theirs, mine]}, mentions={"other": earlier.node})


def _rebuilt_each_pass(script: Script, compile_call: CompileCall, optimizer: Instance) -> cst.CSTNode | None:
    """The loop that builds, compiles and trains a new model at each of at least two passes (a cross-validator's
    folds, or a loop counted to 2 or more) with one optimizer built before it: the loop, or None."""
    model = compile_call.model
    context = model.created_in
    if context is None or context.unrolled or optimizer.node is None or _freezes(model):
        return None  # (an unrolled loop made one model object per pass: compared pairwise)
    if not any(fit.loop is not None and _within(fit.loop, context) for fit in _fits_under(compile_call)):
        return None
    repeats = (context.count or 0) >= 2 or fold_loop(script, context) is context
    if not repeats or any(node is optimizer.node for node in walk_code(context.node)):
        return None  # a single pass, or the optimizer is built in the loop too
    return context.node


def _within(inner: LoopContext, outer: LoopContext) -> bool:
    context: LoopContext | None = inner
    while context is not None:
        if context is outer:
            return True
        context = context.parent
    return False


def _shared_across_passes(script: Script, compile_call: CompileCall, loop: cst.CSTNode) -> Report:
    node = compile_call.args.node_of("optimizer", 0) or compile_call.node
    shared = script.code_of(node.value if isinstance(node, cst.Arg) else node)
    mine = compile_call.model.name or "the model"
    return Report(node, f"optimizer {shared} is reused by the new {mine} of each pass ({{loop}}): Keras 3 fails at "
                        f"pass 2", f"build the optimizer inside the loop, one per model "
                                                         f"(optimizer={shared.split('(')[0]}(...) at this compile())",
                  explanation=(f"A Keras 3 optimizer builds its state (Adam's moments, the step count) for the "
                               f"variables of the first model it updates. The loop builds a new {mine}, with new "
                               f"variables, at each pass but keeps the one optimizer built before it, so the second "
                               f"pass stops at its first training step with ValueError: Unknown variable ... This "
                               f"optimizer can only be called for the variables it was originally built with. "
                               f"Standalone Keras 2 and tf.keras up to 2.10 created the state variable by variable."),
                  facts={"optimizer": shared, "models": [mine]}, mentions={"loop": loop})


def _trains_with(compile_call: CompileCall) -> bool:
    return bool(_fits_under(compile_call))


def _fits_under(compile_call: CompileCall) -> list[FitCall]:
    """The model's training calls (fit, train_on_batch, ...) while this compile() is its latest."""
    model = compile_call.model
    later = [c.order for c in model.compiles if c.order > compile_call.order]
    until = min(later) if later else None
    return [fit for fit in model.fits if fit.order > compile_call.order and (until is None or fit.order < until)]


def _both_train(one: CompileCall, other: CompileCall) -> bool:
    """Whether a training call under each compile() can run in the same run (not only in two arms of one if)."""
    return any(not mine.excludes(theirs) for mine in _fits_under(one) for theirs in _fits_under(other))


def _different_weights(one: Model, other: Model) -> bool:
    """Whether two models train different weights: each is built from layers the analysis followed, and one has a
    layer with weights (units or filters) that the other does not hold (a wrapper of the same layers,
    ``Model(base.input, Activation("softmax")(base.output))``, trains the same variables)."""
    if one is other or _freezes(one) or _freezes(other):
        return False
    mine, theirs = _weighted_layers(one), _weighted_layers(other)
    return mine is not None and theirs is not None and bool(mine) and bool(theirs) and mine != theirs


def _freezes(model: Model, depth: int = 0) -> bool:
    """Whether the script sets ``trainable`` on the model, one of its layers or a model nested in it: which weights
    each training step updates then depends on when the train function was built (KS312's question; in the Keras 2
    GAN recipe the discriminator frozen before its first step never updates anything, so it never builds the
    optimizer)."""
    if any(change.attribute == "trainable" for change in model.attribute_sets):
        return True
    return depth < 8 and any(layer.nested is not None and _freezes(layer.nested, depth + 1) for layer in model.layers)


def _weighted_layers(model: Model, depth: int = 0) -> frozenset[int] | None:
    """The identities of a model's layers with weights, its nested models' included; None when a layer was not
    followed."""
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


# Standalone Keras 2.1-2.2's optimizers took epsilon=None for the backend's fuzz factor (K.epsilon(), 1e-7 by default);
# Keras 3's keep the None and fail at the first training step (ValueError: None values not supported, checked on
# 3.15.1 for each of these).
EPSILON_OPTIMIZERS = frozenset({"Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta"})
KERAS_EPSILON = "1e-7"


def epsilon_none(call: CallSite, name: str) -> Iterator[Report]:
    """``Adam(epsilon=None)``: the Keras 2.2 spelling of the default fuzz factor, which Keras 3 cannot use."""
    arg = call.args.node_of("epsilon")
    value = call.args.get("epsilon")
    if name not in EPSILON_OPTIMIZERS or arg is None or type(value) is not Const or value.value is not None:
        return
    yield Report(arg, f"{name}(epsilon=None) fails in Keras 3 at the first step: ValueError",
                 f"drop epsilon=None or write epsilon={KERAS_EPSILON} (what None meant in Keras 2)",
                 safe_fix(f"write epsilon={KERAS_EPSILON}", arg, arg.with_changes(value=cst.Float(KERAS_EPSILON))),
                 explanation=("Standalone Keras 2.1-2.2 read epsilon=None as the backend's fuzz factor, K.epsilon() "
                              f"({KERAS_EPSILON} unless configured). Keras 3 keeps the None and the first training "
                              "step stops with ValueError: None values not supported."),
                 facts={"keyword": "epsilon", "optimizer": name})
