"""Tables for canonical name resolution (:mod:`kerassniff.semantic.names` holds the logic that reads them)."""
from __future__ import annotations

# Module prefixes that are all "Keras", longest first so the most specific wins.
KERAS_ROOTS = (
    "tensorflow.python.keras",
    "tensorflow.contrib.keras",
    "tensorflow.keras.src",
    "tensorflow.keras",
    "keras._tf_keras.keras",
    "keras.src",
    "keras.api",  # Keras 3.0-3.9's generated public API package (gone from 3.10: KS402 says so)
    "tf_keras.src",
    "tf_keras",
    "keras",
)

# TensorFlow 2's own names for Keras sub-packages (tf.optimizers is tf.keras.optimizers, checked on TensorFlow 2.21).
TENSORFLOW_KERAS_ALIASES = {
    "tensorflow.optimizers": "keras.optimizers", "tensorflow.losses": "keras.losses",
    "tensorflow.metrics": "keras.metrics", "tensorflow.initializers": "keras.initializers",
}

# Other libraries' modules reachable under a second name: opencv-python 4.2-4.5 shipped its extension as cv2.cv2,
# so ``from cv2 import cv2`` (an IDE's autocompletion) is OpenCV itself.
MODULE_ALIASES = {"cv2.cv2": "cv2"}

# Sub-packages whose public names are flat: keras.layers.core.dense.Dense -> keras.layers.Dense
FLAT_PACKAGES = frozenset({
    "layers", "losses", "metrics", "optimizers", "activations", "callbacks",
    "initializers", "regularizers", "constraints", "models",
})

TOP_LEVEL_ALIASES = {
    "keras.Sequential": "keras.models.Sequential",
    "keras.Model": "keras.models.Model",
    "keras.Input": "keras.layers.Input",
    "keras.engine.training.Model": "keras.models.Model",
    # Keras 2.0-2.2's keras/engine/__init__.py exported these (from .topology and .training): scripts of that time
    # import them from keras.engine, which Keras 3 lacks (KS402), meaning the model classes all the same
    "keras.engine.Model": "keras.models.Model",
    "keras.engine.Input": "keras.layers.Input",
    "keras.engine.topology.Input": "keras.layers.Input",
    "keras.engine.sequential.Sequential": "keras.models.Sequential",
    "keras.engine.functional.Functional": "keras.models.Model",
    "keras.engine.input_layer.Input": "keras.layers.Input",
    "keras.models.sequential.Sequential": "keras.models.Sequential",
    "keras.models.model.Model": "keras.models.Model",
    "keras.models.functional.Functional": "keras.models.Model",
    "keras.layers.core.input_layer.Input": "keras.layers.Input",
    "keras.saving.load_model": "keras.models.load_model",
    "keras.saving.save_model": "keras.models.save_model",
    "keras.saving.saving_api.save_model": "keras.models.save_model",
    "keras.saving.saving_api.load_model": "keras.models.load_model",
    "keras.models.saving.load_model": "keras.models.load_model",
    "keras.utils.np_utils.to_categorical": "keras.utils.to_categorical",
    "keras.utils.numerical_utils.to_categorical": "keras.utils.to_categorical",
    "keras.utils.image_utils.load_img": "keras.utils.load_img",
    "keras.utils.image_utils.img_to_array": "keras.utils.img_to_array",
    "keras.preprocessing.image.load_img": "keras.utils.load_img",
    "keras.preprocessing.image.img_to_array": "keras.utils.img_to_array",
    "keras.utils.image_dataset_utils.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.legacy.preprocessing.image.ImageDataGenerator": "keras.preprocessing.image.ImageDataGenerator",
}

