"""KS212 model-reused-across-folds: a cross-validation loop that trains the one model built before it, fold after
fold, and scores each fold's held-out part.

The second fold's model is the first fold's, trained on: its held-out samples were in the first fold's training
part.  Every later fold scores samples the model has already fitted, so the folds' scores and their mean are
optimistic and no fold is independent of another.  Only loops over a scikit-learn cross-validator's ``split()``
(:data:`~kerassniff.semantic.knowledge.datasets.FOLD_SPLITTERS`) are judged: a hand-written ``for i in range(k)``
says nothing the analysis can read about which samples each pass holds out.
"""
from __future__ import annotations

from typing import Iterator

import libcst as cst

from kerassniff.checks._shared import fold_loop, split_call
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.expressions import target_names
from kerassniff.semantic.models import FitCall, Model
from kerassniff.semantic.syntax import names_read, walk_code
from kerassniff.semantic.training import LoopContext

# Calls that give a model (or its layers, or their variables) fresh weights without building a new one:
# set_weights(initial), load_weights(start), variable.assign(initializer(shape)).
_RESETS = frozenset({"set_weights", "load_weights", "assign"})
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_NESTED_LOOPS = (cst.For, cst.While)
_SCORES = frozenset({"evaluate", "predict", "__call__", "evaluate_generator", "predict_generator"})


@rule("KS212", "model-reused-across-folds", Severity.ERROR,
      "a cross-validation loop that keeps training one model built before it: later folds score samples it "
      "trained on", "build and compile a new model inside the loop (model = build_model()), or restore the "
      "starting weights with set_weights() at the start of each fold")
def check(script: Script):
    reported: set[tuple[int, int]] = set()
    for fit in script.fits():
        if fit.method not in ("fit", "fit_generator"):
            continue
        loop = fold_loop(script, fit.loop)
        if loop is None or (id(fit.model), id(loop.node)) in reported:
            continue
        if _made_in(fit.model, loop.node, fit) or _reset(script, fit.model, loop.node) or \
                _rebinds_receiver(fit, loop.node) or _one_fold_only(loop.node, fit.node):
            continue
        held_out = held_out_names(loop.node)
        scored = _scored_on(script, fit, loop.node, held_out)
        if scored is None:
            continue
        reported.add((id(fit.model), id(loop.node)))
        yield _report(script, fit, loop.node, scored)


def _pair_target(loop: cst.For) -> cst.BaseExpression | None:
    """``train, test`` of ``for train, test in ...split()`` or of ``for i, (train, test) in enumerate(...)``."""
    target = loop.target
    if type(loop.iter) is cst.Call and type(loop.iter.func) is cst.Name:  # enumerate(): (index, pair)
        if type(target) not in (cst.Tuple, cst.List) or len(target.elements) != 2:
            return None
        target = target.elements[1].value
    if type(target) not in (cst.Tuple, cst.List) or len(target.elements) != 2:
        return None
    return target


def _made_in(model: Model, loop: cst.For, fit: FitCall) -> bool:
    """The model was built (or loaded) while the loop ran: a new one each fold.  A model of a module kerassniff does
    not read is known only from the call that showed it is one (``net.fit(..., validation_data=...)``): the name it
    is called through, not bound again in the loop, says it was made before."""
    if model.kind == "external":
        func = fit.node.func
        return not (type(func) is cst.Attribute and type(func.value) is cst.Name)
    return _inside(model.created_in, loop)


def _reset(script: Script, model: Model, loop: cst.For) -> bool:
    """Weights put back by hand (``model.set_weights(start)``) anywhere, or in the loop (``layer.set_weights(w)``,
    ``variable.assign(...)``), also in a function of the script the loop calls (``reset_weights(model)``): each fold
    may start afresh."""
    if any(call.on_model is model and call.method in _RESETS for call in script.calls):
        return True
    called = {node.func.value for node in walk_code(loop.body) if type(node) is cst.Call and type(node.func) is cst.Name}
    bodies = [loop.body, *(node.body for node in walk_code(script.module) if type(node) is cst.FunctionDef and
                           node.name.value in called)]
    return any(type(node) is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in _RESETS
               for body in bodies for node in walk_code(body))


