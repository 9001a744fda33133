"""The Keras handlers the interpreter calls, by the names it has always used.

The handlers live in :mod:`kerassniff.semantic.library.keras` (layers, models, tensors) and
:mod:`kerassniff.semantic.library.keras_training` (what a model's methods record); they see the interpreter
only through :class:`kerassniff.semantic.effects.Effects`.
"""
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.knowledge.model_api import is_keras_tuner
from kerassniff.semantic.library import keras
from kerassniff.semantic.library.keras import model_attribute, subclassed_model
from kerassniff.semantic.library.keras_training import call_object, model_method, set_attribute, tuner
from kerassniff.semantic.values import CallArgs, Value


def call_keras(effects: Effects, name: str, args: CallArgs, node) -> Value | None:
    """A Keras function or class called (a keras-tuner tuner too, which stands for its hypermodel's model)."""
    return tuner(effects, name, args, node) if is_keras_tuner(name) else keras.call_keras(effects, name, args, node)


def may_handle(name: str) -> bool:
    return is_keras_tuner(name) or keras.may_handle(name)


__all__ = ["call_keras", "call_object", "may_handle", "model_attribute", "model_method", "set_attribute",
           "subclassed_model"]
