"""What image readers and image operations do to arrays: Keras's and PIL's readers, OpenCV's, TensorFlow's decoders
(0-255 pixels, in RGB, BGR or gray), colour conversions, resizing, and the operations that keep the pixels' scale.

The call table (:mod:`.array_table`) sends these calls here; the general array handlers are in :mod:`.arrays`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from kerassniff.semantic.dataflow import DataValue, Source, data_of, size_text
from kerassniff.semantic.knowledge.arrays import (CHANNELS_SETTING, CV2_COLOR_CODE_NUMBERS, CV2_FLAG_NUMBERS,
                                               CV2_TARGET_CHANNELS, LOAD_IMG_CHANNELS)
from kerassniff.semantic.library.arrays import LibraryCall, make, with_step
from kerassniff.semantic.names import short
from kerassniff.semantic.pyvalues import UNKNOWN, Const, Seq, Symbol, Value, const_value

# tf.image operations that move, crop or jitter pixels but keep their scale.
SAME_SCALE_IMAGE_OPS = frozenset(
    "flip_left_right flip_up_down random_flip_left_right random_flip_up_down rot90 transpose random_crop "
    "central_crop crop_to_bounding_box pad_to_bounding_box resize_with_crop_or_pad random_brightness "
    "random_contrast random_saturation random_hue adjust_brightness adjust_contrast adjust_saturation "
    "adjust_hue stateless_random_flip_left_right stateless_random_flip_up_down stateless_random_crop "
    "stateless_random_brightness stateless_random_contrast".split())

# OpenCV functions whose result holds the image's values in the same range (an 8-bit image stays 0-255): histogram
# equalisation, blurs and denoising, flips, rotations and warps, borders, morphology (not boxFilter: with
# normalize=False it sums the window).
SAME_SCALE_CV2_OPS = frozenset(
    "equalizeHist GaussianBlur medianBlur blur bilateralFilter fastNlMeansDenoising "
    "fastNlMeansDenoisingColored flip rotate warpAffine warpPerspective copyMakeBorder dilate erode "
    "morphologyEx".split())

# Readers of one RGB image (cv2.imread is BGR, and its own row).
IMAGE_READERS = {"PIL.Image.open", "imageio.imread", "imageio.v2.imread", "matplotlib.pyplot.imread",
                 "skimage.io.imread", "scipy.misc.imread"}

# Of those, the readers that give a PNG file's pixels as floats in 0-1 (matplotlib's, through Pillow).
UNIT_RANGE_PNG_READERS = frozenset({"matplotlib.pyplot.imread"})

def convert_image_dtype(call: LibraryCall) -> Value:
    """``tf.image.convert_image_dtype(image, tf.float32)`` divides by 255 only when the image holds integers: images
    read from a folder by Keras (float32 already) or already cast to float keep their values.  To another dtype
    (``tf.uint8`` multiplies floats by 255) the scale is not followed."""
    data = call.data
    target = call.args.get("dtype", 1)
    if not (isinstance(target, Symbol) and target.name.rsplit(".", 1)[-1].startswith("float")):
        return with_step(data, "scale", "?", call.node)
    casts = [step.detail for step in data.steps if step.kind == "cast"]
    already_float = data.source.kind == "directory" or (casts and casts[-1].startswith("float")) or data.is_scaled
    return with_step(data, "cast", "float32", call.node) if already_float else with_step(data, "scale", "/255",
                                                                                           call.node)

def keras_image(call: LibraryCall) -> Value:
    if call.last == "img_to_array" and call.data is not None:
        return DataValue(replace(call.data, node=call.node))
    loaded = call.last == "load_img"  # (img_to_array of an image not followed: not a read)
    mode = _load_img_mode(call) if loaded else None
    gray = mode == "grayscale"
    image = make(Source("image", f"{short(call.name)}(...)", call.node, pixels=True, color="gray" if gray else "rgb",
                        as_stored=loaded, channels=LOAD_IMG_CHANNELS.get(mode) if mode is not None else None),
                 call.node, is_sample=True)
    size = _load_img_size(call) if loaded else None
    if size is not None and not (isinstance(size, Const) and size.value is None):
        # load_img(path, target_size=(224, 224)) resizes; to a size not known here ('?': a constant of another
        # module), it still resizes.  Only the first two numbers count (Keras 3.15.1 resizes to (target_size[1],
        # target_size[0])): target_size=(224, 224, 3) is 224x224.
        if isinstance(size, Const) and isinstance(size.value, tuple) and len(size.value) > 2:
            size = Const(size.value[:2])
        return DataValue(image.data.with_step("resize", size_text(size), call.node))
    return image

def _load_img_mode(call: LibraryCall) -> str | None:
    """load_img's colour mode when it is known: "rgb" when nothing sets it (Keras 3's default), the constant given as
    ``color_mode=``; not known for a mode from a variable, or Keras 2's ``grayscale=`` flag, or a second positional
    argument (Keras 3's color_mode, Keras 2's grayscale)."""
    if call.args.has("grayscale") or len(call.args.positional) > 1:
        return None
    mode = call.args.get("color_mode")
    if mode is None:
        return "rgb"
    value = const_value(mode)
    return value if isinstance(value, str) else None


def _load_img_size(call: LibraryCall) -> Value | None:
    """load_img's target size: ``target_size=``, or a tuple given by position (third in Keras 3's signature, fourth
    in Keras 2's, which has grayscale= before color_mode=)."""
    size = call.args.get("target_size")
    if size is not None:
        return size
    return next((value for value in call.args.positional[2:4] if isinstance(const_value(value), tuple)), None)


