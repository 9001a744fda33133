"""KS233 predict-with-untrained-model: predict() or evaluate() on a model nothing ever trains or gives weights.

A prediction or evaluation script that imports the function (or the module) that builds the network, instead of
loading the trained model, gets a fresh model with random weights: ``from model import model`` then
``model.predict(sample)``.  Nothing fails; the answers are those of random weights, and a score is chance level.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.layer_facts import learns
from kerassniff.semantic.models import InferenceCall, Model
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.values import Instance, ModelValue, Seq, data_of

# Methods that train a model or give it weights (on any object: a custom loop's optimizer.apply_gradients(), a
# checkpoint's restore(), another model's set_weights()); one anywhere in the file leaves every model unjudged.
_GIVES_WEIGHTS = frozenset({"fit", "fit_generator", "train_on_batch", "apply_gradients", "minimize", "set_weights",
                            "load_weights", "restore", "train_step", "fit_on_batch"})
# Library functions that read a model without changing its weights.
_READS_MODEL = ("keras.", "tensorflow.", "builtins.", "numpy.")
_INFERENCES = ("predict", "evaluate", "predict_classes", "predict_on_batch", "predict_proba")


@rule("KS233", "predict-with-untrained-model", Severity.ERROR,
      "predict() or evaluate() on a model built here that nothing trains or loads weights into",
      "load the trained model (keras.models.load_model) or its weights (model.load_weights) before predicting")
def check(script: Script):
    if any(call.method in _GIVES_WEIGHTS and not _other_library_object(call.receiver) for call in script.calls):
        return
    for model in script.models:
        if not _untrained(model) or _handed_away(script, model):
            continue
        inference = next((call for call in model.inferences
                          if call.method in _INFERENCES and _real_input(script, call)), None)
        if inference is None:
            continue
        yield Report(inference.node, f"{inference.method}() of {model.label}, which is never trained: random weights "
                                     "answer", explanation=(
                         f"{model.label} is built here (line {script.line_of(model.node)}) from layers with weights, "
                         "and nothing in the file trains it (no fit(), no training loop) or gives it weights "
                         "(load_weights(), set_weights(), a checkpoint's restore()). Keras initialises those weights "
                         "at random, so its predictions are noise and a score is chance level. A prediction script "
                         "usually means to load the model the training script saved."),
                     facts={"method": inference.method})


def _untrained(model: Model) -> bool:
    """A Sequential or functional model built here, every layer known, with a layer that learns, and no fit, no loss
    computed by hand, no weights loaded and no reload of a trained file."""
    return (model.kind in ("sequential", "functional") and model.complete and not model.fits and
            not model.loss_calls and not model.reloaded_at and model.origin is None and
            any(learns(layer) for layer in model.all_layers()))


def _handed_away(script: Script, model: Model) -> bool:
    """Whether the model is given to code that may train it: a function of a module kerassniff does not read
    (``train(model, data)``), a method of an unknown object (``trainer.train(model)``)."""
    for call in script.calls:
        values = (*call.args.positional, *(value for _, value in call.args.keywords))
        if not any(isinstance(value, ModelValue) and value.model is model for value in values):
            continue
        if call.callee is None or not call.callee.startswith(_READS_MODEL):
            return True
    return False


def _other_library_object(receiver) -> bool:
    """An object of another library (a scikit-learn scaler's fit()): it trains no Keras model."""
    return isinstance(receiver, Instance) and receiver.local_class is None and not receiver.cls.startswith(_READS_MODEL)


def _real_input(script: Script, inference: InferenceCall) -> bool:
    """Inputs read or written as data (or a list of such inputs, for a model of several), not a dummy batch that
    only tries the model's shapes: random numbers (``np.random.rand``), or an array of zeros (``np.zeros``,
    ``np.empty``) that is neither filled in afterwards (``x[i] = vector``: rows written one by one) nor split into
    training and test parts (a dataset built in a buffer)."""
    given = inference.args.node_of("x", 0)
    name = given.value.value if given is not None and type(given.value) is cst.Name else None
    values = inference.x.items if isinstance(inference.x, Seq) else (inference.x,)
    return any(_real_data(script, data_of(value), name) for value in values)


def _real_data(script: Script, data: Data | None, name: str | None) -> bool:
    if data is None:
        return False
    if data.source.kind != "generated":
        return True
    if data.source.description.startswith("np.random"):
        return False
    filled = name is not None and bool(re.search(rf"\b{re.escape(name)}\s*\[[^\]]*\]\s*=(?!=)", script.text or ""))
    return data.split is not None or filled
