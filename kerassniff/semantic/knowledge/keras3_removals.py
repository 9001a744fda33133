"""What Keras 3 removed or renamed from Keras 1/2 and tf.keras 2: keywords, modules, methods and save names.

Each row pairs the old spelling with the modern one and the advice a user needs; which Keras accepts what was
checked by running Keras 3.15.1 / TensorFlow 2.21 and against the sources of tf.keras 2.x and standalone Keras
2.0-2.3 (see rules/KS402.md, the rule that reads these tables).
"""
from __future__ import annotations

# keyword -> (modern spelling, what to say)
CALL_KEYWORDS = {
    "nb_epoch": ("epochs", "rename nb_epoch= to epochs="),
    "samples_per_epoch": ("steps_per_epoch", "it counted samples; steps_per_epoch counts batches: "
                                             "use steps_per_epoch=len(x_train) // batch_size"),
    "nb_val_samples": ("validation_steps", "it counted samples; validation_steps counts batches: "
                                           "use validation_steps=len(x_val) // batch_size"),
    "nb_worker": ("workers", "rename nb_worker= to workers= (Keras 3 drops it: pass a PyDataset)"),
    "pickle_safe": ("use_multiprocessing", "rename pickle_safe= to use_multiprocessing= (Keras 3 drops it: pass a "
                                           "PyDataset)"),
    "max_q_size": ("max_queue_size", "rename max_q_size= to max_queue_size= (Keras 3 drops it: pass a PyDataset)"),
}
# The Keras 1 keywords of the data methods (Keras 2.0 renamed them): a call that uses one is Keras 1's, whose
# fit_generator() counted samples in its second position (samples_per_epoch), not batches.
KERAS_1_CALL_KEYWORDS = frozenset({"nb_epoch", "samples_per_epoch", "nb_val_samples", "nb_worker"})
# Keywords whose modern spelling counts something else (samples -> batches): renaming alone would make the call do
# another thing (samples_per_epoch=2000 becomes 2000 batches, 32x the images), so no automatic fix is offered.
COUNT_CHANGING_KEYWORDS = frozenset({"samples_per_epoch", "nb_val_samples"})
LAYER_KEYWORDS = {
    "border_mode": ("padding", "rename border_mode= to padding="),
    "subsample": ("strides", "rename subsample= to strides="),
    "init": ("kernel_initializer", "rename init= to kernel_initializer="),
    "W_regularizer": ("kernel_regularizer", "rename W_regularizer= to kernel_regularizer="),
    "b_regularizer": ("bias_regularizer", "rename b_regularizer= to bias_regularizer="),
    "W_constraint": ("kernel_constraint", "rename W_constraint= to kernel_constraint="),
    "b_constraint": ("bias_constraint", "rename b_constraint= to bias_constraint="),
    "nb_filter": ("filters", "rename nb_filter= to filters="),
    # (standalone Keras 2.0-2.3 converted bias= with a warning; no layer of Keras 3.15.1 takes it: ValueError)
    "bias": ("use_bias", "rename bias= to use_bias="),
    "dim_ordering": ("data_format", "use data_format='channels_last' / 'channels_first'"),
}
# Layer sizes Keras 3.15.1 refuses as a float (ValueError "expected a positive integer"; tf.keras 2 and Keras 2 took
# int(units)): the layer, and each size's keyword and position. Conv2D(32.0, 3) and LSTM(8.0) are still accepted.
INTEGER_SIZES = {
    "Dense": (("units", 0),),
    "Embedding": (("input_dim", 0), ("output_dim", 1)),
    # tf.keras 2's convolutions took int(filters) too (``if isinstance(filters, float): filters = int(filters)``);
    # Keras 3.15.1 builds the kernel with the float: ValueError (Cannot convert '(3, 3, 3, 64.0)' to a shape, checked)
    **dict.fromkeys(("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
                     "SeparableConv1D", "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution3D"),
                    (("filters", 0),)),
}
# Input shapes tf.keras 2 took as one integer (its InputLayer turned 784 into (784,)) and Keras 3.15.1 refuses
# (ValueError: Cannot convert '784' to a shape): the function, and its shape's keyword and position.
INTEGER_SHAPES = {"Input": (("shape", 0),), "InputLayer": (("shape", 0), ("input_shape", 0))}
# Keras 1 names that are still valid on some layers (Embedding(output_dim=...)) or that only some layers took
# (Convolution1D(filter_length=), MaxPooling1D(pool_length=)): only these layers are flagged.
_RECURRENT_KERAS1 = {
    "output_dim": ("units", "rename output_dim= to units="),
    "dropout_W": ("dropout", "rename dropout_W= to dropout="),
    "dropout_U": ("recurrent_dropout", "rename dropout_U= to recurrent_dropout="),
    "inner_init": ("recurrent_initializer", "rename inner_init= to recurrent_initializer="),
    "inner_activation": ("recurrent_activation", "rename inner_activation= to recurrent_activation="),
    "U_regularizer": ("recurrent_regularizer", "rename U_regularizer= to recurrent_regularizer="),
}
_CONV1D_KERAS1 = {
    "filter_length": ("kernel_size", "rename filter_length= to kernel_size="),
    "subsample_length": ("strides", "rename subsample_length= to strides="),
}
_POOLING1D_KERAS1 = {
    "pool_length": ("pool_size", "rename pool_length= to pool_size="),
    "stride": ("strides", "rename stride= to strides="),
}
ONE_LAYER_KEYWORDS = {
    "Dense": {"output_dim": ("units", "rename output_dim= to units=")},
    **{layer: _RECURRENT_KERAS1 for layer in ("LSTM", "GRU")},
    "SimpleRNN": {key: value for key, value in _RECURRENT_KERAS1.items() if key != "inner_activation"},  # (no gates)
    "Dropout": {"p": ("rate", "rename p= to rate=")},
    # Keras 2 named Embedding's one weight matrix "embeddings", not "kernel" (keras.io's Keras 1 and Keras 2 docs)
    "Embedding": {"init": ("embeddings_initializer", "rename init= to embeddings_initializer="),
                  "W_regularizer": ("embeddings_regularizer", "rename W_regularizer= to embeddings_regularizer="),
                  "W_constraint": ("embeddings_constraint", "rename W_constraint= to embeddings_constraint=")},
    **{layer: _CONV1D_KERAS1 for layer in ("Conv1D", "Convolution1D")},
    **{layer: _POOLING1D_KERAS1 for layer in ("MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D")},
}
# The arguments Keras 3.15.1's layers require, by position: a Keras 1 keyword naming one of them, in a call with
# fewer positional arguments than that position, leaves it missing (TypeError) rather than unrecognized (ValueError).
REQUIRED_LAYER_ARGUMENTS = {
    "Dense": {"units": 0}, "Dropout": {"rate": 0},
    **{layer: {"units": 0} for layer in ("LSTM", "GRU", "SimpleRNN")},
    **{layer: {"filters": 0, "kernel_size": 1} for layer in ("Conv1D", "Conv2D", "Conv3D", "Convolution1D",
                                                             "Convolution2D", "Convolution3D")},
    **{layer: {"pool_size": 0} for layer in ("AveragePooling1D", "AvgPool1D")},
}
# Layer arguments tf.keras 2 (and standalone Keras 2) defaulted and Keras 3.15.1 requires (TypeError: missing a
# required positional argument), each with the old default as code.
KERAS_2_DEFAULTED_ARGUMENTS = {
    **{name: ("pool_size", "2") for name in ("AveragePooling1D", "AvgPool1D")},
    **{name: ("pool_size", "(2, 2)") for name in ("AveragePooling2D", "AvgPool2D")},
    **{name: ("pool_size", "(2, 2, 2)") for name in ("AveragePooling3D", "AvgPool3D")},
}
# Keras 1 layer keywords with no modern equivalent (Keras 3: ValueError, Unrecognized keyword arguments).
REMOVED_LAYER_KEYWORDS = {"Embedding": ("dropout",),
                          # Keras 1/2's initial weights, weights=[kernel, bias]: Keras 3's base Layer refuses them
                          # (ValueError: Unrecognized keyword arguments; only Embedding still reads weights=)
                          **{name: ("weights",) for name in (
                              "Dense", "Conv1D", "Conv2D", "Conv3D", "SimpleRNN", "LSTM", "GRU")}}
