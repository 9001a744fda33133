"""The abstract values that stand for Keras objects while a script is interpreted: a layer, a symbolic tensor, a
model, a model's predictions, and what fit() returns (its History and the logged-quantity dict).

They hold the model's records (:mod:`kerassniff.semantic.models`) but are not part of them: the records are what
the rules read once the script has run; these are what the interpreter passes around while it runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import libcst as cst

from kerassniff.semantic.dataflow import Arm, DataValue, arms_exclude
from kerassniff.semantic.pyvalues import CallArgs, ClassValue, ComprehensionValue, Const, Unknown, Value

if TYPE_CHECKING:
    from kerassniff.semantic.layer_facts import Layer
    from kerassniff.semantic.models import FitCall, Model


@dataclass(eq=False)
class LayerValue(Value):
    layer: "Layer"


@dataclass(eq=False)
class TensorValue(Value):
    """A symbolic tensor of the functional API: the chain of layers that made it."""

    path: tuple["Layer", ...]
    complete: bool = True  # False when an unknown operation is in the chain
    source: "Model | None" = None  # base model when it is model.output
    shape: tuple | None = None  # keras.Input(shape=...): the per-sample input shape, when constant


@dataclass(eq=False)
class ModelValue(Value):
    model: "Model"
    # the models a name may hold instead (after an if that bound another model in each arm, ``if task == "classify":
    # model = ... else: model = ...``, or a loop left by break): in a later arm of the same condition the name holds
    # the model made in that arm (Evaluation.arm_model, by Model.created_branches); elsewhere a method called on it
    # runs on each (Calls._model_method), and Model.held_with says they are alternatives
    alternatives: tuple["Model", ...] = ()

    # where the name holds each of them: (id of a model, an arm of an if whose join made the alternatives), as the
    # arm a model was made in (Model.created_branches) says it for a model made there
    held_in: tuple[tuple[int, "Arm"], ...] = ()

    def alongside(self, other: "ModelValue", arms: "tuple[Arm, Arm] | None" = None) -> "ModelValue":
        """This model, with ``other``'s models (its own and its alternatives) kept as alternatives; ``arms``: the arms
        of the if whose join holds ``other`` in its first arm and this value in its second."""
        others = [model for model in (other.model, *other.alternatives, *self.alternatives) if model is not self.model]
        unique = tuple({id(model): model for model in others}.values())
        for model in (self.model, *unique):  # one name holds one of them: no run has two of them at once there
            model.held_with.update(id(other) for other in (self.model, *unique) if other is not model)
        held = [*self.held_in, *other.held_in]
        if arms is not None:
            held += [(id(model), arms[0]) for model in (other.model, *other.alternatives)]
            held += [(id(model), arms[1]) for model in (self.model, *self.alternatives)]
        return ModelValue(self.model, alternatives=unique, held_in=tuple(dict.fromkeys(held)))

    def held_under(self, branches: tuple["Arm", ...]) -> tuple[list["Model"], list["Model"]]:
        """Of this value's models (its own and its alternatives), those code running in the arms ``branches`` may meet
        (no arm the model was made or held in rules it out), and of those, the ones made or held in one of these
        arms."""
        placed = {id(model): set(model.created_branches) for model in (self.model, *self.alternatives)}
        for held, arm in self.held_in:
            placed.setdefault(held, set()).add(arm)
        arms = set(branches)
        allowed = [model for model in (self.model, *self.alternatives)
                   if not arms_exclude(tuple(placed[id(model)]), branches)]
        return allowed, [model for model in allowed if arms.intersection(placed[id(model)])]


@dataclass(unsafe_hash=True)
class LayerList(Unknown):
    """``model.layers``: a list of the model's layers, made anew on each read (Keras 3), so that changing it
    (``model.layers.pop()``) changes nothing of the model; its items are not followed (layers are read through
    the model)."""

    model: "Model | None" = field(default=None, compare=False, repr=False)
    whole: bool = True  # every layer of the model; False for a slice of the list (``model.layers[:-1]``)


@dataclass(unsafe_hash=True)
class CopiedLayer(Unknown):
    """One item of ``model.layers`` met in a loop (``for layer in vgg.layers: seq.add(layer)``): which layer it is
    is not followed, but a Sequential that adds each in turn holds the model's layers (``whole``) or some of them."""

    model: "Model | None" = field(default=None, compare=False, repr=False)
    whole: bool = True


