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
from kerassniff.semantic.in_place import changed_in_place
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.values import CallArgs, Const, Instance, ModelValue, Seq, data_of

# Methods that train a model or give it weights (on any object: a custom loop's optimizer.apply_gradients(), a
# checkpoint's restore(), another model's set_weights()); one anywhere in the file leaves every model unjudged.
_GIVES_WEIGHTS = frozenset({"fit", "fit_generator", "train_on_batch", "apply_gradients", "minimize", "set_weights",
                            "load_weights", "restore", "restore_or_initialize", "train_step", "fit_on_batch",
                            "assign", "batch_set_value", "set_value"})
# A checkpoint's read() gives weights too (only on a checkpoint: every open file has a read()).
_CHECKPOINT_READS = frozenset({"read"})
# A training call written inside an IPython magic a script export keeps as a string
# (``get_ipython().run_cell_magic('time', '', 'model.fit(x, y)\n')``).
_MAGIC_TRAINING = re.compile(r"run_(?:cell|line)_magic\([^\n]*\.(?:fit|fit_generator|train_on_batch)\b")
# Layer arguments that give a layer weights the script chose (an embedding matrix, a constant initializer).
_GIVEN_WEIGHTS = frozenset({"weights", "embeddings_initializer", "kernel_initializer"})
# Library functions that read a model without changing its weights.
_READS_MODEL = ("keras.", "tensorflow.", "builtins.", "numpy.")
_INFERENCES = ("predict", "evaluate", "predict_classes", "predict_on_batch", "predict_proba")


@rule("KS233", "predict-with-untrained-model", Severity.ERROR,
      "predict() or evaluate() on a model built here that nothing trains or loads weights into",
      "load the trained model (keras.models.load_model) or its weights (model.load_weights) before predicting")
def check(script: Script):
    if _something_gives_weights(script):
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
                         f"{model.label} is built ({{built}}) from layers with weights, "
                         "and nothing in the file trains it (no fit(), no training loop) or gives it weights "
                         "(load_weights(), set_weights(), a checkpoint's restore()). Keras initialises those weights "
                         "at random, so its predictions are noise and a score is chance level. A prediction script "
                         "usually means to load the model the training script saved."),
                     facts={"method": inference.method}, mentions={"built": model.node})


def _something_gives_weights(script: Script) -> bool:
    """Whether anything in the file, or in a helper module it imports, may train a model or give it weights: such a
    call on any object but another library's (a scaler's fit()), a checkpoint's read(), a model a helper trained or
    filled (its calls are not the script's), or a training call inside an IPython magic's string."""
    for call in script.calls:
        if (call.method in _GIVES_WEIGHTS and not _other_library_object(call.receiver)) or \
                (call.method in _CHECKPOINT_READS and _is_checkpoint(call.receiver)) or \
                (call.callee is not None and call.callee.rsplit(".", 1)[-1] in _GIVES_WEIGHTS):  # K.set_value()
            return True
    if any(model.fits or model.loss_calls or model.reloaded_at or
           any(save.method == "load_weights" for save in model.saves) for model in script.models):
        return True
    return script.text is not None and _MAGIC_TRAINING.search(script.text) is not None


def _is_checkpoint(receiver) -> bool:
    return isinstance(receiver, Instance) and receiver.cls.rsplit(".", 1)[-1] in ("Checkpoint", "CheckpointManager")


def _untrained(model: Model) -> bool:
    """A Sequential or functional model built here, every layer known, with a layer that learns and was not given
    its weights, and no fit, no loss computed by hand, no weights loaded and no reload of a trained file."""
    return (model.kind in ("sequential", "functional") and model.complete and not model.fits and
            not model.loss_calls and not model.reloaded_at and model.origin is None and
            any(learns(layer) and not _given_weights(layer.args) for layer in model.all_layers()))


def _given_weights(args: CallArgs) -> bool:
    """A layer given its weights: ``Embedding(..., weights=[matrix])``, an initializer that is not a name of one
    (``kernel_initializer=Constant(matrix)``): the script chose them, the model may be meant to run as it is."""
    return any(key in _GIVEN_WEIGHTS and not (type(value) is Const and isinstance(value.value, str))
               for key, value in args.keywords)


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
    filled = name is not None and "item" in changed_in_place(script.module, name)
    return data.split is not None or filled
