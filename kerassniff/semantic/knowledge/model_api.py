"""The methods of a Keras model, by what calling them does (one set, read by the handlers and the rules), and the
Keras models other libraries of the Keras family build (KerasHub, KerasNLP, KerasCV)."""
from __future__ import annotations

import re
import string
from collections.abc import Iterable

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

# Keras models that the KerasHub family of libraries builds, pretrained or not: ``keras_hub.models.X(...)`` and
# ``keras_hub.models.X.from_preset(...)``.  Checked against keras-hub 0.32.0 and keras-nlp 0.32.0 (the same
# classes): every class of their ``models`` is a ``keras.Model`` subclass but the preprocessors, tokenizers and
# converters; and against keras-cv 0.9.0 (its last release): every class of ``keras_cv.models`` is one but the five
# below (Stable Diffusion's wrappers and parts of Segment Anything).
LIBRARY_MODEL_PACKAGES = ("keras_hub.models", "keras_nlp.models", "keras_cv.models")
LIBRARY_NOT_MODEL_SUFFIXES = ("Preprocessor", "Tokenizer", "Converter", "FeatureExtractor")  # the last: keras-nlp 0.12
KERAS_CV_NOT_MODELS = frozenset({"StableDiffusion", "StableDiffusionV2", "SAMMaskDecoder", "SAMPromptEncoder",
                                 "TwoWayTransformer"})
LIBRARY_MODEL_CONSTRUCTORS = frozenset({"from_preset"})


def library_model_class(name: str) -> str | None:
    """The class a call of ``name`` builds a library's Keras model of (``keras_hub.models.BertTextClassifier`` or
    its ``from_preset``), else None."""
    package, dot, rest = name.partition(".models.")
    if not dot or f"{package}.models" not in LIBRARY_MODEL_PACKAGES:
        return None
    parts = rest.split(".")
    if len(parts) == 2 and parts[1] in LIBRARY_MODEL_CONSTRUCTORS:
        parts = parts[:1]
    if len(parts) != 1 or not parts[0][:1].isupper():
        return None
    cls = parts[0]
    if cls.endswith(LIBRARY_NOT_MODEL_SUFFIXES) or (package == "keras_cv" and cls in KERAS_CV_NOT_MODELS):
        return None
    return cls


# A KerasHub classifier's output: ``Dense(num_classes, activation=activation)`` after the backbone, and its
# ``activation`` defaults to None, so it outputs logits (checked for every ``*Classifier`` of keras-hub 0.32.0 and
# keras-nlp 0.32.0: 28 take ``activation=None``, the two MobileNet ones take none and end in a plain Dense; also
# keras-nlp 0.12 and 0.14, keras-hub 0.16).  KerasCV's classifiers default to softmax and are not read.
KERAS_HUB_PACKAGES = ("keras_hub", "keras_nlp")  # KerasNLP 0.32 is KerasHub under its former name


def builtin_preset(preset: object) -> bool:
    """Whether ``from_preset(preset)`` names one of KerasHub's own presets (``"bert_base_en"``): a path or a
    ``kaggle://``/``hf://`` handle is a saved preset, which restores the configuration it was saved with."""
    return isinstance(preset, str) and bool(preset) and not any(mark in preset for mark in ("/", "\\", ":"))


def outputs_logits_unless_told(name: str) -> bool:
    """Whether a call of ``name`` builds a KerasHub classifier, whose head is linear unless ``activation=`` says."""
    model_class = library_model_class(name)
    return model_class is not None and model_class.endswith("Classifier") \
        and name.split(".")[0] in KERAS_HUB_PACKAGES


# KerasHub's tasks (the models that wrap a backbone for a job: keras_hub.models.Task) compile themselves when built
# (``compile=True``, the default): ``fit()`` may follow with no ``compile()`` in the script.  Checked for keras-hub
# 0.32.0: its 106 Task classes end in one of these, and no other model does (backbones and encoders do not).
SELF_COMPILING_TASK_SUFFIXES = ("Classifier", "CausalLM", "Seq2SeqLM", "MaskedLM", "MaskedPLM", "Segmenter",
                                "Detector", "Estimator", "TextToImage", "ImageToImage", "Inpaint", "Embedder",
                                "AudioToText", "Task")


def compiles_itself(name: str) -> bool:
    """Whether a call of ``name`` builds a KerasHub task, which compiles itself unless told ``compile=False``."""
    model_class = library_model_class(name)
    return model_class is not None and name.split(".")[0] in KERAS_HUB_PACKAGES \
        and model_class.endswith(SELF_COMPILING_TASK_SUFFIXES)

