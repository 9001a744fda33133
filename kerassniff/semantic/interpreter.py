"""Build the semantic model of a script in one pass over its LibCST tree.

The interpreter is a small abstract interpreter of Python.  It executes module-level code in
order, binds names to abstract values (:mod:`kerassniff.semantic.values`), interprets a
function's body where the function is called (so a model built in ``build_model()`` is linked to
the ``fit`` that follows), and afterwards interprets every function and method that was never
called, with unknown arguments, so that nothing in the file goes unseen.

It knows Python, not Keras.  The class is assembled from one mixin per part of the language:

- :mod:`~kerassniff.semantic.statements`: statements, assignments, definitions;
- :mod:`~kerassniff.semantic.control`: if, try, loops (see :meth:`ControlFlow.exec_if` for the
  conditions that keep both branches);
- :mod:`~kerassniff.semantic.imports`: imports, and helper modules beside the script;
- :mod:`~kerassniff.semantic.evaluation`: expressions (the rest are in :mod:`expressions`);
- :mod:`~kerassniff.semantic.calls`: calls of user code, builtins and libraries.

Python facts it follows: a condition that folds to a constant takes one branch; code after
``return``, ``raise`` or ``sys.exit()`` is unreachable; a list grown in a loop has an unknown
length; command-line defaults are known values (:mod:`kerassniff.semantic.cli_args`); a snippet
without any import reads Keras names as Keras.  What it cannot follow becomes :data:`UNKNOWN`;
rules stay silent on unknowns.  Library calls go to :mod:`keras_calls` and :mod:`data_calls`;
the Keras facts met at Python's seams (model registration and naming) to
:mod:`kerassniff.semantic.library.keras_models`.
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Callable

import libcst as cst

from kerassniff.semantic import cli_args, siblings
from kerassniff.semantic.calls import Calls
from kerassniff.semantic.class_blocks import FolderLoops
from kerassniff.semantic.dataflow import Arm
from kerassniff.semantic.control import ControlFlow
from kerassniff.semantic.evaluation import EVALUATORS, Evaluation
from kerassniff.semantic.frames import Frame, Scope
from kerassniff.semantic.argument_effects import ArgumentEffects
from kerassniff.semantic.assignments import Assignments
from kerassniff.semantic.attributes import Attributes
from kerassniff.semantic.guards import comments_mention_version_words, mentions_version_words
from kerassniff.semantic.in_place import OuterWrites
from kerassniff.semantic.imports import Imports, imports_anything
from kerassniff.semantic.library.keras_models import ModelRegistry, attach_model, hook_arguments
from kerassniff.semantic.names import IMPLICIT_STAR_MODULES
from kerassniff.semantic.script import Script
from kerassniff.semantic.statements import Statements, resolve_handlers
from kerassniff.semantic.summaries import Summaries
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.values import CallArgs, ClassValue, FunctionValue, Instance, ModelValue, ModuleValue, Unknown, Value


class AnalysisTimeout(Exception):
    """The file's analysis ran past its deadline (the per-file ``timeout``)."""


