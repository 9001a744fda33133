"""KS406's second half: a library constant of one family in a parameter that takes another (or none).

``cv2.imread(path, cv2.COLOR_BGR2GRAY)``: imread() takes ``IMREAD_*`` flags, and 6 reads a colour image in colour;
``cv2.resize(img, (48, 48), cv2.INTER_AREA)``: the third parameter is ``dst``, so the interpolation is ignored.  The
places and families are :mod:`kerassniff.semantic.knowledge.constant_places`'s.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.fixes import as_keyword, unsafe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.constant_places import (COLOR_CODE_VALUES, CONSTANT_PLACES, IMREAD_FLAGS_AS_CODES,
                                                          INTERPOLATION_VALUES,
                                                          OPENCV_FAMILIES, REDUCED_READS, ConstantPlace)
from kerassniff.semantic.values import Const, Symbol


def misplaced_constants(script: Script):
    for call in script.calls:
        places = CONSTANT_PLACES.get(call.callee or "")
        if places is None or any(arg.star for arg in call.node.args):
            continue
        positional = [arg for arg in call.node.args if arg.keyword is None]
        for place in places:
            arg, value = _given(call, positional, place)
            family = _family(value)
            if family is None or family == place.family:
                continue
            report = _report(script, call, arg, place, family, value.name.split(".")[-1])
            if report is not None:
                yield report


def _given(call, positional: list[cst.Arg], place: ConstantPlace) -> tuple[cst.Arg | None, object]:
    """The argument written for a parameter (by position or keyword) and the value the call recorded for it."""
    if place.position < len(positional):
        index = place.position
        return positional[index], call.args.positional[index] if index < len(call.args.positional) else None
    arg = next((a for a in call.node.args if a.keyword is not None and a.keyword.value == place.parameter), None)
    return arg, call.args.get(place.parameter) if arg is not None else None


def _family(value) -> str | None:
    """The OpenCV constant family of a value: ``cv2.COLOR_BGR2GRAY`` -> ``COLOR_``."""
    if not isinstance(value, Symbol) or not value.name.startswith("cv2."):
        return None
    name = value.name[len("cv2."):]
    return next((prefix for prefix in OPENCV_FAMILIES if name.startswith(prefix)), None)


def _report(script: Script, call, arg: cst.Arg, place: ConstantPlace, family: str, constant: str) -> Report | None:
    written = script.code_of(arg.value)
    function = call.callee.split(".")[-1]
    if function == "resize":
        return _resize(script, call, arg, place, family, written, constant)
    if function in ("imread", "imdecode") and family == "COLOR_":
        consequence, detail = _read_with_a_colour_code(constant)
        gray = constant.endswith("2GRAY")
        fix_to = "IMREAD_GRAYSCALE" if gray and type(arg.value) is cst.Attribute else None
        return Report(arg, f"{written} is {OPENCV_FAMILIES[family]}, not an {function}() flag: {consequence}",
                      "read with cv2.IMREAD_GRAYSCALE" if gray else
                      f"read the image, then convert it: cv2.cvtColor(image, {written})",
                      _constant_fix(arg, fix_to),
                      explanation=(f"{function}() takes cv2.IMREAD_* flags, which are bits; {written} is a colour "
                                   f"code for cv2.cvtColor(), and {function}() reads its number as flags: {detail}. "
                                   f"Nothing fails; a colour conversion is cv2.cvtColor()'s, after reading."),
                      facts={"constant": written, "function": function, "parameter": place.parameter})
    if function == "cvtColor" and family == "IMREAD_" and constant in IMREAD_FLAGS_AS_CODES:
        consequence, detail = IMREAD_FLAGS_AS_CODES[constant]
        return Report(arg, f"{written} is an imread() flag, not a cvtColor() code: {consequence}",
                      "pass a colour code: cv2.COLOR_BGR2GRAY (or read with imread(path, cv2.IMREAD_GRAYSCALE))",
                      explanation=(f"cv2.cvtColor() takes cv2.COLOR_* codes, and reads {written}'s number as one: "
                                   f"{detail}. Nothing fails."),
                      facts={"constant": written, "function": function, "parameter": place.parameter})
    return None


def _read_with_a_colour_code(constant: str) -> tuple[str, str]:
    """What imread() does with a colour code as its flags: the message's consequence, the explanation's detail
    (for the codes whose reading was checked; another code is only said to be read as flags)."""
    value = COLOR_CODE_VALUES.get(constant)
    if value is None:
        return "its number is read as flags", "what they ask depends on the code's bits, not on its conversion"
    shrunk = next((factor for bit, factor in REDUCED_READS.items() if value & bit), None)
    if shrunk is not None:
        return (f"read at 1/{shrunk} size, unconverted",
                f"{value} includes a reduced-size bit, so the image is read at 1/{shrunk} of its width and height, "
                f"and not converted")
    if constant.endswith("2GRAY"):
        return ("colour images stay colour", f"{value} reads the file's own channels, three for a colour image, "
                "where a grayscale image was meant")
    if "GRAY2" in constant:
        return ("gray files stay one channel", f"{value} reads the file's own channels, one for a grayscale file")
    return "no colours are converted", f"{value} reads the file's own channels, in OpenCV's BGR order"


def _resize(script: Script, call, arg: cst.Arg, place: ConstantPlace, family: str, written: str,
            constant: str) -> Report | None:
    """An interpolation given to resize() as dst, fx or fy by position: dst ignores a number, and so do fx and fy
    when dsize is given; with no dsize, fx and fy are the scale factors, and the interpolation's number scales."""
    if family != "INTER_" or arg.keyword is not None or call.args.get("interpolation") is not None or \
            INTERPOLATION_VALUES.get(constant) == INTERPOLATION_VALUES["INTER_LINEAR"]:
        return None  # (the interpolation also given by keyword, or the default one: nothing changes)
    size = call.args.positional[1] if len(call.args.positional) > 1 else call.args.get("dsize")
    sized = isinstance(size, Const) and isinstance(size.value, tuple) and any(size.value)
    unsized = isinstance(size, Const) and (size.value is None or isinstance(size.value, tuple) and not any(size.value))
    scale = INTERPOLATION_VALUES.get(constant)
    if not sized and (place.parameter == "dst" or
                      (place.parameter == "fx" and len(call.args.positional) < 5 and call.args.get("fy") is None)):
        return None  # (no dsize and no factors: resize() fails on its own; fy left 0 fails too)
    if place.parameter in ("fx", "fy") and not sized:
        if not unsized or not scale:
            return None  # (an unknown dsize; a factor of 0 with no dsize makes resize() fail on its own)
        side = "width" if place.parameter == "fx" else "height"
        consequence = f"the {side} is scaled by {scale}" if scale > 1 else f"the {side} keeps its size"
        ignored = f"which, with no dsize, scales the {side} by {scale}"
    else:
        consequence = "INTER_LINEAR is used"
        ignored = "which takes an output array, not a number" if place.parameter == "dst" else "which dsize overrides"
    positional = [a for a in call.node.args if a.keyword is None]
    last = arg is positional[-1] and not any(a.keyword is not None and a.keyword.value == "interpolation"
                                            for a in call.node.args)
    ordinal = {2: "third", 3: "fourth", 4: "fifth"}[place.position]
    return Report(arg, f"{written} is resize()'s {place.parameter} by position, not its interpolation: {consequence}",
                  f"pass it by keyword: interpolation={written}",
                  _keyword_fix(arg) if last and not unsized else None,  # (unsized: the factors are misplaced too)
                  explanation=(f"cv2.resize(src, dsize, dst, fx, fy, interpolation) takes its interpolation sixth; "
                               f"given {ordinal}, {written} is read as {place.parameter}, {ignored}, and the image is "
                               f"resized with the default INTER_LINEAR. Nothing fails."),
                  facts={"constant": written, "function": "resize", "parameter": place.parameter})


def _keyword_fix(arg: cst.Arg):
    return unsafe_fix("pass it as interpolation=", arg, as_keyword(arg, "interpolation"))


def _constant_fix(arg: cst.Arg, constant: str | None):
    if constant is None:
        return None
    return unsafe_fix(f"read with cv2.{constant}", arg.value,
                      arg.value.with_changes(attr=cst.Name(constant)))