@dataclass(unsafe_hash=True)
class Predictions(Unknown):
    """What calling a model on data gives (``model(x_batch)``, ``model.predict(x_test)``): unknown values, known to
    be this model's outputs, so that a loss called by hand on them in a training loop is paired with the model's
    output layer, and a score of them is known to score the predict() call ``call`` made them (they stay these
    predictions through np.argmax, a threshold, astype: knowledge/model_api.PREDICTION_KEEPING)."""

    model: "Model | None" = None
    call: "cst.Call | None" = field(default=None, compare=False, repr=False)
    # turned into class decisions: thresholded (pred > 0.5), rounded or argmax'd (a score of them is no ranking)
    decided: bool = False
    # given another shape (pred.reshape(users, items), pred.ravel()): its axes are no longer the model's
    reshaped: bool = False
    # one input's predictions (``pred[0]``, a loop's ``for p in pred``) of a model with one output (or of a model
    # loaded from a file, whose outputs are not known here: a reader checks the saved model's): its only axis is the
    # output's units
    row: bool = False
    # through a softmax or sigmoid written by the script (``tf.nn.softmax(pred[0])``): the same classes, in order;
    # which of the two
    squashed: str | None = None
    # each value mapped to another scale (``np.expm1(pred)`` of a model trained on log1p targets): still these
    # predictions for a score, no longer the output layer's values
    mapped: bool = False
    # one output unit of every input (``pred[:, 0]``): still these predictions for a score of their rows, but a
    # decision made of it (``pred[:, 0] > 0.5``) is that unit's yes or no, not a class id
    column: int | None = None

    def deciding(self) -> "Predictions":
        """These predictions made class decisions (``pred > 0.5``, ``np.round(pred)``, ``pred.argmax(axis=1)``)."""
        return self if self.decided else replace(self, decided=True)

    def reshaping(self) -> "Predictions":
        """These predictions in another shape (``pred.reshape(...)``, ``pred.ravel()``, ``np.squeeze(pred)``)."""
        return self if self.reshaped else replace(self, reshaped=True)

    def one_row(self) -> "Predictions | None":
        """One input's predictions (``pred[0]``, ``for p in pred``): known only for a model with one output, whose
        predictions are one array (a multi-output model's ``pred[0]`` is its first output's predictions, whole);
        None for a row of a row or of predictions whose shape changed.  A model loaded from a file, whose outputs
        are not known here, keeps the row: a check across scripts reads it only when the model that script saved
        has one output."""
        if self.row or self.reshaped or self.model is None:
            return None
        heads = self.model.heads()
        if len(heads) != 1 and not (self.model.kind == "loaded" and not heads):
            return None
        return replace(self, row=True)

    def one_value(self) -> "Predictions | None":
        """One value of one input's predictions (``pred[0][0]``, a 1-unit sigmoid's probability): still these
        predictions (``pred[0][0] > 0.5`` decides a class), no longer shaped as the model's output."""
        return None if not self.row or self.reshaped else replace(self, reshaped=True)


def positions_of_inputs(predictions: Predictions, function: str, args: CallArgs, axis_position: int) -> bool:
    """Whether a call of the predictions gives positions of inputs rather than their classes: ``np.where(pred > 0.5)``
    (one argument: the indices where it holds), an argmax over the inputs (``axis=0``, at ``axis_position`` when
    given by position), or the argmax of decisions already made (``np.argmax(labels == 0)``: the first such input)."""
    if function == "where":
        return len(args.positional) == 1 and not args.keywords
    if function != "argmax":
        return False
    axis = args.get("axis", axis_position)
    return predictions.decided or (type(axis) is Const and axis.value == 0)


@dataclass(unsafe_hash=True)
class Agreement(Predictions):
    """Predictions compared one by one with other values (``pred == y_test``, ``tf.equal(pred, labels)``): the
    start of a score written by hand (``np.mean(pred == y_test)``, ``(pred == y).sum() / len(y)``).  Still these
    predictions (kept through astype/cast as they are), with what they were compared with: ``labels``."""

    labels: Value = field(default=None, compare=False, repr=False)  # type: ignore[assignment]


def agreement(left: Value, right: Value) -> "Agreement | None":
    """``left == right`` when one side is a model's predictions and the other an array or a list gathered by a
    comprehension (labels): the two compared element by element.  Not against a constant or anything unknown
    (``pred == 3``, ``pred == k`` in a loop over classes counts one class's predictions: no score)."""
    for predictions, other in ((left, right), (right, left)):
        if isinstance(predictions, Predictions) and isinstance(other, (DataValue, ComprehensionValue)):
            return Agreement(model=predictions.model, call=predictions.call, labels=other)
    return None


@dataclass(eq=False)
class HistoryValue(Value):
    """What ``model.fit()`` returns (a History): its ``.history`` is the dict of logged metrics."""
    fit: "FitCall"


@dataclass(eq=False)
class HistoryLog(Value):
    """The dict of the quantities a fit() logs, read by key: ``history.history`` after that fit (``fit``), or the
    ``logs`` a callback class of the script receives at the end of each epoch (``callback``)."""
    fit: "FitCall | None" = None
    callback: "ClassValue | None" = None