class Interpreter(Statements, Assignments, ControlFlow, Imports, Evaluation, Attributes, ArgumentEffects, Calls):
    """The abstract interpreter's state; the mixins hold its behaviour."""

    def __init__(self, module: cst.Module, path: str, deadline: float | None = None) -> None:
        self.script = Script(path=path, module=module)
        self.deadline = deadline  # time.monotonic() value; checked every few statements
        self._ticks = 0
        self.top_index: int | None = None  # the module-level statement that holds the code being interpreted
        self.defining_scopes: dict[int, Scope] = {}  # scopes a function was defined in (see release_scopes)
        self.module_scope = Scope()
        self.star_imports: list[str] = []
        self.implicit_imports = False  # a snippet without imports: Keras names are read as Keras
        self.script_mentions_versions = True  # whether the script's text has a word a version check needs
        self.script_comments_versions = True  # whether a comment in it may have one (see guards.is_version_check)
        self.version_names_seen = 0  # names containing "version" evaluated so far (version flags, see _knob)
        self.order = 0
        self.loop: LoopContext | None = None
        self.branches: tuple[Arm, ...] = ()  # the arms of the ifs interpreted both ways, around the code
        self.break_states: list[list[dict[str, Value]]] = []  # per loop being run: the names arms left it with by break
        self.own_unknowns: dict[int, Unknown] = {}  # unknown values flags' bindings hold as their own (conditions)
        self._arm_models: dict[tuple[int, ...], ModelValue] = {}  # the value a name holds in an arm, by its models' ids
        self.folder_loops = FolderLoops()  # loops over class folders, read once each (see append_run)
        self.lists_in_blocks = False  # whether a list was grown in runs (a call may then reorder it)
        self.depth = 0
        self.expr_depth = 0
        self.active: set[int] = set()  # function nodes being interpreted (no recursion)
        self.called: set[int] = set()
        self.summaries = Summaries()  # calls already interpreted, by function and abstract inputs
        self.call_counts: Counter[int] = Counter()
        self.literals: dict[int, Value] = {}  # id(literal node) -> its value
        self.functions: list[FunctionValue] = []
        self.classes: list[ClassValue] = []
        self.instances: dict[int, list[Instance]] = {}  # id(class node) -> the instances the script made of it
        self._written_files: frozenset[str] | None = None  # the model files the script writes (ControlFlow)
        self._changed: dict[int, dict[str, frozenset[str]]] = {}  # id(function node) -> parameters changed in place
        self._outer_writes: dict[int, OuterWrites] = {}  # id(function node) -> names of outer scopes it changes
        self._call_sites: dict[int, tuple] = {}  # id(call node) -> what calls.Calls._record_call records
        self._references: dict[int, tuple] = {}  # id(name node) -> (symbol, node, guarded, top_index)
        self.registry = ModelRegistry(self.script.models)
        self.helper_finder = siblings.HelperFinder(path)
        self.helper_modules: dict[str, ModuleValue | None] = {}  # path -> interpreted module (None while running)
        self.in_helper = 0  # > 0 while interpreting a helper module's code: its facts are not this file's
        self.guarded = 0  # > 0 inside a version check or a try that catches AttributeError/ImportError
        self.trying = 0  # > 0 inside the body of a try that has an except clause
        self._guards: dict[int, int] = {}  # if-tests and except clauses already classified
        self._loop_assigned: dict[int, frozenset[str]] = {}  # loop bodies: the names they change
        self.flag_values = cli_args.OptionTable()  # absl flags defined so far (one FLAGS object per process)

    # ------------------------------------------------------------------ driver
    def build(self) -> Script:
        self._check_deadline()  # parsing alone may have used up the time
        if not imports_anything(self.script.module.body):
            self.implicit_imports = True
            self.star_imports = list(IMPLICIT_STAR_MODULES)
        text = self.script.text
        self.script_mentions_versions = text is None or mentions_version_words(text)
        self.script_comments_versions = self.script_mentions_versions and (
            text is None or comments_mention_version_words(text))
        frame = Frame(self.module_scope)
        self.exec_block(self.script.module.body, frame, top=True)
        self._check_deadline()
        self._run_uncalled()
        self.script.calls = self.recorded_calls()
        self.script.references = self.recorded_references()
        self.script.classes = self.classes
        return self.script

    def defined_in(self, scope: Scope) -> Scope:
        """Note that a function (or lambda) is being defined in ``scope``: the two will refer to each other."""
        self.defining_scopes[id(scope)] = scope
        return scope

    def release_scopes(self) -> None:
        """Drop the names of every scope a function was defined in, and of the scopes around it.  A function refers
        to the scope it was defined in, which (or a scope around it) holds the function: that cycle kept the
        functions' code (much of the parse tree) alive until the garbage collector traced it.  Other scopes are
        freed as their call returns, and no reader of the finished model looks at a scope."""
        cleared: set[int] = set()
        for scope in self.defining_scopes.values():
            while scope is not None and id(scope) not in cleared:
                cleared.add(id(scope))
                scope.vars.clear()
                scope = scope.parent
        self.defining_scopes.clear()

    def _run_uncalled(self) -> None:
        """Interpret functions and methods nobody called, with unknown arguments; then the functions those defined
        (a metric function nested in a method nobody calls)."""
        index = classes = 0
        while index < len(self.functions) or classes < len(self.classes):
            while index < len(self.functions):
                function = self.functions[index]
                index += 1
                if id(function.node) not in self.called and not function.is_method:
                    self.call_function(function, CallArgs(), None)
            while classes < len(self.classes):
                cls = self.classes[classes]
                classes += 1
                pending = [m for m in cls.methods.values() if id(m.node) not in self.called]
                if pending:
                    self._run_methods(cls, pending)

    def _run_methods(self, cls: ClassValue, pending: list[FunctionValue]) -> None:
        """A class's methods nobody called (a GUI's button handler, a callback's hooks) run on the one instance the
        script made of it, with what its ``__init__`` stored (``self.model = model``); on a fresh instance when the
        script made none or several."""
        made = self.instances.get(id(cls.node), [])
        if len(made) == 1:
            for method in pending:
                if id(method.node) not in self.called:
                    self.call_function(method, hook_arguments(cls, method), None, self_value=made[0])
            return
        instance = Instance(cls=cls.node.name.value, args=CallArgs(), node=cls.node, local_class=cls)
        model = attach_model(instance, cls, cls.node, None)
        if model is not None:
            self.registry.track(ModelValue(model), self.loop)
        for method in pending:
            if id(method.node) not in self.called:
                self.call_function(method, hook_arguments(cls, method), None, self_value=instance)

    def _check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise AnalysisTimeout

    def tick(self) -> None:
        """Count a step (a statement, a call); look at the clock once every 32."""
        self._ticks += 1
        if not self._ticks & 31:
            self._check_deadline()

    def is_guard(self, node: cst.CSTNode, classify: Callable[[cst.Module, cst.CSTNode], int]) -> int:
        """Whether an if-test or except clause guards against a missing name; computed once per node."""
        known = self._guards.get(id(node))
        if known is None:
            known = self._guards[id(node)] = int(classify(self.script.module, node))
        return known

    def next_order(self) -> int:
        self.order += 1
        return self.order

    @staticmethod
    def evaluators() -> dict[type, Callable]:
        """The expression evaluators by node type (read-only use: library handlers evaluate through it)."""
        return EVALUATORS


resolve_handlers(Interpreter)


def build_script(module: cst.Module, path: str, deadline: float | None = None,
                 cells: list[tuple[int, int]] | None = None, text: str | None = None) -> Script:
    """The semantic model of one parsed script; raises :class:`AnalysisTimeout` past ``deadline``.

    ``cells`` maps each line of a notebook's joined code cells to (cell, line in cell); ``text`` is the source
    that was parsed (rules read comments from it without rendering the module again).
    """
    interpreter = Interpreter(module, path, deadline)
    interpreter.script.cells = cells
    interpreter.script.text = text
    script = interpreter.build()
    interpreter.release_scopes()
    script.positions.locate(text)
    return script
