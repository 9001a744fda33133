"""KS214 augmented-validation-data: validation data made by an ImageDataGenerator that augments.

``datagen = ImageDataGenerator(rescale=1/255, rotation_range=20, horizontal_flip=True, validation_split=0.2)`` and
then ``datagen.flow_from_directory(..., subset="validation")`` as validation_data: one generator makes both subsets,
so the held-out images are rotated, shifted and flipped at random too, differently at each epoch, and the
validation curve (and the early stopping, checkpoints and schedules that watch it) measures altered images.  The
same for a validation folder read by the generator that makes the training flow (``datagen.flow_from_directory(
"val")``: one generator copied for both reads), and arrays sent through the generator of the training flow when the
fit() gives a callback that chooses on the validation quantity.  Not arrays sent through one otherwise
(``datagen.flow(x_test, ...)`` to see how the model copes with rotated digits may be the point), nor evaluate() or
predict() on a flow (a robustness test, test-time augmentation).
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.datasets import IMAGE_GENERATOR_AUGMENTATIONS
from kerassniff.semantic.knowledge.model_api import DEFAULT_MONITOR, MONITOR_CALLBACKS, SAVE_BEST_ONLY_POSITION
from kerassniff.semantic.values import Const, Instance, const_value

# The flows an ImageDataGenerator makes.
_FLOW_METHODS = frozenset({"flow", "flow_from_directory", "flow_from_dataframe"})


@rule("KS214", "augmented-validation-data", Severity.WARNING,
      "validation_data that is the validation subset of an ImageDataGenerator that augments at random",
      "take the validation subset from a second ImageDataGenerator with the same preprocessing and "
      "validation_split=, and no augmentation")
def check(script: Script):
    if not any(call.method in _FLOW_METHODS for call in script.calls):
        return  # no ImageDataGenerator flow at all: the common case
    reported: set[int] = set()
    for model in script.models:
        fits = events(script, model, "x", ("fit",))
        trained = {id(e.data.node) for e in fits}
        training_generators = [site.receiver for site in (script.call_at(e.data.node) for e in fits
                                                          if type(e.data.node) is cst.Call)
                               if site is not None and site.method in _FLOW_METHODS]
        for event in events(script, model, "x", ("validation",)):
            flow = event.data.node
            if type(flow) is not cst.Call or id(flow) in reported or id(flow) in trained:
                continue  # (the training flow itself as validation_data is KS206's finding)
            site = script.call_at(flow)
            if site is None or site.method not in _FLOW_METHODS or not _image_generator(site.receiver):
                continue
            subset = const_value(site.args.get("subset") or Const(None)) == "validation"
            same = any(site.receiver is generator for generator in training_generators)
            if not subset and (not same or (site.method == "flow" and not _chooses_on_validation(model, event))):
                continue  # (arrays tilted on purpose, or another generator's flow: a robustness check, perhaps)
            augmentations = _augmentations(site.receiver)
            if not augmentations:
                continue
            reported.add(id(flow))
            yield _report(script, event, site, augmentations, subset)


def _report(script: Script, event, site, augmentations: list[str], subset: bool) -> Report:
    written = site.node.func.value if type(site.node.func) is cst.Attribute else None
    generator = script.code_of(written) if type(written) is cst.Name else "the generator"
    listed = ", ".join(augmentations)
    node = next((arg for arg in event.call_node.args if arg.keyword is not None and
                 arg.keyword.value == "validation_data"), event.call_node)
    given = node.value if isinstance(node, cst.Arg) else None
    named = f" '{given.value}'" if type(given) is cst.Name else ""
    who = f"'{generator}'" if generator != "the generator" else generator
    what = "the validation subset" if subset else "the validation flow"
    message = f"{who} augments {what}{named} at random: val scores judge altered images"
    if len(message) > 100:
        message = f"the generator augments {what} at random: val scores judge altered images"
    if subset:
        fix = ("Augmentation belongs to the training subset; the validation subset can come from a second "
               "ImageDataGenerator with the same preprocessing (rescale=, preprocessing_function=) and "
               "validation_split=, and no augmentation: the subsets are cut from the same files or rows, so it holds "
               "the same images, unaltered.")
    else:
        fix = ("It also makes the training flow; the validation flow can come from a second ImageDataGenerator with "
               "the same preprocessing (rescale=, preprocessing_function=) and no augmentation.")
    hint = None if subset else ("read the validation folder with a second ImageDataGenerator with the same "
                                "preprocessing and no augmentation")
    return Report(node, message, hint,
                  explanation=(f"{who} is an ImageDataGenerator with {listed}: every flow it makes alters "
                               f"each image at random, so the validation loss and accuracy, and every callback that "
                               f"watches them (early stopping, checkpoints, learning-rate schedules), measure randomly "
                               f"altered images, differently at each epoch, not the images the model will see. "
                               f"{fix}"),
                  facts={"generator": generator, "augmentations": augmentations, "use": event.kind})


def _chooses_on_validation(model, event) -> bool:
    """Whether the fit() that validates on the flow gives a callback that chooses on a validation quantity: early
    stopping, a best-only checkpoint or a learning-rate plateau watching ``val_...`` (arrays tilted at random on
    purpose are then no robustness check: the training's choices follow the noise)."""
    fit = next((fit for fit in model.fits if fit.node is event.call_node), None)
    for callback in fit.callbacks if fit is not None else ():
        if not isinstance(callback, Instance) or callback.cls not in MONITOR_CALLBACKS:
            continue
        if callback.cls.endswith("ModelCheckpoint") and \
                const_value(callback.args.get("save_best_only", SAVE_BEST_ONLY_POSITION)) is not True:
            continue
        monitor = callback.args.get("monitor", MONITOR_CALLBACKS[callback.cls])
        key = DEFAULT_MONITOR if monitor is None else const_value(monitor)
        if isinstance(key, str) and key.startswith("val_"):
            return True
    return False


def _image_generator(value) -> bool:
    return isinstance(value, Instance) and value.cls.endswith(".ImageDataGenerator")


def _augmentations(generator: Instance) -> list[str]:
    """The random augmentations the generator is built with, written as constants that change images (a nonzero
    range, True, a brightness range); a value the analysis does not know is not counted."""
    on = []
    for option in IMAGE_GENERATOR_AUGMENTATIONS:
        value = generator.args.get(option)
        if value is None:
            continue
        folded = const_value(value)
        if isinstance(folded, bool):
            active = folded
        elif isinstance(folded, (int, float)):
            active = folded != 0
        elif isinstance(folded, (list, tuple)) and folded and all(isinstance(v, (int, float)) for v in folded):
            active = len(set(folded)) > 1 or folded[0] not in (0, 1)
        else:
            active = False
        if active:
            on.append(f"{option}={folded}")
    return on