OPTIMIZER_KEYWORDS = {
    "lr": ("learning_rate", "rename lr= to learning_rate="),
    "decay": ("a learning-rate schedule", "pass learning_rate=keras.optimizers.schedules.InverseTimeDecay("
                                          "<lr>, decay_steps=1, decay_rate=<decay>), which is what decay= did"),
}
# Keras 2 optimizer attributes Keras 3's optimizers do not have (checked on 3.15.1: reading raises AttributeError,
# assigning stores a Python attribute nothing reads): 'lr', another name of 'learning_rate', and the time-based decay
# ('decay', 'initial_decay', read by Keras 2's "learning rate with decay" callbacks), which a Keras 3 optimizer
# expresses as a LearningRateSchedule given as its learning_rate (None: no attribute to rename to).
REMOVED_OPTIMIZER_ATTRIBUTES: dict[str, str | None] = {"lr": "learning_rate", "decay": None, "initial_decay": None}
# Attributes of Keras 2.0-2.2's Callback that later Kerases dropped (tf.keras 2: None; Keras 3: no attribute,
# checked on 3.15.1), with what to do instead.
REMOVED_CALLBACK_ATTRIBUTES = {
    "validation_data": "pass the validation arrays to the callback's __init__ and keep them as its own attribute",
}
# Keras 2 keywords that Keras 3's fit()/evaluate()/predict() dropped (the data-loading workers moved to PyDataset).
# fit()/evaluate()/predict() keywords Keras 3 takes no longer (checked on 3.15.1: TypeError, evaluate() ValueError):
# tf.keras 2's data-loading options, and Keras 0/1's show_accuracy= (accuracy logged by compile(metrics=) since).
REMOVED_CALL_KEYWORDS = ("workers", "use_multiprocessing", "max_queue_size", "show_accuracy")
# The file names Keras 3 saves to (each checked on Keras 3.15: any other name raises ValueError; tf.keras 2 wrote a
# TensorFlow SavedModel folder for a name without extension). ModelCheckpoint's are in _save_path's callers.
SAVE_SUFFIXES = {"save": (".keras", ".h5", ".hdf5"), "save_weights": (".weights.h5",)}
# Loss names a model compiled with and saved to an .h5/.hdf5 file that Keras 3's load_model() cannot read back (with
# compile=True, its default): the file stores the name as given, and deserializing 'keras.metrics.mse' raises
# ValueError ("not a KerasSaveable subclass"; Keras 3.15.1, keras-team/keras#19330). The full names load; a .keras
# file, or load_model(path, compile=False), reads either. Each short name with the full name it stands for.
# (Keras reads loss names in any case: "MSE" fails as "mse" does.)  Not when save() is given include_optimizer=False,
# which stores no compile configuration.
H5_UNREADABLE_LOSSES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
                        "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
                        "kld": "kl_divergence", "bce": "binary_crossentropy"}
HDF5_SUFFIXES = (".h5", ".hdf5")
# The HDF5 name Keras 3's ModelCheckpoint writes to (it refuses '.hdf5' before training).
CHECKPOINT_HDF5_SUFFIX = ".h5"
# What Keras 3.15.1's load_model() reads: a .keras zip, a legacy .h5/.hdf5 file (the names save() takes), a Hugging
# Face handle, or a folder Keras itself wrote (an unzipped .keras save, an Orbax checkpoint); any other name raises
# ValueError ("File format not supported", a TensorFlow SavedModel folder among them).
LOADABLE_SUFFIXES = SAVE_SUFFIXES["save"]
LOADABLE_PREFIXES = ("hf://",)
LOAD_FUNCTIONS = frozenset({"keras.models.load_model"})
# What Keras 3.15.1's Model.load_weights() reads: a .keras zip, a .weights.h5 (or sharded .weights.json) file, a legacy
# .h5/.hdf5 file, or an Orbax checkpoint folder; any other name (a TensorFlow checkpoint such as 'weights.tf' or
# 'cp.ckpt', which tf.keras 2 wrote for a name without .h5) raises ValueError ("File format not supported").
LOADABLE_WEIGHTS_SUFFIXES = (".keras", ".h5", ".hdf5", ".weights.json")
ORBAX_CHECKPOINT = "keras.callbacks.OrbaxCheckpoint"
# Sequential methods tf.keras 2 deprecated and Keras 3 does not have (AttributeError on Keras 3.15.1; TensorFlow's
# private copy still has them). predict_proba only on a known model: scikit-learn's classifiers have one too.
# Callbacks that write the learning rate into each epoch's logs: as "lr" in tf.keras 2, as "learning_rate" in Keras
# 3.15.1 (LearningRateScheduler.on_epoch_end, ReduceLROnPlateau.on_epoch_end).
RATE_LOGGING_CALLBACKS = frozenset({"LearningRateScheduler", "ReduceLROnPlateau"})
REMOVED_MODEL_METHODS = ("predict_classes", "predict_proba")
# Model methods of Keras 2 that Keras 3's Model has no longer (checked on 3.15.1; tf_keras 2.21 has the first five,
# standalone Keras 2.0-2.3 the private _make_*_function builders), with what to write instead: the layer-node
# accessors, and reset_states(), which Keras 3 keeps on recurrent layers only.
MODEL_METHODS_GONE = {
    "reset_states": "reset each stateful layer: [layer.reset_states() for layer in model.layers if getattr(layer, "
                    "'stateful', False)]",
    "get_input_at": "read model.input (model.inputs for several)",
    "get_output_at": "read model.output (model.outputs for several)",
    "get_input_shape_at": "read model.input.shape",
    "get_output_shape_at": "read model.output.shape",
    # standalone Keras 2's private builders, which Flask apps called before serving from another thread
    **{f"_make_{kind}_function": f"drop it: Keras 3 builds the {kind} function at the first "
                                 f"{'fit' if kind == 'train' else 'evaluate' if kind == 'test' else 'predict'}() "
                                 f"(model.make_{kind}_function() is the public method)"
       for kind in ("predict", "train", "test")},
}
# The arguments Keras 3's Model.compile() takes (3.15.1's signature, checked by tests/test_library_claims.py): any
# other keyword is a TypeError before training. Keras 0/1's class_mode=, tf.keras 2's sample_weight_mode= and
# target_tensors=, and tf.keras 2.3's experimental_steps_per_execution= (renamed) among them.
COMPILE_PARAMETERS = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                      "steps_per_execution", "jit_compile", "auto_scale_loss")
COMPILE_KEYWORD_ADVICE = {
    "class_mode": "drop it: since Keras 1 the loss and the output decide the kind of classification",
    "sample_weight_mode": "drop it: Keras 3 reads per-timestep weights from the shape of sample_weight",
    "target_tensors": "drop it and pass the targets to fit() (or a tf.data dataset of (x, y))",
    "experimental_steps_per_execution": "rename it steps_per_execution=",
}
# Model methods Keras 3 no longer has, judged on a model kerassniff knows: to_yaml (tf.keras 2.6 made it raise
# RuntimeError: YAML loading was unsafe).
YAML_METHOD = "to_yaml"
# Keras 1 keywords of the functional Model's constructor.
MODEL_KEYWORDS = {
    "input": ("inputs", "rename input= to inputs="),
    "output": ("outputs", "rename output= to outputs="),
}
# Keras 1's regularizer functions, gone since Keras 2.0 (which renamed l1l2 to l1_l2 and dropped the activity_ ones:
# an activity regularizer is the same l1/l2 function given as activity_regularizer=); checked on Keras 3.15.1 and
# tf_keras 2.21.
KERAS_1_REGULARIZERS = ("regularizers.activity_l1", "regularizers.activity_l2", "regularizers.activity_l1l2",
                        "regularizers.l1l2")
