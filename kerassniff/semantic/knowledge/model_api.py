"""The methods of a Keras model, by what calling them does (one set, read by the handlers and the rules)."""
from __future__ import annotations

FIT_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})
EVALUATE_METHODS = frozenset({"evaluate", "evaluate_generator", "test_on_batch"})
PREDICT_METHODS = frozenset({"predict", "predict_generator", "predict_on_batch", "predict_classes", "predict_proba"})
SAVE_METHODS = frozenset({"save", "save_weights", "load_weights", "export"})
# Keras 2's generator methods, removed in Keras 3, and the method that replaces each.
GENERATOR_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}
# The methods that take a whole data set (x, or a generator, with steps and batch sizes): the calls rules
# about steps and batches read, whether or not the receiver is known to be a model.
DATA_METHODS = frozenset({"fit", "evaluate", "predict"} | set(GENERATOR_METHODS))
# Functions that build a model from something other than layers: a file, a config, another model.
MODEL_LOADERS = frozenset({"keras.models.load_model", "keras.models.model_from_json", "keras.models.model_from_yaml",
                           "keras.models.clone_model"})
# ModelCheckpoint(filepath) writes the model to filepath unless save_weights_only=True.
CHECKPOINT_CALLBACKS = ("keras.callbacks.ModelCheckpoint",)