# The learning rate an optimizer starts at when none is given, for the optimizers whose default every Keras shares
# (standalone Keras 1 and 2, tf.keras 2, Keras 3.15.1: tests/test_library_claims.py checks the installed Keras); the
# others changed (Adagrad 0.01, Adamax and Nadam 0.002, Adadelta 1.0 in standalone Keras 2.3 and earlier).
DEFAULT_LEARNING_RATES = {"Adam": 0.001, "AdamW": 0.001, "RMSprop": 0.001, "SGD": 0.01}
# ReduceLROnPlateau's floor, min_lr= (keyword, or its place among the positional parameters; 0 when not given).
MIN_LR_POSITION = 7

# Callbacks that act on one logged quantity, ``monitor=`` (keyword, or the positional index given here), 'val_loss'
# when not given (Keras 2 and 3 alike).  ModelCheckpoint reads it only with save_best_only=True.
MONITOR_CALLBACKS = {"keras.callbacks.EarlyStopping": 0, "keras.callbacks.ModelCheckpoint": 1,
                     "keras.callbacks.ReduceLROnPlateau": 0}
DEFAULT_MONITOR = "val_loss"
# Callbacks that change what fit() does or keeps (when it stops, the weights kept, the learning rate, a saved best
# model): built and never given to fit(), the training silently runs without them.
TRAINING_CALLBACKS = frozenset({"keras.callbacks.EarlyStopping", "keras.callbacks.ModelCheckpoint",
                                "keras.callbacks.ReduceLROnPlateau", "keras.callbacks.LearningRateScheduler"})
# Calls that write a model file, by the name they are called by, with where the path is among their positional
# arguments (filepath= by keyword): model.save(p), keras.models.save_model(model, p), ModelCheckpoint(p).
MODEL_FILE_WRITERS = {"save": 0, "save_model": 1, "ModelCheckpoint": 0}
# Where mode= ("auto", "min" or "max") sits among each monitoring callback's positional parameters (Keras 3.15.1 and
# tf.keras 2 alike).
MODE_POSITION = {"keras.callbacks.EarlyStopping": 4, "keras.callbacks.ModelCheckpoint": 5,
                 "keras.callbacks.ReduceLROnPlateau": 4}
# Which way a logged quantity goes as the model improves ("up" or "down"), by the name it is logged under (after
# "val_"): the loss, the names Keras 3's metrics log (each metric's own _direction, checked on Keras 3.15.1) and the
# strings compile(metrics=[...]) logs as given ("acc", "mae", "MSE").  A name not here (a custom metric) is unknown, and
# so are the names a loss given as a metric logs the other way (keras.losses.cosine_similarity is the negated
# similarity, -1 for a perfect fit, under the same name as the metric's +1; the correlation metrics are left out with it,
# whose names a loss written to minimise them may share).
METRIC_DIRECTIONS = {
    **dict.fromkeys(("accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                     "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "auc", "precision", "recall",
                     "f1_score", "fbeta_score", "r2_score", "io_u", "mean_io_u", "binary_io_u", "one_hot_io_u",
                     "one_hot_mean_io_u"),
                    "up"),
    **dict.fromkeys(("loss", "mean_absolute_error", "mae", "MAE", "mean_squared_error", "mse", "MSE",
                     "mean_absolute_percentage_error", "mape", "MAPE", "mean_squared_logarithmic_error", "msle",
                     "MSLE", "root_mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
                     "sparse_categorical_crossentropy", "hinge", "squared_hinge", "categorical_hinge",
                     "kl_divergence", "poisson", "logcosh"), "down"),
}
# The position of callbacks= among fit()'s (fit_generator()'s) positional parameters; validation_split= and
# validation_data= come after it.
CALLBACKS_POSITION = {"fit": 5, "fit_generator": 4}
# The second positional parameter of tf.keras 2's and Keras 2's generator methods, a number of batches
# (fit_generator(gen, len(x) // 32)); Keras 1 counted samples there (samples_per_epoch, val_samples).
GENERATOR_STEPS_PARAMETER = {"fit_generator": "steps_per_epoch", "evaluate_generator": "steps",
                             "predict_generator": "steps"}