def _one_fold_only(loop: cst.For, fit: cst.Call) -> bool:
    """Perhaps one fold trained: the loop may stop or skip (``break``, ``continue``, ``return`` of the loop itself, not
    of a loop or function nested in it), or the fit() runs only on a condition (``if fold == chosen:``)."""
    for node in walk_code(loop.body, (*_NESTED_SCOPES, *_NESTED_LOOPS)):
        if type(node) in (cst.Break, cst.Continue, cst.Return):
            return True
        if type(node) is cst.If and any(inner is fit for inner in walk_code(node)):
            return True
    return False


def _assignments(loop: cst.For) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression | None]]:
    """(target, value) of every binding in the loop body; value None where a statement binds without one."""
    for node in walk_code(loop.body, _NESTED_SCOPES):
        kind = type(node)
        if kind is cst.Assign:
            for target in node.targets:
                yield from _pairs(target.target, node.value)
        elif kind in (cst.AnnAssign, cst.AugAssign) and node.value is not None:
            yield node.target, node.value
        elif kind is cst.For:
            yield node.target, node.iter
        elif kind is cst.WithItem and node.asname is not None:
            yield node.asname.name, node.item
        elif kind is cst.NamedExpr:
            yield node.target, node.value


def _pairs(target: cst.BaseExpression, value: cst.BaseExpression):
    """``a, b = x[i], x[j]``: each name with its own value, so that a training part is not taken for the held-out."""
    if type(target) in (cst.Tuple, cst.List) and type(value) in (cst.Tuple, cst.List) \
            and len(target.elements) == len(value.elements) \
            and not any(type(e) is cst.StarredElement for e in (*target.elements, *value.elements)):
        for name, part in zip(target.elements, value.elements):
            yield from _pairs(name.value, part.value)
    else:
        yield target, value


def _bound_names(target: cst.BaseExpression) -> set[str]:
    return set(target_names(target.value if type(target) is cst.StarredElement else target))


def _rebinds_receiver(fit: FitCall, loop: cst.For) -> bool:
    """``model = models[fold]`` in the loop: whatever the analysis followed, the name may hold another model in each
    fold."""
    func = fit.node.func
    if type(func) is not cst.Attribute or type(func.value) is not cst.Name:
        return False
    name = func.value.value
    return any(name in _bound_names(target) for target, _ in _assignments(loop))


def held_out_names(loop: cst.For) -> set[str]:
    """The fold's held-out indices and every name the loop body derives from them (``x_val = x[val_idx]``)."""
    pair = _pair_target(loop)
    if pair is None:
        return set()
    held = _bound_names(pair.elements[1].value)
    bindings = [(_bound_names(target), names_read(value)) for target, value in _assignments(loop) if value is not None]
    grew = True
    while grew:
        grew = False
        for names, read in bindings:
            if read & held and not names <= held:
                held |= names
                grew = True
    return held


def _scored_on(script: Script, fit: FitCall, loop: cst.For, held_out: set[str]) -> cst.CSTNode | None:
    """Where the fold's held-out part is scored: the fit's validation_data, or an evaluate()/predict() of the same
    model in the same loop after the fit; None if neither reads a held-out name."""
    if not held_out:
        return None
    validation = fit.args.node_of("validation_data")
    if validation is not None and names_read(validation.value) & held_out:
        return validation.value
    for call in fit.model.inferences:
        if call.method in _SCORES and call.order > fit.order and _inside(call.loop, loop) \
                and any(names_read(arg.value) & held_out for arg in call.node.args):
            return call.node
    return None


def _inside(context: LoopContext | None, loop: cst.For) -> bool:
    """``context`` is the loop or one nested in it (also through the calls the loop makes)."""
    while context is not None:
        if context.node is loop:
            return True
        context = context.parent
    return False


def _report(script: Script, fit: FitCall, loop: cst.For, scored: cst.CSTNode) -> Report:
    func = fit.node.func
    name = script.code_of(func.value) if type(func) is cst.Attribute else "the model"
    splitter = script.code_of(split_call(script, loop) or loop.iter)
    return Report(fit.node, (
        f"'{name}' is built once, before the folds: every fold after the first scores samples it trained on"),
        explanation=(
            f"Each pass of the loop over {splitter} trains '{name}' again, starting from the weights the previous "
            f"folds left, and scores it on the fold's held-out part ({{scored}}: {script.code_of(scored)}). From the "
            f"second fold on, those samples were in an earlier fold's training part, so the fold scores and their "
            f"mean measure samples the model has fitted: the cross-validation estimate is optimistic and the folds "
            f"are not independent. keras.backend.clear_session() or compile() do not reset the weights."),
        mentions={"scored": scored}, facts={"model": name, "splitter": splitter})