# Standalone Keras 2.0-2.3's lowercase aliases of the optimizer classes (keras.optimizers.adam()); Keras 3 has only the
# classes.
LOWERCASE_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                        "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}
# Keras 1/2 modules that Keras 3 no longer has: importing each stops with ImportError (ModuleNotFoundError for
# ``import keras.x``), under keras. and tensorflow.keras. alike (checked on Keras 3.15 / TensorFlow 2.21), with where
# their names went.
# keras.utils.np_utils is reported apart, with its fix (_np_utils).
_LAYERS_HINT = "import the layers from keras.layers itself{example}"
REMOVED_MODULES = {
    **{f"layers.{module}": _LAYERS_HINT for module in (
        "core", "convolutional", "pooling", "recurrent", "embeddings", "normalization", "merge", "reshaping",
        "regularization", "attention", "activation", "merging", "locally_connected", "preprocessing",
        "advanced_activations", "wrappers", "noise", "convolutional_recurrent", "experimental", "rnn")},
    # standalone Keras up to 2.3 leaked these modules through keras.layers (its core module imported them and
    # keras.layers star-imported core); Keras 3's keras.layers has none of them
    **{f"layers.{module}": f"import {module} from keras itself (from keras import {module})"
       for module in ("regularizers", "initializers", "constraints", "activations")},
    # layers Keras 2 dropped or only aliased: none is in Keras 3's keras.layers
    "layers.MaxoutDense": "take the maximum over groups of Dense units yourself (Dense(units * k), Reshape((units, k)), "
                          "then the max over the last axis): MaxoutDense was Keras 1's layer",
    "layers.Highway": "write the highway gate as a layer of your own (Highway was Keras 1's layer)",
    **{f"layers.AtrousConvolution{n}D": f"use keras.layers.Conv{n}D(..., dilation_rate=...)" for n in (1, 2)},
    **{f"layers.{alias}{n}D": f"use keras.layers.Conv{n}DTranspose (Keras 2's alias {alias}{n}D is gone)"
       for alias in ("Deconvolution", "Deconv") for n in (2, 3)},
    "applications.mobilenetv2": "import MobileNetV2 from keras.applications (its module is mobilenet_v2; "
                                "mobilenetv2 was Keras 2.1-2.2's name)",
    "objectives": "import the losses from keras.losses (objectives is their Keras 1 name)",
    "initializations": "import the initializers from keras.initializers (initializations is their Keras 1 name)",
    "backend.set_image_dim_ordering": "call keras.backend.set_image_data_format('channels_last') "
                                      "('tf' ordering is channels_last, 'th' channels_first)",
    "backend.image_dim_ordering": "call keras.backend.image_data_format() ('channels_last' was 'tf')",
    "backend.set_learning_phase": "drop it: Keras 3 has no global learning phase; fit() trains and predict() infers, "
                                  "and model(x, training=True) asks for the training behaviour",
    "backend.learning_phase": "pass training=True/False to the model or layer call instead: Keras 3 has no global "
                              "learning phase",
    **{f"backend.in_{phase}_phase": "take the training= argument of your layer's call() and pick the branch with "
                                    "it (Keras 3 has no learning phase)" for phase in ("train", "test")},
    "backend.get_session": "drop it: Keras 3 runs without TensorFlow 1 sessions",
    "backend.tf": "import tensorflow as tf and use it directly (tf.compat.v1.ConfigProto / tf.compat.v1.Session only for "
                  "TensorFlow 1 code): standalone Keras 2's backend re-exported TensorFlow as keras.backend.tf",
    "backend.function": "build keras.Model(inputs, outputs) on the layers' outputs and call it (or predict()): Keras "
                        "3 has no backend function",
    "backend.placeholder": "declare the input with keras.Input(shape=...): Keras 3 has no placeholders",
    "backend.print_tensor": "print the tensor with tf.print (or print() in eager code): Keras 3's backend has no "
                            "print_tensor",
    "backend.set_session": "drop it: Keras 3 runs without TensorFlow 1 sessions (configure devices with "
                           "tf.config instead)",
    "initializers.initializers_v2": "import the initializers from keras.initializers itself",
    "layers.CuDNNLSTM": "use keras.layers.LSTM: it runs on cuDNN by itself on a GPU with its default arguments",
    "layers.CuDNNGRU": "use keras.layers.GRU(reset_after=True): it runs on cuDNN by itself on a GPU",
    "models.Input": "import Input from keras (keras.Input) or keras.layers: keras.models no longer exports it",
    "layers.Merge": "merge branches with keras.layers.Add, Concatenate, Multiply, Average or Dot (Merge was Keras 1's "
                    "layer for it)",
    "layers.DenseFeatures": "turn the columns into arrays (or a keras.utils.FeatureSpace) before the model: Keras 3 has "
                            "no layer for tf.feature_column columns",
    "layers.Recurrent": "subclass keras.layers.RNN with a cell, or use LSTM / GRU / SimpleRNN (Recurrent was Keras "
                        "2.0's base class of recurrent layers)",
    "engine": "import Model and Sequential from keras (keras.Model), Layer and InputSpec from keras.layers",
    "callbacks.callbacks": "import the callbacks from keras.callbacks itself (keras.callbacks.callbacks was standalone "
                           "Keras 2.3's module behind it)",
    "wrappers.scikit_learn": "use keras.wrappers.SKLearnClassifier / SKLearnRegressor (Keras 3.5+) or the scikeras "
                             "package",
    "utils.vis_utils": "import plot_model from keras.utils",
    "utils.visualize_util": "import plot_model from keras.utils (visualize_util.plot was Keras 1's plot_model)",
    "experimental": "take the learning-rate schedules from keras.optimizers.schedules (CosineDecay, "
                    "CosineDecayRestarts); LinearModel, WideDeepModel and SequenceFeatures have no Keras 3 "
                    "counterpart (build them from layers)",
    "mixed_precision.experimental": "use keras.mixed_precision.set_global_policy(\"mixed_float16\") and "
                                    "keras.mixed_precision.Policy / LossScaleOptimizer (the experimental names left "
                                    "tf.keras in TensorFlow 2.9)",
    "utils.generic_utils": "import what you need from keras.utils (get_custom_objects, Progbar, ...)",
    "utils.data_utils": "import what you need from keras.utils (get_file, Sequence, ...)",
    "utils.image_dataset": "import image_dataset_from_directory from keras.utils",
    "utils.dataset_utils": "import what you need from keras.utils (split_dataset, ...)",
    "utils.image_utils": "import what you need from keras.utils (load_img, img_to_array, array_to_img, ...)",
    "utils.layer_utils": "import what you need from keras.utils, or call model.count_params() / model.summary()",
    "utils.io_utils": "import what you need from keras.utils (these were Keras 2's internal helpers)",
    "utils.conv_utils": "import what you need from keras.utils (these were Keras 2's internal helpers)",
    "utils.tf_utils": "import what you need from keras.utils (these were Keras 2's internal helpers)",
    "utils.multi_gpu_utils": "train under tf.distribute.MirroredStrategy() (multi_gpu_model left tf.keras in 2.4)",
    "utils.multi_gpu_model": "train under tf.distribute.MirroredStrategy() (multi_gpu_model left tf.keras in 2.4)",
    "utils.print_summary": "call model.summary() (print_summary was Keras 2's function behind it)",
    "backend.tensorflow_backend": "drop it: TensorFlow 2 runs eagerly and manages its own session "
                                  "(tf.compat.v1.keras.backend.set_session for code that still needs one)",
    **{f"optimizers.{module}_v2": "import the optimizer class from keras.optimizers (keras.optimizers.Adam, ...)"
       for module in ("adam", "rmsprop", "gradient_descent", "adagrad", "adadelta", "adamax", "nadam", "optimizer")},
    "optimizer_v2": "import the optimizer class from keras.optimizers (keras.optimizers.Adam, ...)",
    # tf.keras 2.9-2.15's new optimizers (AdamW, Adafactor, Lion, ...) before 2.11 made them keras.optimizers'
    "optimizers.experimental": "import the optimizer from keras.optimizers (keras.optimizers.AdamW, Adafactor, Lion, "
                               "...: the same classes)",
    "models.model_from_yaml": "load the architecture with keras.models.model_from_json (tf.keras 2.6 removed YAML "
                              "support as unsafe)",
    # tf.keras 2's public names that Keras 3 dropped (tf_keras 2.21 has them, Keras 3.15.1 not)
    "callbacks.BaseLogger": "drop it: Keras 3 averages each epoch's batch metrics itself (Keras 2 added a BaseLogger "
                            "to every fit())",
    **{f"layers.LocallyConnected{n}D": f"use keras.layers.Conv{n}D (one kernel shared across positions), or run "
                                       f"this model on tf.keras 2 (tf_keras): Keras 3 has no locally connected layers"
       for n in (1, 2)},
    "layers.AbstractRNNCell": "subclass keras.layers.Layer with a state_size and call(inputs, states): any such layer "
                              "is a cell for keras.layers.RNN",
    "models.model_from_config": "use keras.saving.deserialize_keras_object(config), or keras.models.model_from_json "
                                "for a JSON string",
    **{f"utils.{name}": "feed a keras.utils.PyDataset (workers= and use_multiprocessing= are its arguments in Keras 3) "
                        "or a tf.data pipeline" for name in ("OrderedEnqueuer", "GeneratorEnqueuer", "SequenceEnqueuer")},
    **{f"applications.{family}": "use another keras.applications network (EfficientNetV2, ConvNeXt, ...), or this one "
                                 "on tf.keras 2 (tf_keras): Keras 3 has no RegNet or ResNet-RS"
       for family in ("regnet", "resnet_rs", *(f"RegNet{kind}{size:03d}" for kind in "XY"
                                                for size in (2, 4, 6, 8, 16, 32, 40, 64, 80, 120, 160, 320)),
                      *(f"ResNetRS{depth}" for depth in (50, 101, 152, 200, 270, 350, 420)))},
    # Keras 1's regularizer functions (KERAS_1_REGULARIZERS)
    **{f"regularizers.activity_{kind}": f"pass activity_regularizer=keras.regularizers.{kind.replace('l1l2', 'l1_l2')}(...) "
                                        f"to the layer" for kind in ("l1", "l2", "l1l2")},
    "regularizers.l1l2": "use keras.regularizers.l1_l2(l1=..., l2=...)",
    "constraints.maxnorm": "use keras.constraints.MaxNorm (or max_norm)",
    "constraints.nonneg": "use keras.constraints.NonNeg (or non_neg)",
    "constraints.unitnorm": "use keras.constraints.UnitNorm (or unit_norm)",
    # (imported by name: ``from keras.optimizers import rmsprop`` is an ImportError; the attribute's call,
    # ``optimizers.rmsprop()``, is reported with its rename by KS402's check of the call)
    **{f"optimizers.{alias}": f"import the class, keras.optimizers.{name}, and call it: {name}(learning_rate=...)"
       for alias, name in LOWERCASE_OPTIMIZERS.items()},
}
# The names above that were lowercase aliases of a class in Keras 2 (maxnorm = max_norm = MaxNorm); Keras 3 keeps the
# class and its snake_case alias only.
REMOVED_ALIASES = frozenset({"constraints.maxnorm", "constraints.nonneg", "constraints.unitnorm",
                             *(f"optimizers.{alias}" for alias in LOWERCASE_OPTIMIZERS)})