# The names a star import the analysis only guesses at is read to provide (a snippet with no import; ``from utils
# import *`` of a module it cannot read, in a Keras script): the common, unmistakable ones, so that a helper's own
# ``normalize`` or ``add`` is not taken for Keras's.  A real ``from keras.layers import *`` binds all of
# :data:`STAR_EXPORTS`.
GUESSED_STAR_EXPORTS: dict[str, frozenset[str]] = {
    "keras.layers": frozenset(
        "Dense Conv1D Conv2D Conv3D Convolution1D Convolution2D Convolution3D SeparableConv2D "
        "DepthwiseConv2D Conv2DTranspose Conv3DTranspose UpSampling1D UpSampling2D UpSampling3D "
        "MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling2D GlobalAveragePooling2D "
        "GlobalMaxPooling2D GlobalAveragePooling1D Flatten Dropout SpatialDropout2D Activation "
        "Softmax ReLU LeakyReLU PReLU ELU BatchNormalization LayerNormalization Input InputLayer "
        "Reshape Permute Embedding LSTM GRU SimpleRNN Bidirectional TimeDistributed Concatenate "
        "Add Multiply Average Maximum Lambda Rescaling Normalization Resizing ZeroPadding2D "
        "Cropping2D GaussianNoise ActivityRegularization MaxPool2D AvgPool2D RandomFlip RandomRotation RandomZoom "
        "RandomTranslation RandomContrast RandomBrightness RandomCrop CenterCrop TextVectorization MultiHeadAttention "
        "GlobalMaxPooling1D AveragePooling1D SpatialDropout1D RepeatVector Masking".split()
    ),
    # ``from keras import *``: the subpackages and the model classes (standalone Keras 2 and Keras 3.15.1 alike)
    "keras": frozenset("""Input Model Sequential activations applications backend callbacks constraints datasets
        initializers layers losses metrics models optimizers preprocessing regularizers utils""".split()),
    "keras.models": frozenset("Sequential Model load_model model_from_json clone_model".split()),
    "keras.optimizers": frozenset("SGD Adam RMSprop Adagrad Adadelta Adamax Nadam AdamW".split()),
    "keras.callbacks": frozenset("EarlyStopping ModelCheckpoint ReduceLROnPlateau TensorBoard CSVLogger".split()),
    "keras.utils": frozenset("""to_categorical load_img img_to_array plot_model Sequence image_dataset_from_directory
        text_dataset_from_directory timeseries_dataset_from_array pad_sequences set_random_seed""".split()),
    # Keras 2's preprocessing modules (tf.keras's in TensorFlow 2.21 still export these)
    "keras.preprocessing.image": frozenset("""ImageDataGenerator DirectoryIterator NumpyArrayIterator Iterator load_img
        img_to_array array_to_img save_img smart_resize""".split()),
    "keras.preprocessing.sequence": frozenset("pad_sequences TimeseriesGenerator".split()),
    "keras.preprocessing.text": frozenset(
        "Tokenizer one_hot hashing_trick text_to_word_sequence tokenizer_from_json".split()),
}

