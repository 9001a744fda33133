"""KS402's checks of how Keras 2 scripts spelled learning-rate settings that Keras 3 no longer takes: the attribute
``model.optimizer.lr``, ``epsilon=None``, and a ``LearningRateScheduler`` schedule that returns a tensor.

Keras 2 optimizers kept ``lr`` as another name of ``learning_rate``; Keras 3's have only ``learning_rate`` (checked
on 3.15.1): reading ``optimizer.lr`` raises AttributeError, and assigning it sets a
plain Python attribute that nothing reads, so the learning rate stays what it was built with, silently.  Hand-written
learning-rate callbacks do both (``K.set_value(self.model.optimizer.lr, rate)``, ``self.model.optimizer.lr = rate``).
Keras 2's time-based decay (``optimizer.decay``, ``initial_decay``), which "learning rate with decay" callbacks read,
has no attribute at all in Keras 3: a LearningRateSchedule holds it.

The receiver is read from the spelling ``<model>.optimizer.lr``, where ``<model>`` is a name the script bound a
model to or a callback's ``self.model`` (``cfg.optimizer.lr`` is a configuration setting).  The walk runs only on
scripts whose text holds that spelling; uses under ``try: ... except AttributeError`` or ``hasattr(...)`` tests
(statements or conditional expressions) are the script's own fallback and not reported.  A read through any other
name is judged by the value the name holds (Script.library_attribute_reads): a Keras 3 optimizer the script made
(``optimizer.lr`` in the learning-rate metric of ``get_lr_metric(optimizer)``).
"""
from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import REMOVED_OPTIMIZER_ATTRIBUTES
from kerassniff.semantic.guards import unguarded_attributes
from kerassniff.semantic.names import keras_relative
from kerassniff.semantic.syntax import assigned_names, code_children, sole_assignment
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const, FunctionValue, Instance, const_value

_SPELLINGS = tuple(f"optimizer.{old}" for old in REMOVED_OPTIMIZER_ATTRIBUTES)  # the text gate (substring tests)
_ATTRIBUTES = frozenset(REMOVED_OPTIMIZER_ATTRIBUTES)


def optimizer_attributes(script: Script) -> Iterator[Report]:
    """One report per ``<model>.optimizer.lr`` read or assignment outside the script's own fallbacks, and per read of
    a Keras 3 optimizer's missing attribute through any name that holds it (``optimizer.lr`` in the learning-rate
    metric of ``get_lr_metric(optimizer)``)."""
    reported = yield from _through_models(script)
    for read in script.library_attribute_reads.values():
        node, attribute = read.node, read.attribute
        if attribute in _ATTRIBUTES and not read.guarded and id(node) not in reported and \
                keras_3_optimizer(script, read.value):
            new = REMOVED_OPTIMIZER_ATTRIBUTES[attribute]
            holder = script.code_of(node.value)
            yield _renamed(node, holder, attribute, new, False) if new else _decay(node, holder, attribute, False)


def keras_3_optimizer(script: Script, value: object) -> bool:
    """An optimizer Keras 3 made: ``keras.optimizers.<Class>(...)`` (two dots: not a schedule of
    ``optimizers.schedules``), called by a name whose import path the script shows (``Adam``, ``tf.keras.optimizers.
    Adam``, an alias bound to one); not one of ``optimizers.legacy`` (however spelled: tf.keras 2.11-2.15 kept ``lr``
    there, and Keras 3 refuses to make them), nor a class of the script's own, nor one called through a value the
    path of which is not known (a dict of classes)."""
    if not isinstance(value, Instance) or value.local_class is not None or \
            not value.cls.startswith("keras.optimizers.") or value.cls.count(".") != 2 or \
            not isinstance(value.node, cst.Call):
        return False
    raw = script.raw_name(value.node.func)
    return raw is not None and ".legacy." not in raw  # (the raw path keeps the module the name was imported from)