# The layer classes of REMOVED_MODULES that Keras 2 had and Keras 3 does not (CuDNNLSTM, Deconvolution2D, ...): a script's
# ``from keras.layers import *`` gave it these names, so a use of one is Keras's.
REMOVED_LAYER_CLASSES = frozenset(key.split(".", 1)[1] for key in REMOVED_MODULES
                                  if key.startswith("layers.") and key.split(".", 1)[1][:1].isupper())
# The removed keras.backend names that were modules (the others were functions).
REMOVED_BACKEND_MODULES = frozenset({"backend.tf", "backend.tensorflow_backend"})
# The hint for a name of a removed module that its module's hint does not cover: (module, name) -> hint.
REMOVED_NAME_HINTS = {
    ("experimental", "export_saved_model"): "export a SavedModel with model.export(\"saved_model\") (Keras 3), or save "
                                            "the model with model.save(\"model.keras\")",
    ("experimental", "load_from_saved_model"): "read a SavedModel with keras.layers.TFSMLayer(path, "
                                               "call_endpoint=\"serving_default\"), or save and load a .keras file",
}
# The removed names (here and in REMOVED_FROM_KERAS) that were functions, which a message calls so (a capital letter
# otherwise says class, a lowercase name module): applications, loaders, and the short loss and metric aliases.
REMOVED_FUNCTIONS = frozenset({
    *KERAS_1_REGULARIZERS,
    "models.model_from_yaml", "models.model_from_config", "utils.multi_gpu_model", "utils.print_summary",
    *(f"preprocessing.image.{function}" for function in (
        "random_rotation", "random_shift", "random_shear", "random_zoom", "random_brightness", "random_channel_shift",
        "apply_affine_transform", "apply_brightness_shift", "apply_channel_shift")),
    *(f"applications.RegNet{kind}{size:03d}" for kind in "XY" for size in (2, 4, 6, 8, 16, 32, 40, 64, 80, 120, 160, 320)),
    *(f"applications.ResNetRS{depth}" for depth in (50, 101, 152, 200, 270, 350, 420)),
    *(f"{module}.{alias}" for module in ("losses", "metrics") for alias in (
        "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "kullback_leibler_divergence",
        "logcosh")),
})
# The loss and metric functions standalone Keras 3 names in full that the tf.keras of TensorFlow 2.16+ (Keras 3's
# keras._tf_keras) does not have: it keeps Keras 2's short aliases instead (checked on TensorFlow 2.21 / Keras
# 3.15.1, where tf.losses and tf.metrics are the same modules): name -> the alias it has.
MISSING_FROM_TF_KERAS = {
    **{f"{module}.{name}": alias for module in ("losses", "metrics") for name, alias in (
        ("mean_squared_error", "mse"), ("mean_absolute_error", "mae"), ("mean_absolute_percentage_error", "mape"),
        ("mean_squared_logarithmic_error", "msle"), ("kl_divergence", "kld"), ("log_cosh", "logcosh"))},
}
# The roots under which those are reached on TensorFlow 2.16+.
TF_KERAS_ROOTS = ("tensorflow.keras.", "tensorflow.losses.", "tensorflow.metrics.")
# Legacy preprocessing that Keras 3's own keras.preprocessing dropped (its public API keeps array_to_img, img_to_array,
# load_img, save_img, smart_resize and pad_sequences) while tensorflow.keras on TensorFlow 2.21 still has them:
# reported under keras. only (checked on Keras 3.15.1 and TensorFlow 2.21).
REMOVED_FROM_KERAS = {
    "preprocessing.image.ImageDataGenerator": "use keras.utils.image_dataset_from_directory with augmentation layers "
                                              "(keras.layers.RandomFlip, ...), or import it from "
                                              "tensorflow.keras.preprocessing.image, which TensorFlow still has",
    "preprocessing.text": "use keras.layers.TextVectorization, or import it from tensorflow.keras.preprocessing.text, "
                          "which TensorFlow still has",
    "preprocessing.sequence.TimeseriesGenerator": "use keras.utils.timeseries_dataset_from_array",
    # ImageDataGenerator's random transforms of one image, and its iterators
    **{f"preprocessing.image.{function}": (f"use the keras.layers.{layer} augmentation layer, or " if layer else "") +
       "import it from tensorflow.keras.preprocessing.image, which TensorFlow still has"
       for function, layer in (("random_rotation", "RandomRotation"), ("random_shift", "RandomTranslation"),
                               ("random_shear", "RandomShear"), ("random_zoom", "RandomZoom"),
                               ("random_brightness", "RandomBrightness"), ("random_channel_shift", None),
                               ("apply_affine_transform", None), ("apply_brightness_shift", None),
                               ("apply_channel_shift", None), ("DirectoryIterator", None),
                               ("NumpyArrayIterator", None), ("Iterator", None))},
    # tf.keras 2 names that Keras 3 keeps only in the tf.keras namespace it gives TensorFlow (keras._tf_keras)
    "layers.ThresholdedReLU": "use keras.layers.ReLU(threshold=theta)",
    **{f"layers.Random{axis}": f"use keras.layers.RandomZoom({factor}): it stretches one axis and keeps the image "
                               f"size (Keras 3's own layers have no Random{axis})"
       for axis, factor in (("Height", "height_factor=f, width_factor=0.0"),
                            ("Width", "height_factor=0.0, width_factor=f"))},
    "losses.Reduction": "pass reduction= as a string ('sum', 'sum_over_batch_size', 'none')",
    # (the strings compile() still reads, checked on 3.15.1: 'mse', 'mae', 'mape', 'msle' as losses and metrics,
    # 'kld' as a loss only; 'logcosh' neither)
    **{f"{module}.{alias}": f"use keras.{module}.{full}" + (
        f" (the string '{alias.lower()}' still works in compile)" if module == "losses" or alias.lower() != "kld"
        else "")
       for module in ("losses", "metrics")
       for alias, full in (("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
                           ("mae", "mean_absolute_error"), ("MAE", "mean_absolute_error"),
                           ("mape", "mean_absolute_percentage_error"), ("MAPE", "mean_absolute_percentage_error"),
                           ("msle", "mean_squared_logarithmic_error"), ("MSLE", "mean_squared_logarithmic_error"),
                           ("kld", "kl_divergence"), ("KLD", "kl_divergence"))},
    **{f"{module}.kullback_leibler_divergence": f"use keras.{module}.kl_divergence" for module in ("losses", "metrics")},
    **{f"{module}.logcosh": f"use keras.{module}.log_cosh" for module in ("losses", "metrics")},
}
# Keras 3's own modules that a later Keras 3 release removed, with that release (checked on the released wheels):
# keras.api, the generated public API package of Keras 3.0-3.9, is gone from 3.10 on (ModuleNotFoundError on 3.15.1).
REMOVED_IN_KERAS_3 = {
    "api": ("3.10", "import from keras itself (keras.models, keras.layers, ...): keras.api was the package Keras "
                    "3.0-3.9 generated its public names into"),
}
# What each of the private copy's modules that scripts take names from still holds in TensorFlow 2.21 (its public
# names and submodules, checked by a slow test against the installed TensorFlow): any other name imported from them raises ImportError
# (AttributeError where read as an attribute). The copy kept LSTMV1 and GRUV1 but lost LSTM, GRU, BatchNormalization,
# Bidirectional and TimeDistributed, and its optimizers module lost every optimizer class (Adam, SGD, RMSprop, ...).
PRIVATE_COPY_NAMES = {
    "layers": frozenset("""
        AbstractRNNCell Activation ActivityRegularization Add AdditiveAttention Attention Average
        AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D Concatenate Conv1D
        Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM2D Convolution1D Convolution2D
        Convolution2DTranspose Convolution3D Convolution3DTranspose Cropping1D Cropping2D Cropping3D Dense
        DepthwiseConv2D DeviceWrapper Dot Dropout DropoutWrapper ELU Embedding Flatten GRUCellV1 GRUV1
        GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D
        GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D
        GlobalMaxPooling2D GlobalMaxPooling3D Input InputLayer InputSpec LSTMCellV1 LSTMV1 Lambda Layer
        LeakyReLU Masking MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum
        Minimum Multiply PReLU PeepholeLSTMCell Permute PreprocessingLayer RNN ReLU RepeatVector Reshape
        ResidualWrapper SeparableConv1D SeparableConv2D SeparableConvolution1D SeparableConvolution2D
        SimpleRNN SimpleRNNCell Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D StackedRNNCells
        Subtract ThresholdedReLU UpSampling1D UpSampling2D UpSampling3D VersionAwareLayers ZeroPadding1D
        ZeroPadding2D ZeroPadding3D add advanced_activations average concatenate convolutional
        convolutional_recurrent core dense_attention deserialize dot embeddings legacy_rnn maximum merge
        minimum multiply pooling recurrent rnn_cell_wrapper_v2 serialization serialize subtract tf2
    """.split()),
    "optimizers": frozenset("""
        Optimizer TFOptimizer adadelta_v2 adagrad_v2 adam_v2 adamax_v2 backend deserialize
        deserialize_keras_object ftrl get gradient_descent_v2 nadam_v2 optimizer_v2 rmsprop_v2 serialize
        serialize_keras_object tf_optimizer_module
    """.split()),
    "utils": frozenset("""
        all_utils control_flow_util conv_utils data_utils dataset_creator generic_utils io_utils
        kernelized_utils layer_utils losses_utils metrics_utils mode_keys np_utils object_identity
        tf_contextlib tf_inspect tf_utils version_utils vis_utils
    """.split()),
    "models": frozenset("""
        AddMetric CustomObjectScope Functional Input InputLayer Layer Model Sequential backend
        clone_and_build_model clone_model functional generic_utils
        in_place_subclassed_model_state_restoration load_model logging metrics_module model_config
        model_from_config model_from_json model_from_yaml nest ops optimizer_v1 save save_model sequential
        share_weights training training_v1 version_utils
    """.split()),
    "callbacks": frozenset("""
        BackupAndRestore BaseLogger CSVLogger Callback CallbackList EarlyStopping History LambdaCallback
        LearningRateScheduler ModeKeys ModelCheckpoint Progbar ProgbarLogger ReduceLROnPlateau RemoteMonitor
        Sequence TensorBoard TerminateOnNaN array_ops backend checkpoint_management checkpoint_options_lib
        collections collective_all_reduce_strategy configure_callbacks constant_op context copy csv
        distribute_lib distributed_file_utils doc_controls dtypes errors file_io generic_utils gfile
        iterator_ops json keras_model_summary learning_rate_schedule logging make_logs math_ops
        mirrored_strategy nest np ops os parameter_server_strategy_v2 path_to_string profiler re requests
        save_options_lib set_callback_parameters summary_ops_v2 summary_pb2 sys tensor_lib tf_utils time
        tpu_strategy version_utils worker_training_state
    """.split()),
}
# TensorFlow 1 packages that TensorFlow 2's pip package does not ship (ModuleNotFoundError on TensorFlow 2.21,
# checked), where Keras scripts of the TensorFlow 1 era read their data or layers from.
REMOVED_FROM_TENSORFLOW = {
    "examples": "load the data with keras.datasets (keras.datasets.mnist.load_data()): TensorFlow 2's package has no "
                "tensorflow.examples (its MNIST reader was a TensorFlow 1 tutorial helper)",
    "contrib": "import from keras itself (tensorflow.contrib was removed in TensorFlow 2.0)",
    "layers": "use keras.layers (tf.layers was TensorFlow 1's layers API; tf.compat.v1.layers keeps it for graph "
              "code)",
    # TensorFlow 1's top-level names that Keras 2-era scripts call (seeding, sessions, GPU options), which
    # TensorFlow 2 keeps only under tf.compat.v1 (AttributeError on TensorFlow 2.21, checked)
    "set_random_seed": "call tf.random.set_seed(n), or keras.utils.set_random_seed(n), which also seeds Python and "
                       "NumPy",
    **{name: "drop it: TensorFlow 2 runs eagerly (tf.compat.v1.%s for code that still needs a session)" % name
       for name in ("Session", "InteractiveSession")},
    **{name: "configure the GPU with tf.config.experimental.set_memory_growth(gpu, True) for each gpu of "
             "tf.config.list_physical_devices('GPU')" for name in ("ConfigProto", "GPUOptions")},
    "placeholder": "declare the input with keras.Input(shape=...)",
    "reset_default_graph": "drop it: keras.backend.clear_session() resets Keras's state",
    "get_default_graph": "drop it where the graph only guards predict() calls (TensorFlow 2 runs eagerly); graph code "
                         "that needs one takes tf.compat.v1.get_default_graph()",
    "global_variables_initializer": "drop it: TensorFlow 2 initialises variables when they are made",
    "logging": "use tf.get_logger().setLevel(\"ERROR\") (or Python's logging module): TensorFlow 2 has no tf.logging",
    "enable_eager_execution": "drop it: TensorFlow 2 runs eagerly by default",
    # TensorFlow 1's version constants (print(tf.VERSION)), which TensorFlow 2 keeps only in tf.version
    "VERSION": "read tf.__version__ (or tf.version.VERSION)",
    **{name: f"read tf.version.{name}" for name in ("GIT_VERSION", "COMPILER_VERSION")},
}
# TensorFlow names a Keras script of the TensorFlow 2 era called that TensorFlow 2.21 no longer has outside
# tf.compat.v1 (AttributeError, checked), with what to use: (the module, the name), the advice.
REMOVED_FROM_TENSORFLOW_2 = {
    ("train.experimental", "enable_mixed_precision_graph_rewrite"):
        "call keras.mixed_precision.set_global_policy(\"mixed_float16\") before building the model: compile() "
        "then wraps the optimizer in a LossScaleOptimizer itself",
    # TensorFlow 1's loss functions (tf.losses.*), which scripts passed to compile(loss=...)
    **{("losses", name): f"pass loss=keras.losses.{keras}" for name, keras in (
        ("sparse_softmax_cross_entropy", "SparseCategoricalCrossentropy(from_logits=True)"),
        ("softmax_cross_entropy", "CategoricalCrossentropy(from_logits=True)"),
        ("sigmoid_cross_entropy", "BinaryCrossentropy(from_logits=True)"),
        ("log_loss", "BinaryCrossentropy()"), ("absolute_difference", "MeanAbsoluteError()"),
        ("huber_loss", "Huber()"), ("hinge_loss", "Hinge()"))},
}
# TensorFlow's private copy of Keras 2 (still shipped in TensorFlow 2.21): its Model keeps fit_generator and its
# optimizers read lr= and decay=, so what Keras 3 removed is not reported on what it builds.
PRIVATE_COPY = "tensorflow.python.keras"
# The environment variable that routes tensorflow.keras to tf_keras (Keras 2) on TensorFlow 2.16+, and the values
# TensorFlow reads as set (tensorflow/python/util/lazy_loader.py in TensorFlow 2.21).
LEGACY_KERAS_VARIABLE = ("TF_USE_LEGACY_KERAS", frozenset({"true", "True", "1"}))
# The packages that are Keras 2 whatever Keras is installed beside them: a model one of them builds keeps the Keras 2
# API (fit_generator, lr=), wherever the script that trains it imports its Keras from.
KERAS_2_PACKAGES = (PRIVATE_COPY, "tf_keras")
# Layers of other packages that are tf_keras (Keras 2) layers when TensorFlow's Keras is 3: Keras 3's Sequential
# refuses them, "ValueError: Only instances of `keras.Layer` can be added to a Sequential model" (checked with
# tensorflow_hub 0.16.1, tf_keras 2.21 and TensorFlow 2.21: KerasLayer subclasses tf_keras's Layer when tf.keras is 3).
KERAS_2_LAYER_CLASSES = frozenset({"tensorflow_hub.KerasLayer"})
# Subpackages TensorFlow's private Keras 2 copy no longer has (TensorFlow 2.21: ModuleNotFoundError; its layers,
# models, optimizers, callbacks, utils and backend remain), with where the names went.
PRIVATE_COPY_REMOVED = {
    "applications": "import the network from keras.applications (keras.applications.ResNet50)",
    "wrappers": "use keras.wrappers.SKLearnClassifier (or scikeras) instead",
    "datasets": "load the data with keras.datasets (keras.datasets.imdb.load_data())",
    "preprocessing": "use keras.utils (pad_sequences, load_img) and keras.layers (TextVectorization) instead",
}
# TensorFlow 1's optimizers, given to a Keras model's compile() (tf.keras 1.x wrapped them in a TFOptimizer), and the
# Keras optimizer that does the same: TensorFlow 2 has no tf.train.<Name> (AttributeError) and keeps them only as
# tf.compat.v1.train.<Name>, which Keras 3's compile() refuses (ValueError: Could not interpret optimizer identifier).
# Checked on TensorFlow 2.21 / Keras 3.15.1 by tests/test_library_claims.py.
TENSORFLOW_1_OPTIMIZERS = {
    "AdamOptimizer": "Adam(learning_rate=...)",
    "GradientDescentOptimizer": "SGD(learning_rate=...)",
    "MomentumOptimizer": "SGD(learning_rate=..., momentum=...)",
    "RMSPropOptimizer": "RMSprop(learning_rate=..., rho=<its decay>)",
    "AdagradOptimizer": "Adagrad(learning_rate=...)",
    "AdadeltaOptimizer": "Adadelta(learning_rate=...)",
    "FtrlOptimizer": "Ftrl(learning_rate=...)",
}
# Optimizer keywords Keras 3 dropped without a renamed equivalent: optimizer class -> keywords.
REMOVED_OPTIMIZER_KEYWORDS = {"Nadam": ("schedule_decay",)}
# The arguments Keras 3's callbacks take (read from Keras 3.15.1's signatures: tests/test_library_claims.py checks them
# against the installed Keras), and whether the constructor also swallows any other keyword (**kwargs, never read:
# ReduceLROnPlateau). Any other keyword is a TypeError, or silently ignored where **kwargs swallows it.
CALLBACK_PARAMETERS = {
    "EarlyStopping": (("monitor", "min_delta", "patience", "verbose", "mode", "baseline", "restore_best_weights",
                       "start_from_epoch"), False),
    "ModelCheckpoint": (("filepath", "monitor", "verbose", "save_best_only", "save_weights_only", "mode", "save_freq",
                         "initial_value_threshold"), False),
    "ReduceLROnPlateau": (("monitor", "factor", "patience", "verbose", "mode", "min_delta", "cooldown", "min_lr"), True),
    "TensorBoard": (("log_dir", "histogram_freq", "write_graph", "write_images", "write_steps_per_second",
                     "update_freq", "profile_batch", "embeddings_freq", "embeddings_metadata"), False),
    "CSVLogger": (("filename", "separator", "append"), False),
    "LearningRateScheduler": (("schedule", "verbose"), False),
}
# Keras 3's image utilities and the arguments they take (Keras 3.15.1; tf.keras 2's load_img also took Keras 1's
# grayscale=, now color_mode="grayscale"), by the canonical names a script reaches them through.
UTILITY_PARAMETERS = {
    "load_img": (("path", "color_mode", "target_size", "interpolation", "keep_aspect_ratio"), False),
    # tf.keras 2 also took dtype= (the one-hot rows' type); Keras 3.15.1's to_categorical(x, num_classes=None) does not
    "to_categorical": (("x", "num_classes"), False),
}
UTILITY_FUNCTIONS = {"keras.utils.load_img": "load_img", "keras.preprocessing.image.load_img": "load_img",
                     "keras.utils.to_categorical": "to_categorical"}
# The arguments Keras 3.15.1's weight regularizers take (the functions are the classes): tf.keras 2 also took l=
# for l1= / l2= (popped from **kwargs); Keras 3 raises TypeError.
REGULARIZER_PARAMETERS = {
    **dict.fromkeys(("l1", "L1"), (("l1",), False)), **dict.fromkeys(("l2", "L2"), (("l2",), False)),
    **dict.fromkeys(("l1_l2", "L1L2"), (("l1", "l2"), False)),
}
# Keras 2 keywords of Keras 3 callbacks and datasets that have a renamed equivalent: (where, old) -> modern.
RENAMED_LIBRARY_KEYWORDS = {
    **{(name, "l"): "l1" for name in ("l1", "L1")}, **{(name, "l"): "l2" for name in ("l2", "L2")},
    ("ReduceLROnPlateau", "epsilon"): "min_delta",
    ("imdb.load_data", "nb_words"): "num_words",
    ("reuters.load_data", "nb_words"): "num_words",
}
# The defaults of the modern keywords those ignored Keras 2 names stand for (Keras 3.15.1's signatures): an old
# keyword that repeats the default changes nothing when it is ignored.
RENAMED_KEYWORD_DEFAULTS = {
    ("ReduceLROnPlateau", "epsilon"): 1e-4,
    ("imdb.load_data", "nb_words"): None,
}
# Dataset loaders and the arguments Keras 3.15.1 takes, and whether **kwargs swallows (and ignores) the others.
DATASET_LOADER_PARAMETERS = {
    "imdb.load_data": (("path", "num_words", "skip_top", "maxlen", "seed", "start_char", "oov_char", "index_from"),
                       True),
    "reuters.load_data": (("path", "num_words", "skip_top", "maxlen", "test_split", "seed", "start_char", "oov_char",
                           "index_from"), False),
}
# Recurrent layers that read input_dim= (and input_length=) as Keras 1 did, features per time step: Keras 3 turns
# input_dim= into a 2-D input_shape=(input_dim,) and rejects input_length= (checked on Keras 3.15.1).
RECURRENT_LAYERS = frozenset({"LSTM", "GRU", "SimpleRNN"})
# The base classes whose add_metric() Keras 3 disabled (NotImplementedError: "Layer `add_metric()` method is
# deprecated", checked on 3.15.1): a layer or model of the script's own, or a model.
METRIC_ADDING_BASES = frozenset({"keras.layers.Layer", "keras.models.Model", "keras.models.Sequential"})
# Keras 2 backend functions (K.exp, K.int_shape, K.random_normal, ...): tf.keras 2 and TensorFlow's tf.keras.backend
# have them; Keras 3's keras.backend keeps only configuration (floatx, epsilon, image_data_format, clear_session,
# ...), so keras.backend.<name> is an AttributeError (ImportError when imported by name). Checked on Keras 3.15.1 and
# TensorFlow 2.21 by tests/test_library_claims.py. The first group has a keras.ops function of the same name, the
# second a keras.random one (random_normal -> keras.random.normal); the rest have no counterpart of the same name and
# the same defaults (K.repeat and K.switch are not keras.ops.repeat and switch; K.argmax's axis=-1 is keras.ops.argmax's
# axis=None, K.concatenate's axis=-1 keras.ops.concatenate's axis=0, K.in_top_k's argument order differs, ...).
BACKEND_FUNCTIONS_IN_OPS = frozenset("""
    abs all any arange binary_crossentropy cast categorical_crossentropy clip cos dot dtype elu equal exp
    greater greater_equal hard_sigmoid less less_equal log max maximum mean min minimum ndim not_equal one_hot
    ones ones_like prod reshape round shape sigmoid sign sin softmax softplus softsign
    sparse_categorical_crossentropy sqrt square squeeze stack std stop_gradient sum tanh tile transpose var
    zeros zeros_like
""".split())
BACKEND_FUNCTIONS_IN_RANDOM = frozenset("""
    random_normal random_uniform
""".split())
BACKEND_FUNCTIONS_ELSEWHERE = frozenset("""
    argmax argmin batch_dot batch_flatten batch_get_value batch_normalization batch_set_value bias_add
    binary_focal_crossentropy cast_to_floatx categorical_focal_crossentropy concatenate constant conv1d conv2d
    conv2d_transpose conv3d count_params ctc_batch_cost ctc_decode ctc_label_dense_to_sparse cumprod cumsum
    depthwise_conv2d dropout eval expand_dims eye flatten foldl foldr gather get_value gradients in_top_k
    int_shape is_sparse l2_normalize map_fn moving_average_update name_scope permute_dimensions pool2d pool3d
    pow random_bernoulli random_normal_variable random_uniform_variable relu repeat repeat_elements
    resize_images resize_volumes reverse rnn separable_conv2d set_value spatial_2d_padding spatial_3d_padding
    switch temporal_padding to_dense truncated_normal update update_add update_sub variable
""".split())
# Spellings of the common ones among the rest, for the hint (each target checked to exist by the slow test).
BACKEND_SPELLINGS = {
    "int_shape": "x.shape", "variable": "keras.Variable(...)", "get_value": "keras.ops.convert_to_numpy(v)",
    "set_value": "v.assign(value)", "pow": "keras.ops.power", "gather": "keras.ops.take",
    "dropout": "keras.random.dropout", "truncated_normal": "keras.random.truncated_normal",
    "argmax": "keras.ops.argmax(x, axis=-1)", "concatenate": "keras.ops.concatenate(xs, axis=-1)",
}

# TensorFlow's own operations refuse Keras 3's symbolic tensors (keras.Input(...), a layer's output, model.output):
# "ValueError: A KerasTensor cannot be used as input to a TensorFlow function" (checked on Keras 3.15.1 with
# TensorFlow 2.21 for concat, reshape, nn.relu, reduce_mean, expand_dims, shape, image.resize, add, cast, split,
# stack, identity, transpose, one_hot, l2_normalize, squeeze, matmul, where). tf.keras 2 wrapped them in a layer.
# These read their argument without converting it, and accept one:
TENSORFLOW_NON_CONVERTING = frozenset({"tensorflow.is_tensor", "tensorflow.print", "tensorflow.get_static_value"})
TENSORFLOW_NON_CONVERTING_MODULES = ("tensorflow.nest.",)
# keras.ops's spelling of the common ones, for the hint (each checked to exist by the slow test; arguments may
# differ: tf.split's num_or_size_splits, keras.ops.split's indices_or_sections).
TENSORFLOW_OPS_IN_KERAS = {
    "concat": "concatenate", "reshape": "reshape", "expand_dims": "expand_dims", "squeeze": "squeeze",
    "transpose": "transpose", "matmul": "matmul", "cast": "cast", "stack": "stack", "split": "split",
    "reduce_mean": "mean", "reduce_sum": "sum", "reduce_max": "max", "reduce_min": "min", "math.reduce_mean": "mean",
    "math.reduce_sum": "sum", "nn.relu": "relu", "nn.softmax": "softmax", "nn.sigmoid": "sigmoid", "nn.tanh": "tanh",
    "math.sigmoid": "sigmoid", "tanh": "tanh", "sigmoid": "sigmoid", "math.l2_normalize": "normalize",
    "nn.l2_normalize": "normalize", "add": "add", "multiply": "multiply", "subtract": "subtract", "math.add": "add",
    "math.multiply": "multiply", "maximum": "maximum", "minimum": "minimum", "where": "where", "one_hot": "one_hot",
    "image.resize": "image.resize", "abs": "abs", "sqrt": "sqrt", "square": "square", "exp": "exp", "math.log": "log",
    "tile": "tile", "pad": "pad", "shape": "shape", "gather": "take", "clip_by_value": "clip", "argmax": "argmax",
    "math.argmax": "argmax", "nn.relu6": "relu6", "nn.gelu": "gelu", "nn.silu": "silu",
}

# Private attributes standalone Keras 1/2 set on the symbolic tensors of a functional model, with the public attribute
# that gives the same (Keras 2.2's ``x._keras_shape`` was the shape with the batch axis, None): Keras 3.15.1's
# KerasTensor has neither the attribute nor a fallback (AttributeError, checked), and neither have TensorFlow's
# tensors inside a layer's call().
KERAS_2_TENSOR_ATTRIBUTES = {"_keras_shape": "shape"}
# Attributes tf.keras 2's layers had that Keras 3's do not (a Sequential or functional model keeps both, a subclassed
# one has neither: Keras 3.15.1 raises AttributeError for Dense(3).output_shape in a built Sequential, and gives
# model.output_shape, checked), with the tensor whose shape says the same in a built model.
KERAS_2_LAYER_ATTRIBUTES = {"output_shape": "output", "input_shape": "input"}
