"""The interpreter's statements: blocks, simple statements, assignments and definitions.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`; each statement type has one
method, found through a table (:data:`_STATEMENTS`, :data:`_SMALL`, :data:`_TARGETS`; the assignment targets'
methods are in :mod:`kerassniff.semantic.assignments`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import libcst as cst

from kerassniff.semantic import cli_args, data_calls
from kerassniff.semantic.class_blocks import constant_run, grown_blocks
from kerassniff.semantic.folding import BINOPS, is_list, listed, representative, seq_items
from kerassniff.semantic.pyvalues import Block, unpack
from kerassniff.semantic.frames import BREAK, CONTINUE, EXIT, Flow, Frame, Scope
from kerassniff.semantic.guards import is_short
from kerassniff.semantic.syntax import accumulates, names_read
from kerassniff.semantic.script import RepeatedTarget
from kerassniff.semantic.values import (
    UNKNOWN,
    ClassValue,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FunctionValue,
    KnobConst,
    Predictions,
    Seq,
    StoredObject,
    Symbol,
    Unknown,
    Value,
    VersionFlag,
)

_EXIT_CALLS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})


class Statements:
    """Statements in order, up to one that leaves the block."""

    STATEMENT_HANDLERS: dict[type, Callable[..., Flow]]  # set by resolve_handlers on the assembled class
    SMALL_HANDLERS: dict[type, Callable[..., Flow]]
    TARGET_HANDLERS: dict[type, Callable[..., None]]

    def exec_block(self, statements, frame: Frame, top: bool = False) -> Flow:
        """Interpret statements in order, up to one that leaves the block (the rest is unreachable).

        A notebook's later cells are run by hand after a cell that raised or called ``sys.exit()``,
        so at a notebook's top level nothing is unreachable.
        """
        keep_going = top and self.script.cells is not None
        for index, statement in enumerate(statements):
            if top:
                self.top_index = index
            flow = self.exec_statement(statement, frame)
            if flow is not None and not keep_going:
                return flow
        return None

    def exec_suite(self, suite: cst.BaseSuite, frame: Frame) -> Flow:
        if type(suite) is cst.IndentedBlock:
            return self.exec_block(suite.body, frame)
        return self.exec_smalls(suite.body, frame)

    def exec_smalls(self, smalls, frame: Frame) -> Flow:
        """The small statements of one line (``x = 1; y = 2``), up to one that leaves."""
        handlers = self.SMALL_HANDLERS
        for small in smalls:
            handler = handlers.get(type(small))
            flow = handler(self, small, frame) if handler is not None else None
            if flow is not None:
                return flow
        return None

    def exec_statement(self, statement: cst.CSTNode, frame: Frame) -> Flow:
        """One statement.  A line of small statements (most of them) goes straight to :meth:`exec_smalls`; the
        others through a table of the mixins' functions, resolved once on the assembled class
        (:func:`resolve_handlers`: a method overridden or patched later is not seen)."""
        self._ticks += 1  # Interpreter.tick, written out (once per statement)
        if not self._ticks & 31:
            self._check_deadline()
        kind = type(statement)
        if kind is cst.SimpleStatementLine:
            return self.exec_smalls(statement.body, frame)  # type: ignore[attr-defined]
        handler = self.STATEMENT_HANDLERS.get(kind)
        return handler(self, statement, frame) if handler is not None else None

    # -- simple statements
    def exec_expr(self, small: cst.Expr, frame: Frame) -> Flow:
        value = self.eval(small.value, frame)
        if type(small.value) is cst.Call:
            if not self.trying and not self.in_helper:
                self.script.dropped_results[id(small.value)] = small
            if self._is_exit_call(small.value, frame):
                return EXIT
        elif type(small.value) is cst.BinaryOperation and type(small.value.operator) in BINOPS and \
                isinstance(value, DataValue) and not self.trying and not self.in_helper:
            # (arithmetic only: a library may give ``<<``, ``>>`` or ``|`` an effect, as Airflow's ``a >> b`` does)
            self.script.dropped_arithmetic[id(small.value)] = (small.value, self.top_index)
        return None

    def exec_assign(self, small: cst.Assign, frame: Frame) -> Flow:
        if frame.loop_bodies and accumulates(small) and not isinstance(
                frame.scope.lookup(small.value.left.value), DataValue):  # type: ignore[attr-defined]
            # names = names + [name], n = n + 1 in a loop run once for all its passes: as ``+=`` (an array's own
            # arithmetic, x = x / 255, stays the operation it is)
            operation: cst.BinaryOperation = small.value  # type: ignore[assignment]
            self._accumulate(small.targets[0].target, type(operation.operator).__name__, operation.right, operation,
                             frame)
            return None
        seen = self.version_names_seen
        value = self._knob(small.value, self.eval(small.value, frame), frame, seen)
        target_kind = type(small.targets[0].target)
        if (value is UNKNOWN or type(value) is StoredObject) and type(small.value) is cst.Call and \
                target_kind in (cst.Tuple, cst.List):
            value = _opaque_splits(small.targets[0].target, small.value) or value
        elif isinstance(value, Seq) and type(small.value) in (cst.Tuple, cst.List) and \
                target_kind in (cst.Tuple, cst.List):
            # (X_train, y_train), (X_test, y_test) = (train[0], train[1]), (test[0], test[1]) of a pickled dict
            value = data_calls.opaque_elements(_target_names(small.targets[0].target), value, small.value) or value
        elif isinstance(value, Seq) and type(small.value) is cst.Call and target_kind in (cst.Tuple, cst.List):
            # x_train, y_train, x_valid, y_valid = get_fold(k): the script's function, its arrays not followed
            value = data_calls.opaque_results(_target_names(small.targets[0].target), value, small.value) or value
        if frame.loop_bodies and isinstance(value, (Const, Seq)) and target_kind is cst.Name and \
                len(small.targets) == 1 and small.targets[0].target.value in names_read(  # type: ignore[attr-defined]
                    small.value) and value != frame.scope.lookup(small.targets[0].target.value):  # type: ignore[attr-defined]
            value = UNKNOWN  # n = n * 2 + 1, path = os.path.join(path, d) in a loop run once for all its passes
        for target in small.targets:
            self.assign(target.target, value, frame)
        if target_kind is cst.Subscript and _class_id_written(small.value):
            self._thresholded_in_place(small.targets[0].target, frame)
        if target_kind in (cst.Tuple, cst.List) and not self.in_helper:
            self._note_repeated_targets(small.targets[0].target, value)
        if isinstance(value, DataValue) and target_kind is cst.Name and len(small.targets) == 1 and \
                type(small.value) in (cst.Call, cst.BinaryOperation) and not self.in_helper and self.top_index is not None:
            self.script.named_arrays[id(small)] = small  # (top None: a helper's function the script called)
        return None

    def _thresholded_in_place(self, target: cst.Subscript, frame: Frame) -> None:
        """``pred[pred >= 0.5] = 1``, ``preds[i] = 1 if preds[i] > 0.5 else 0``: predictions written over with class ids
        are class decisions from here on."""
        if type(target.value) is not cst.Name:
            return
        current = frame.scope.lookup(target.value.value)
        if type(current) is Predictions and not current.decided:
            self.rebind(target.value.value, current.deciding(), frame)

    def _note_repeated_targets(self, target: cst.Tuple | cst.List, value: Value) -> None:
        """A name that one unpacking binds twice, when a value it loses or keeps is an array (a data split)."""
        bound: dict[str, list[tuple[cst.Name, Value]]] = {}
        for name, item in _bound_names(target, value):
            bound.setdefault(name.value, []).append((name, item))
        for name, occurrences in bound.items():
            if len(occurrences) > 1 and any(_holds_data(item) for _, item in occurrences):
                (first, lost), (last, kept) = occurrences[-2], occurrences[-1]
                self.script.repeated_targets.append(RepeatedTarget(name, first, last, lost, kept))

    def exec_ann_assign(self, small: cst.AnnAssign, frame: Frame) -> Flow:
        if small.value is not None:
            seen = self.version_names_seen
            self.assign(small.target, self._knob(small.value, self.eval(small.value, frame), frame, seen), frame)
        return None

    def exec_aug_assign(self, small: cst.AugAssign, frame: Frame) -> Flow:
        self._accumulate(small.target, type(small.operator).__name__.replace("Assign", ""), small.value, small, frame)
        return None

    def _accumulate(self, target: cst.BaseAssignTargetExpression, op_type: str, operand_node: cst.BaseExpression,
                    node: cst.CSTNode, frame: Frame) -> None:
        """``target <op>= operand`` (or ``name = name <op> operand``, ``node`` the statement or the operation): a list
        grows; in a loop run once for all its passes, a count (anything but an array) depends on how often it ran."""
        current = self.eval(target, frame)
        operand = self.eval(operand_node, frame)
        if op_type == "Add" and is_list(current) and is_list(operand):
            one = operand_node.elements[0].value if type(operand_node) is cst.List and \
                len(operand_node.elements) == 1 and type(operand_node.elements[0]) is cst.Element else None  # ys += [y]
            run = self.append_run(one, listed(operand)[0], node, frame) if one is not None and listed(operand) \
                else None
            value = self.grow_list(current, listed(operand), frame, run=run)
        elif frame.loop_bodies and not isinstance(current, DataValue) and not isinstance(operand, DataValue):
            value = UNKNOWN  # count += 1 in a loop: it depends on how often the loop runs
        else:
            value = self.binary(current, op_type, operand, node, frame)
        self.assign(target, value, frame)

    def exec_return(self, small: cst.Return, frame: Frame) -> Flow:
        frame.returns.append(self.eval(small.value, frame) if small.value is not None else Const(None))
        return EXIT

    def exec_global(self, small: cst.Global, frame: Frame) -> Flow:
        frame.scope.global_names.update(n.name.value for n in small.names)
        return None

    def exec_raise(self, small: cst.Raise, frame: Frame) -> Flow:
        if small.exc is not None:
            self.eval(small.exc, frame)
        return EXIT

    def exec_assert(self, small: cst.Assert, frame: Frame) -> Flow:
        self.eval(small.test, frame)
        return None

    def exec_del(self, small: cst.Del, frame: Frame) -> Flow:
        """``del settings["rescale"]``: the dict no longer holds that key (an unknown key: its entries are not known);
        ``del x``: the name is unbound (unknown from here on)."""
        targets = small.target.elements if type(small.target) is cst.Tuple else (small.target,)
        for target in targets:
            node = target.value if isinstance(target, cst.BaseElement) else target
            if type(node) is cst.Name and frame.scope.lookup(node.value) is not None:
                self.rebind(node.value, UNKNOWN, frame)
            elif type(node) is cst.Subscript and type(node.value) is cst.Name and len(node.slice) == 1 and \
                    type(node.slice[0].slice) is cst.Index:
                current = frame.scope.lookup(node.value.value)
                if isinstance(current, DictValue):
                    key = self.eval(node.slice[0].slice.value, frame)
                    kept = tuple(item for item in current.items if not (isinstance(key, Const) and
                                                                        isinstance(item[0], Const) and
                                                                        item[0].value == key.value))
                    self.rebind(node.value.value, DictValue(kept, current.complete) if isinstance(key, Const)
                                else UNKNOWN, frame)
        return None

    def exec_break(self, small: cst.Break, frame: Frame) -> Flow:
        return BREAK

    def exec_continue(self, small: cst.Continue, frame: Frame) -> Flow:
        return CONTINUE

    def _knob(self, node: cst.BaseExpression, value: Value, frame: Frame, version_names_before: int) -> Value:
        """A module-level flag set to a boolean literal (``augment = True``) is a configuration knob;
        an unknown value computed from a library's version is a :class:`VersionFlag`."""
        if frame.scope.parent is None and type(node) is cst.Name and node.value in ("True", "False"):
            return KnobConst(node.value == "True")
        if isinstance(value, Unknown) and self.version_names_seen > version_names_before \
                and self.is_guard(node, is_short):
            return VersionFlag()  # the value was computed from a name that says "version"
        return value

    def _is_exit_call(self, call: cst.Call, frame: Frame) -> bool:
        """``sys.exit()``, ``os._exit()``, ``exit()``, ``quit()``: nothing after them runs."""
        func = call.func
        if type(func) is cst.Name:
            bound = frame.scope.lookup(func.value)
            if bound is None:
                return func.value in ("exit", "quit")
            return isinstance(bound, Symbol) and bound.raw in _EXIT_CALLS  # from sys import exit
        if type(func) is cst.Attribute and type(func.value) is cst.Name:
            base = frame.scope.lookup(func.value.value)
            return isinstance(base, Symbol) and f"{base.raw}.{func.attr.value}" in _EXIT_CALLS
        return False

    # -- definitions
    def exec_function_def(self, node: cst.FunctionDef, frame: Frame) -> Flow:
        self.define_function(node, frame)
        return None

    def define_function(self, node: cst.FunctionDef, frame: Frame, is_method: bool = False) -> FunctionValue:
        top = None if self.in_helper else self.top_index
        function = FunctionValue(node, self.defined_in(frame.scope), is_method, top=top)
        for decorator in node.decorators:
            option = cli_args.decorator_option(self.eval(decorator.decorator, frame))
            if option is not None:
                function.option_defaults.setdefault(*option)
        frame.scope.bind(node.name.value, function)
        if not self.in_helper:  # a helper's unused functions are the helper's own business
            self.functions.append(function)
        return function

    def define_class(self, node: cst.ClassDef, frame: Frame) -> Flow:
        bases, local = [], []
        for base in node.bases:
            value = self.eval(base.value, frame)
            if isinstance(value, Symbol):
                bases.append(value.name)
            elif isinstance(value, ClassValue):
                bases.extend(value.bases)
                local.append(value)
        cls = ClassValue(node, tuple(bases), local_bases=tuple(local))
        class_frame = Frame(Scope(frame.scope))
        for statement in node.body.body if type(node.body) is cst.IndentedBlock else ():
            if type(statement) is cst.FunctionDef:
                cls.methods[statement.name.value] = self.define_function(statement, class_frame, is_method=True)
            else:
                self.exec_statement(statement, class_frame)
        frame.scope.bind(node.name.value, cls)
        if not self.in_helper:
            self.classes.append(cls)
        return None

    # -- lists
    def grow_list(self, current: Value, added: tuple[Value, ...] | None, frame: Frame,
                  kind_of: tuple[Value, ...] | None = None, run: Block | None = None) -> Value:
        """A list after ``append``/``extend``/``insert``/``+=`` of ``added`` (None: how many not known,
        ``kind_of`` then the items that show their kind; ``run``: the run of equal items the append belongs to,
        see :meth:`append_run`).

        Inside a loop that is not unrolled the list grows once per iteration, an unknown number of
        times: its length is unknown (not the count of the literals appended) and only the kind of
        its items is known, from what is appended (a one-hot row, a label, an image).
        """
        if isinstance(current, ComprehensionValue):
            old, length = [current.element], current.length
        else:
            old = list(seq_items(current))
            length = len(old)
        if added is None or frame.loop_bodies or length is None:
            blocks = grown_blocks(current.blocks if isinstance(current, ComprehensionValue) else (),
                                  length == 0, run)
            self.lists_in_blocks = self.lists_in_blocks or bool(blocks)
            return ComprehensionValue(representative(old + list(added or kind_of or (UNKNOWN,))), None, blocks)
        if isinstance(current, ComprehensionValue):
            return ComprehensionValue(representative(old + list(added)), length + len(added))
        items = tuple(old) + added
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))  # type: ignore[union-attr]
        return Seq(items, current.kind if isinstance(current, Seq) else "list")

    def append_run(self, appended: cst.BaseExpression | None, value: Value, node: cst.CSTNode,
                   frame: Frame) -> Block | None:
        """The run of equal items an append of ``value`` (the code ``appended``) belongs to, if it makes one: a
        constant appended on each pass of a loop, or a per-class value inside a loop over a class's folder (see
        :mod:`kerassniff.semantic.class_blocks`)."""
        loops = []
        context = self.loop
        while context is not None and context.scope == id(frame.scope):
            loops.append(context)
            context = context.parent
        if not loops or context is not None:  # not in a loop, or in a function called inside one
            return None
        return constant_run(loops, value, node) or self.folder_loops.folder_run(
            loops, appended, lambda func: self.library_name(func, frame), frame.scope.lookup)

    def forget_runs(self, name: str, frame: Frame) -> None:
        """The list ``name`` holds may have been reordered (shuffled in place, written back through ``ys[:] =``):
        it, and every other name of this scope and those around it bound to the same list (``labels = ys``), no
        longer has known runs."""
        value = frame.scope.lookup(name)
        if not (isinstance(value, ComprehensionValue) and value.blocks):
            return
        plain = replace(value, blocks=())
        scope: Scope | None = frame.scope
        while scope is not None:
            for key, held in list(scope.vars.items()):
                if held is value:
                    scope.vars[key] = plain
            scope = scope.parent

    def library_name(self, node: cst.BaseExpression, frame: Frame) -> str | None:
        """The canonical name of an imported function a name or attribute holds (``os.listdir``), looked up without
        evaluating anything."""
        if type(node) is cst.Name:
            value = frame.scope.lookup(node.value)
            return value.name if isinstance(value, Symbol) else None
        if type(node) is cst.Attribute and type(node.value) in (cst.Name, cst.Attribute):
            base = self.library_name(node.value, frame)
            return f"{base}.{node.attr.value}" if base is not None else None
        return None