def legacy_optimizer(script: Script, func: cst.BaseExpression) -> bool:
    """``tf.keras.optimizers.legacy.Adam`` spelled out, or ``Adam`` imported from an ``optimizers.legacy`` module."""
    if isinstance(func, cst.Attribute):
        return isinstance(func.value, cst.Attribute) and func.value.attr.value == "legacy"
    return isinstance(func, cst.Name) and ".optimizers.legacy." in script.imports.get(func.value, "")


def _through_models(script: Script):
    """The ``<model>.optimizer.lr`` spellings (found in the syntax: the model's optimizer is not followed as a value);
    returns the ids of the attribute nodes reported."""
    reported: set[int] = set()
    text = script.text if script.text is not None else script.module.code
    if not any(spelling in text for spelling in _SPELLINGS) or not _uses_keras(script):
        return reported
    models = {model.name for model in script.models if model.name}
    uses = list(unguarded_attributes(script.module, _ATTRIBUTES))
    # an optimizer class of the script that sets the attribute on itself (self.decay = decay) has it
    own = {use.node.attr.value for use in uses if use.assigned and type(use.node.value) is cst.Name and
           use.node.value.value == "self" and use.cls is not None and _optimizer_class(script, use.cls)}
    for use in uses:
        node, assigned = use.node, use.assigned
        if node.attr.value in own:
            continue
        if type(node.value) is not cst.Attribute or node.value.attr.value != "optimizer":
            continue
        holder = script.code_of(node.value)
        if not _a_model(script.code_of(node.value.value), models):  # type: ignore[attr-defined]
            continue  # cfg.optimizer.lr: a setting read from a configuration object, not a Keras optimizer
        old = node.attr.value
        new = REMOVED_OPTIMIZER_ATTRIBUTES[old]
        reported.add(id(node))
        yield _renamed(node, holder, old, new, assigned) if new else _decay(node, holder, old, assigned)
    return reported


def _renamed(node: cst.Attribute, holder: str, old: str, new: str, assigned: bool) -> Report:
    """``optimizer.lr``: Keras 3 spells it ``learning_rate`` (a safe rename)."""
    fix = safe_fix(f"rename .{old} to .{new}", node, node.with_changes(attr=cst.Name(new)))
    if assigned:
        return Report(node, f"setting {holder}.{old} is ignored by Keras 3: the learning rate stays as built",
                      f"assign {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                      explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'. Keras 3's have "
                                   f"only '{new}': assigning '{old}' stores a Python attribute that the "
                                   f"optimizer never reads, so training goes on at the rate it was built with "
                                   f"and nothing warns (checked on Keras 3.15.1)."),
                      facts={"attribute": old, "modern": new, "assigned": True})
    return Report(node, f"{holder}.{old} does not exist in Keras 3: AttributeError",
                  f"read {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                  explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'; Keras 3's have "
                               f"only '{new}', so this read stops the script with AttributeError (in a "
                               f"callback: when Keras first calls it). Keras 3's '{new}' is a variable: "
                               f"read it with float(...) or .numpy(), set it with .assign(value) or by "
                               f"assigning the attribute."),
                  facts={"attribute": old, "modern": new, "assigned": False})


_DECAY_HINT = ("build the optimizer with learning_rate=keras.optimizers.schedules.InverseTimeDecay(...) and read "
               "the current rate from {holder}.learning_rate")


_ASSIGNED_DECAY = "assigning it stores a Python attribute nothing reads, so no decay is applied"
_READ_DECAY = "reading it raises AttributeError (in a callback: when Keras first calls it)"


