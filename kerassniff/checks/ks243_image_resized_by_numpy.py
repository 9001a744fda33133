"""KS243 image-resized-by-numpy: ``np.resize(img, (28, 28, 1))`` on an image read from a file or a camera, taken for
an image resize.  NumPy's resize does not resample: it flattens the array and fills the new shape with its values in
order, cut short or repeated from the start, so a photo becomes a strip of its top rows (or the photo tiled) and the
model is trained on, or predicts, noise.  Nothing fails: the shape is the one the model expects.

Only an image whose size the script has not fixed before (no ``cv2.resize``, Pillow resize, ``load_img(...,
target_size=...)`` on the way) is judged: after one, ``np.resize(img, (1, 28, 28, 1))`` may hold exactly the values
it had, a reshape in another spelling.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, DataEvent, Step

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
        step = _numpy_resize_of_unsized_image(script, event.data)
        if step is None or id(step.node) in reported:
            continue
        reported.add(id(step.node))
        yield _report(script, event, step)


def _numpy_resize_of_unsized_image(script: Script, data: Data) -> Step | None:
    """The ``np.resize()`` step of an image read from a file or camera (0-255 pixels of a size the reader does not
    fix), when no resize fixed the image's size before it."""
    if data.source.kind != "image" or not data.source.as_stored:
        return None  # (an image handed over from code not followed, or a canvas the script made: its size may be fixed)
    for step in data.steps:
        if step.kind == "resize":
            return None  # a known size before: np.resize may keep every value (a reshape spelt so)
        if step.kind == "reshape" and step.detail == "resize":
            call = script.call_at(step.node)
            if call is not None and call.callee == NUMPY_RESIZE:
                return step
    return None


def _report(script: Script, event: DataEvent, step: Step) -> Report:
    args = step.node.args  # type: ignore[attr-defined]  (np.resize(a, new_shape): the step's node is the call)
    image = script.code_of(args[0].value) if args else "the image"
    shape = script.code_of(args[1].value) if len(args) > 1 else "the new shape"
    image_text = image if len(image) <= 20 else "the image"
    use = _USES[event.kind]
    return Report(
        step.node, f"np.resize() cuts or repeats the pixels of {image_text} instead of scaling it: "
                   f"{EVENT_WORDS[event.kind]} gets noise",
        explanation=(f"np.resize({image}, {shape}) does not resample the image: NumPy flattens it and fills {shape} "
                     f"with its values in order, cut short when the image is larger (the result is a strip of its "
                     f"top rows) and repeated from the start when it is smaller. The image, read from "
                     f"{event.data.source.description} at a size the script does not fix, keeps its values only if it "
                     f"already holds exactly as many. Then {use} it at {{call}}, with the shape it expects, so nothing "
                     f"fails."),
        facts={"image": image, "shape": shape, "use": event.kind}, mentions={"call": event.call_node})
