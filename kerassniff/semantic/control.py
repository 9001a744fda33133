"""The interpreter's control flow: if, try, with, match and loops.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`.  A condition that folds to a
constant takes one branch; otherwise both run and the names they bind are merged.  A loop over a
short known sequence runs its body once per item; any other loop runs its body once for all its
iterations, and conditions on names the body changes are then not decided.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable
from dataclasses import replace

import libcst as cst

from kerassniff.semantic import data_calls
from kerassniff.semantic.conditions import arms_of
from kerassniff.semantic.dataflow import Arm
from kerassniff.semantic.keras_calls import model_files_written
from kerassniff.semantic.library.sequences import one_batch
from kerassniff.semantic.expressions import target_names
from kerassniff.semantic.folding import MAX_UNROLL, merge, range_count, sample_of_list, truth
from kerassniff.semantic.knowledge.arrays import IN_PLACE_SCALING
from kerassniff.semantic.frames import BREAK, CONTINUE, EXIT, Flow, Frame, weakest
from kerassniff.semantic.guards import (
    catches_missing_names,
    guards_its_body,
    is_main_guard,
    is_version_check,
    is_version_check_in_code,
)
from kerassniff.semantic.syntax import assigned_names, names_read
from kerassniff.semantic.in_place import changed_in_place
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.values import (
    UNKNOWN,
    ComprehensionValue,
    Const,
    CopiedLayer,
    DataValue,
    DictValue,
    IndexOf,
    Instance,
    ItemsOf,
    KnobConst,
    LayerList,
    Predictions,
    RangeValue,
    Seq,
    Strings,
    Value,
    VersionFlag,
    ZipValue,
)


# Context managers whose body a test or a guard runs for its failure (by their last name): it is expected to raise
# (pytest.raises, assertRaises) or warn (pytest.warns), or its exceptions are ignored (contextlib.suppress).
EXPECTED_FAILURE_CONTEXTS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "suppress", "warns"})


def _last_name(func: cst.BaseExpression) -> str | None:
    return func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else None


class ControlFlow:
    """Branches, exceptions and loops."""

    @contextmanager
    def guarding(self, active: int):
        """Code inside a version check or under ``except ImportError``: it copes with missing names."""
        self.guarded += active
        try:
            yield
        finally:
            self.guarded -= active

    def exec_try(self, node: cst.Try | cst.TryStar, frame: Frame) -> Flow:
        fallbacks = [self.is_guard(handler, catches_missing_names) for handler in node.handlers]
        self.trying += bool(node.handlers)
        try:
            with self.guarding(self.is_guard(node, guards_its_body)):
                flow = self.exec_suite(node.body, frame)
        finally:
            self.trying -= bool(node.handlers)
        flows = []
        for handler, fallback in zip(node.handlers, fallbacks):
            if handler.type is not None:
                self.eval(handler.type, frame)
            if handler.name is not None and type(handler.name.name) is cst.Name:
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

    def exec_with(self, node: cst.With, frame: Frame) -> Flow:
        for item in node.items:
            value = self.eval(item.item, frame)
            if item.asname is not None:
                self.assign(item.asname.name, value, frame)
        # ``with pytest.raises(ValueError):``, ``with contextlib.suppress(OSError):``: the body is expected to fail,
        # as a try body may (its calls are probes)
        probing = any(type(item.item) is cst.Call and _last_name(item.item.func) in EXPECTED_FAILURE_CONTEXTS
                      for item in node.items)
        self.trying += probing
        try:
            return self.exec_suite(node.body, frame)
        finally:
            self.trying -= probing

    def exec_match(self, node: cst.Match, frame: Frame) -> Flow:
        self.eval(node.subject, frame)
        for case in node.cases:
            self.exec_suite(case.body, frame)
        return None

    # -- if
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
        guard = int(isinstance(test, VersionFlag)) or self._tests_version(node.test)
        knob = self.is_knob(node.test, frame)
        taken = None if guard or knob or self.varies_in_loop(node.test, frame) else truth(test)
        if taken is None and node.orelse is None and is_main_guard(node.test):
            # the script run as a program: its main block runs (a helper module, imported, binds its own __name__
            # and skips it); with an else arm, or tested the other way, the file may be served by importing it,
            # and both arms stay possible
            taken = True
        if taken is True:
            return self.exec_suite(node.body, frame)
        if taken is False:
            return self._exec_else(node.orelse, frame)
        # Only one arm runs, unless the test may change between the iterations of a loop around it (then each may
        # run, in turn): a version check and a switch set by hand do not, nor any test outside loops.
        outer, arms = self.branches, bool(guard) or knob or self.loop is None
        body_arm, else_arm = arms_of(node, frame, self.own_unknowns) if arms else (None, None)
        with self.guarding(guard):
            before = dict(frame.scope.vars)
            objects_before = self.registry.layer_counts()
            try:
                self.branches = (*outer, body_arm) if body_arm else outer
                body_flow = self.exec_suite(node.body, frame)
                after_body = frame.scope.vars
                objects_after_body = self.registry.layer_counts()
                frame.scope.vars = dict(before)
                self.branches = (*outer, else_arm) if else_arm else outer
                else_flow = self._exec_else(node.orelse, frame)
            finally:
                self.branches = outer
            after_else = frame.scope.vars
        self.registry.branches_joined(objects_before, objects_after_body)
        for flow, names in ((body_flow, after_body), (else_flow, after_else)):
            if flow in (BREAK, CONTINUE) and self.break_states:
                # what holds after the loop when this arm leaves it, or leaves the last pass (``if i == k: x_train =
                # x[tr]; continue``)
                self.break_states[-1].append(dict(names))
        return _join(frame, (body_flow, after_body), (else_flow, after_else), self.writes_file,
                     (body_arm, else_arm) if body_arm is not None else None)

    def writes_file(self, path: str) -> bool:
        """Whether the script writes a model to ``path`` anywhere in its text (``model.save(path)``, a checkpoint):
        read once, by syntax, since the write may come after the code being interpreted (a resume at the top)."""
        if self._written_files is None:
            self._written_files = model_files_written(self.script.module)
        return path in self._written_files

    def version_test(self, test: cst.BaseExpression, value: Value) -> int:
        """1 when a test (already evaluated to ``value``) checks a library's version or a name's presence."""
        return int(isinstance(value, VersionFlag)) or self._tests_version(test)

    def _tests_version(self, test: cst.BaseExpression) -> int:
        """Whether an if-test checks a library's version; a script whose text has none of the words such a
        check needs is not rendered test by test to look for them, and one whose comments have none renders only
        the tests whose names or strings do (a helper module's code is always rendered)."""
        if self.in_helper or self.script_comments_versions:  # a helper's text is not at hand, or a comment may
            # put a word into a test's text: every test is rendered
            return self.is_guard(test, is_version_check)
        if not self.script_mentions_versions:
            return 0
        return self.is_guard(test, is_version_check_in_code)

    def _exec_else(self, orelse: cst.If | cst.Else | None, frame: Frame) -> Flow:
        if type(orelse) is cst.If:
            return self.exec_if(orelse, frame)
        if type(orelse) is cst.Else:
            return self.exec_suite(orelse.body, frame)
        return None

    def is_knob(self, test: cst.BaseExpression, frame: Frame) -> bool:
        """Whether a condition reads a configuration knob (:class:`KnobConst`, see :meth:`exec_if`)."""
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            return self.is_knob(test.expression, frame)
        if type(test) is cst.BooleanOperation:
            return self.is_knob(test.left, frame) or self.is_knob(test.right, frame)
        if type(test) is cst.Comparison:
            return any(_holds_knob(part, frame) for part in [test.left, *(c.comparator for c in test.comparisons)])
        return _holds_knob(test, frame)

    # -- loops
    def exec_for(self, node: cst.For, frame: Frame) -> Flow:
        return self._leaving_by_break(self._exec_for, node, frame)

    def exec_while(self, node: cst.While, frame: Frame) -> Flow:
        return self._leaving_by_break(self._exec_while, node, frame)

    def _leaving_by_break(self, run: Callable[[Any, Frame], Flow], node: cst.For | cst.While, frame: Frame) -> Flow:
        """Run a loop and its ``else:``; then merge into the names after it those an arm of an undecided if left when
        it broke out of the loop, or out of a pass by ``continue`` (``for i, (tr, va) in enumerate(folds): if i == k:
        x_train = x[tr]; break``: after the loop the name holds the arm's value or the one from before, whichever the
        run took).  A break the
        interpreter takes for certain ends the loop with its own names, as they are, and skips the ``else:``; an
        ``else:`` that raises leaves the code after the loop to the breaks alone (``for ...: if ok: break`` then
        ``else: raise``).  ``run`` gives the loop's flow without its ``else:``, which runs here, outside the loop's
        own breaks (a break in it leaves the loop around this one)."""
        self.break_states.append([])
        try:
            flow = run(node, frame)
        finally:
            broken = self.break_states.pop()
        if flow == BREAK:
            flow = None
        elif flow != EXIT and node.orelse:
            flow = self.exec_suite(node.orelse.body, frame)
        if broken and flow == EXIT:
            frame.scope.vars, broken, flow = dict(broken[0]), broken[1:], None
        for names in broken:
            current = frame.scope.vars
            for name, value in names.items():
                held = current.get(name)
                if held is None:
                    current[name] = value
                elif held is not value:
                    current[name] = merge(value, held, self.writes_file)
        return flow

    def _exec_for(self, node: cst.For, frame: Frame) -> Flow:
        iterable = self.eval(node.iter, frame)
        items = self.unroll_items(iterable)
        targets = tuple(target_names(node.target))
        flow: Flow = None
        if items is not None:
            context = LoopContext(node, iterable, targets, True, self.loop, scope=id(frame.scope))
            for index, item in enumerate(items):
                context.round = index
                self.assign(node.target, item, frame)
                flow = self.with_loop(context, lambda: self.exec_suite(node.body, frame))
                if flow in (BREAK, EXIT):
                    break
        else:
            element, per_sample = self.element_of(iterable, node)
            context = LoopContext(node, iterable, targets, False, self.loop, per_sample, range_count(iterable),
                                  scope=id(frame.scope))
            self.assign(node.target, element, frame)
            bound = frame.scope.lookup(node.target.value) if type(node.target) is cst.Name else None
            self.with_loop(context, lambda: self.exec_loop_body(node.body, frame))
            ways = changed_in_place(node.body, node.target.value) if isinstance(iterable, ComprehensionValue) and \
                isinstance(element, DataValue) and type(node.iter) is cst.Name and type(node.target) is cst.Name \
                else frozenset()
            if ways:
                # ``for img in images: img /= 255.0``: the arrays in the list changed, as the name now holds them;
                # ``cv2.normalize(img, img, 0, 1, ...)`` may have rescaled them, by how much nothing here knows
                after = frame.scope.lookup(node.target.value)
                changed = after if after is not bound and isinstance(after, DataValue) else \
                    DataValue(element.data.with_step("scale", "?", node)) if ways & IN_PLACE_SCALING else None
                if changed is not None:
                    frame.scope.bind(node.iter.value, ComprehensionValue(changed, iterable.length))
        return flow if flow in (BREAK, EXIT) else None

    def _exec_while(self, node: cst.While, frame: Frame) -> Flow:
        self.eval(node.test, frame)
        self.with_loop(LoopContext(node, UNKNOWN, (), False, self.loop, scope=id(frame.scope)),
                       lambda: self.exec_loop_body(node.body, frame))
        return None

    def exec_loop_body(self, body: cst.BaseSuite, frame: Frame) -> None:
        """A loop body interpreted once for all its iterations (how often it runs is not known)."""
        saved = frame.loop_bodies
        frame.loop_bodies = (*saved, body)
        try:
            self.exec_suite(body, frame)
        finally:
            frame.loop_bodies = saved

    def varies_in_loop(self, test: cst.BaseExpression, frame: Frame) -> bool:
        """Whether a condition reads a name that a loop around it (interpreted once) changes.  The names a loop
        body assigns are looked for only when a condition inside it asks (most loop bodies have none)."""
        if not frame.loop_bodies:
            return False
        read = names_read(test)
        for body in frame.loop_bodies:
            assigned = self._loop_assigned.get(id(body))
            if assigned is None:
                assigned = self._loop_assigned[id(body)] = assigned_names(body)
            if not assigned.isdisjoint(read):
                return True
        return False

    def with_loop(self, context: LoopContext, body):
        saved = self.loop
        self.loop = context
        try:
            return body()
        finally:
            self.loop = saved

    @staticmethod
    def unroll_items(iterable: Value) -> list[Value] | None:
        """The items of a loop run once per item: a known sequence of at most ``MAX_UNROLL``."""
        if isinstance(iterable, Seq) and len(iterable.items) <= MAX_UNROLL:
            return list(iterable.items)
        if isinstance(iterable, Const) and isinstance(iterable.value, tuple) and len(iterable.value) <= MAX_UNROLL:
            return [Const(v) for v in iterable.value]
        if isinstance(iterable, RangeValue) and iterable.values is not None and len(iterable.values) <= MAX_UNROLL:
            return [Const(v) for v in iterable.values]
        if isinstance(iterable, ZipValue) and iterable.parts and not iterable.enumerate:
            # zip(models, names) of known lists: one tuple per position, as far as the shortest goes
            parts = [ControlFlow.unroll_items(part) for part in iterable.parts]
            if any(part is None for part in parts):
                return None
            return [Seq(tuple(part[index] for part in parts), "tuple") for index in range(min(map(len, parts)))]
        return None

    def element_of(self, iterable: Value, node: cst.CSTNode) -> tuple[Value, bool]:
        """The value of one loop item, and whether the loop walks array samples."""
        if isinstance(iterable, DataValue) and not iterable.data.batches:
            return DataValue(replace(iterable.data, is_sample=True, node=node)), True
        if isinstance(iterable, DataValue):  # a pipeline or flow: one batch, with its labels when it yields them
            return data_calls.batch_of(iterable.data, node, iterated=True), False
        if isinstance(iterable, LayerList):  # one of a model's layers: copied into a Sequential, they are its layers
            return CopiedLayer(model=iterable.model, whole=iterable.whole), False
        if isinstance(iterable, Predictions):  # a row of a model's predictions: still its predictions
            return (iterable.one_row() or iterable) if type(iterable) is Predictions else iterable, False
        if isinstance(iterable, RangeValue) and iterable.over is not None:
            return IndexOf(iterable.over, stride=iterable.stride), True
        if isinstance(iterable, ItemsOf):
            return iterable.item, False
        batch = one_batch(self, iterable, node, looped=True)  # type: ignore[arg-type]
        if batch is not None:  # ``for images, labels in sequence:`` of the script's own keras.utils.Sequence
            return batch, False
        if isinstance(iterable, ZipValue):
            elements = [self.element_of(v, node) for v in iterable.parts]
            per_sample = any(flag for _, flag in elements)
            if iterable.enumerate:  # (enumerate() of nothing is a TypeError when run: an unknown element)
                return Seq((UNKNOWN, elements[0][0] if elements else UNKNOWN), "tuple"), per_sample
            return Seq(tuple(v for v, _ in elements), "tuple"), per_sample
        if type(iterable) is ComprehensionValue and type(iterable.element) is Seq and any(
                isinstance(item, DataValue) and item.data.is_sample for item in iterable.element.items):
            # ``for image, label in pairs`` of ``pairs.append([image, label])``: each pair, an image read one by one
            return iterable.element, True
        if isinstance(iterable, Seq) and iterable.items and all(i == iterable.items[0] for i in iterable.items):
            return iterable.items[0], False
        if type(iterable) is Const and type(iterable.value) is tuple and iterable.value and \
                all(type(item) is str for item in iterable.value):
            # one of the strings of a constant list (class names, splits, the words of a sentence typed in the code:
            # "a fine film".split() folds to at most MAX_FOLDED_WORDS), a loop not unrolled binding each in turn
            return Strings(options=tuple(dict.fromkeys(iterable.value))), False
        sample = sample_of_list(iterable)  # a list of images read one by one: each is one such image
        if sample is not None:
            return sample, True  # (predict() on each: KS401's per-sample loop, the images in memory)
        return UNKNOWN, False


def _holds_knob(node: cst.BaseExpression, frame: Frame) -> bool:
    """``augment``, ``mode``, ``args.mode`` or ``options["mode"]`` (``options = vars(args)``) holding a knob's value
    (looked up, not evaluated again)."""
    value: Value | None = None
    if type(node) is cst.Name:
        value = frame.scope.lookup(node.value)
    elif type(node) is cst.Attribute and type(node.value) is cst.Name:
        base = frame.scope.lookup(node.value.value)
        if isinstance(base, Instance):
            value = base.attrs.get(node.attr.value)
    elif type(node) is cst.Subscript and type(node.value) is cst.Name and len(node.slice) == 1 and \
            type(node.slice[0].slice) is cst.Index and type(node.slice[0].slice.value) is cst.SimpleString:
        base = frame.scope.lookup(node.value.value)
        if isinstance(base, DictValue):
            value = base.get(node.slice[0].slice.value.evaluated_value)
    return isinstance(value, KnobConst)


def _join(frame: Frame, body: tuple[Flow, dict], orelse: tuple[Flow, dict], writes: Callable[[str], bool],
          arms: tuple[Arm, Arm] | None = None) -> Flow:
    """The names after an if whose two branches both ran: those of the branches that fall through, merged
    (``writes``: whether the script writes a model file of that name, for a reload beside a built model)."""
    (body_flow, after_body), (else_flow, after_else) = body, orelse
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
            merged[name] = merge(a, b, writes, arms)
    frame.scope.vars = merged
    return None