def _class_id_written(node: cst.BaseExpression) -> bool:
    """``0``, ``1``, ``True``, ``False``, or ``1 if ... else 0`` written as the value of an assignment."""
    if type(node) is cst.IfExp:
        return _class_id_written(node.body) and _class_id_written(node.orelse)
    if type(node) is cst.Integer:
        return node.value in ("0", "1")
    return type(node) is cst.Name and node.value in ("True", "False")


def _holds_data(value: Value) -> bool:
    """An array, or a tuple or list of arrays (``train, test = load_data()``: each part an (x, y) pair)."""
    return isinstance(value, DataValue) or (isinstance(value, Seq) and any(isinstance(item, DataValue)
                                                                           for item in value.items))


def _bound_names(target: cst.BaseExpression, value: Value):
    """The names an unpacking target binds with the value each gets, in order (nested tuples unpacked as Python
    does; a starred name gets an unknown list)."""
    if type(target) is cst.Name:
        yield target, value
    elif type(target) in (cst.Tuple, cst.List):
        elements = target.elements  # type: ignore[attr-defined]
        for element, item in zip(elements, unpack(value, len(elements))):
            yield from _bound_names(element.value, UNKNOWN if type(element) is cst.StarredElement else item)


def _opaque_splits(target: cst.Tuple | cst.List, call: cst.Call) -> Value | None:
    """The arrays an unseen call returns into targets named as data splits: the library decides from the names
    (:func:`kerassniff.semantic.loaders.opaque_splits`); the interpreter only hands them over, nested as the
    targets are (``(x_train, y_train), (x_test, y_test), dim = load()``)."""
    return data_calls.opaque_splits(_target_names(target), call)