def image_reader(call: LibraryCall) -> Value:
    description = f"{'.'.join(call.parts[-2:])}(...)"
    return make(Source("image", description, call.node, pixels=True, color="rgb", as_stored=True,
                       may_be_unit_range=call.name in UNIT_RANGE_PNG_READERS), call.node, is_sample=True)

# TensorFlow's image decoders (tf.io.decode_* and their tf.image aliases): the file's 8-bit pixels, 0-255, unless a
# dtype= asks for others (decode_png and decode_image take one, by keyword or third; Keras 3.15.1 / TF 2.21).
TF_IMAGE_DECODERS = frozenset({"decode_jpeg", "decode_png", "decode_image", "decode_bmp", "decode_and_crop_jpeg"})

_DECODER_DTYPE_POSITION = 2

# Where channels= goes by position: second, but third for decode_and_crop_jpeg(contents, crop_window, channels).
_CHANNELS_POSITION = {"decode_and_crop_jpeg": 2}

# What channels= gives: 1 gray, 3 RGB (0, the default, keeps the file's own, which is not known here).
_DECODED_COLOURS = {1: "gray", 3: "rgb"}

def tf_decoded_image(call: LibraryCall) -> Value:
    """``tf.io.decode_jpeg(tf.io.read_file(path), channels=3)``: one image of 0-255 pixels (in a tf.data ``map()``
    function, the pipeline's element)."""
    dtype = call.args.get("dtype", _DECODER_DTYPE_POSITION) if call.last in ("decode_png", "decode_image") else None
    if dtype is not None and not (isinstance(dtype, Symbol) and dtype.name.endswith("uint8")):
        return UNKNOWN  # (uint16 or float pixels: another range)
    channels = const_value(call.args.get("channels", _CHANNELS_POSITION.get(call.last, 1)))
    color = _DECODED_COLOURS.get(channels)
    return make(Source("image", f"{'.'.join(call.parts[-2:])}(...)", call.node, pixels=True, color=color,
                       as_stored=True, channels=channels if color is not None else None), call.node,
                is_sample=True)

# PIL's image modes of 8-bit pixels (0-255), and the colour each holds: Image.new(mode, size) makes a blank canvas of
# them (a drawing app's digit); the other modes ("1", "I", "F", ...) hold other ranges.
CANVAS_MODES = {"L": "gray", "RGB": "rgb"}

def image_canvas(call: LibraryCall) -> Value:
    """``Image.new("L", (28, 28))``: a blank image of 0-255 pixels, drawn on in place (ImageDraw)."""
    color = CANVAS_MODES.get(const_value(call.args.get("mode", 0)))
    if color is None:
        return UNKNOWN
    return make(Source("image", "Image.new(...)", call.node, pixels=True, color=color,
                       channels=1 if color == "gray" else 3), call.node, is_sample=True)

def cv2_imread(call: LibraryCall) -> Value:
    """``cv2.imread(path, flags)`` or ``cv2.imdecode(buffer, flags)`` (an upload's bytes): one image of 0-255 pixels,
    in BGR order unless the flags ask for grayscale."""
    flags = call.args.get("flags", 1)
    gray = const_value(flags) == 0 or (isinstance(flags, Symbol) and flags.name.endswith("GRAYSCALE"))
    color_flag = flags is None or const_value(flags) == 1 or (isinstance(flags, Symbol) and flags.name.rsplit(
        ".", 1)[-1] in ("IMREAD_COLOR", "IMREAD_COLOR_BGR", "IMREAD_COLOR_RGB"))  # (IMREAD_UNCHANGED: the file's)
    return make(Source("image", f"{'.'.join(call.parts[-2:])}(...)", call.node, pixels=True, as_stored=True,
                       color="gray" if gray else "rgb" if _reads_rgb(flags) else "bgr",
                       channels=1 if gray else 3 if color_flag else None),
                call.node, is_sample=True)

