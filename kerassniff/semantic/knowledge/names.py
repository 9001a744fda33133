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

# Names a star import from a Keras module can provide; used only as a fallback
# for names that are otherwise unbound.
STAR_EXPORTS: dict[str, frozenset[str]] = {
    "keras.layers": frozenset(
        "Dense Conv1D Conv2D Conv3D Convolution1D Convolution2D Convolution3D SeparableConv2D "
        "DepthwiseConv2D Conv2DTranspose Conv3DTranspose UpSampling1D UpSampling2D UpSampling3D "
        "MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling2D GlobalAveragePooling2D "
        "GlobalMaxPooling2D GlobalAveragePooling1D Flatten Dropout SpatialDropout2D Activation "
        "Softmax ReLU LeakyReLU PReLU ELU BatchNormalization LayerNormalization Input InputLayer "
        "Reshape Permute Embedding LSTM GRU SimpleRNN Bidirectional TimeDistributed Concatenate "
        "Add Multiply Average Maximum Lambda Rescaling Normalization Resizing ZeroPadding2D "
        "Cropping2D GaussianNoise ActivityRegularization MaxPool2D AvgPool2D".split()
    ),
    # ``from keras import *``: the subpackages and the model classes (standalone Keras 2 and Keras 3.15.1 alike)
    "keras": frozenset("""Input Model Sequential activations applications backend callbacks constraints datasets
        initializers layers losses metrics models optimizers preprocessing regularizers utils""".split()),
    "keras.models": frozenset("Sequential Model load_model model_from_json clone_model".split()),
    "keras.optimizers": frozenset("SGD Adam RMSprop Adagrad Adadelta Adamax Nadam AdamW".split()),
    "keras.callbacks": frozenset("EarlyStopping ModelCheckpoint ReduceLROnPlateau TensorBoard CSVLogger".split()),
    "keras.utils": frozenset("to_categorical load_img img_to_array plot_model Sequence".split()),
    # Keras 2's preprocessing modules (tf.keras's in TensorFlow 2.21 still export these)
    "keras.preprocessing.image": frozenset("""ImageDataGenerator DirectoryIterator NumpyArrayIterator Iterator load_img
        img_to_array array_to_img save_img smart_resize""".split()),
    "keras.preprocessing.sequence": frozenset("pad_sequences TimeseriesGenerator".split()),
    "keras.preprocessing.text": frozenset(
        "Tokenizer one_hot hashing_trick text_to_word_sequence tokenizer_from_json".split()),
}

# A snippet with no import at all (common in questions and documentation: ``model = Sequential()``)
# is read as if it began with these star imports and the conventional aliases.
IMPLICIT_STAR_MODULES = ("keras.models", "keras.layers", "keras.optimizers", "keras.callbacks", "keras.utils")
IMPLICIT_ALIASES = {"keras": "keras", "tf": "tensorflow", "np": "numpy", "pd": "pandas", "tfa": "tensorflow_addons"}