def _decay(node: cst.Attribute, holder: str, old: str, assigned: bool) -> Report:
    """``optimizer.decay``: Keras 2's time-based decay, which a Keras 3 optimizer has no attribute for."""
    explanation = (f"Keras 2 optimizers applied lr / (1 + decay * iterations) and kept '{old}' as an attribute "
                   f"(callbacks read it to log the decayed rate). Keras 3's have no '{old}' (checked on 3.15.1): "
                   f"{_ASSIGNED_DECAY if assigned else _READ_DECAY}. "
                   f"A Keras 3 optimizer decays its rate through a LearningRateSchedule given as learning_rate "
                   f"(InverseTimeDecay(rate, decay_steps=1, decay_rate=decay) is Keras 2's formula), and "
                   f"its learning_rate then reads the current rate.")
    if assigned:
        return Report(node, f"setting {holder}.{old} is ignored by Keras 3: the rate does not decay",
                      _DECAY_HINT.format(holder=holder), explanation=explanation,
                      facts={"attribute": old, "modern": None, "assigned": True})
    return Report(node, f"{holder}.{old} does not exist in Keras 3: AttributeError",
                  _DECAY_HINT.format(holder=holder), explanation=explanation,
                  facts={"attribute": old, "modern": None, "assigned": False})


def _optimizer_class(script: Script, cls: cst.ClassDef) -> bool:
    """A class of the script built on a Keras optimizer (``class MySGD(keras.optimizers.SGD)``)."""
    value = script.class_at(cls)
    return value is not None and any(base.startswith("keras.optimizers.") for base in value.bases)


def _a_model(receiver: str, models: set[str]) -> bool:
    """Whether ``receiver.optimizer`` is a Keras model's optimizer: a name the script bound a model to
    (``model``, ``self.discriminator``), or a callback's ``self.model`` (any ``<x>.model``)."""
    return receiver in models or receiver == "model" or receiver.endswith(".model")


def _uses_keras(script: Script) -> bool:
    """Whether the script imports Keras or TensorFlow (another library's ``trainer.optimizer.lr`` is not judged)."""
    return any(keras_relative(raw) is not None or raw.split(".", 1)[0] == "tensorflow"
               for raw in script.imports.values())


# Standalone Keras 2.1-2.2's optimizers took epsilon=None for the backend's fuzz factor (K.epsilon(), 1e-7 by default);
# Keras 3's keep the None and fail at the first training step (ValueError: None values not supported, checked on
# 3.15.1 for each of these).
EPSILON_OPTIMIZERS = frozenset({"Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta"})
KERAS_EPSILON = "1e-7"


def epsilon_none(script: Script, call: CallSite, name: str) -> Iterator[Report]:
    """``Adam(epsilon=None)``: the Keras 2.2 spelling of the default fuzz factor, which Keras 3 cannot use (at the
    first step: not for an optimizer bound to a name nothing reads, ``opt = Nadam(...)`` beside
    ``compile(optimizer="nadam")``, which never takes one)."""
    arg = call.args.node_of("epsilon")
    value = call.args.get("epsilon")
    if name not in EPSILON_OPTIMIZERS or arg is None or type(value) is not Const or value.value is not None or \
            script.result_never_read(call.node):
        return
    yield Report(arg, f"{name}(epsilon=None) fails in Keras 3 at the first step: ValueError",
                 f"drop epsilon=None or write epsilon={KERAS_EPSILON} (what None meant in Keras 2)",
                 safe_fix(f"write epsilon={KERAS_EPSILON}", arg, arg.with_changes(value=cst.Float(KERAS_EPSILON))),
                 explanation=("Standalone Keras 2.1-2.2 read epsilon=None as the backend's fuzz factor, K.epsilon() "
                              f"({KERAS_EPSILON} unless configured). Keras 3 keeps the None and the first training "
                              "step stops with ValueError: None values not supported."),
                 facts={"keyword": "epsilon", "optimizer": name})


# Callees whose result is a tensor, not a Python float: TensorFlow's operations and Keras 3's (keras.ops).
_TENSOR_CALLEES = ("tensorflow.", "keras.ops.")
# Calls that turn a tensor into a number.
_NUMBER_CALLEES = frozenset({"builtins.float", "builtins.int", "builtins.round", "numpy.float32", "numpy.float64",
                             "tensorflow.get_static_value"})


