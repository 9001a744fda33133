"""What a call does to the caller's names beyond its result: a function of the script that changes its argument in
place (``scale(images)`` doing ``images /= 255``, ``add_classes(names)`` appending), a listing sorted in place, a
shuffle of index arrays or of lists grown in runs.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`, beside :class:`~kerassniff.semantic.evaluation.
Evaluation`, whose call evaluators call these after the call itself is evaluated.
"""
from __future__ import annotations

from typing import Callable

import libcst as cst

from kerassniff.semantic.builtins import sorted_order
from kerassniff.semantic.class_labels import last_order
from kerassniff.semantic.folding import is_list, representative, seq_items
from kerassniff.semantic.frames import Frame, Scope
from kerassniff.semantic.keras_values import ModelValue
from kerassniff.semantic.knowledge.names import RUN_WITHIN_THE_CALL
from kerassniff.semantic.library.arrays import ARGSORT
from kerassniff.semantic.in_place import (
    DICT_CHANGING_METHODS,
    GROWING_WAYS,
    LIST_GROWERS,
    changed_parameters,
    grown_parameters,
    outer_writes,
)
from kerassniff.semantic.values import (
    UNKNOWN,
    BoundMethod,
    CallArgs,
    ComprehensionValue,
    DataValue,
    DictValue,
    FolderListing,
    FunctionValue,
    Symbol,
    Value,
)


# How many of the script's functions one hand-over follows, and how deep: the function handed over and those it
# calls by name (a lambda target calling the loader, a wrapper around it), not the whole program a main() calls.
_MAX_HANDED_OVER = 8
_CALLS_FOLLOWED = 1


class ArgumentEffects:
    """The changes a call makes to the objects the caller's names hold."""

    def sorted_in_place(self, target: cst.BaseExpression, listing: FolderListing, args: CallArgs,
                        frame: Frame) -> None:
        """``classes.sort()``, ``self.classes.sort(key=str.lower)``, ``list.sort(classes)``: the listing the name or
        attribute holds is sorted from here on (in another order with reverse=True)."""
        if type(target) is cst.Name:
            self.rebind(target.value, listing.reordered(sorted_order(args)), frame)
        elif type(target) is cst.Attribute:
            self.assign(target, listing.reordered(sorted_order(args)), frame)

    def shuffles_indices(self, node: cst.Call, frame: Frame) -> None:
        """``np.random.shuffle(order)`` of an index array: its order is a random one now (``x[order]`` no longer sorts
        x by what ``order`` came from)."""
        if node.args and type(node.args[0].value) is cst.Name:
            name = node.args[0].value.value
            value = frame.scope.lookup(name)
            if isinstance(value, DataValue) and last_order(value.data) == ARGSORT:
                self.rebind(name, DataValue(value.data.with_step("order", "shuffled", node)), frame)

    def listings_passed(self, node: cst.Call, frame: Frame) -> None:
        """A folder listing named in a call of the script's own function (``tidy(classes)``): the function may sort it
        in place, so its order is no longer known."""
        for arg in node.args:
            if type(arg.value) is cst.Name:
                value = frame.scope.lookup(arg.value.value)
                if type(value) is FolderListing and value.ordered is False:
                    self.rebind(arg.value.value, value.reordered(None), frame)

    def functions_handed_over(self, args: CallArgs, frame: Frame, called: Value) -> None:
        """The script's own functions handed to a library (``Thread(target=refill)``, ``root.after(100, tick)``,
        ``Button(command=reset)``, ``Thread(target=lambda: refill(paths))``): the library runs them when it likes,
        so the names of enclosing scopes they rebind or resize (:func:`outer_writes`, and those of the script's
        functions they call) hold unknown values from here on.  ``called``: the library function, or the object whose
        method is called; not one that runs the function within the call (RUN_WITHIN_THE_CALL: ``sorted(key=...)``,
        ``np.vectorize``; a dataset's or a frame's ``map``/``apply``)."""
        for value in args.positional:
            if type(value) is FunctionValue:
                break
        else:
            for _, value in args.keywords:
                if type(value) is FunctionValue:
                    break
            else:
                return  # (most calls: no function among the arguments)
        if (type(called) is Symbol and called.name.startswith(RUN_WITHIN_THE_CALL)) or \
                isinstance(called, (DataValue, ModelValue)):
            return
        seen: set[int] = set()
        for value in (*args.positional, *(value for _, value in args.keywords)):
            if type(value) is FunctionValue:
                self._outer_names_unknown(value, frame.scope.root(), seen)

    def _outer_names_unknown(self, function: FunctionValue, caller_module: Scope, seen: set[int],
                             depth: int = 0) -> None:
        key = id(function.node)
        if key in seen or len(seen) >= _MAX_HANDED_OVER:
            return
        seen.add(key)
        writes = self._outer_writes.get(key)
        if writes is None:
            writes = self._outer_writes[key] = outer_writes(function.node)
        scope: Scope = function.scope
        module = scope.root()
        for name in writes.rebound_globals:
            if name in module.vars:
                module.vars[name] = UNKNOWN
        for name in writes.rebound_nonlocals:
            owner = scope.owner(name)
            if owner is not None:
                owner.vars[name] = UNKNOWN
        for name in writes.grown:
            owner = scope.owner(name)
            if owner is None:
                continue
            held, owner.vars[name] = owner.vars[name], UNKNOWN
            if owner is not caller_module and owner.parent is None:
                # ``from camera import frames, grab``: the script's own name for the list the helper grows
                for alias, value in list(caller_module.vars.items()):
                    if value is held:
                        caller_module.vars[alias] = UNKNOWN
        if depth >= _CALLS_FOLLOWED:
            return
        for name in writes.called:
            callee = scope.lookup(name)
            if type(callee) is FunctionValue:
                self._outer_names_unknown(callee, caller_module, seen, depth + 1)

    def lists_passed(self, callee: FunctionValue | BoundMethod, node: cst.Call, frame: Frame) -> None:
        """A list named in a call of the script's own function that grows that parameter (``add_classes(names,
        folder)`` appends to it): its length is not known afterwards, its items still are."""
        passed = _names_passed(callee, node, frame, _fixed_list)
        if not passed:
            return  # (most calls: the function's body is not read)
        grown = grown_parameters(self._changed_in(callee))
        for name, param in passed:
            if param in grown:
                value = frame.scope.lookup(name)
                self.rebind(name, ComprehensionValue(representative(list(seq_items(value))), None), frame)

    def _changed_in(self, callee: FunctionValue | BoundMethod) -> dict[str, frozenset[str]]:
        """The parameters the function changes in place (:func:`changed_parameters`), read once per function."""
        function = callee.function if isinstance(callee, BoundMethod) else callee
        changed = self._changed.get(id(function.node))
        if changed is None:
            changed = self._changed[id(function.node)] = changed_parameters(function.node)
        return changed

    def objects_changed(self, callee: FunctionValue | BoundMethod, node: cst.Call, frame: Frame) -> None:
        """An array, dict or list named in a call of the script's own function that changes that parameter in place
        (``scale(images)`` doing ``images /= 255.0``, ``configure(settings)`` writing ``settings["loss"] = ...``): the
        name holds the changed object, whose change is not followed here: an array scaled by an unknown amount, a
        dict or list whose items are unknown (a list the function only grows: :meth:`lists_passed`)."""
        passed = _names_passed(callee, node, frame, _changeable)
        changed = self._changed_in(callee) if passed else None
        if not changed:
            return  # (most calls: the function's body is not read)
        for name, param in passed:
            ways = changed.get(param, frozenset())  # type: ignore[arg-type]
            value = frame.scope.lookup(name)
            if isinstance(value, DataValue) and ways - DICT_CHANGING_METHODS - LIST_GROWERS:
                # an operator, an item, an output function
                self.rebind(name, DataValue(value.data.with_step("scale", "?", node)), frame)
            elif isinstance(value, DictValue) and ways - LIST_GROWERS or is_list(value) and ways - GROWING_WAYS:
                self.rebind(name, UNKNOWN, frame)  # (a list only grown: lists_passed)

    def reorders_lists(self, node: cst.Call, frame: Frame, receiver: bool = False) -> None:
        """A call that may reorder the lists it is given (``random.shuffle(ys)``, the script's own functions,
        ``rng.shuffle(ys)``) or the list it is called on (``ys.sort()``): the runs they were appended in are no
        longer known."""
        if not self.lists_in_blocks:
            return  # (most scripts: no list was grown in runs)
        names = [arg.value.value for arg in node.args if type(arg.value) is cst.Name]
        if receiver:
            names.append(node.func.value.value)  # type: ignore[attr-defined]
        for name in names:
            self.forget_runs(name, frame)


