"""KS201 unscaled-split (seeds 003 and 004)."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import (
    EVENT_WORDS,
    brief_scaling_text,
    comparable_scaling,
    events,
    first_fit,
    input_path_known,
    same_kind_of_data,
    scaled_alike,
    scaling_mismatches,
    scaling_text,
    twin_files,
    used_scaling_verdict,
)
from kerassniff.checks._typed_samples import (FITTED_KINDS, OWN_STATISTICS, fitted_scaling, raw_sample,
                                              sample_label, scaled_inputs)
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent, Step
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CROSSENTROPY_LOSSES, REGRESSION_LOSSES
from kerassniff.semantic.knowledge.arrays import ONE_SAMPLE_SETTING
from kerassniff.semantic.knowledge.layers import UNCHANGING_PREPROCESS

CLASSIFICATION_LOSSES = CROSSENTROPY_LOSSES | {"hinge", "squared_hinge", "categorical_hinge"}

# What wrongly scaled inputs do to the outputs, by the task the loss trains for.
CONSEQUENCE = {
    "classification": ", typically collapsing onto a few classes",
    "regression": ", typically far from the targets",
    None: "",
}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    return used_scaling_verdict(finding, run)


@rule("KS201", "unscaled-split", Severity.ERROR,
      "one split is scaled and another split fed to the same model is not, or is scaled differently",
      "apply exactly the same preprocessing to every split (put it in one function, or in the model as a "
      "Rescaling/Normalization layer)", verdict=verdict, compares_values=True)
def check(script: Script):
    for model in script.models:
        for reference, event in scaling_mismatches(script, model, flows=False):  # flows: KS204
            if (same_kind_of_data(reference.data, event.data) or twin_files(reference.data, event.data)) and \
                    not _unread_prediction(script, event) and not _before_training(script, model, event):
                yield _mismatch(model, reference, event)
        for reference, event in _pixels_unlike_the_scaling_flow(script, model):
            if not _unread_prediction(script, event) and not _before_training(script, model, event):
                yield _mismatch(model, reference, event)
        yield from _refitted(script, model)
        yield from _typed_in_raw(script, model)
        yield from _colour_order(script, model)


def _unread_prediction(script: Script, event: DataEvent) -> bool:
    """A predict() whose predictions nothing reads (bound to a name used nowhere else): its input's scaling changes
    nothing the script reports."""
    return event.kind == "predict" and script.result_never_read(event.call_node)


def _before_training(script: Script, model: Model, event: DataEvent) -> bool:
    """A predict() or evaluate() written as a statement of its own at module level above every module-level
    statement that trains the model (a smoke test of the network just built): it answers with the untrained
    weights, so the preprocessing training uses later changes nothing it reports.  Not for a model given weights
    before it (``load_weights()``, ``set_weights()``: a resumed run reports the restored model's score), nor for a
    whole pretrained network (a ``keras.applications`` model with its own head)."""
    if event.kind not in ("predict", "evaluate") or model.origin is not None or model.kind in ("loaded", "application"):
        return False
    if any(save.method == "load_weights" and save.order < event.order for save in model.saves) or \
            any(weights.order < event.order for weights in model.weight_sets):
        return False
    site = script.call_at(event.call_node)
    fits = [script.call_at(e.call_node) for e in events(script, model, "x", ("fit",))]
    if site is None or site.top is None or not fits or any(fit is None or fit.top is None for fit in fits):
        return False
    return type(script.module.body[site.top]) is cst.SimpleStatementLine and site.top < min(f.top for f in fits)


def _mismatch(model: Model, reference: DataEvent, event: DataEvent) -> Report:
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets {event.data.label} {brief_scaling_text(event.data)}, but fit() ({{fit}}) "
        f"used {reference.data.label} {brief_scaling_text(reference.data)}"),
        explanation=(f"Here the model sees inputs on a different scale than in training, so the numbers it reports "
                     f"(or the predictions it makes) are wrong{CONSEQUENCE[task(model)]}."),
        facts={"scaling": list(event.data.scaling), "training_scaling": list(reference.data.scaling)},
        mentions={"fit": reference.call_node})


def _pixels_unlike_the_scaling_flow(script: Script, model: Model):
    """A model trained on a flow that scales its images (``ImageDataGenerator(rescale=1/255)``, a tf.data ``map()``
    that decodes and divides by 255), then given other images as an array of raw 0-255 pixels or of pixels scaled
    otherwise (a photo read with load_img for predict(), passed through another network's preprocess_input); or
    trained on a flow of raw 0-255 pixels (``image_dataset_from_directory`` with nothing mapped over it), then given
    images scaled first (``img_to_array(img) / 255``) by a model known not to scale its inputs itself (a model from
    a function kerassniff does not read may start with a Rescaling layer).
    Also a flow of a table's pixels divided by 255 (``datagen.flow(X_train)`` of ``train.csv / 255``) and the same
    reader's other file (``test.csv``) given raw.  An array of the flow's own data is KS204's (one source, two
    paths)."""
    inputs = [e for e in events(script, model, "x") if comparable_scaling(e.data)]
    reference = first_fit(inputs)
    if reference is None or not reference.data.batches:
        return
    if not reference.data.source.pixels:
        # a table of pixels divided by 255 before its flow (``datagen.flow(X_train / 255.0)`` of Kaggle's train.csv),
        # then the same reader's other file of them (test.csv) given as it was read
        for event in inputs:
            if event.kind != "fit" and not event.data.batches and event.data.group != reference.data.group and \
                    not event.excludes(reference) and twin_files(reference.data, event.data):
                yield reference, event
        return
    # (a model that scales its inputs itself, a Rescaling layer or EfficientNet's own: a photo divided by 255 for it
    # is scaled twice, KS207's finding)
    raw_flow = reference.data.raw_pixels and not reference.data.scaling and input_path_known(model) and \
        not model.scales_inputs_besides(frozenset(), look_inside=True)
    if not reference.data.scaling and not raw_flow:
        return
    for event in inputs:
        if event.kind == "fit" or event.data.batches or event.data.group == reference.data.group:
            continue
        if raw_flow:
            # trained on the flow's raw 0-255 pixels, given a photo scaled first (``img_to_array(img) / 255``)
            if event.data.source.pixels and _changes_values(event.data) and not event.data.conditional:
                yield reference, event
        elif (event.data.raw_pixels and not event.data.scaling) or (
                event.data.source.pixels and event.data.scaling and not scaled_alike(event.data, reference.data)):
            yield reference, event


def _changes_values(data) -> bool:
    """Whether an array's scaling steps change its values: not only a preprocess_input that returns the pixels as
    they are (EfficientNet's, ConvNeXt's, MobileNetV3's)."""
    return any(not (step.kind == "preprocess" and step.detail in UNCHANGING_PREPROCESS)
               for step in data.steps if step.is_scaling)


def _refitted(script: Script, model: Model):
    """A split scaled by ``scaler.fit_transform(x_test)``, or by hand with its own statistics
    (``(x_test - x_test.mean(axis=0)) / x_test.std(axis=0)``): the same kind of scaling as the training input, but
    with statistics measured on the split itself (the training input's step is another call, not one inherited)."""
    inputs = [e for e in events(script, model, "x") if not e.data.batches and comparable_scaling(e.data)]
    reference = first_fit(inputs)
    if reference is None:
        return
    fitted = [step for step in reference.data.steps if step.kind in FITTED_KINDS]
    for event in inputs:
        if event.kind == "fit" or event.data.scaling != reference.data.scaling:
            continue
        own = [step for step in event.data.steps if step.kind in FITTED_KINDS]
        refit = next((mine for mine, theirs in zip(own, fitted) if mine is not theirs and (
            (mine.measured_on == "split" and theirs.measured_on != "sample" and
             (_method_at(script, mine) != "transform" or _fitted_on_itself(script, theirs))) or
            _method_at(script, mine) == "fit_transform")), None)
        if refit is None or refit.setting(ONE_SAMPLE_SETTING) is True:
            continue  # (fitted on the one sample it scales: KS221 says what that does, every feature 0)
        if refit.measured_on == "split":
            words = OWN_STATISTICS[refit.kind]
            yield Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets {event.data.label} {words[0]} with its own {words[2]} "
                f"({{refit}}), not fit()'s ({{fit}})"),
                "compute the statistics on the training split once and apply those same numbers to every split",
                explanation=(f"This split is {words[0]} with the {words[1]} measured on the split itself, while the "
                             f"model was trained on inputs {words[0]} with the training split's: the same raw value "
                             f"becomes a different input than in training, so the model reads shifted, rescaled "
                             f"features{CONSEQUENCE[task(model)]}."),
                facts={"scaler": refit.detail, "refit": True, "own_statistics": True},
                mentions={"refit": refit.node, "fit": reference.call_node})
            continue
        scaler = refit.detail
        yield Report(event.call_node, (
            f"{EVENT_WORDS[event.kind]} gets {event.data.label} scaled by a {scaler} fitted on it ({{refit}}), "
            f"unlike fit()'s ({{fit}})"),
            "fit the scaler on the training split only and call scaler.transform() on every other split",
            explanation=(f"fit_transform() fits the {scaler} again, on this split's own statistics: the same raw "
                         f"value becomes a different input than in training, so the model reads shifted, rescaled "
                         f"features{CONSEQUENCE[task(model)]}."),
            facts={"scaler": scaler, "refit": True},
            mentions={"refit": refit.node, "fit": reference.call_node})


