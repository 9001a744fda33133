"""The Keras handlers the interpreter calls, by the names it has always used.

The handlers live in :mod:`kerassniff.semantic.library.keras` (layers, models, tensors) and
:mod:`kerassniff.semantic.library.keras_training` (what a model's methods record); they see the interpreter
only through :class:`kerassniff.semantic.effects.Effects`.
"""
from kerassniff.semantic.library.keras import call_keras, may_handle, model_attribute, subclassed_model
from kerassniff.semantic.library.keras_training import call_object, model_method, set_attribute

__all__ = ["call_keras", "call_object", "may_handle", "model_attribute", "model_method", "set_attribute",
           "subclassed_model"]
