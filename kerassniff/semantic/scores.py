"""The scores a script computes of a model's predictions against labels.

A score is a call of scikit-learn's scores and reports (``accuracy_score``, ``confusion_matrix``, ...), of
TensorFlow's confusion matrix or of a Keras metric object (``Accuracy()(y, pred)``, ``metric.update_state(y, pred)``),
or one written by hand: predictions compared with labels element by element
(:class:`~kerassniff.semantic.keras_values.Agreement`, made by ``==``, ``!=``, ``np.equal``, ``tf.equal``) and totalled
(``np.mean(pred == y_test)``, ``(pred == y).sum()``, ``tf.reduce_mean(tf.cast(...))``).  A comparison with something
that is not labels (another model's predictions, a file of earlier ones, cluster ids) is an agreement between
predictors, not a score.  Rules read :func:`scores`; they do not look at call shapes themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.knowledge.model_api import (HAND_SCORING_FUNCTIONS, HAND_SCORING_METHODS, METRIC_OBJECT_MODULE,
                                                    METRIC_OBJECT_SCORING_METHODS, SCORING_PREFIX)
from kerassniff.semantic.script import Script
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Agreement, ComprehensionValue, Instance, Value

# A score written by hand is named by its code when this short (``np.mean(pred == y_test)``).
_SHORT_SCORE = 40


@dataclass(unsafe_hash=True)
class Score:
    """One scoring call: its node, how a message names it, and the values it is given (for a score written by hand,
    the predictions and the labels they were compared with)."""

    node: cst.Call = field(repr=False)
    name: str  # "accuracy_score()", "np.mean(pred == y_test)"
    values: tuple[Value, ...] = field(repr=False)
    by_hand: bool = False


def scores(script: Script) -> list[Score]:
    """The script's scores of predictions against labels, in the order they were evaluated (computed once)."""
    return script.derived("scores", lambda: _scores(script))


def _scores(script: Script) -> list[Score]:
    label_groups: set[int] | None = None
    found = []
    for call in script.calls:
        if call.callee and call.callee.startswith(SCORING_PREFIX):
            found.append(Score(call.node, f"{call.callee.rsplit('.', 1)[-1]}()", _given(call)))
            continue
        metric = _metric_object(call)
        if metric is not None:
            found.append(Score(call.node, metric, _given(call)))
            continue
        compared = _totalled_agreement(call)
        if compared is None:
            continue
        if label_groups is None:
            label_groups = {event.data.group for event in script.data_events if event.role == "y"}
        if _labels_like(compared.labels, label_groups):
            text = script.code_of(call.node)
            found.append(Score(call.node, text if len(text) <= _SHORT_SCORE else "an accuracy computed by hand",
                               (compared, compared.labels), by_hand=True))
    return found


def _given(call: CallSite) -> tuple[Value, ...]:
    """Every value a call is given, by position or by keyword."""
    return (*call.args.positional, *(value for _, value in call.args.keywords))


def _metric_object(call: CallSite) -> str | None:
    """How a message names a Keras metric object a call gives labels and predictions to (``Accuracy()``, called or
    updated); None for any other call."""
    receiver = call.receiver
    if call.callee is not None or not isinstance(receiver, Instance) or \
            not receiver.cls.startswith(METRIC_OBJECT_MODULE) or len(call.args.positional) < 2 or \
            (call.method is not None and call.method not in METRIC_OBJECT_SCORING_METHODS):
        return None
    return f"{receiver.cls.rsplit('.', 1)[-1]}()"


def _totalled_agreement(call: CallSite) -> Agreement | None:
    """The comparison a call totals (``np.mean(pred == y)``, ``(pred == y).sum()``), if it totals one."""
    if call.callee is None:
        return call.receiver if call.method in HAND_SCORING_METHODS and isinstance(call.receiver, Agreement) else None
    if call.callee in HAND_SCORING_FUNCTIONS and call.args.positional and isinstance(call.args.positional[0], Agreement):
        return call.args.positional[0]
    return None


def _labels_like(value: Value, label_groups: set[int]) -> bool:
    """Whether what predictions are compared with is labels: an array made as labels (a dataset's, an encoder's, a
    flow's classes) or one that reaches a model as its targets."""
    data = data_of(value.element if isinstance(value, ComprehensionValue) else value)
    return data is not None and (data.role == "y" or data.group in label_groups)
