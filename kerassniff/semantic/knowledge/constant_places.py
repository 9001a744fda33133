"""Library parameters that take one family of named integer constants, where a constant of another family is just
as good an integer: ``cv2.imread(path, cv2.COLOR_BGR2GRAY)`` reads the file with the flags ``6`` (no conversion at
all), ``cv2.resize(img, size, cv2.INTER_AREA)`` gives the interpolation as ``dst`` (ignored: the default
interpolation is used), and nothing fails.

Each value below was checked on OpenCV 5.1 (``opencv-python-headless``), as was what the wrong constant does there.
"""
from __future__ import annotations

from typing import NamedTuple


class ConstantPlace(NamedTuple):
    """One parameter of a function: its position, its name, and the family of constants it takes (the prefix of
    their names), or None for a parameter that takes no named constant (``dst``, ``fx``)."""

    position: int
    parameter: str
    family: str | None


# OpenCV's constant families, by the prefix of their names (after ``cv2.``), and what a message calls a member.
OPENCV_FAMILIES = {"COLOR_": "a cvtColor() code", "IMREAD_": "an imread() flag", "INTER_": "an interpolation"}

# Functions, by canonical name: the places judged.  (cv2.resize(src, dsize, dst, fx, fy, interpolation): a
# number given as dst is ignored, and fx/fy are ignored when dsize is given.)
CONSTANT_PLACES: dict[str, tuple[ConstantPlace, ...]] = {
    "cv2.imread": (ConstantPlace(1, "flags", "IMREAD_"),),
    "cv2.imdecode": (ConstantPlace(1, "flags", "IMREAD_"),),
    "cv2.cvtColor": (ConstantPlace(1, "code", "COLOR_"),),
    "cv2.resize": (ConstantPlace(2, "dst", None), ConstantPlace(3, "fx", None), ConstantPlace(4, "fy", None),
                   ConstantPlace(5, "interpolation", "INTER_")),
}

# Values of the colour codes seen given to imread(), for what imread() then does: its flags are bits, 16/32/64
# read the image at 1/2, 1/4 or 1/8 of its size.  (Only codes whose value was checked are listed.)
COLOR_CODE_VALUES = {
    "COLOR_BGR2GRAY": 6, "COLOR_RGB2GRAY": 7, "COLOR_BGRA2GRAY": 10, "COLOR_RGBA2GRAY": 11,
    "COLOR_GRAY2BGR": 8, "COLOR_GRAY2RGB": 8, "COLOR_BGR2RGB": 4, "COLOR_RGB2BGR": 4,
    "COLOR_BGR2HSV": 40, "COLOR_RGB2HSV": 41, "COLOR_BGR2LAB": 44, "COLOR_BGR2YCrCb": 36,
}
REDUCED_READS = {16: 2, 32: 4, 64: 8}  # an imread() flag bit -> the factor the image is shrunk by

# Interpolations' values: given to resize() as fx or fy with no dsize, the number scales that side.
INTERPOLATION_VALUES = {"INTER_NEAREST": 0, "INTER_LINEAR": 1, "INTER_CUBIC": 2, "INTER_AREA": 3, "INTER_LANCZOS4": 4,
                        "INTER_LINEAR_EXACT": 5, "INTER_NEAREST_EXACT": 6}

# What cvtColor() does with the imread() flags its code is sometimes given (their values are colour codes).
# (the message's consequence, the explanation's detail)
IMREAD_FLAGS_AS_CODES = {
    "IMREAD_GRAYSCALE": ("it adds an alpha channel",
                         "0 is COLOR_BGR2BGRA, which adds a fourth (alpha) channel; nothing is made gray"),
}
