"""What array libraries' functions do to the arrays they are given, where the interpreter needs to know it.

A function that writes its result into an array it is given (``cv2.normalize(img, img, 0, 1, ...)``,
``np.divide(x, 255, out=x)``) changes that array in place; the interpreter asks whether such a write may change
the values' scale (``normalize``, arithmetic) or keeps it (``cv2.cvtColor(img, code, img)``,
``np.clip(x, 0, 255, out=x)``, a flip), by the function's last name.
"""
from __future__ import annotations

# Functions that, writing into an array in place, may change its values' scale (by their last name).
IN_PLACE_SCALING = frozenset({"normalize", "divide", "true_divide", "multiply", "subtract", "add", "convertScaleAbs",
                              "standardize", "rescale"})


# Array functions that are an arithmetic operator (``np.subtract(a, b)`` is ``a - b``), by canonical name: the
# operator's name as the interpreter's binary operations call it.
_OPERATORS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "Divide",
              "true_divide": "Divide", "floor_divide": "FloorDivide"}
ARITHMETIC_FUNCTIONS = {
    **{f"numpy.{name}": op for name, op in _OPERATORS.items()},
    **{f"keras.ops.{name}": op for name, op in _OPERATORS.items()},
    **{f"tensorflow.{module}{name}": op for name, op in _OPERATORS.items() if name in ("add", "subtract", "multiply",
                                                                                        "divide")
       for module in ("", "math.")},
}

# Image functions that move, flip or jitter pixels and keep their scale (by their last name: tf.image's, NumPy's,
# OpenCV's): a preprocessing_function made only of these, random draws and conversions augments, it does not scale.
# (Not rotate: skimage.transform.rotate turns uint8 images into floats in 0..1.)
SCALE_KEEPING_AUGMENTATIONS = frozenset({
    "random_flip_left_right", "random_flip_up_down", "flip_left_right", "flip_up_down", "rot90", "transpose",
    "random_brightness", "random_contrast", "random_saturation", "random_hue", "adjust_brightness", "adjust_contrast",
    "adjust_saturation", "adjust_hue", "fliplr", "flipud", "flip",
})
# Calls that draw or convert a number inside such a function (``k = int(tf.random.uniform([], 0, 4))``).
NUMBER_CALLS = frozenset({"int", "float", "bool", "len", "range", "min", "max", "round"})

# NumPy's random generator objects (``rng = np.random.default_rng(0)``, the legacy ``RandomState(42)``): their methods
# draw as the np.random functions of the same name do (``rng.permutation(len(x))``, ``rng.shuffle(idx)``,
# ``rng.choice(n, k)``), so an object made by one stands for the np.random module itself.
RANDOM_GENERATOR_FACTORIES = frozenset({"numpy.random.default_rng", "numpy.random.RandomState",
                                        "numpy.random.Generator"})
RANDOM_MODULE = "numpy.random"

# OpenCV's drawing functions: they draw into the image they are given and return that same image
# (``frame = cv2.rectangle(frame, p1, p2, color, 2)``), its pixels still 0-255 (checked on OpenCV 5.1).
OPENCV_DRAWING = frozenset(f"cv2.{name}" for name in (
    "rectangle", "circle", "line", "arrowedLine", "ellipse", "putText", "polylines", "fillPoly", "fillConvexPoly",
    "drawContours", "drawMarker"))

# Pillow's ImageOps functions that return an image of the same size, mode and 0-255 range (inverted, flipped,
# contrast stretched, equalised, posterized, solarized); ImageOps.grayscale converts it to one channel ('L').
PILLOW_SAME_IMAGE_OPS = frozenset(f"PIL.ImageOps.{name}" for name in (
    "invert", "mirror", "flip", "autocontrast", "equalize", "posterize", "solarize", "exif_transpose"))
# ImageOps functions that resize the image (contain and cover keep its aspect ratio within or around the size asked,
# scale by a factor): a resize, to a size the analysis does not work out.
PILLOW_RESIZING_OPS = frozenset({"PIL.ImageOps.contain", "PIL.ImageOps.cover", "PIL.ImageOps.scale"})
PILLOW_GRAYSCALE = "PIL.ImageOps.grayscale"

# How many channels an OpenCV colour conversion leaves, by the colour space it converts to (the part after the "2"
# of COLOR_BGR2GRAY, checked on OpenCV 5.1); a space not listed leaves the count unknown.
CV2_TARGET_CHANNELS = {"GRAY": 1, "BGR": 3, "RGB": 3, "BGRA": 4, "RGBA": 4, "HSV": 3, "HSV_FULL": 3, "HLS": 3,
                       "HLS_FULL": 3, "LAB": 3, "Lab": 3, "LUV": 3, "Luv": 3, "YCrCb": 3, "YCR_CB": 3, "XYZ": 3,
                       "YUV": 3}
# load_img's colour modes and the channels each gives (Keras 3.15.1's load_img converts the file to that mode).
LOAD_IMG_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}
# Pillow's image modes a convert() gives that are followed, and their channels.
PILLOW_MODE_CHANNELS = {"L": 1, "1": 1, "RGB": 3, "RGBA": 4}
# The setting of a colour step that says how many channels the image has after it.
CHANNELS_SETTING = "channels"

# scikit-learn's scalers by class name: the kind of step each makes of an array, and its name in messages.
SCALER_STEPS = {"MinMaxScaler": ("minmax", "MinMaxScaler"), "StandardScaler": ("standardize", "StandardScaler"),
                "RobustScaler": ("standardize", "RobustScaler"), "MaxAbsScaler": ("minmax", "MaxAbsScaler"),
                "Normalizer": ("normalize", "Normalizer"), "QuantileTransformer": ("minmax", "QuantileTransformer")}

# scikit-learn's text vectorizers (sklearn.feature_extraction.text): fit_transform/transform turn texts into a
# sparse matrix of one column per vocabulary word (a count, a 0/1 flag or a tf-idf weight), not token ids.
TEXT_VECTORIZERS = frozenset({"TfidfVectorizer", "CountVectorizer", "HashingVectorizer"})
# Methods that make a sparse matrix dense, with the same values (scipy.sparse).
DENSIFYING_METHODS = ("toarray", "todense")

# The scalers whose statistics, measured on one sample, map it to a constant (checked on scikit-learn 1.9.1):
# StandardScaler, MinMaxScaler and RobustScaler give 0 for every feature, MaxAbsScaler -1, 0 or 1 (its sign).
ONE_SAMPLE_CONSTANT = {"StandardScaler": "0", "MinMaxScaler": "0", "RobustScaler": "0", "MaxAbsScaler": "its sign"}
# The setting of a scaling step whose scaler was fitted on the one sample it scales (KS221).
ONE_SAMPLE_SETTING = "fitted_on_one_sample"

# cv2.cvtColor codes written as numbers, or as another constant of the same number (``cv2.IMREAD_GRAYSCALE`` is 0,
# which as a conversion code is COLOR_BGR2BGRA: it adds an alpha channel and turns nothing gray), by OpenCV's
# numbering; the names say the channel orders from and to.
CV2_COLOR_CODE_NUMBERS = {0: "COLOR_BGR2BGRA", 1: "COLOR_BGRA2BGR", 2: "COLOR_BGR2RGBA", 3: "COLOR_RGBA2BGR",
                          4: "COLOR_BGR2RGB", 5: "COLOR_BGRA2RGBA", 6: "COLOR_BGR2GRAY", 7: "COLOR_RGB2GRAY"}
CV2_FLAG_NUMBERS = {"IMREAD_GRAYSCALE": 0, "IMREAD_COLOR": 1}
