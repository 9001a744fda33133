"""KS243 image-resized-by-numpy: ``np.resize(img, (28, 28, 1))`` on an image read from a file or a camera, taken for
an image resize.  NumPy's resize does not resample: it flattens the array and fills the new shape with its values in
order, cut short or repeated from the start, so a photo becomes a strip of its top rows (or the photo tiled) and the
model is trained on, or predicts, noise.  Nothing fails: the shape is the one the model expects.

Before any resize the image has its file's size, which the script cannot know: reported, as the new shape holds its
values only by chance.  After a resize to a known size, in a known number of channels, reported only when the new
shape does not hold that many values (an RGB image given one channel: the first third of the values, interleaved);
when the count is not known, or agrees (``np.resize(img, (1, 28, 28, 1))`` after ``cv2.resize(img, (28, 28))`` of a
gray image: a reshape spelt so), silent.
"""
from __future__ import annotations

import math

from kerassniff.checks._shared import EVENT_WORDS
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step
from kerassniff.semantic.data_queries import values_before
from kerassniff.semantic.values import const_value

NUMPY_RESIZE = "numpy.resize"
# What each kind of data event does with the array, for the message.
_USES = {"fit": "fit() trains on", "validation": "the validation data holds", "evaluate": "evaluate() scores",
         "predict": "predict() gets"}


@rule("KS243", "image-resized-by-numpy", Severity.ERROR,
      "np.resize() on an image read from a file or camera: it cuts or repeats the pixels instead of scaling the image",
      "resize the image with cv2.resize(img, (width, height)) or Pillow's img.resize((width, height)), then reshape it")
def check(script: Script):
    reported: set[int] = set()
    for event in script.data_events:
        if not event.role.startswith("x") or event.kind not in _USES:
            continue
        found = _scrambling_numpy_resize(script, event.data)
        if found is None or id(found[0].node) in reported:
            continue
        reported.add(id(found[0].node))
        yield _report(script, event, *found)


def _scrambling_numpy_resize(script: Script, data: Data) -> tuple[Step, int | None, int | None] | None:
    """The ``np.resize()`` step that scrambles an image read from a file or camera (0-255 pixels as stored): with
    no resize before it (the image has the file's size), or after one when the new shape does not hold the values
    the image then holds (:func:`~kerassniff.semantic.data_queries.values_before`: a 28x28 RGB image resized to (28, 28, 1)); with those two
    numbers in the second case."""
    if data.source.kind != "image" or not data.source.as_stored:
        return None  # (an image handed over from code not followed, or a canvas the script made: its size may be fixed)
    for index, step in enumerate(data.steps):
        if step.kind != "reshape" or step.detail != "resize":
            continue
        call = script.call_at(step.node)
        if call is None or call.callee != NUMPY_RESIZE:
            continue  # (ndarray.resize, in place: not followed)
        if not any(earlier.kind == "resize" for earlier in data.steps[:index]):
            return step, None, None
        values, wanted = values_before(data, index), _shape_size(call.args.get("new_shape", 1))
        return (step, values, wanted) if values is not None and wanted is not None and wanted != values else None
    return None


# The fix by how many values the image has for each one the new shape holds: three (or four) channels given one, one
# given three.
_CHANNEL_FIXES = {
    3.0: "convert to one channel first (cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), img.convert('L'), "
         "load_img(..., color_mode='grayscale')), then reshape",
    4.0: "convert to one channel first (cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY), img.convert('L')), then reshape",
    1 / 3: "convert to three channels first (cv2.cvtColor(img, cv2.COLOR_GRAY2RGB), img.convert('RGB'), "
           "load_img(..., color_mode='rgb')), then reshape",
}


def _shape_size(value) -> int | None:
    """How many values a constant shape holds ((1, 28, 28, 1): 784); None when not a constant of positive sizes."""
    shape = const_value(value)
    if type(shape) is int:
        shape = (shape,)
    if not isinstance(shape, tuple) or not shape or not all(type(d) is int and d > 0 for d in shape):
        return None
    return math.prod(shape)


def _report(script: Script, event: DataEvent, step: Step, values: int | None, wanted: int | None) -> Report:
    args = step.node.args  # type: ignore[attr-defined]  (np.resize(a, new_shape): the step's node is the call)
    image = script.code_of(args[0].value) if args else "the image"
    shape = script.code_of(args[1].value) if len(args) > 1 else "the new shape"
    image_text = image if len(image) <= 20 else "the image"
    use, words = _USES[event.kind], EVENT_WORDS[event.kind]
    how = ("NumPy flattens it and fills the new shape with its values in order, cut short when there are more (the "
           "result is a strip of its top rows) and repeated from the start when there are fewer")
    if values is None:
        return Report(
            step.node, f"np.resize() cuts or repeats the pixels of {image_text}, not scaling it: {words} may get noise",
            explanation=(f"np.resize({image}, {shape}) does not resample the image: {how}. The image, read from "
                         f"{event.data.source.description} at a size the script does not fix, keeps its values only "
                         f"if it already holds exactly as many. Then {use} it at {{call}}, with the shape it expects, "
                         f"so nothing fails."),
            facts={"image": image, "shape": shape, "use": event.kind}, mentions={"call": event.call_node})
    return Report(
        step.node, f"np.resize() fits the {values:,} values of {image_text} into {wanted:,}: {words} gets noise",
        _CHANNEL_FIXES.get(values / wanted if wanted else 0.0,
                           "resize the image itself (cv2.resize, Pillow's resize) to the size the model takes, then "
                           "reshape"),
        explanation=(f"After its resize the image holds {values:,} values (its pixels times its channels), and "
                     f"np.resize({image}, {shape}) holds {wanted:,}: {how}. It converts no channels: a colour image "
                     f"given one channel this way becomes the interleaved colour values of its top rows. Then {use} it "
                     f"at {{call}}, with the shape it expects, so nothing fails."),
        facts={"image": image, "shape": shape, "use": event.kind, "values": values, "wanted": wanted},
        mentions={"call": event.call_node})