# Every public name of the Keras modules star imports read, as Keras 3.15.1 exports them (``dir()``, checked by
# tests/test_library_claims.py): ``from keras.layers import *`` binds them all.
KERAS_3_EXPORTS: dict[str, frozenset[str]] = {
    "keras.layers": frozenset("""
        Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D AdaptiveAveragePooling3D
        AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add AdditiveAttention AlphaDropout Attention
        AugMix AutoContrast Average AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D
        BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate
        ContrastLimitedAdaptiveHistogramEqualization Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D
        Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D Convolution1DTranspose Convolution2D
        Convolution2DTranspose Convolution3D Convolution3DTranspose Cropping1D Cropping2D Cropping3D CutMix Dense
        DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding Equalization Flatten
        FlaxLayer GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D
        GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D
        GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization
        GroupQueryAttention HashedCrossing Hashing Identity Input InputLayer InputSpec IntegerLookup JaxLayer LSTM
        LSTMCell Lambda Layer LayerNormalization LeakyReLU Masking MaxNumBoundingBoxes MaxPool1D MaxPool2D MaxPool3D
        MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp MultiHeadAttention Multiply
        Normalization PReLU Permute Pipeline RMSNormalization RNN RandAugment RandomBrightness
        RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop RandomElasticTransform RandomErasing
        RandomFlip RandomGaussianBlur RandomGrayscale RandomHue RandomInvert RandomPerspective RandomPosterization
        RandomRotation RandomSaturation RandomSharpness RandomShear RandomTranslation RandomZoom ReLU RepeatVector
        Rescaling Reshape Resizing ReversibleEmbedding STFTSpectrogram SeparableConv1D SeparableConv2D
        SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax Solarization SpatialDropout1D
        SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells StringLookup Subtract TFSMLayer
        TextVectorization TimeDistributed TorchModuleWrapper UnitNormalization UpSampling1D UpSampling2D
        UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D add average concatenate deserialize dot
        maximum minimum multiply serialize subtract""".split()),
    "keras.models": frozenset("""
        Model Sequential clone_model load_model model_from_json save_model""".split()),
    "keras.optimizers": frozenset("""
        Adadelta Adafactor Adagrad Adam AdamW Adamax Ftrl Lamb Lion LossScaleOptimizer MultiOptimizer Muon Nadam
        Optimizer OptimizerMap RMSprop SGD ScheduleFreeAdamW deserialize get legacy schedules serialize""".split()),
    "keras.callbacks": frozenset("""
        BackupAndRestore CSVLogger Callback CallbackList EarlyStopping History LambdaCallback LearningRateScheduler
        ModelCheckpoint OrbaxCheckpoint ProgbarLogger ReduceLROnPlateau RemoteMonitor SwapEMAWeights TensorBoard
        TerminateOnNaN""".split()),
    "keras.utils": frozenset("""
        Config CustomObjectScope FeatureSpace Progbar PyDataset Sequence array_to_img audio_dataset_from_directory
        bounding_boxes clear_session custom_object_scope deserialize_keras_object disable_interactive_logging
        enable_interactive_logging get_custom_objects get_file get_registered_name get_registered_object
        get_source_inputs image_dataset_from_directory img_to_array is_interactive_logging_enabled is_keras_tensor
        legacy load_img model_to_dot normalize pack_x_y_sample_weight pad_sequences plot_model
        register_keras_serializable save_img serialize_keras_object set_random_seed split_dataset standardize_dtype
        text_dataset_from_directory timeseries_dataset_from_array to_categorical unpack_x_y_sample_weight""".split()),
}

# Names a star import from a Keras module provides: the guesses above (tf.keras 2's own among them) and every public
# name Keras 3 exports.
STAR_EXPORTS: dict[str, frozenset[str]] = {
    module: names | KERAS_3_EXPORTS.get(module, frozenset()) for module, names in GUESSED_STAR_EXPORTS.items()}

# A snippet with no import at all (common in questions and documentation: ``model = Sequential()``)
# is read as if it began with these star imports and the conventional aliases.
IMPLICIT_STAR_MODULES = ("keras.models", "keras.layers", "keras.optimizers", "keras.callbacks", "keras.utils")
IMPLICIT_ALIASES = {"keras": "keras", "tf": "tensorflow", "np": "numpy", "pd": "pandas", "tfa": "tensorflow_addons"}

# Top-level packages that are libraries, never a module of the script's project (``from numpy import *`` brings no
# ``x_test``; ``import pandas`` names no file beside the script).
LIBRARY_ROOTS = frozenset({
    "keras", "tensorflow", "tf_keras", "numpy", "pandas", "sklearn", "scipy", "cv2", "PIL", "torch",
    "jax", "matplotlib", "os", "sys", "json", "math", "random", "pathlib", "glob", "typing",
})

# Libraries whose functions, given a function of the script, run it within the call or trace it there
# (``sorted(key=...)``, ``map(f, xs)``, ``functools.reduce``, ``np.vectorize``, pandas's ``apply``, tf.data's ``map``,
# a Keras ``Lambda`` layer, absl's ``app.run(main)``, a tuner's model-building function): nothing of it runs later, at a time the library picks (threads, GUI callbacks, timers,
# Keras callbacks do: ``keras.callbacks`` is not among these).
RUN_WITHIN_THE_CALL = ("builtins.", "functools.", "itertools.", "operator.", "numpy.", "pandas.", "scipy.",
                       "sklearn.", "tensorflow.", "re.", "keras.layers.", "keras.ops.", "absl.", "keras_tuner.",
                       "kerastuner.")