def _typed_in_raw(script: Script, model: Model):
    """``model.predict(np.array([[35, 2, 23000, 1200]]))`` or numbers a user typed (``float(request.form["age"])``)
    given to a model trained on inputs a fitted scaler standardised or min-max scaled as a whole
    (:mod:`~kerassniff.checks._typed_samples`)."""
    inputs = [e for e in events(script, model, "x") if not e.data.batches]
    reference = first_fit(inputs)
    scaling = fitted_scaling(reference) if reference is not None else None
    if scaling is None:
        return
    for event in inputs:
        raw = raw_sample(event, reference)
        if raw is None or _unread_prediction(script, event):
            continue
        yield Report(event.call_node, (
            f"{EVENT_WORDS[event.kind]} gets {sample_label(event.data)} {raw.words}, but fit() ({{fit}}) trained on "
            f"{scaled_inputs(scaling)}"),
            "pass the sample through the same fitted scaler: scaler.transform(sample)",
            explanation=raw.explanation(f"every input the model trained on was {scaling_text(reference.data)}")
            + f"{CONSEQUENCE[task(model)]}.",
            facts={"scaling": [], "training_scaling": list(reference.data.scaling), **raw.facts},
            mentions={"fit": reference.call_node})


_COLOUR_ORDERS = ("rgb", "bgr")


