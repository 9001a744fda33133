"""Build the semantic model of a script in one pass over its LibCST tree.

The builder is a small abstract interpreter.  It executes module-level code
in order, binds names to abstract values (:mod:`kerassniff.semantic.values`),
interprets a function's body where the function is called (so a model built
in ``build_model()`` is linked to the ``fit`` that follows), and afterwards
interprets every function and method that was never called, with unknown
arguments, so that nothing in the file goes unseen.

Python facts it follows: a condition that folds to a constant takes one branch (see
:meth:`Builder.exec_if` for the configuration knobs that keep both); code after ``return``,
``raise`` or ``sys.exit()`` is unreachable; a list grown in a loop has an unknown length;
command-line defaults are known values (:mod:`kerassniff.semantic.cli_args`); a snippet
without any import reads Keras names as Keras.

What it cannot follow becomes :data:`UNKNOWN`; rules stay silent on unknowns.
Keras-specific calls are delegated to :mod:`kerassniff.semantic.keras_calls`,
array and label operations to :mod:`kerassniff.semantic.data_calls`.
"""
from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import libcst as cst

from kerassniff.semantic import cli_args, data_calls, keras_calls, siblings
from kerassniff.semantic.expressions import (
    eval_binary,
    eval_boolean,
    eval_comparison,
    eval_comprehension,
    eval_concatenated,
    eval_dict,
    eval_fstring,
    eval_ifexp,
    eval_lambda,
    eval_literal,
    eval_named,
    eval_passthrough,
    eval_sequence,
    eval_unary,
    target_names,
)
from kerassniff.semantic.folding import (
    BINOPS,
    MAX_UNROLL,
    cheap_to_fold,
    is_list,
    listed,
    merge,
    range_count,
    range_value,
    representative,
    seq_items,
    truth,
    unpack,
)
from kerassniff.semantic.frames import BREAK, CONTINUE, EXIT, Flow, Frame, Scope, assigned_names, read_names, weakest
from kerassniff.semantic.names import IMPLICIT_ALIASES, IMPLICIT_STAR_MODULES, canonical, is_keras, star_lookup
from kerassniff.semantic.script import Script
from kerassniff.semantic.training import CallSite, LoopContext, Reference
from kerassniff.semantic.values import (
    UNKNOWN,
    VersionFlag,
    BoundMethod,
    CallArgs,
    ClassValue,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FunctionValue,
    IndexOf,
    Instance,
    KnownLen,
    LenValue,
    ModelValue,
    ModuleValue,
    KnobConst,
    PartialValue,
    RangeValue,
    Seq,
    ShapeValue,
    SliceValue,
    Symbol,
    Unknown,
    Value,
    ZipValue,
)

KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})  # a script importing one of these is a Keras script
MAX_CALL_DEPTH = 12
# Interpreting a body at every call is exponential when functions call functions several times each;
# after this many interpretations a function's further calls are unknown.  Loops that build a model
# through a helper (``for f in (32, 64, 128): x = block(x, f)``) stay well below it.
MAX_CALLS_PER_FUNCTION = 24
MAX_HELPER_DEPTH = 2  # helper modules importing helper modules: followed this deep
MAX_HELPERS = 8  # helper modules interpreted per script; the rest are unknown
MAX_EXPRESSION_DEPTH = 200  # deeper expressions are not evaluated (they cannot be Keras code anyway)

BUILTINS = frozenset(
    "len range zip enumerate int float round list tuple abs min max sum print sorted open map "
    "str bool dict set isinstance super iter next reversed".split()
)

class AnalysisTimeout(Exception):
    """The file's analysis ran past its deadline (the per-file ``timeout``)."""


