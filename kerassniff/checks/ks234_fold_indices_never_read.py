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
from kerassniff.semantic.syntax import names_read, walk_code

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
# Calls in a pass that may draw its own data (a random split or sample per fold): then the passes differ.
_DRAWING_CALLS = frozenset({"train_test_split", "split", "permutation", "shuffle", "sample", "choice", "resample",
                            "randint", "random_split", "take", "skip"})


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
        if not names or _read_anywhere(script.module, set(names), loop) or _draws_per_pass(loop):
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


def _read_anywhere(module: cst.Module, names: set[str], loop: cst.For) -> bool:
    """Whether the fold's indices reach anything in the loop: read in its body other than by the assignments that only
    compute other names from them (``train_images = [paths[i] for i in train_idx]``, itself never read), followed
    through those names; or read in any function of the script (one the body calls may read the loop's variables as
    globals)."""
    derived = set(names)
    bindings = [(node, {n for t in node.targets for n in target_names(t.target)}, names_read(node.value))
                for node in walk_code(loop.body, _NESTED_SCOPES) if type(node) is cst.Assign]
    grew = True
    while grew:
        grew = False
        for _, bound, read in bindings:
            if read & derived and not bound <= derived:
                derived |= bound
                grew = True
    ignored = {id(node) for node in walk_code(loop.target)}
    for statement, bound, read in bindings:
        if bound <= derived and read & derived:  # a name computed from the indices: read only if it is read
            ignored |= {id(node) for node in walk_code(statement)}
    if any(type(node) is cst.Name and node.value in derived and id(node) not in ignored
           for node in walk_code(loop.body)):
        return True
    # (other code at the top level, another loop over the same names in a notebook's later cell, is not this loop's)
    functions = [node for node in walk_code(module) if type(node) in (cst.FunctionDef, cst.Lambda)]
    return any(type(node) is cst.Name and node.value in names and id(node) not in ignored for function in functions
               for node in walk_code(function.body))


def _draws_per_pass(loop: cst.For) -> bool:
    """A call in the loop that may draw each pass's own data (``train_test_split(x, y, random_state=fold)``)."""
    for node in walk_code(loop.body):
        if type(node) is cst.Call:
            func = node.func
            name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else None
            if name in _DRAWING_CALLS:
                return True
    return False