def schedule_returns_tensor(script: Script, call: CallSite) -> Iterator[Report]:
    """``LearningRateScheduler(schedule)`` whose schedule returns a TensorFlow or keras.ops tensor
    (``return lr * tf.math.exp(-0.1)``, TensorFlow's own tutorial schedule): Keras 3 raises ValueError ("The output of
    the `schedule` function should be a float") when it first uses that return; tf.keras 2 took the tensor."""
    schedule = call.args.get("schedule", 0)
    if not isinstance(schedule, FunctionValue):
        return
    node = schedule.node
    returned = [node.body] if type(node) is cst.Lambda else [
        statement.value for statement in _returns(node) if statement.value is not None]
    last_epoch = _last_epoch(script, call)
    for value in returned:
        tensor = _tensor_call(script, value, node)
        if tensor is None:
            continue
        first = _first_epoch(node, value)
        if first is not None and last_epoch is not None and first > last_epoch:
            continue  # the tutorial's `if epoch < 10: return lr` before a fit of fewer epochs: never reached
        if script.result_never_read(call.node):
            return  # (a callback bound to a name nothing reads never reaches a fit(): its schedule never runs)
        made_by = script.code_of(tensor.func)
        yield Report(value, f"the schedule returns a {made_by}() tensor: Keras 3's LearningRateScheduler raises "
                            f"ValueError", "return a Python float: float(...) around the expression",
                     safe_fix("wrap the returned value in float()", value,
                              cst.Call(cst.Name("float"), [cst.Arg(value.with_changes(lpar=[], rpar=[]))])),
                     explanation=(f"{made_by}() gives a tensor, so the schedule returns one. tf.keras 2's "
                                  f"LearningRateScheduler accepted it; Keras 3's checks that the schedule returns a "
                                  f"float and stops training with ValueError (The output of the `schedule` function "
                                  f"should be a float) at the first epoch that reaches this return (checked on "
                                  f"3.15.1). float() of the tensor is the same rate."),
                     facts={"callback": "LearningRateScheduler", "tensor": made_by})
        return


def _last_epoch(script: Script, scheduler: CallSite) -> int | None:
    """The last epoch (from 0) any fit() given this LearningRateScheduler runs, when each such fit() says its
    epochs= as a constant and starts at epoch 0; None when not known (or when no fit() is seen taking it)."""
    last = None
    for model in script.models:
        for fit in model.fits:
            if not any(isinstance(c, Instance) and c.node is scheduler.node for c in fit.callbacks):
                continue
            epochs = const_value(fit.epochs) if fit.epochs is not None else None
            if type(epochs) is not int or fit.args.get("initial_epoch") is not None or fit.repeat != 1 or \
                    fit.in_unknown_loop:
                return None
            last = max(last if last is not None else -1, epochs - 1)
    return last


def _first_epoch(function: cst.FunctionDef | cst.Lambda, value: cst.BaseExpression) -> int | None:
    """The first epoch at which a schedule reaches ``value``, when the ifs around it say (``if epoch < 10: return lr
    else: return <value>``, or the same ``if`` returning early before it: 10; ``if epoch >= 5:``: 5), reading its
    first parameter as the epoch (not when the schedule rebinds it); None if not known."""
    if type(function) is cst.Lambda or not function.params.params:
        return None
    epoch = function.params.params[0].name.value
    if epoch in assigned_names(function.body):
        return None  # epoch = epoch + offset: the comparisons no longer read the epoch fit() passes
    return _reached(function.body, value, epoch, 0)


