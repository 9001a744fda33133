"""Keras layers by what rules need to know of them: width argument, activation, shape behaviour."""
from __future__ import annotations

# Layers whose output activation is ``activation=`` (linear when absent) and
# whose width is their first argument.
UNIT_LAYERS = {
    "Dense": "units", "Conv1D": "filters", "Conv2D": "filters", "Conv3D": "filters",
    "Convolution1D": "filters", "Convolution2D": "filters", "Convolution3D": "filters",
    "SeparableConv1D": "filters", "SeparableConv2D": "filters", "Conv1DTranspose": "filters",
    "Conv2DTranspose": "filters", "Conv3DTranspose": "filters", "Deconvolution2D": "filters",
    "SimpleRNN": "units", "LSTM": "units", "GRU": "units", "LocallyConnected2D": "filters",
}
RECURRENT_DEFAULT_ACTIVATION = {"SimpleRNN": "tanh", "LSTM": "tanh", "GRU": "tanh"}
CONV_LAYERS = {
    "Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
    "SeparableConv1D", "SeparableConv2D",
}
UPSAMPLING_LAYERS = {
    "UpSampling1D", "UpSampling2D", "UpSampling3D", "Conv1DTranspose", "Conv2DTranspose",
    "Conv3DTranspose", "Deconvolution2D", "Deconv2D",
}
# Local pooling layers (each Keras spelling): they shrink the feature map.  Global pooling is not here.
POOLING_LAYERS = {
    f"{op}{dims}D" for op in ("MaxPooling", "MaxPool", "AveragePooling", "AvgPool") for dims in (1, 2, 3)
}
# Layers that pass the previous layer's output activation through unchanged.
PASS_THROUGH = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "AlphaDropout",
    "GaussianDropout", "GaussianNoise", "Flatten", "Reshape", "ActivityRegularization",
    "Permute", "RepeatVector",
}
# The pass-through layers that change values while training (zero or rescale them, add noise): after an output's
# activation they make its training outputs something else than that activation's.
TRAINING_NOISE_LAYERS = frozenset({"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                                   "AlphaDropout", "GaussianDropout", "GaussianNoise"})
# Layers that apply another layer to each time step or in both directions: every rule reads the inner layer.
WRAPPER_LAYERS = {"TimeDistributed", "Bidirectional"}
BATCHNORM_LAYERS = ("BatchNormalization", "BatchNormalizationV2", "SyncBatchNormalization")
# Layers that keep their input's width but not its activation: in ``Dense(1), BatchNormalization(),
# Activation("softmax")`` the activation decides the output and the Dense its width.
NORMALIZATION_LAYERS = frozenset({*BATCHNORM_LAYERS, "LayerNormalization", "GroupNormalization", "UnitNormalization"})
ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}
ACTIVATION_SYNONYMS = {"linear": "linear", "none": "linear", "softmax": "softmax", "sigmoid": "sigmoid",
                       "tanh": "tanh", "relu": "relu", "relu6": "relu", "elu": "elu", "selu": "selu",
                       "softplus": "softplus", "hard_sigmoid": "sigmoid", "exponential": "exponential",
                       "leaky_relu": "leaky_relu", "gelu": "gelu", "swish": "swish", "silu": "swish",
                       "softsign": "softsign", "log_softmax": "log_softmax", "mish": "mish"}
# Modules whose functions are activations when passed as ``activation=keras.activations.relu``.
ACTIVATION_MODULES = ("keras.activations.", "tensorflow.nn.", "tensorflow.math.", "tensorflow.keras.activations.")
# Functions that apply an activation to a tensor: tf.nn.softmax(x), keras.activations.sigmoid(x), keras.ops.softmax(x).
TENSOR_ACTIVATIONS = {
    "tensorflow.nn.softmax": "softmax", "tensorflow.math.softmax": "softmax", "tensorflow.nn.sigmoid": "sigmoid",
    "tensorflow.math.sigmoid": "sigmoid", "tensorflow.sigmoid": "sigmoid", "tensorflow.nn.log_softmax": "log_softmax",
    "keras.activations.softmax": "softmax", "keras.activations.sigmoid": "sigmoid",
    "keras.ops.softmax": "softmax", "keras.ops.sigmoid": "sigmoid",
    "keras.backend.softmax": "softmax", "keras.backend.sigmoid": "sigmoid",
}

# Tensor operations that pass a tensor's values on unchanged in the forward pass: a functional model built through
# them is the model built without them.
TENSOR_IDENTITIES = frozenset({"tensorflow.identity", "keras.ops.copy", "tensorflow.stop_gradient",
                               "keras.ops.stop_gradient"})

# Layers that scale the model's input inside the model.
INPUT_SCALING_LAYERS = {"Rescaling", "Normalization", "Lambda", "TextVectorization"}
# Keras preprocessing layers that move, crop or jitter pixels but keep their scale.
AUGMENTATION_LAYERS = frozenset(
    "RandomFlip RandomRotation RandomZoom RandomTranslation RandomCrop CenterCrop RandomContrast "
    "RandomBrightness RandomHeight RandomWidth".split())
# Preprocessing layers without weights: a model made only of them (an augmentation pipeline) learns nothing, and
# calling it with training=True only switches its random transformations on.
WEIGHTLESS_PREPROCESSING_LAYERS = AUGMENTATION_LAYERS | {"Rescaling", "Resizing", "InputLayer"}
# Each preprocess_input mode as the affine maps it applies to the colour channels of 0-255 pixels, one (factor, offset)
# per channel in the order it leaves them (checked on Keras 3.15.1: caffe flips RGB to BGR and subtracts the ImageNet
# means 103.939, 116.779, 123.68; tf maps every channel to [-1, 1]; torch divides by 255, subtracts the means 0.485,
# 0.456, 0.406 and divides by the deviations 0.229, 0.224, 0.225): what KS207 follows a pixel's range through.
PREPROCESSING_AFFINE: dict[str, tuple[tuple[float, float], ...]] = {
    "caffe": tuple((1.0, -mean) for mean in (103.939, 116.779, 123.68)),
    "tf": ((1 / 127.5, -1.0),) * 3,
    "torch": tuple((1 / (255 * std), -mean / std) for mean, std in ((0.485, 0.229), (0.456, 0.224), (0.406, 0.225))),
}
# The input scaling keras.applications networks build in, as (factor, offset) applied to 0-255 pixels, by name
# prefix (the longest that matches), whether include_preprocessing=False switches it off, and what it is. Checked on
# Keras 3.15.1 (tests/test_library_claims.py): EfficientNetB0-B7 always start with Rescaling(1/255); EfficientNetV2B0-B3
# with Rescaling(1/255) (then a Normalization); EfficientNetV2S/M/L with Rescaling(1/128, offset=-1); MobileNetV3 with
# Rescaling(1/127.5, offset=-1); ConvNeXt with a Normalization by ImageNet's means and deviations of 0-255 pixels
# (red: mean 123.675, deviation 58.395).
BUILT_IN_SCALING = {
    "EfficientNetB": (1 / 255, 0.0, False, "rescaling"),
    "EfficientNetV2B": (1 / 255, 0.0, True, "rescaling"),
    "EfficientNetV2": (1 / 128, -1.0, True, "rescaling"),
    "MobileNetV3": (1 / 127.5, -1.0, True, "rescaling"),
    "ConvNeXt": (1 / 58.395, -123.675 / 58.395, True, "normalisation"),
}
# keras.applications families that rescale raw 0-255 pixels themselves unless switched off: BUILT_IN_SCALING's, and
# tf.keras 2's RegNet and ResNetRS (not in Keras 3; their scaling is not modelled, only known to be there).
SELF_SCALING_APPLICATIONS = (*BUILT_IN_SCALING, "RegNet", "ResNetRS")
# What each keras.applications network's ImageNet weights were trained on, as its preprocess_input makes the pixels
# ("caffe": 0-255 BGR less the ImageNet channel means; "tf": scaled to -1..1; "torch": 0-1 less the means, over the
# standard deviations), and the module that holds that preprocess_input (checked in Keras 3.15.1's
# keras/src/applications). The self-scaling families above take raw pixels.
PREPROCESSING_MODES = {
    "VGG16": ("caffe", "vgg16"), "VGG19": ("caffe", "vgg19"), "ResNet50": ("caffe", "resnet50"),
    "ResNet101": ("caffe", "resnet"), "ResNet152": ("caffe", "resnet"),
    "ResNet50V2": ("tf", "resnet_v2"), "ResNet101V2": ("tf", "resnet_v2"), "ResNet152V2": ("tf", "resnet_v2"),
    "Xception": ("tf", "xception"), "InceptionV3": ("tf", "inception_v3"),
    "InceptionResNetV2": ("tf", "inception_resnet_v2"), "MobileNet": ("tf", "mobilenet"),
    "MobileNetV2": ("tf", "mobilenet_v2"), "NASNetMobile": ("tf", "nasnet"), "NASNetLarge": ("tf", "nasnet"),
    "DenseNet121": ("torch", "densenet"), "DenseNet169": ("torch", "densenet"), "DenseNet201": ("torch", "densenet"),
}
# keras.applications modules whose preprocess_input returns the pixels unchanged (their networks scale inside the
# model; checked on Keras 3.15.1).
UNCHANGING_PREPROCESS = frozenset({"efficientnet", "efficientnet_v2", "convnext", "mobilenet_v3"})
# keras.applications networks whose first layer is a linear convolution followed at once by BatchNormalization
# (only padding between; checked on Keras 3.15.1 by tests/test_library_claims.py): built with weights=None, they
# standardise the first convolution's outputs, which cancels any factor on the input pixels. VGG has no
# BatchNormalization; ResNet*V2 pools before its first one.
NORMALIZED_STEM_APPLICATIONS = frozenset({
    "ResNet50", "ResNet101", "ResNet152", "Xception", "InceptionV3", "InceptionResNetV2", "MobileNet", "MobileNetV2",
    "NASNetMobile", "DenseNet121", "DenseNet169", "DenseNet201"})
# Layers with trained weights that turn inputs into features (a Lambda after one of them works on features, not on
# the model's inputs): these kinds, and the kinds starting with FEATURE_LAYER_PREFIXES.
FEATURE_LAYERS = frozenset({"Dense", "Embedding"})
FEATURE_LAYER_PREFIXES = ("Conv", "SeparableConv", "DepthwiseConv", "LSTM", "GRU", "SimpleRNN", "Bidirectional")
# The layers that put a Keras mask on what follows them (an Embedding does too, with mask_zero=True).
MASKING_LAYERS = frozenset({"Masking"})
# Layers that are non-linear by construction (gates and tanh), whatever their activation= says.
RECURRENT_LAYERS = frozenset({"SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D",
                              "ConvLSTM3D", "RNN"})
# keras.applications families built with BatchNormalization layers.
BATCHNORM_APPLICATIONS = (
    "ResNet", "NASNet", "MobileNet", "EfficientNet", "DenseNet", "Inception", "Xception", "ConvNeXt", "RegNet",
)

# Layers that combine several tensors: the chain through them is one branch only.
MERGE_LAYERS = {
    "Add", "Concatenate", "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot",
    "Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention",
}
# The functional spellings of the merge layers: keras.layers.concatenate([a, b]).
MERGE_FUNCTIONS = {"concatenate", "add", "multiply", "average", "maximum", "minimum", "subtract", "dot"}
# Local average pooling: a linear function of its input (max pooling is not: a max of linear responses is a
# non-linearity, as in maxout networks).
AVERAGE_POOLING_LAYERS = {name for name in POOLING_LAYERS if name.startswith(("AveragePooling", "AvgPool"))}
MAX_POOLING_LAYERS = POOLING_LAYERS - AVERAGE_POOLING_LAYERS
# Layers whose output is a linear (affine at inference) function of their input: they add no non-linearity a
# Dense/Conv pair could rely on.
LINEAR_TRANSPARENT = PASS_THROUGH | AVERAGE_POOLING_LAYERS | {
    "BatchNormalization", "BatchNormalizationV2", "SyncBatchNormalization",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D", "InputLayer", "Normalization", "Rescaling",
}
# Layers that keep the number of features/channels of their input.
WIDTH_PRESERVING = ((LINEAR_TRANSPARENT | POOLING_LAYERS) - {"Flatten", "Reshape", "Permute", "RepeatVector"}) | {
    "LayerNormalization"}
# The affine layers a missing activation collapses: y = W x + b.
AFFINE_LAYERS = CONV_LAYERS | {"Dense"}

# What an Embedding does with an id at or past its rows (checked on TensorFlow 2.21 / Keras 3.15.1, whose Embedding
# calls ops.take, tf.gather on that backend): on a CPU, InvalidArgumentError; with XLA (Keras 3's jit_compile="auto"
# picks it on a GPU machine when every layer allows it) the id is clamped to the last row (Embedding(4) gives row 3 for
# ids 4 and 7); tf.gather without XLA on a GPU stores zeros (its documented behaviour).  Said after the id is named.
EMBEDDING_ID_PAST_ROWS = ("TensorFlow on a CPU stops with InvalidArgumentError on it; on a GPU nothing stops it: "
                          "Keras 3 compiles with XLA there when it can, which clamps the id to the last row, and "
                          "tf.gather without XLA gives zeros, so the word reads as another word's vector or as "
                          "nothing, with no error.")
