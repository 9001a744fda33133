"""KS119 categorical-accuracy-of-flattened-labels: ``CategoricalAccuracy`` updated with flattened label arrays.

A multi-label evaluation loop written after a popular tutorial flattens each batch's labels and predictions
(``y_true.flatten()``, ``yhat.flatten()``) and feeds them to ``Precision``, ``Recall`` and ``CategoricalAccuracy``.
Precision and recall count each value; categorical accuracy takes one argmax over the whole flattened vector and
scores one 0/1 per batch: "is the single highest score of the batch on a positive label".  The number printed as
the model's accuracy measures nothing about the task.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.expressions import target_names
from kerassniff.semantic.syntax import assigned_names, walk_code
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.values import Const, Instance, Seq, Value, const_value, data_of

# Keras's categorical accuracy (class and function, by canonical name): an argmax over the last axis, which for a
# flat vector is the whole vector (checked on 3.15.1; the top-k ones raise on one axis: "predictions must be
# 2-dimensional").
_METRIC_CLASSES = frozenset({"keras.metrics.CategoricalAccuracy"})
_METRIC_FUNCTIONS = frozenset({"keras.metrics.categorical_accuracy"})
# Calls that flatten an array: methods, and library functions by canonical name.
_FLATTENING_METHODS = frozenset({"flatten", "ravel"})
_FLATTENING_FUNCTIONS = frozenset({"numpy.ravel", "keras.ops.ravel"})
_RESHAPES = frozenset({"numpy.reshape", "tensorflow.reshape", "keras.ops.reshape"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


@rule("KS119", "categorical-accuracy-of-flattened-labels", Severity.ERROR,
      "CategoricalAccuracy updated with flattened labels: one argmax over the whole batch, not an accuracy",
      "score each label with BinaryAccuracy() (multi-label), or pass the 2-D arrays unflattened (one class each)")
def check(script: Script):
    for call in script.calls:
        if call.method == "update_state" and isinstance(call.receiver, Instance) and \
                call.receiver.cls in _METRIC_CLASSES:
            name = call.receiver.cls.rsplit(".", 1)[-1]
        elif call.callee in _METRIC_FUNCTIONS:
            name = call.callee.rsplit(".", 1)[-1]  # type: ignore[union-attr]
        else:
            continue
        given = [call.args.node_of(keyword, position) for keyword, position in (("y_true", 0), ("y_pred", 1))]
        values = [call.args.get(keyword, position) for keyword, position in (("y_true", 0), ("y_pred", 1))]
        flat = [arg for arg in given if arg is not None and _flattened(script, arg.value, call.node)]
        if not flat or any(_one_sample(value) for value in values) or \
                any(arg is not None and _one_row(script, arg.value, call.node) for arg in given):
            continue  # (one input's row, flattened, is that row: a per-sample accuracy)
        shown = script.code_of(flat[0].value)
        yield Report(call.node, (
            f"{name} gets flattened labels ('{shown}'): one argmax over the whole batch, not an accuracy"),
            explanation=(f"{name} takes the argmax of each row's last axis. Flattened, a batch of labels is one row: "
                         f"the metric compares the position of the single highest score of the batch with that of "
                         f"the first positive label, one 0 or 1 per batch, whatever the model gets right. For "
                         f"several independent labels per input (sigmoid outputs), BinaryAccuracy() scores each "
                         f"label; for one class per input, pass the 2-D arrays as they are."),
            facts={"metric": name, "flattened": shown})


def _flattened(script: Script, expression: cst.BaseExpression, at: cst.Call) -> bool:
    """Whether an argument is a flattened array: a flattening call written there, or a name the nearest earlier
    assignment in the same function (or at the top level) binds to one."""
    if _flattening(script, expression):
        return True
    if type(expression) is not cst.Name:
        return False
    value = _last_assigned(script, expression.value, at)
    return value is not None and _flattening(script, value)


def _flattening(script: Script, node: cst.BaseExpression) -> bool:
    """A call that flattens an array: ``y.flatten()``, ``np.ravel(y)``, ``y.reshape(-1)``."""
    if type(node) is not cst.Call:
        return False
    site = script.call_at(node)
    if type(node.func) is cst.Attribute and node.func.attr.value in _FLATTENING_METHODS and \
            (site is None or site.callee is None):
        return True  # y.flatten(), y.ravel()
    if site is None:
        return False
    if site.callee in _FLATTENING_FUNCTIONS:
        return True
    if site.callee in _RESHAPES:
        return _minus_one(site.args.get("shape", 1) or site.args.get("newshape", 1))
    if site.callee is None and site.method == "reshape":
        return len(site.args.positional) == 1 and _minus_one(site.args.positional[0])
    return False


def _one_row(script: Script, expression: cst.BaseExpression, at: cst.Call) -> bool:
    """``y_test[i].ravel()``, or a name bound to one: one row of a 2-D array, picked by a single index."""
    if type(expression) is cst.Name:
        expression = _last_assigned(script, expression.value, at) or expression
    if type(expression) is not cst.Call or type(expression.func) is not cst.Attribute:
        return False
    picked = expression.func.value
    if type(picked) is not cst.Subscript or len(picked.slice) != 1:
        return False
    index = picked.slice[0].slice
    return type(index) is cst.Index or (type(index) is cst.Slice and _one_wide(index))


def _one_wide(index: cst.Slice) -> bool:
    """``[i:i + 1]``: a slice of one row."""
    upper = index.upper
    return index.lower is not None and type(upper) is cst.BinaryOperation and type(upper.operator) is cst.Add and \
        type(upper.right) is cst.Integer and upper.right.value == "1" and upper.left.deep_equals(index.lower)


def _one_sample(value: object) -> bool:
    """One input's labels or predictions (``y_test[i]``, ``model.predict(x[i:i + 1])[0]``): flattened, one row."""
    if isinstance(value, Predictions):
        return value.row
    data = data_of(value) if isinstance(value, Value) else None
    return data is not None and (data.is_sample or data.n_samples == 1)