def _target_names(target: cst.Tuple | cst.List) -> list:
    """The names an unpacking binds, in its shape: a name, a nested list for a nested tuple, None for the rest."""
    names: list = []
    for element in target.elements:
        value = element.value if type(element) is cst.Element else None
        names.append(value.value if type(value) is cst.Name else
                     _target_names(value) if type(value) in (cst.Tuple, cst.List) else None)
    return names


# The handlers by node type, by name: they live in several mixins; :func:`resolve_handlers` turns them into
# the assembled class's functions once.
_STATEMENTS = {
    cst.FunctionDef: "exec_function_def", cst.ClassDef: "define_class",
    cst.If: "exec_if", cst.For: "exec_for", cst.While: "exec_while", cst.Try: "exec_try", cst.TryStar: "exec_try",
    cst.With: "exec_with", cst.Match: "exec_match",
}
_SMALL = {
    cst.Expr: "exec_expr", cst.Assign: "exec_assign", cst.AnnAssign: "exec_ann_assign",
    cst.AugAssign: "exec_aug_assign", cst.Import: "exec_import", cst.ImportFrom: "exec_import_from",
    cst.Return: "exec_return", cst.Global: "exec_global", cst.Raise: "exec_raise", cst.Assert: "exec_assert",
    cst.Break: "exec_break", cst.Continue: "exec_continue", cst.Del: "exec_del",
}
_TARGETS = {
    cst.Name: "assign_name", cst.Tuple: "assign_unpacked", cst.List: "assign_unpacked",
    cst.Attribute: "assign_attribute", cst.Subscript: "assign_item", cst.StarredElement: "assign_starred",
}


def resolve_handlers(cls: type) -> None:
    """Give the assembled interpreter class its statement tables as functions (a ``getattr`` by name on
    every statement made a bound method each time)."""
    cls.STATEMENT_HANDLERS = {kind: getattr(cls, name) for kind, name in _STATEMENTS.items()}
    cls.SMALL_HANDLERS = {kind: getattr(cls, name) for kind, name in _SMALL.items()}
    cls.TARGET_HANDLERS = {kind: getattr(cls, name) for kind, name in _TARGETS.items()}