def _reached(node: cst.CSTNode, value: cst.BaseExpression, epoch: str, floor: int) -> int | None:
    """The least epoch at which ``value`` inside ``node`` runs, given ``floor`` on entering it; None when not there."""
    if node is value:
        return floor
    kind = type(node)
    if kind in (cst.FunctionDef, cst.ClassDef, cst.Lambda):
        return None
    if kind is cst.If:
        bound = _epoch_bound(node.test, epoch) or (0, 0)  # (the floor in the body, the floor in the else)
        for part, least in ((node.test, floor), (node.body, max(floor, bound[0])),
                            (node.orelse, max(floor, bound[1]))):
            found = _reached(part, value, epoch, least) if part is not None else None
            if found is not None:
                return found
        return None
    if kind is cst.IndentedBlock:
        for statement in node.body:  # type: ignore[attr-defined]
            found = _reached(statement, value, epoch, floor)
            if found is not None:
                return found
            bound = _epoch_bound(statement.test, epoch) if type(statement) is cst.If and statement.orelse is None \
                and _returns_at_end(statement.body) else None
            if bound is not None:  # `if epoch < 10: return lr` then more: what follows runs from epoch 10
                floor = max(floor, bound[1])
        return None
    for child in code_children(node):
        found = _reached(child, value, epoch, floor)
        if found is not None:
            return found
    return None


def _returns_at_end(block: cst.BaseSuite) -> bool:
    """Whether a block's last statement is a return (so nothing after its ``if`` runs when it does)."""
    statements = block.body if type(block) is cst.IndentedBlock else [block]
    last = statements[-1] if statements else None
    if type(last) is cst.SimpleStatementLine:
        return type(last.body[-1]) is cst.Return
    if type(last) is cst.SimpleStatementSuite:
        return type(last.body[-1]) is cst.Return
    return False


def _epoch_bound(test: cst.BaseExpression, epoch: str) -> tuple[int, int] | None:
    """The least epoch on each side of ``if epoch < n`` (0 in the body, n in the else), ``epoch >= n`` (n, 0),
    ``epoch > n`` (n + 1, 0), ``epoch <= n`` (0, n + 1), for a constant whole n."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1 or type(test.left) is not cst.Name or \
            test.left.value != epoch or type(test.comparisons[0].comparator) is not cst.Integer:
        return None
    bound = int(test.comparisons[0].comparator.value)
    operator = type(test.comparisons[0].operator)
    return {cst.LessThan: (0, bound), cst.GreaterThanEqual: (bound, 0), cst.GreaterThan: (bound + 1, 0),
            cst.LessThanEqual: (0, bound + 1)}.get(operator)


def _returns(function: cst.FunctionDef) -> Iterator[cst.Return]:
    """The function's own return statements (not those of functions or classes defined inside it)."""
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if type(node) is cst.Return:
            yield node  # type: ignore[misc]
        elif type(node) not in (cst.FunctionDef, cst.ClassDef, cst.Lambda):
            stack.extend(code_children(node))


def _tensor_call(script: Script, value: cst.BaseExpression, function: cst.FunctionDef | cst.Lambda,
                 depth: int = 0) -> cst.Call | None:
    """The call that makes the returned value a tensor: the value is that call, or arithmetic or a conditional
    expression holding it (``lr * tf.math.exp(-0.1)``), or a local name the schedule binds once to such a value
    (``new_lr = lr * tf.math.exp(-0.1); return new_lr``); None when a number or not known."""
    kind = type(value)
    if depth > 20:
        return None
    if kind is cst.Name:
        bound = sole_assignment(function, value.value) if type(function) is cst.FunctionDef else None
        return _tensor_call(script, bound, function, depth + 1) if bound is not None else None
    if kind is cst.Call:
        site = script.call_at(value)
        callee = site.callee if site is not None else None
        return value if callee is not None and callee.startswith(_TENSOR_CALLEES) and \
            callee not in _NUMBER_CALLEES else None  # type: ignore[return-value]
    if kind is cst.BinaryOperation:
        return _tensor_call(script, value.left, function, depth + 1) or \
            _tensor_call(script, value.right, function, depth + 1)
    if kind is cst.UnaryOperation:
        return _tensor_call(script, value.expression, function, depth + 1)
    if kind is cst.IfExp:
        return _tensor_call(script, value.body, function, depth + 1) or \
            _tensor_call(script, value.orelse, function, depth + 1)
    return None