def _changeable(value: Value | None) -> bool:
    """An object a function can change in place that the model follows: an array (not a pipeline), a dict, a list."""
    return value is not None and (isinstance(value, DataValue) and not value.data.batches or
                                  isinstance(value, DictValue) or is_list(value))


def _positional_parameters(callee: FunctionValue | BoundMethod) -> list[str]:
    """The names of the parameters a call's positional arguments go to, in order (a method's after ``self``)."""
    function = callee.function if isinstance(callee, BoundMethod) else callee
    params = [p.name.value for p in (*function.node.params.posonly_params, *function.node.params.params)]
    static = type(function.node) is cst.FunctionDef and any(
        type(d.decorator) is cst.Name and d.decorator.value == "staticmethod" for d in function.node.decorators)
    return params[1:] if isinstance(callee, BoundMethod) and not static else params


def _names_passed(callee: FunctionValue | BoundMethod, node: cst.Call, frame: Frame,
                 kept: Callable[[Value | None], bool]) -> list[tuple[str, str | None]]:
    """The names a call of the script's own function passes whose values ``kept`` accepts, each with the parameter
    it binds (by keyword or position; None past the parameters written)."""
    params: list[str] | None = None
    passed: list[tuple[str, str | None]] = []
    for index, arg in enumerate(node.args):
        if type(arg.value) is not cst.Name or arg.star or not kept(frame.scope.lookup(arg.value.value)):
            continue
        if arg.keyword is not None:
            passed.append((arg.value.value, arg.keyword.value))
            continue
        params = _positional_parameters(callee) if params is None else params
        passed.append((arg.value.value, params[index] if index < len(params) else None))
    return passed


def _fixed_list(value: Value | None) -> bool:
    """A list whose length is known (not yet one of unknown length)."""
    return value is not None and is_list(value) and not isinstance(value, ComprehensionValue)