# The first positional parameters of the data methods, the same in Keras 2 and Keras 3 (checked on 3.15.1 with
# inspect.signature) and in Keras 1 (where fit's fourth was nb_epoch): fit(x, y, 32, 10) is batch_size=32, epochs=10.
POSITIONAL_PARAMETERS = {
    "fit": ("x", "y", "batch_size", "epochs"),
    "evaluate": ("x", "y", "batch_size"),
    "predict": ("x", "batch_size"),
}
# The spellings of a metric, each with the name standalone Keras <= 2.2 logged it under (its function's name; both
# accuracies as "acc"). tf.keras 2 and Keras 3 log a string metric under the string given: metrics=["accuracy"] logs
# "accuracy"/"val_accuracy", ["mae"] "mae", ["MAE"] "MAE" (checked on Keras 3.15.1).
METRIC_SPELLINGS = {
    "acc": "acc", "accuracy": "acc",
    **dict.fromkeys(("mae", "MAE", "mean_absolute_error"), "mean_absolute_error"),
    **dict.fromkeys(("mse", "MSE", "mean_squared_error"), "mean_squared_error"),
    **dict.fromkeys(("mape", "MAPE", "mean_absolute_percentage_error"), "mean_absolute_percentage_error"),
    **dict.fromkeys(("msle", "MSLE", "mean_squared_logarithmic_error"), "mean_squared_logarithmic_error"),
}


def function_metric_name(name: str) -> str | None:
    """The name fit() logs a metric function called ``name`` under, when every Keras says the same: Keras 3 (tf.keras
    in TensorFlow 2.16+ too) logs ``to_snake_case(fn.__name__)`` ('MAE' as 'mae', 'diceCoef' as 'dice_coef', checked
    on 3.15.1: keras.src.utils.naming.get_object_name), older tf.keras the name as written; None where they differ."""
    snake = re.sub(r"\W+", "", name)
    snake = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", snake)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", snake).lower()
    return name if snake == name else None


def other_spelling(name: str, compiled: Iterable[str]) -> str | None:
    """The compiled metric that ``name`` spells another way, under whose string fit() logs it (``'mae'`` for
    ``'mean_absolute_error'`` after ``metrics=['mae']``); None when ``name`` itself is compiled or no spelling of it
    is."""
    legacy = METRIC_SPELLINGS.get(name)
    if legacy is None or name in compiled:
        return None
    return next((other for other in compiled if METRIC_SPELLINGS.get(other) == legacy), None)
# Quantities Keras's own callbacks write into the epoch's logs, whatever compile() says: the learning rate
# (ReduceLROnPlateau and LearningRateScheduler: "learning_rate" in Keras 3.15.1, "lr" in tf.keras 2).
CALLBACK_LOGGED_KEYS = frozenset({"learning_rate", "lr"})

# keras-tuner's tuners (keras_tuner, formerly kerastuner): each builds models with its hypermodel, trains them with
# search(), which takes fit()'s arguments and keeps the trials that score best on its objective (val_... by
# validation_data), and get_best_models() returns them trained.
# Packages of scikit-learn-style wrappers whose fit() builds a new Keras model at each call (scikeras's
# KerasClassifier/KerasRegressor, warm_start=False by default): a fit() with Keras's validation arguments on one of
# them is not one model trained again.
REBUILDING_WRAPPER_PACKAGES = ("scikeras.",)
KERAS_TUNER_PACKAGES = frozenset({"keras_tuner", "kerastuner"})
KERAS_TUNERS = frozenset({"RandomSearch", "Hyperband", "BayesianOptimization", "GridSearch"})


def is_keras_tuner(name: str) -> bool:
    """``keras_tuner.RandomSearch``, ``kerastuner.tuners.Hyperband``: a tuner class of keras-tuner."""
    return name.split(".", 1)[0] in KERAS_TUNER_PACKAGES and name.rsplit(".", 1)[-1] in KERAS_TUNERS


# ModelCheckpoint formats its file name with ``filepath.format(epoch=..., **logs)`` at each save (``batch=`` too when
# save_freq is a number of batches): a field that is neither these nor a logged quantity raises KeyError ("Failed to
# format this callback filepath", Keras 3.15.1 and tf.keras 2 alike).
CHECKPOINT_NAME_FIELDS = frozenset({"epoch", "batch"})


