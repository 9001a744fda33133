"""KS234 fold-indices-never-read: a cross-validation loop whose passes never read the fold's indices.

``for train_idx, test_idx in KFold(5).split(x):`` followed by ``model.fit(x_train, y_train)`` and
``model.evaluate(x_test, y_test)``: the loop runs five times, but nothing in it uses ``train_idx`` or ``test_idx``,
so every pass trains on the same rows and scores the same rows.  The mean of the five scores is one train/test score
repeated, printed as a cross-validated estimate.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import fold_loop, split_call
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.expressions import target_names
from kerassniff.semantic.syntax import assigned_names, names_read, walk_code
from kerassniff.semantic.values import is_one_string

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# Calls in a pass that may draw its own data (a random split or sample per fold): then the passes differ.
_DRAWING_FUNCTIONS = frozenset({"sklearn.model_selection.train_test_split", "sklearn.utils.shuffle",
                                "sklearn.utils.resample"})
_RANDOM_MODULES = ("numpy.random.", "random.", "tensorflow.random.", "keras.random.")
_DRAWING_METHODS = frozenset({"split", "permutation", "shuffle", "sample", "choice", "integers", "random_split"})


@rule("KS234", "fold-indices-never-read", Severity.ERROR,
      "a cross-validation loop whose passes never read the fold's indices: every fold trains and scores the same data",
      "select each fold's rows with its indices: model.fit(x[train_idx], y[train_idx]), then score x[test_idx]")
def check(script: Script):
    reported: set[int] = set()
    for fit in script.fits():
        if fit.method not in ("fit", "fit_generator"):
            continue
        context = fold_loop(script, fit.loop)
        if context is None or id(context.node) in reported:
            continue
        loop: cst.For = context.node  # type: ignore[assignment]
        names = _fold_names(loop)
        if not names or _indices_used(script, set(names), loop) or _draws_per_pass(script, loop):
            continue
        reported.add(id(loop))
        split = split_call(script, loop)
        shown = " or ".join(f"'{name}'" for name in names)
        yield Report(split, (
            f"the loop over {_splitter(script, split)}.split() never uses {shown}: every fold trains on the same "
            f"data ({{fit}})"),
            explanation=(f"Each pass of this loop gets a fold's training and held-out indices ({shown}), but nothing "
                         f"reads them: fit() ({{fit}}) trains on the same arrays in every pass and the same data is "
                         f"scored. The folds' scores are one train/test experiment repeated, and their mean is not a "
                         f"cross-validated estimate."),
            facts={"indices": names}, mentions={"fit": fit.node})


def _splitter(script: Script, split: cst.Call) -> str:
    """The cross-validator as the message names it: its name (``kf``), else its class (``KFold``)."""
    receiver = split.func.value  # type: ignore[attr-defined]
    if type(receiver) is cst.Name:
        return receiver.value
    site = script.call_at(split)
    return site.receiver.cls.rsplit(".", 1)[-1] if site is not None and hasattr(site.receiver, "cls") else "cv"


def _fold_names(loop: cst.For) -> list[str]:
    """The names the loop binds to each fold (``train_idx, test_idx``, or ``fold`` for the pair), not enumerate()'s
    counter."""
    target = loop.target
    if type(loop.iter) is cst.Call and type(loop.iter.func) is cst.Name:  # enumerate(kfold.split(x))
        if type(target) not in (cst.Tuple, cst.List) or len(target.elements) != 2:
            return []
        target = target.elements[1].value
    return [name for name in target_names(target) if name != "_"]


def _indices_used(script: Script, names: set[str], loop: cst.For) -> bool:
    """Whether the fold's indices reach anything: read by a statement of the loop other than a plain assignment that
    only computes other names from them (``train_images = [paths[i] for i in train_idx]``: no call, plain names bound,
    themselves never read), followed through those names; or read, as free names, by a function of the script (one
    the loop calls may read the loop's variables as globals).  Top-level code outside the loop is another loop's."""
    derivations = [(node, _plain_targets(node), names_read(node.value)) for node in walk_code(loop.body, _SCOPES)
                   if type(node) is cst.Assign and not any(type(part) is cst.Call for part in walk_code(node.value))]
    derived = set(names)
    grew = True
    while grew:
        grew = False
        for _, bound, read in derivations:
            if bound and read & derived and not bound <= derived:
                derived |= bound
                grew = True
    computing = {id(node) for node, bound, read in derivations if bound and bound <= derived and read & derived}
    if any(derived & names_read(statement) for statement in _statements(loop.body) if id(statement) not in computing):
        return True
    functions = [node for node in walk_code(script.module) if type(node) in (cst.FunctionDef, cst.Lambda)]
    return any(names & (names_read(function.body) - _own_names(function)) for function in functions)


def _plain_targets(node: cst.Assign) -> set[str]:
    """The names an assignment binds when every target is a plain name or a tuple of them; empty otherwise (a
    subscript or an attribute target, ``oof[va] = ...``, stores into something else: a use)."""
    bound: set[str] = set()
    for target in node.targets:
        parts = target.target.elements if type(target.target) in (cst.Tuple, cst.List) else [target.target]
        for part in parts:
            value = part.value if type(part) in (cst.Element, cst.StarredElement) else part
            if type(value) is not cst.Name:
                return set()
            bound.add(value.value)
    return bound


def _statements(block: cst.CSTNode) -> list[cst.CSTNode]:
    """The small statements of a block and the headers of its compound statements (an if's test, a loop's
    iterable, a with's items), nested blocks included; a function or class inside is one statement."""
    found: list[cst.CSTNode] = []
    for node in walk_code(block, _SCOPES):
        kind = type(node)
        if isinstance(node, cst.BaseSmallStatement) or kind in _SCOPES:
            found.append(node)
        elif kind in (cst.If, cst.While):
            found.append(node.test)  # type: ignore[attr-defined]
        elif kind is cst.For and node is not block:
            found.append(node.iter)  # type: ignore[attr-defined]
        elif kind is cst.With:
            found.extend(item.item for item in node.items)  # type: ignore[attr-defined]
    return found


def _own_names(function: cst.FunctionDef | cst.Lambda) -> set[str]:
    """A function's parameters and the names it binds: not the loop's variables, whatever their spelling."""
    params = function.params
    own = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    own |= {star.name.value for star in (params.star_arg, params.star_kwarg) if isinstance(star, cst.Param)}
    if type(function) is cst.FunctionDef:
        own |= assigned_names(function.body)
    return own


def _draws_per_pass(script: Script, loop: cst.For) -> bool:
    """A call in the loop that may draw each pass's own data: a random split or sample (``train_test_split(x, y,
    random_state=fold)``, ``np.random.permutation``, ``df.sample(frac=0.8)``) or another cross-validator's split."""
    for node in walk_code(loop.body):
        if type(node) is not cst.Call:
            continue
        site = script.call_at(node)
        if site is None:
            continue
        callee = site.callee or ""
        if callee in _DRAWING_FUNCTIONS or callee.startswith(_RANDOM_MODULES):
            return True
        if site.method in _DRAWING_METHODS and not is_one_string(site.receiver):
            return True  # (rng.permutation(n), df.sample(...), kf.split(x); not text.split())
    return False