def _reads_rgb(flags: Value | None) -> bool:
    """``cv2.IMREAD_COLOR_RGB`` (OpenCV 4.10+): the image in RGB order, not OpenCV's usual BGR."""
    return isinstance(flags, Symbol) and flags.name.endswith("IMREAD_COLOR_RGB")


def cv2_color(call: LibraryCall) -> Value:
    data, node = call.data, call.node
    assert data is not None
    code = call.args.get("code", 1)
    code_name = _color_code_name(code)
    orders = code_name[len("COLOR_"):].split("2") if code_name.startswith("COLOR_") else []
    channels = CV2_TARGET_CHANNELS.get(orders[1]) if len(orders) == 2 else None
    counted = ((CHANNELS_SETTING, channels),)

    def converted(detail: str, color: str | None) -> Value:
        return DataValue(data.with_step("color", detail, node, settings=counted,
                                        source=replace(data.source, color=color)))
    if len(orders) == 2 and orders[1].startswith("GRAY"):
        return converted("gray", "gray")
    if len(orders) == 2 and {orders[0][:3], orders[1][:3]} == {"BGR", "RGB"}:  # BGR2RGB, RGB2BGR, BGR2RGBA...
        return converted("rgb" if data.source.color == "bgr" or orders[1].startswith("RGB") else "bgr",
                         "rgb" if data.source.color == "bgr" or orders[1].startswith("RGB") else "bgr")
    if len(orders) == 2 and orders[0].startswith("GRAY") and orders[1][:3] in ("BGR", "RGB"):
        # GRAY2RGB, GRAY2BGRA: the gray values copied into equal channels: still a gray picture, in three channels
        return converted("gray3", "gray" if data.source.color == "gray" else None)
    if len(orders) == 2 and orders[0][:3] == orders[1][:3] and orders[0][:3] in ("BGR", "RGB"):
        return converted("alpha", data.source.color)  # BGR2BGRA adds an alpha channel, BGRA2BGR drops it
    return converted(code_name or "?", data.source.color)


def _color_code_name(code: Value | None) -> str:
    """A cvtColor code's name ('COLOR_BGR2RGB'): of the constant written (``cv2.COLOR_BGR2RGB``), or of its number
    (``4``, ``cv2.IMREAD_GRAYSCALE``, which is 0); '' when not known."""
    if isinstance(code, Symbol):
        name = code.name.rsplit(".", 1)[-1]
        number = CV2_FLAG_NUMBERS.get(name)
        return CV2_COLOR_CODE_NUMBERS.get(number, "") if number is not None else name
    number = const_value(code)
    return CV2_COLOR_CODE_NUMBERS.get(number, "") if type(number) is int else ""

def resized(size_argument: str, width_first: bool = False) -> Callable[[LibraryCall], Value]:
    """cv2.resize(img, dsize), tf.image.resize(img, size): a resize step to the constant size, when known
    (``width_first``: cv2's dsize is (width, height))."""
    return lambda call: DataValue(call.data.with_step(  # type: ignore[union-attr]
        "resize", size_text(call.args.get(size_argument, 1), width_first), call.node))

# OpenCV's thresholds: pixels made 0 or the maximum value given (255: still 0-255 pixels); cv2.threshold returns
# (the threshold used, the image), adaptiveThreshold the image.
THRESHOLD_MAXIMUM_POSITION = {"threshold": 2, "adaptiveThreshold": 1}
_EIGHT_BIT_MAXIMUM = 255


def cv2_threshold(call: LibraryCall) -> Value:
    """``_, mask = cv2.threshold(gray, 25, 255, cv2.THRESH_BINARY)``: a mask of 0 and 255, the same image's pixels
    (their scale kept); another maximum value, or one not known, leaves the range unknown."""
    data = call.data
    maximum = const_value(call.args.get("maxval" if call.last == "threshold" else "maxValue",
                                        THRESHOLD_MAXIMUM_POSITION[call.last]))
    if data is None or maximum != _EIGHT_BIT_MAXIMUM:
        return UNKNOWN
    image = DataValue(data.with_step("augment", call.last, call.node))
    return Seq((UNKNOWN, image), "tuple") if call.last == "threshold" else image


def pixel_difference(call: LibraryCall) -> Value:
    """``cv2.absdiff(background, frame)``: the difference of two 8-bit images, 0-255 pixels; followed as the image
    read from a file or camera (the other may be a background the script made)."""
    images = [data_of(value) for value in call.args.positional[:2]]
    read = [data for data in images if data is not None and data.source.pixels]
    return DataValue(read[-1].with_step("augment", call.last, call.node)) if read else UNKNOWN


def grayscale(call: LibraryCall) -> Value:
    data = call.data
    assert data is not None
    return DataValue(data.with_step("color", "gray", call.node, settings=((CHANNELS_SETTING, 1),),
                                    source=replace(data.source, color="gray")))