def _minus_one(shape: object) -> bool:
    """``-1``, ``(-1,)`` or ``[-1]``: one axis of every value."""
    value = const_value(shape) if isinstance(shape, Const) else None
    if isinstance(shape, Seq) and len(shape.items) == 1:
        value = const_value(shape.items[0])
    return value == -1 or value == (-1,)


def _last_assigned(script: Script, name: str, at: cst.Call) -> cst.BaseExpression | None:
    """The value of the assignment to ``name`` that reaches the call: the nearest statement above it, in its own
    block or in a block around it, that binds the name.  None when that statement binds it otherwise (a ``for`` target,
    a ``with`` name, an augmented assignment) or in a nested block (an ``if`` arm: maybe not run), or nothing does."""
    for body, index, owner in reversed(_blocks_to(script.module, at)):
        for statement in reversed(body[:index]):
            bound = assigned_names(statement)
            if name not in bound:
                continue
            if type(statement) is cst.SimpleStatementLine and len(statement.body) == 1 and \
                    type(statement.body[0]) is cst.Assign:
                assign = statement.body[0]
                return next((value for target in assign.targets
                             for value in (_part_for(target.target, assign.value, name),) if value is not None), None)
            return None
        if type(owner) is cst.For and name in set(target_names(owner.target)):
            return None  # (the loop around the call binds it at each pass)
        if type(owner) in _SCOPES:
            return None  # (the function's parameters, or names bound outside it: not followed)
    return None


def _blocks_to(root: cst.CSTNode, at: cst.CSTNode) -> list[tuple[list[cst.CSTNode], int, cst.CSTNode]]:
    """The statement blocks around a node, outermost first: each block's statements, the index of the one that holds
    the node, and the statement that owns the block (the module, a function, a loop...)."""
    path: list[tuple[list[cst.CSTNode], int, cst.CSTNode]] = []
    owner: cst.CSTNode = root
    body = list(root.body) if type(root) is cst.Module else []
    while body:
        index = next((i for i, statement in enumerate(body)
                      if any(node is at for node in walk_code(statement))), None)
        if index is None:
            break
        path.append((body, index, owner))
        owner = body[index]
        inner = [block for block in _inner_blocks(owner) if any(node is at for node in walk_code(block))]
        body = list(inner[0].body) if inner and hasattr(inner[0], "body") else []
    return path


def _inner_blocks(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """The indented blocks a compound statement holds (an if's arms, a loop's body, a try's handlers...)."""
    return [node for node in walk_code(statement) if type(node) is cst.IndentedBlock and node is not statement and
            _directly_under(statement, node)]


def _directly_under(statement: cst.CSTNode, block: cst.CSTNode) -> bool:
    """Whether a block belongs to this statement, not to a statement nested in one of its blocks."""
    return not any(type(inner) is not cst.IndentedBlock and isinstance(inner, cst.BaseCompoundStatement) and
                   inner is not statement and any(node is block for node in walk_code(inner))
                   for inner in walk_code(statement))




def _part_for(target: cst.BaseExpression, value: cst.BaseExpression, name: str) -> cst.BaseExpression | None:
    """What an assignment gives one name: the whole value, or its own part of a tuple assigned to a tuple
    (``a, b = y.flatten(), p.flatten()``)."""
    if type(target) is cst.Name:
        return value if target.value == name else None
    if type(target) in (cst.Tuple, cst.List) and type(value) in (cst.Tuple, cst.List) and \
            len(target.elements) == len(value.elements):
        for element, part in zip(target.elements, value.elements):
            found = _part_for(element.value, part.value, name)
            if found is not None:
                return found
    return None