def _colour_order(script: Script, model: Model):
    """Images given in the other colour order than the images fit() trained on: ``cv2.imread`` (BGR) for a model
    trained on a folder flow, ``load_img`` or PIL (RGB), or the reverse, with no ``cvtColor`` or ``[..., ::-1]`` in
    between. The first convolutions learnt red and blue where they were: swapped, the features shift."""
    inputs = [e for e in events(script, model, "x") if e.data.source.pixels]
    reference = first_fit(inputs)
    if reference is None or reference.data.source.color not in _COLOUR_ORDERS:
        return
    trained = reference.data.source.color
    for event in inputs:
        used = event.data.source.color
        if event.kind == "fit" or used not in _COLOUR_ORDERS or used == trained or event.data.conditional or \
                _unread_prediction(script, event):
            continue
        yield Report(event.call_node, (
            f"{EVENT_WORDS[event.kind]} gets {event.data.label} in {used.upper()} order, but fit() ({{fit}}) trained "
            f"on {trained.upper()} images"),
            f"convert the colour order where the images are read: cv2.cvtColor(image, "
            f"cv2.COLOR_{used.upper()}2{trained.upper()}), or read them as training did",
            explanation=(f"The model learnt its filters on images in {trained.upper()} order "
                         f"({reference.data.source.description}); these come from {event.data.source.description} in "
                         f"{used.upper()} order, "
                         f"so red and blue are swapped: the features it computes shift and the predictions or scores "
                         f"are those of discoloured images{CONSEQUENCE[task(model)]}."),
            facts={"colour": used, "training_colour": trained},
            mentions={"fit": reference.call_node})


def _fitted_on_itself(script: Script, step: Step) -> bool:
    """Whether the training input's scaling had the training split's own statistics (``scaler.fit(x_train)`` then
    ``transform(x_train)``, or ``fit_transform``): then a split scaled after ``scaler.fit(x_test)`` is scaled unlike
    it.  A scaler fitted on part of each window (``scaler.fit(chunk[:w])``, then ``transform(chunk)``) scales every
    window by its own statistics, and a last window scaled the same way at prediction time is alike."""
    return step.measured_on == "split" or _method_at(script, step) == "fit_transform"


def _method_at(script: Script, step: Step) -> str | None:
    """The method of the call that made a step (``fit_transform``, ``transform``), when it was a method call."""
    call = script.call_at(step.node)
    return call.method if call is not None else None


def task(model: Model) -> str | None:
    """'classification' or 'regression' from the model's losses; None when unknown or mixed.

    Only a classifier's wrongly scaled inputs collapse onto a few classes; a regression's predictions drift
    away from the targets instead.
    """
    names = {loss.name for c in model.compiles for loss in c.losses}
    if not names or None in names:
        return None
    if names <= CLASSIFICATION_LOSSES:
        return "classification"
    if names <= REGRESSION_LOSSES:
        return "regression"
    return None