class Builder:
    def __init__(self, module: cst.Module, path: str, deadline: float | None = None) -> None:
        self.script = Script(path=path, module=module)
        self.deadline = deadline  # time.monotonic() value; checked every few statements
        self._ticks = 0
        self.module_scope = Scope()
        self.star_imports: list[str] = []
        self.implicit_imports = False  # a snippet without imports: Keras names are read as Keras
        # The module-level statement (index into module.body) that holds the code being interpreted, and the
        # statement of every node evaluated: positions then render only those statements (semantic/positions.py).
        self.top_index: int | None = None
        self.version_names_seen = 0  # names containing "version" evaluated so far (version flags, see _knob)
        self.top_of: dict[cst.CSTNode, int | None] = {}
        self.order = 0
        self.loop: LoopContext | None = None
        self.depth = 0
        self.expr_depth = 0
        self.active: set[int] = set()  # function nodes being interpreted (no recursion)
        self.called: set[int] = set()
        self.call_counts: Counter[int] = Counter()
        self.literals: dict[cst.CSTNode, Value] = {}
        self.functions: list[FunctionValue] = []
        self.classes: list[ClassValue] = []
        self._call_sites: dict[int, CallSite] = {}
        self._references: dict[int, Reference] = {}
        self._models: set[int] = set()
        self.helper_modules: dict[str, ModuleValue | None] = {}  # path -> interpreted module (None while running)
        self.in_helper = 0  # > 0 while interpreting a helper module's code: its facts are not this file's
        self.guarded = 0  # > 0 inside a version check or a try that catches AttributeError/ImportError
        self._guards: dict[cst.CSTNode, int] = {}  # if-tests and except clauses already classified
        self._loop_assigned: dict[cst.CSTNode, frozenset[str]] = {}  # loop bodies: the names they change
        self.flag_values = cli_args.OptionTable()  # absl flags defined so far (one FLAGS object per process)

    # ------------------------------------------------------------------ driver
    def build(self) -> Script:
        self._check_deadline()  # parsing alone may have used up the time
        if not _imports_anything(self.script.module.body):
            self.implicit_imports = True
            self.star_imports = list(IMPLICIT_STAR_MODULES)
        frame = Frame(self.module_scope)
        self.exec_block(self.script.module.body, frame, top=True)
        self._check_deadline()
        self._run_uncalled()
        self.script.calls = list(self._call_sites.values())
        self.script.references = list(self._references.values())
        return self.script

    def _run_uncalled(self) -> None:
        """Interpret functions and methods nobody called, with unknown arguments."""
        index = 0
        while index < len(self.functions):
            function = self.functions[index]
            index += 1
            if id(function.node) not in self.called and function.owner is None:
                self.call_function(function, CallArgs(), None)
        for cls in self.classes:
            pending = [m for m in cls.methods.values() if id(m.node) not in self.called]
            if not pending:
                continue
            instance = Instance(cls=cls.node.name.value, args=CallArgs(), node=cls.node, local_class=cls)
            if cls.is_keras_model:
                instance.attrs["__model__"] = self._track(ModelValue(keras_calls.subclassed_model(cls, cls.node)))
            for method in pending:
                if id(method.node) not in self.called:
                    self.call_function(method, CallArgs(), None, self_value=instance)

    def _check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise AnalysisTimeout

    def _tick(self, mask: int) -> None:
        """Count work; look at the clock once every ``mask + 1`` steps (a power of two minus one)."""
        self._ticks += 1
        if not self._ticks & mask:
            self._check_deadline()

    def is_guard(self, node: cst.CSTNode, classify) -> int:
        """Whether an if-test or except clause guards against a missing name; computed once per node."""
        known = self._guards.get(node)
        if known is None:
            known = self._guards[node] = int(classify(self.script.module, node))
        return known

    def next_order(self) -> int:
        self.order += 1
        return self.order

    # -------------------------------------------------------------- statements
    def exec_block(self, statements, frame: Frame, top: bool = False) -> Flow:
        """Interpret statements in order, up to one that leaves the block (the rest is unreachable).

        A notebook's later cells are run by hand after a cell that raised or called ``sys.exit()``,
        so at a notebook's top level nothing is unreachable.
        """
        for index, statement in enumerate(statements):
            if top:
                self.top_index = index
            flow = self.exec_statement(statement, frame)
            if flow is not None and not (top and self.script.cells is not None):
                return flow
        return None

    def exec_suite(self, suite: cst.BaseSuite, frame: Frame) -> Flow:
        if isinstance(suite, cst.IndentedBlock):
            return self.exec_block(suite.body, frame)
        for small in suite.body:
            flow = self.exec_small(small, frame)
            if flow is not None:
                return flow
        return None

    def exec_statement(self, statement: cst.CSTNode, frame: Frame) -> Flow:
        self._tick(31)
        if not self.in_helper:
            self.top_of[statement] = self.top_index
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                flow = self.exec_small(small, frame)
                if flow is not None:
                    return flow
        elif isinstance(statement, cst.FunctionDef):
            self.define_function(statement, frame)
        elif isinstance(statement, cst.ClassDef):
            self.define_class(statement, frame)
        elif isinstance(statement, cst.If):
            return self.exec_if(statement, frame)
        elif isinstance(statement, cst.For):
            return self.exec_for(statement, frame)
        elif isinstance(statement, cst.While):
            self.eval(statement.test, frame)
            self.with_loop(LoopContext(statement, UNKNOWN, (), False, self.loop),
                           lambda: self.exec_loop_body(statement.body, frame))
            if statement.orelse:
                self.exec_suite(statement.orelse.body, frame)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            return self.exec_try(statement, frame)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                value = self.eval(item.item, frame)
                if item.asname is not None:
                    self.assign(item.asname.name, value, frame)
            return self.exec_suite(statement.body, frame)
        elif isinstance(statement, cst.Match):
            self.eval(statement.subject, frame)
            for case in statement.cases:
                self.exec_suite(case.body, frame)
        return None

    def exec_small(self, small: cst.BaseSmallStatement, frame: Frame) -> Flow:
        if not self.in_helper:
            self._stamp_small(small)
        if isinstance(small, cst.Expr):
            self.eval(small.value, frame)
            if isinstance(small.value, cst.Call) and self._is_exit_call(small.value, frame):
                return EXIT
        elif isinstance(small, cst.Assign):
            seen = self.version_names_seen
            value = self._knob(small.value, self.eval(small.value, frame), frame, seen)
            for target in small.targets:
                self.assign(target.target, value, frame)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                seen = self.version_names_seen
                self.assign(small.target, self._knob(small.value, self.eval(small.value, frame), frame, seen), frame)
        elif isinstance(small, cst.AugAssign):
            current = self.eval(small.target, frame)
            operand = self.eval(small.value, frame)
            op_type = type(small.operator).__name__.replace("Assign", "")
            if op_type == "Add" and is_list(current) and is_list(operand):
                value = self.grow_list(current, listed(operand), frame)
            elif frame.open_loops and not isinstance(current, DataValue) and not isinstance(operand, DataValue):
                value = UNKNOWN  # count += 1 in a loop: it depends on how often the loop runs
            else:
                value = self.binary(current, op_type, operand, small, frame)
            self.assign(small.target, value, frame)
        elif isinstance(small, cst.Import):
            self.exec_import(small, frame)
        elif isinstance(small, cst.ImportFrom):
            self.exec_import_from(small, frame)
        elif isinstance(small, cst.Return):
            frame.returns.append(self.eval(small.value, frame) if small.value is not None else Const(None))
            return EXIT
        elif isinstance(small, cst.Global):
            frame.scope.global_names.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self.eval(small.exc, frame)
            return EXIT
        elif isinstance(small, cst.Assert):
            self.eval(small.test, frame)
        elif isinstance(small, cst.Break):
            return BREAK
        elif isinstance(small, cst.Continue):
            return CONTINUE
        return None

    def _knob(self, node: cst.BaseExpression, value: Value, frame: Frame, version_names_before: int) -> Value:
        """A module-level flag set to a boolean literal (``augment = True``) is a configuration knob;
        an unknown value computed from a library's version is a :class:`VersionFlag`."""
        if frame.scope.parent is None and isinstance(node, cst.Name) and node.value in ("True", "False"):
            return KnobConst(node.value == "True")
        if isinstance(value, Unknown) and self.version_names_seen > version_names_before \
                and self.is_guard(node, _is_short):
            return VersionFlag()  # the value was computed from a name that says "version"
        return value

    def _is_exit_call(self, call: cst.Call, frame: Frame) -> bool:
        """``sys.exit()``, ``os._exit()``, ``exit()``, ``quit()``: nothing after them runs."""
        func = call.func
        if isinstance(func, cst.Name):
            bound = frame.scope.lookup(func.value)
            if bound is None:
                return func.value in ("exit", "quit")
            return isinstance(bound, Symbol) and bound.raw in _EXIT_CALLS  # from sys import exit
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            base = frame.scope.lookup(func.value.value)
            return isinstance(base, Symbol) and f"{base.raw}.{func.attr.value}" in _EXIT_CALLS
        return False

    # -- imports
    def _stamp_small(self, small: cst.BaseSmallStatement) -> None:
        """Record the module-level statement of a small statement and of the import names in it."""
        self.top_of[small] = self.top_index
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            if isinstance(small, cst.ImportFrom) and small.module is not None:
                self.top_of[small.module] = self.top_index
            if not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    self.top_of[alias] = self.top_index

    def exec_import(self, node: cst.Import, frame: Frame) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if dotted is None:
                continue
            self._reference(Symbol(dotted), alias)
            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) \
                else dotted
            helper = self.load_helper(dotted, 0) if "." not in bound else None
            if helper is not None:
                self._bind_import(bound, helper, frame)
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind_import(alias.asname.name.value, Symbol(dotted), frame)
            else:
                first = dotted.split(".")[0]
                self._bind_import(first, Symbol(first), frame)

    def exec_import_from(self, node: cst.ImportFrom, frame: Frame) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        if module is None:
            return
        local = bool(node.relative)
        if module == "__future__":
            return
        if isinstance(node.names, cst.ImportStar):
            self.star_imports.append(module)
            return
        helper = self.load_helper(module, len(node.relative)) if module else None
        if module and node.module is not None and not local:
            self._reference(Symbol(module), node.module)  # the module itself (keras.utils.np_utils) is a use too
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            symbol = Symbol(f"{module}.{name}" if module else name, local)
            self._reference(symbol, alias)
            bound = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            member = helper.member(name) if helper is not None else None
            if member is None and (helper is not None or not module):
                # a submodule: from . import common / from data_utils import loaders
                member = self.load_helper(f"{module}.{name}" if module else name, len(node.relative))
            self._bind_import(bound, member if member is not None else symbol, frame)

    def _bind_import(self, name: str, value: Value, frame: Frame) -> None:
        frame.scope.bind(name, value)
        if frame.scope is self.module_scope and isinstance(value, Symbol):
            self.script.imports[name] = value.raw

    def load_helper(self, module: str, level: int) -> ModuleValue | None:
        """Interpret a helper module that sits beside the script, once per build."""
        if self.in_helper >= MAX_HELPER_DEPTH:
            return None
        path = siblings.resolve(self.script.path, module, level)
        if path is None:
            return None
        key = str(path)
        if key in self.helper_modules:
            return self.helper_modules[key]  # None while it is still being interpreted (an import cycle)
        if path.resolve() == _resolved(self.script.path) or len(self.helper_modules) >= MAX_HELPERS:
            return None
        parsed = siblings.load(path)
        if parsed is None:
            self.helper_modules[key] = None
            return None
        self.helper_modules[key] = None
        value = ModuleValue(key, Scope())
        self.script.helpers[key] = parsed
        self.in_helper += 1
        try:
            self.exec_block(parsed.body, Frame(value.scope))
        finally:
            self.in_helper -= 1
        self.helper_modules[key] = value
        return value

    # -- definitions
    def define_function(self, node: cst.FunctionDef, frame: Frame, owner: ClassValue | None = None) -> FunctionValue:
        function = FunctionValue(node, frame.scope, owner, top=None if self.in_helper else self.top_index)
        for decorator in node.decorators:
            option = cli_args.decorator_option(self.eval(decorator.decorator, frame))
            if option is not None:
                function.option_defaults.setdefault(*option)
        frame.scope.bind(node.name.value, function)
        if not self.in_helper:  # a helper's unused functions are the helper's own business
            self.functions.append(function)
        return function

    def define_class(self, node: cst.ClassDef, frame: Frame) -> None:
        bases = []
        for base in node.bases:
            value = self.eval(base.value, frame)
            if isinstance(value, Symbol):
                bases.append(value.name)
            elif isinstance(value, ClassValue):
                bases.extend(value.bases)
        cls = ClassValue(node, tuple(bases))
        class_frame = Frame(Scope(frame.scope))
        for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(statement, cst.FunctionDef):
                cls.methods[statement.name.value] = self.define_function(statement, class_frame, owner=cls)
            else:
                self.exec_statement(statement, class_frame)
        frame.scope.bind(node.name.value, cls)
        if not self.in_helper:
            self.classes.append(cls)

    # -- control flow
    @contextmanager
    def guarding(self, active: int):
        """Code inside a version check or under ``except ImportError``: it copes with missing names."""
        self.guarded += active
        try:
            yield
        finally:
            self.guarded -= active

    def exec_try(self, node: cst.Try | cst.TryStar, frame: Frame) -> Flow:
        fallbacks = [self.is_guard(handler, _catches_missing_names) for handler in node.handlers]
        with self.guarding(int(any(fallbacks))):
            flow = self.exec_suite(node.body, frame)
        flows = []
        for handler, fallback in zip(node.handlers, fallbacks):
            if handler.type is not None:
                self.eval(handler.type, frame)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                frame.scope.bind(handler.name.name.value, UNKNOWN)
            with self.guarding(fallback):  # the fallback spelling for an older library
                flows.append(self.exec_suite(handler.body, frame))
        if node.orelse and flow is None:
            flow = self.exec_suite(node.orelse.body, frame)
        if node.finalbody:
            final = self.exec_suite(node.finalbody.body, frame)
            if final is not None:
                return final
        return weakest([flow, *flows])  # the code after the try runs when any way through it falls through

    def exec_if(self, node: cst.If, frame: Frame) -> Flow:
        """Interpret the branch a known condition takes; both branches, merged, when it is not known.

        A condition is known when it folds to a constant: ``num_classes == 2`` inside a function called
        with 2, ``if loss_name in ("mse", "mae")``, ``if weights is None``.  The other branch is dead code
        and is not interpreted.  Two shapes keep both branches although the condition is constant:

        - a version check (``if tf.__version__ ...``, ``hasattr``): both spellings are alternatives;
        - a configuration knob (:class:`KnobConst`): a module-level flag set to a boolean literal
          (``data_augmentation = True`` then ``if not data_augmentation:``, also after it is passed
          to a function), or a command-line option's default.  The author flips it by hand, nothing
          else in the script follows from its value, so a bug in either branch is real when it flips.
          A flag computed from other values (``binary = num_classes == 2``) is not a knob.

        Inside a loop that is interpreted once for all its iterations, a condition on a name the loop
        changes is not decided: it may differ from one iteration to the next (``layer = 0`` before
        the loop, ``if layer == 0:`` and ``layer += 1`` inside it).
        """
        test = self.eval(node.test, frame)
        guard = int(isinstance(test, VersionFlag)) or self.is_guard(node.test, _is_version_check)
        taken = None if guard or self.varies_in_loop(node.test, frame) or self.is_knob(node.test, frame) \
            else truth(test)
        if taken is True:
            return self.exec_suite(node.body, frame)
        if taken is False:
            if isinstance(node.orelse, cst.If):
                return self.exec_if(node.orelse, frame)
            if isinstance(node.orelse, cst.Else):
                return self.exec_suite(node.orelse.body, frame)
            return None
        with self.guarding(guard):
            before = dict(frame.scope.vars)
            body_flow = self.exec_suite(node.body, frame)
            after_body = frame.scope.vars
            frame.scope.vars = dict(before)
            else_flow = None
            if isinstance(node.orelse, cst.If):
                else_flow = self.exec_if(node.orelse, frame)
            elif isinstance(node.orelse, cst.Else):
                else_flow = self.exec_suite(node.orelse.body, frame)
            after_else = frame.scope.vars
        if body_flow is not None and else_flow is not None:
            return weakest([body_flow, else_flow])
        if body_flow is not None:  # only the else branch reaches the code after the if
            frame.scope.vars = after_else
            return None
        if else_flow is not None:
            frame.scope.vars = after_body
            return None
        merged: dict[str, Value] = {}
        for name in list(after_body) + [n for n in after_else if n not in after_body]:
            a, b = after_body.get(name), after_else.get(name)
            if a is None or b is None or a is b:
                merged[name] = a if b is None else b
            else:
                merged[name] = merge(a, b)
        frame.scope.vars = merged
        return None

    def is_knob(self, test: cst.BaseExpression, frame: Frame) -> bool:
        """Whether a condition reads a configuration knob (:class:`KnobConst`, see :meth:`exec_if`)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self.is_knob(test.expression, frame)
        if isinstance(test, cst.BooleanOperation):
            return self.is_knob(test.left, frame) or self.is_knob(test.right, frame)
        if isinstance(test, cst.Comparison):
            return any(self._holds_knob(part, frame) for part in [test.left, *(c.comparator for c in test.comparisons)])
        return self._holds_knob(test, frame)

    @staticmethod
    def _holds_knob(node: cst.BaseExpression, frame: Frame) -> bool:
        """``augment``, ``mode`` or ``args.mode`` holding a knob's value (looked up, not evaluated again)."""
        value: Value | None = None
        if isinstance(node, cst.Name):
            value = frame.scope.lookup(node.value)
        elif isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            base = frame.scope.lookup(node.value.value)
            if isinstance(base, Instance):
                value = base.attrs.get(node.attr.value)
        return isinstance(value, KnobConst)

    def exec_for(self, node: cst.For, frame: Frame) -> Flow:
        iterable = self.eval(node.iter, frame)
        items = self.unroll_items(iterable)
        targets = tuple(target_names(node.target))
        flow: Flow = None
        if items is not None:
            context = LoopContext(node, iterable, targets, True, self.loop)
            for item in items:
                self.assign(node.target, item, frame)
                flow = self.with_loop(context, lambda: self.exec_suite(node.body, frame))
                if flow in (BREAK, EXIT):
                    break
        else:
            element, per_sample = self.element_of(iterable, node)
            context = LoopContext(node, iterable, targets, False, self.loop, per_sample, range_count(iterable))
            self.assign(node.target, element, frame)
            self.with_loop(context, lambda: self.exec_loop_body(node.body, frame))
        if flow == EXIT:
            return EXIT
        if node.orelse and flow != BREAK:
            return self.exec_suite(node.orelse.body, frame)
        return None

    def exec_loop_body(self, body: cst.BaseSuite, frame: Frame) -> None:
        """A loop body interpreted once for all its iterations (how often it runs is not known)."""
        assigned = self._loop_assigned.get(body)
        if assigned is None:
            assigned = self._loop_assigned[body] = assigned_names(body)
        saved = frame.loop_assigned
        frame.open_loops += 1
        frame.loop_assigned = saved | assigned
        try:
            self.exec_suite(body, frame)
        finally:
            frame.open_loops -= 1
            frame.loop_assigned = saved

    def varies_in_loop(self, test: cst.BaseExpression, frame: Frame) -> bool:
        """Whether a condition reads a name that a loop around it (interpreted once) changes."""
        return bool(frame.open_loops) and not frame.loop_assigned.isdisjoint(read_names(test))

    def with_loop(self, context: LoopContext, body):
        saved = self.loop
        self.loop = context
        try:
            return body()
        finally:
            self.loop = saved

    def unroll_items(self, iterable: Value) -> list[Value] | None:
        if isinstance(iterable, Seq) and len(iterable.items) <= MAX_UNROLL:
            return list(iterable.items)
        if isinstance(iterable, Const) and isinstance(iterable.value, tuple) and len(iterable.value) <= MAX_UNROLL:
            return [Const(v) for v in iterable.value]
        if isinstance(iterable, RangeValue) and iterable.values is not None and len(iterable.values) <= MAX_UNROLL:
            return [Const(v) for v in iterable.values]
        return None

    def element_of(self, iterable: Value, node: cst.CSTNode) -> tuple[Value, bool]:
        """The value of one loop item, and whether the loop walks array samples."""
        if isinstance(iterable, DataValue) and not iterable.data.batches:
            return DataValue(replace(iterable.data, is_sample=True, node=node)), True
        if isinstance(iterable, RangeValue) and iterable.over is not None:
            return IndexOf(iterable.over), True
        if isinstance(iterable, ZipValue):
            elements = [self.element_of(v, node) for v in iterable.parts]
            per_sample = any(flag for _, flag in elements)
            if iterable.enumerate:
                return Seq((UNKNOWN, elements[0][0]), "tuple"), per_sample
            return Seq(tuple(v for v, _ in elements), "tuple"), per_sample
        if isinstance(iterable, Seq) and iterable.items and all(i == iterable.items[0] for i in iterable.items):
            return iterable.items[0], False
        return UNKNOWN, False

    def grow_list(self, current: Value, added: tuple[Value, ...] | None, frame: Frame,
                  kind_of: tuple[Value, ...] | None = None) -> Value:
        """A list after ``append``/``extend``/``insert``/``+=`` of ``added`` (None: how many not known,
        ``kind_of`` then the items that show their kind).

        Inside a loop that is not unrolled the list grows once per iteration, an unknown number of
        times: its length is unknown (not the count of the literals appended) and only the kind of
        its items is known, from what is appended (a one-hot row, a label, an image).
        """
        if isinstance(current, ComprehensionValue):
            old, length = [current.element], current.length
        else:
            old = list(seq_items(current))
            length = len(old)
        if added is None or frame.open_loops or length is None:
            return ComprehensionValue(representative(old + list(added or kind_of or (UNKNOWN,))), None)
        if isinstance(current, ComprehensionValue):
            return ComprehensionValue(representative(old + list(added)), length + len(added))
        items = tuple(old) + added
        if all(isinstance(i, Const) for i in items):
            return Const(tuple(i.value for i in items))  # type: ignore[union-attr]
        return Seq(items, current.kind if isinstance(current, Seq) else "list")

    # -- assignment
    def assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            if isinstance(value, ModelValue) and value.model.name is None:
                value.model.name = name
            elif isinstance(value, DataValue):
                value = DataValue(value.data.renamed(name))
            frame.scope.bind(name, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = unpack(value, len(elements))
            for element, item in zip(elements, items):
                if isinstance(element, cst.StarredElement):
                    self.assign(element.value, UNKNOWN, frame)
                else:
                    self.assign(element.value, item, frame)
        elif isinstance(target, cst.Attribute):
            receiver = self.eval(target.value, frame)
            if isinstance(receiver, Instance):
                if isinstance(value, ModelValue) and value.model.name is None:
                    value.model.name = f"{_dotted(target.value) or 'self'}.{target.attr.value}"
                receiver.attrs[target.attr.value] = value
            else:
                owner = self._layer_owner(target.value, frame)
                keras_calls.set_attribute(self, receiver if owner is None else owner, target.attr.value, value, target)
        elif isinstance(target, cst.Subscript):
            self.eval(target.value, frame)
            for element in target.slice:
                if isinstance(element.slice, cst.Index):
                    self.eval(element.slice.value, frame)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, UNKNOWN, frame)

    def _layer_owner(self, node: cst.BaseExpression, frame: Frame) -> Value | None:
        """The model of ``model.layers[i]``, ``model.get_layer(...)`` or ``layer`` in ``for layer in model.layers[...]``
        (the builder does not index a model's layers)."""
        if isinstance(node, cst.Name):
            loop = self.loop
            while loop is not None and not (isinstance(loop.node, cst.For) and node.value in loop.target_names):
                loop = loop.parent
            if loop is None or not isinstance(loop.node.target, cst.Name):  # type: ignore[union-attr]
                return None
            node = loop.node.iter  # type: ignore[union-attr]
            node = node.value if isinstance(node, cst.Subscript) else node
            if not (isinstance(node, cst.Attribute) and node.attr.value == "layers"):
                return None
            owner = self.eval(node.value, frame)
        elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute) and node.value.attr.value == "layers":
            owner = self.eval(node.value.value, frame)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get_layer":
            owner = self.eval(node.func.value, frame)
        else:
            return None
        return owner if isinstance(owner, ModelValue) else None

    # ------------------------------------------------------------- expressions
    def eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        self.expr_depth += 1
        self._tick(255)
        try:
            if self.expr_depth > MAX_EXPRESSION_DEPTH:
                return UNKNOWN
            if not self.in_helper:
                self.top_of[node] = self.top_index
                if type(node) is cst.Call:  # rules report on a call's callee and arguments too
                    self.top_of[node.func] = self.top_index
                    for arg in node.args:
                        self.top_of[arg] = self.top_index
                elif isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                    comp = node.for_in
                    while comp is not None:
                        self.top_of[comp] = self.top_index
                        comp = comp.inner_for_in
            handler = _EVALUATORS.get(type(node))
            if handler is not None:
                return handler(self, node, frame)
            return UNKNOWN
        finally:
            self.expr_depth -= 1

    def eval_name(self, node: cst.Name, frame: Frame) -> Value:
        name = node.value
        if "version" in name or "VERSION" in name:
            self.version_names_seen += 1
        if name in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[name])
        value = frame.scope.lookup(name)
        if value is not None:
            if isinstance(value, Symbol):
                self._reference(value, node)
            return value
        if self.star_imports:
            resolved = star_lookup(self.star_imports, name)
            if resolved is not None:
                symbol = Symbol(resolved)
                self._reference(symbol, node)
                return symbol
        if self._opaque_star_imports():
            # ``from utils import *`` of a module kerassniff cannot read, in a script that imports Keras: a name
            # bound nowhere else and exported by Keras (Sequential, Dense, Softmax) is read as Keras's.
            resolved = star_lookup(list(IMPLICIT_STAR_MODULES), name)
            if resolved is not None:
                symbol = Symbol(resolved)
                self._reference(symbol, node)
                return symbol
        if self.implicit_imports and name in IMPLICIT_ALIASES:
            symbol = Symbol(IMPLICIT_ALIASES[name])
            self._reference(symbol, node)
            return symbol
        if name in BUILTINS:
            return Symbol(f"builtins.{name}")
        return UNKNOWN

    def _opaque_star_imports(self) -> bool:
        """A star import of a module that is neither Keras's nor a helper kerassniff read, in a Keras script."""
        if self.implicit_imports or not self.star_imports:
            return False
        if all(is_keras(canonical(module)) for module in self.star_imports):
            return False
        return any(raw.split(".")[0] in KERAS_ROOTS for raw in self.script.imports.values())

    def eval_attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        attribute = node.attr.value
        if "version" in attribute or "VERSION" in attribute:
            self.version_names_seen += 1
        if isinstance(base, Symbol):
            if cli_args.is_flag_values(base.name):  # from absl.flags import FLAGS; FLAGS.model
                return self.flag_values.defaults.get(attribute, UNKNOWN)
            symbol = base.attr(attribute)
            self._reference(symbol, node)
            if cli_args.is_flag_values(symbol.name):
                return Instance(symbol.name, CallArgs(), node, attrs=self.flag_values.defaults)
            return symbol
        if isinstance(base, Instance):
            if attribute in base.attrs:
                return base.attrs[attribute]
            if base.local_class is not None and attribute in base.local_class.methods:
                return _method_of(base.local_class.methods[attribute], base, base.local_class)
            return UNKNOWN
        if isinstance(base, ClassValue) and attribute in base.methods:  # LeNet.build(...): a static method
            return _method_of(base.methods[attribute], None, base)
        if isinstance(base, ModelValue):
            return keras_calls.model_attribute(self, base.model, attribute, node)
        if isinstance(base, ModuleValue):
            member = base.member(attribute)
            return member if member is not None else UNKNOWN
        if isinstance(base, DataValue):
            return data_calls.data_attribute(base.data, attribute, node)
        return UNKNOWN

    def eval_subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        indices: list[Value] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                indices.append(self.eval(element.slice.value, frame))
            else:
                sl = element.slice
                lower = self.eval(sl.lower, frame) if sl.lower is not None else Const(None)
                upper = self.eval(sl.upper, frame) if sl.upper is not None else Const(None)
                if sl.step is not None:
                    self.eval(sl.step, frame)
                indices.append(SliceValue(lower, upper))
        if len(indices) != 1:
            if isinstance(base, DataValue):
                return data_calls.subscript(self, base.data, indices, node)
            return UNKNOWN
        index = indices[0]
        if isinstance(base, Seq) and isinstance(index, Const) and isinstance(index.value, int):
            try:
                return base.items[index.value]
            except IndexError:
                return UNKNOWN
        if isinstance(base, Const) and isinstance(base.value, (tuple, str)) and isinstance(index, Const):
            try:
                return Const(base.value[index.value])
            except (IndexError, TypeError):
                return UNKNOWN
        if isinstance(base, DictValue) and isinstance(index, Const):
            return base.get(index.value) or UNKNOWN
        if isinstance(base, DataValue):
            return data_calls.subscript(self, base.data, indices, node)
        if isinstance(base, ShapeValue) and isinstance(index, Const) and index.value == 0:
            return LenValue(base.data)
        return UNKNOWN

    def eval_call(self, node: cst.Call, frame: Frame) -> Value:
        func = node.func
        args = self.eval_args(node.args, frame)
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value, frame)
            method = func.attr.value
            if isinstance(receiver, Symbol):
                callee = receiver.attr(method)
                self._reference(callee, func)
                result = self.call_value(callee, args, node, frame)
                self._record_call(node, callee.name, None, receiver, args)
                return self._track(result)
            if isinstance(receiver, ModuleValue):
                member = receiver.member(method)
                result = self.call_value(member, args, node, frame) if member is not None else UNKNOWN
                return self._track(result)
            if method in ("append", "extend", "insert") and isinstance(func.value, cst.Name) and is_list(receiver):
                added = args.positional[-1] if args.positional else UNKNOWN
                name = func.value.value
                owner = frame.scope.owner(name)
                if owner is not None and owner is not frame.scope:
                    # a list of an enclosing scope, grown by a function that may run any number of times
                    owner.vars[name] = self.grow_list(receiver, None, frame, listed(added) if method == "extend" else (added,))
                else:
                    frame.scope.bind(name, self.grow_list(receiver, (added,) if method != "extend" else listed(added), frame))
                self._record_call(node, None, method, receiver, args)
                return Const(None)
            result = self.call_method(receiver, method, args, node, frame)
            self._record_call(node, None, method, receiver, args)
            return result
        callee = self.eval(func, frame)
        result = self.call_value(callee, args, node, frame)
        self._record_call(node, callee.name if isinstance(callee, Symbol) else None, None, callee, args)
        return self._track(result)

    def _track(self, value: Value) -> Value:
        """Register every model the script creates, once."""
        if isinstance(value, ModelValue) and id(value.model) not in self._models:
            self._models.add(id(value.model))
            self.script.models.append(value.model)
        return value

    def eval_args(self, args, frame: Frame) -> CallArgs:
        positional: list[Value] = []
        keywords: list[tuple[str, Value]] = []
        for arg in args:
            value = self.eval(arg.value, frame)
            if arg.star == "*":
                positional.extend(seq_items(value) if isinstance(value, Seq) else (UNKNOWN,))
            elif arg.star == "**":
                if isinstance(value, DictValue):
                    keywords.extend((k.value, v) for k, v in value.items if isinstance(k, Const) and isinstance(k.value, str))
            elif arg.keyword is not None:
                keywords.append((arg.keyword.value, value))
            else:
                positional.append(value)
        return CallArgs(tuple(positional), tuple(keywords), tuple(args))

    def call_value(self, callee: Value, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if isinstance(callee, PartialValue):
            return self.call_value(callee.func, callee.applied(args), node, frame)
        if isinstance(callee, Symbol):
            return self.call_library(callee, args, node, frame)
        if isinstance(callee, BoundMethod):
            return self.call_function(callee.function, args, node, self_value=callee.self_value)
        if isinstance(callee, FunctionValue):
            return self.call_function(callee, args, node)
        if isinstance(callee, ClassValue):
            return self.instantiate(callee, args, node)
        return keras_calls.call_object(self, callee, args, node)

    def call_library(self, callee: Symbol, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        name = callee.name
        if name.startswith("builtins."):
            return self.call_builtin(name[9:], args, node)
        if cli_args.is_flag_definition(name):
            cli_args.define_flag(self.flag_values, args)
            return UNKNOWN
        if name == "functools.partial" and args.positional:
            return PartialValue(args.positional[0], CallArgs(args.positional[1:], args.keywords,
                                                             tuple(a for a in args.nodes[1:] if not a.star)))
        if name in ("os.path.join", "posixpath.join"):
            parts = [a.value for a in args.positional if isinstance(a, Const) and isinstance(a.value, str)]
            if len(parts) == len(args.positional) and parts:
                import posixpath

                return Const(posixpath.join(*parts))
            return UNKNOWN
        result = keras_calls.call_keras(self, name, args, node)
        if result is not None:
            return result
        result = data_calls.call_library(self, name, args, node)
        if result is not None:
            return result
        last = name.rsplit(".", 1)[-1]
        if last[:1].isupper() or name in cli_args.CLICK_OPTIONS:
            return Instance(name, args, node)
        return UNKNOWN

    def call_method(self, receiver: Value, method: str, args: CallArgs, node: cst.Call, frame: Frame) -> Value:
        if isinstance(receiver, ModelValue):
            return keras_calls.model_method(self, receiver.model, method, args, node)
        if isinstance(receiver, ClassValue) and method in receiver.methods:  # LeNet.build(...): a static method
            return self.call_value(_method_of(receiver.methods[method], None, receiver), args, node, frame)
        if isinstance(receiver, Instance):
            if receiver.local_class is not None:
                function = receiver.local_class.methods.get(method)
                if function is not None:
                    return self.call_value(_method_of(function, receiver, receiver.local_class), args, node, frame)
                model = receiver.attrs.get("__model__")
                if isinstance(model, ModelValue):
                    return keras_calls.model_method(self, model.model, method, args, node)
                return UNKNOWN
            parsed = cli_args.parser_method(receiver, method, args)
            if parsed is not None:
                return parsed
            return data_calls.instance_method(self, receiver, method, args, node)
        if isinstance(receiver, DataValue):
            return data_calls.data_method(self, receiver.data, method, args, node)
        if isinstance(receiver, ClassValue):  # LeNet.build(...): a @staticmethod of a script class
            function = receiver.methods.get(method)
            if function is not None and _is_staticmethod(function):
                return self.call_function(function, args, node)
            return UNKNOWN
        if isinstance(receiver, Const) and isinstance(receiver.value, str):
            return UNKNOWN
        return UNKNOWN

    def call_builtin(self, name: str, args: CallArgs, node: cst.Call) -> Value:
        first = args.positional[0] if args.positional else UNKNOWN
        if name == "len":
            if isinstance(first, Seq):
                return Const(len(first.items))
            if isinstance(first, ComprehensionValue):
                return UNKNOWN if first.length is None else Const(first.length)
            if isinstance(first, Const) and isinstance(first.value, (tuple, str)):
                return Const(len(first.value))
            if isinstance(first, DataValue):
                n = first.data.n_samples
                return LenValue(first.data) if n is None else KnownLen(n, first.data)
            return UNKNOWN
        if name == "range":
            return range_value(args)
        if name in ("zip", "enumerate"):
            return ZipValue(tuple(args.positional), enumerate=name == "enumerate")
        if name in ("int", "round") and args.positional:
            value = first
            if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
                try:
                    return Const(int(round(value.value)) if name == "round" else int(value.value))
                except (OverflowError, ValueError):  # int(float('inf')), round(nan)
                    return UNKNOWN
            return UNKNOWN
        if name == "float" and isinstance(first, Const) and isinstance(first.value, (int, float, str)):
            try:
                return Const(float(first.value))
            except ValueError:
                return UNKNOWN
        if name in ("list", "tuple") and isinstance(first, (Seq, DataValue)):
            return first
        if name in ("min", "max") and args.positional and all(isinstance(a, Const) for a in args.positional):
            try:
                return Const((min if name == "min" else max)(a.value for a in args.positional))  # type: ignore[union-attr]
            except (TypeError, ValueError):
                return UNKNOWN
        return UNKNOWN

    # -- calling user code
    def call_function(self, function: FunctionValue, args: CallArgs, node: cst.Call | None,
                      self_value: Value | None = None) -> Value:
        key = id(function.node)
        self.called.add(key)
        if key in self.active or self.depth >= MAX_CALL_DEPTH or self.call_counts[key] >= MAX_CALLS_PER_FUNCTION:
            return UNKNOWN
        self.call_counts[key] += 1
        self.active.add(key)
        self.depth += 1
        caller_top, self.top_index = self.top_index, function.top
        try:
            scope = Scope(function.scope)
            frame = Frame(scope, self_value=self_value)
            self._bind_parameters(function, args, frame, self_value)
            if isinstance(function.node, cst.Lambda):
                return self.eval(function.node.body, frame)
            self.exec_suite(function.node.body, frame)
        finally:
            self.depth -= 1
            self.active.discard(key)
            self.top_index = caller_top
        known = [r for r in frame.returns if not isinstance(r, Unknown)]
        if not frame.returns:
            return Const(None)
        return known[-1] if known else UNKNOWN

    def _bind_parameters(self, function: FunctionValue, args: CallArgs, frame: Frame, self_value: Value | None) -> None:
        params = function.node.params
        positional = list(params.posonly_params) + list(params.params)
        given = list(args.positional)
        if self_value is not None and positional:
            frame.scope.bind(positional[0].name.value, self_value)
            positional = positional[1:]
        keywords = dict(args.keywords)
        definition_frame = Frame(function.scope)
        for index, param in enumerate(positional):
            name = param.name.value
            if index < len(given):
                value = given[index]
            elif name in keywords:
                value = keywords[name]
            else:
                value = self._default(function, param, definition_frame)
            frame.scope.bind(name, value)
        for param in params.kwonly_params:
            name = param.name.value
            value = keywords[name] if name in keywords else self._default(function, param, definition_frame)
            frame.scope.bind(name, value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                frame.scope.bind(star.name.value, UNKNOWN)

    def _default(self, function: FunctionValue, param: cst.Param, definition_frame: Frame) -> Value:
        """A parameter's value when the call does not give it: its default, or a command-line option's."""
        if param.default is not None:
            return cli_args.parameter_default(self.eval(param.default, definition_frame))
        return function.option_defaults.get(param.name.value, UNKNOWN)

    def instantiate(self, cls: ClassValue, args: CallArgs, node: cst.Call) -> Value:
        if cls.is_keras_model:
            instance = Instance(cls=cls.node.name.value, args=args, node=node, local_class=cls)
            model = keras_calls.subclassed_model(cls, node, args)
            instance.attrs["__model__"] = ModelValue(model)
            init = cls.methods.get("__init__")
            if init is not None:
                self.call_function(init, args, node, self_value=instance)
            return ModelValue(model)
        instance = Instance(cls=cls.node.name.value, args=args, node=node, local_class=cls)
        init = cls.methods.get("__init__")
        if init is not None:
            self.call_function(init, args, node, self_value=instance)
        return instance

    # -- operators
    def binary(self, left: Value, op: str, right: Value, node: cst.CSTNode, frame: Frame) -> Value:
        if isinstance(left, (DataValue, data_calls.Statistic)) or isinstance(right, (DataValue, data_calls.Statistic)):
            return data_calls.arithmetic(self, left, op, right, node)
        if isinstance(left, Const) and isinstance(right, Const):
            function = BINOPS.get(getattr(cst, op, None))  # type: ignore[arg-type]
            if function is not None and cheap_to_fold(op, left.value, right.value):
                try:
                    result = function(left.value, right.value)
                except Exception:  # noqa: BLE001 - any failure of constant folding means "unknown"
                    return UNKNOWN
                if isinstance(result, (int, float, str, tuple)) and not (isinstance(result, str) and len(result) > 10_000):
                    return Const(result)
            return UNKNOWN
        if op == "Divide":
            return Unknown(division=node if isinstance(node, cst.BinaryOperation) else None)
        if op == "Add" and isinstance(left, Seq) and isinstance(right, Seq):
            return Seq(left.items + right.items, left.kind)
        return UNKNOWN

    # -- recording
    def _record_call(self, node: cst.Call, callee: str | None, method: str | None, receiver: Value, args: CallArgs) -> None:
        if self.in_helper:
            return
        model = receiver.model if isinstance(receiver, ModelValue) else None
        self._call_sites[id(node)] = CallSite(node, callee, method, receiver, args, model, guarded=self.guarded > 0)

    def _reference(self, symbol: Symbol, node: cst.CSTNode) -> None:
        if self.in_helper:
            return
        if id(node) not in self._references:
            self._references[id(node)] = Reference(symbol.raw, symbol.name, node, guarded=self.guarded > 0)


_EXIT_CALLS = frozenset({"sys.exit", "os._exit", "builtins.exit", "builtins.quit"})


def _method_of(function: FunctionValue, instance: Value | None, cls: ClassValue) -> Value:
    """A method read from an instance or from its class, bound as Python binds it.

    A static method binds nothing, a class method binds the class, a plain method binds the
    instance (read from the class, it is the plain function: ``Cls.method(obj, ...)``).
    """
    decorators = {d.decorator.value for d in function.node.decorators
                  if isinstance(function.node, cst.FunctionDef) and isinstance(d.decorator, cst.Name)}
    if "staticmethod" in decorators:
        return function
    if "classmethod" in decorators:
        return BoundMethod(function, cls)
    return function if instance is None else BoundMethod(function, instance)


def _imports_anything(statements) -> bool:
    """Whether any statement, at any depth, is an import (the snippet test of :meth:`Builder.build`)."""
    for statement in statements:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
                return True
            continue
        parts = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody")]
        parts += list(getattr(statement, "handlers", ())) + list(getattr(statement, "cases", ()))
        for part in parts:
            if isinstance(part, cst.If):
                part = cst.IndentedBlock(body=[part])
            elif isinstance(part, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)):
                part = part.body
            if isinstance(part, cst.IndentedBlock) and _imports_anything(part.body):
                return True
            if isinstance(part, cst.SimpleStatementSuite) and _imports_anything([part]):
                return True
    return False


_VERSION_WORDS = ("version", "hasattr(", "getattr(")
_MISSING_NAME_ERRORS = frozenset({"AttributeError", "ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def _is_version_check(module: cst.Module, test: cst.BaseExpression) -> int:
    """1 for ``if np.__version__ ...``, ``if sys.version_info ...``, ``if hasattr(np, "float_")``."""
    try:
        text = module.code_for_node(test)
    except Exception:  # noqa: BLE001
        return 0
    return int(len(text) < 300 and any(word in text for word in _VERSION_WORDS))


def _is_short(module: cst.Module, value: cst.BaseExpression) -> int:
    """1 for an expression short enough to be a flag (``int(keras.__version__[0]) > 1``), not a model definition.

    Walks at most ``_SHORT_NODES`` nodes; only asked after a name that says "version" was evaluated.
    """
    stack: list[cst.CSTNode] = [value]
    budget = _SHORT_NODES
    while stack:
        budget -= 1
        if not budget:
            return 0
        stack.extend(stack.pop().children)
    return 1


_SHORT_NODES = 300  # LibCST nodes, whitespace and punctuation included


def _catches_missing_names(module: cst.Module, handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    text = module.code_for_node(handler.type)
    return any(name in text for name in _MISSING_NAME_ERRORS)


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def _dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None



_EVALUATORS = {
    cst.Name: Builder.eval_name,
    cst.Attribute: Builder.eval_attribute,
    cst.Call: Builder.eval_call,
    cst.Subscript: Builder.eval_subscript,
    cst.Integer: eval_literal,
    cst.Float: eval_literal,
    cst.Imaginary: lambda b, n, f: UNKNOWN,
    cst.SimpleString: eval_literal,
    cst.ConcatenatedString: eval_concatenated,
    cst.FormattedString: eval_fstring,
    cst.UnaryOperation: eval_unary,
    cst.BinaryOperation: eval_binary,
    cst.Tuple: eval_sequence,
    cst.List: eval_sequence,
    cst.Set: eval_sequence,
    cst.Dict: eval_dict,
    cst.ListComp: eval_comprehension,
    cst.SetComp: eval_comprehension,
    cst.GeneratorExp: eval_comprehension,
    cst.DictComp: eval_comprehension,
    cst.Lambda: eval_lambda,
    cst.IfExp: eval_ifexp,
    cst.BooleanOperation: eval_boolean,
    cst.Comparison: eval_comparison,
    cst.NamedExpr: eval_named,
    cst.Await: eval_passthrough,
    cst.Yield: eval_passthrough,
    cst.StarredElement: eval_passthrough,
}



def build_script(module: cst.Module, path: str, deadline: float | None = None,
                 cells: list[tuple[int, int]] | None = None, text: str | None = None) -> Script:
    """The semantic model of one parsed script; raises :class:`AnalysisTimeout` past ``deadline``.

    ``cells`` maps each line of a notebook's joined code cells to (cell, line in cell); ``text`` is the source
    that was parsed (rules read comments from it without rendering the module again).
    """
    builder = Builder(module, path, deadline)
    builder.script.cells = cells
    builder.script.text = text
    script = builder.build()
    script.positions.locate(text, builder.top_of)
    return script


def _is_staticmethod(function: FunctionValue) -> bool:
    """A method called on its class with no instance: only a @staticmethod takes the arguments as written."""
    return isinstance(function.node, cst.FunctionDef) and any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod" for d in function.node.decorators)