def file_name_fields(template: str) -> list[str] | None:
    """The logged quantities a ModelCheckpoint file name reads, ``['val_acc']`` for ``'w-{epoch:02d}-{val_acc:.2f}.h5'``
    (the epoch and batch Keras fills itself left out); None when the name is not a format string Python can read or
    uses positional fields."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    fields: list[str] = []
    for _, field, _, _ in parsed:
        if field is None:
            continue
        key = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not key or key.isdigit():
            return None
        if key not in CHECKPOINT_NAME_FIELDS and key not in fields:
            fields.append(key)
    return fields


# The base class of Keras callbacks, and the hook Keras calls with the quantities an epoch logged (its ``logs``: the
# same names as History, ``val_`` ones included when fit() validates).
CALLBACK_BASES = frozenset({"keras.callbacks.Callback"})
EPOCH_LOG_HOOKS = frozenset({"on_epoch_end"})

# What keeps a model's predictions the same predictions for a score (np.argmax(pred, axis=1), pred.round(),
# (pred > 0.5).astype(int), pred.flatten()): NumPy/TensorFlow functions and array methods by name.
PREDICTION_KEEPING = frozenset({"argmax", "round", "rint", "squeeze", "ravel", "flatten", "reshape", "astype", "clip",
                                "asarray", "array", "where", "around", "cast", "numpy", "tolist", "exp", "expm1"})
# Of those, what maps each value to another scale (np.expm1(pred) of a model trained on log1p targets): the same
# predictions for a score, but no longer the output layer's values (a probability, a logit).
PREDICTION_MAPPING = frozenset({"exp", "expm1"})
# Methods of an object kerassniff does not know (an unpickled scaler or label encoder) that give a model's predictions
# back in the targets' units or as class names (``scaler.inverse_transform(pred)``): still those predictions.
PREDICTION_RETURNING_METHODS = frozenset({"inverse_transform"})
# Of those, what turns probabilities into class decisions (pred.round(), np.argmax(pred, axis=1)).
PREDICTION_DECIDING = frozenset({"argmax", "round", "rint", "around"})
# ... and what gives them another shape, so that their axes are no longer the model's output's.
PREDICTION_RESHAPING = frozenset({"reshape", "ravel", "flatten", "squeeze", "transpose"})
# Scores and reports of predictions against labels, by prefix: scikit-learn's (accuracy_score, confusion_matrix,
# ...) and TensorFlow's confusion matrix.
SCORING_PREFIX = ("sklearn.metrics.", "tensorflow.math.confusion_matrix")
# A Keras metric object given labels and predictions scores them too: called (``Accuracy()(y, pred)``) or updated
# (``metric.update_state(y, pred)``), its classes being those of this module.
METRIC_OBJECT_MODULE = "keras.metrics."
METRIC_OBJECT_SCORING_METHODS = frozenset({"update_state"})
# A score written by hand of predictions compared with labels (np.mean(pred == y), (pred == y).sum() / len(y),
# tf.reduce_mean(tf.cast(tf.equal(pred, y), "float32"))): the functions, and the array methods, that total it.
HAND_SCORING_FUNCTIONS = frozenset({
    "numpy.mean", "numpy.average", "numpy.sum", "numpy.count_nonzero", "builtins.sum",
    "tensorflow.reduce_mean", "tensorflow.math.reduce_mean", "tensorflow.reduce_sum", "tensorflow.math.reduce_sum",
    "tensorflow.math.count_nonzero", "keras.ops.mean", "keras.ops.sum", "keras.ops.count_nonzero"})
HAND_SCORING_METHODS = frozenset({"mean", "sum"})
# Functions that apply a squashing activation to an array, by canonical name: given a model's predictions, they
# squash what its own softmax or sigmoid output already squashed (tf.nn.softmax(model.predict(x)), copied from the
# tutorial whose model ends in logits).
SQUASHING_FUNCTIONS = {
    **{name: "softmax" for name in ("tensorflow.nn.softmax", "tensorflow.math.softmax", "keras.activations.softmax",
                                    "keras.ops.softmax", "keras.backend.softmax", "scipy.special.softmax")},
    **{name: "sigmoid" for name in ("tensorflow.nn.sigmoid", "tensorflow.sigmoid", "tensorflow.math.sigmoid",
                                    "keras.activations.sigmoid", "keras.ops.sigmoid", "keras.backend.sigmoid",
                                    "scipy.special.expit")},
}
# Python's builtins that keep a prediction (a row's label as int(np.argmax(row))).
PREDICTION_KEEPING_BUILTINS = frozenset({"int", "float", "round", "bool"})

# A training loop written with TensorFlow's tape runs only on the TensorFlow backend, where Keras 3's crossentropy
# finds the logits a softmax or sigmoid cached on its output and computes the right loss (checked on Keras 3.15.1 /
# TensorFlow 2.21, eager and in tf.function: tests/test_library_claims.py); a mixed-precision policy may put a cast
# between them, which hides the logits.
TENSORFLOW_TAPE = "tensorflow.GradientTape"
MIXED_PRECISION_MODULES = ("keras.mixed_precision.", "tensorflow.keras.mixed_precision.")
# ModelCheckpoint(filepath, monitor, verbose, save_best_only, ...): where save_best_only= sits by position.
SAVE_BEST_ONLY_POSITION = 3
