"""KS312 trainable-changed-without-recompile: ``base.trainable = ...`` between two fits with no compile between.

Keras (3.x and tf.keras 2.x) builds a model's train function at the first training call after ``compile()`` and
keeps it until the next ``compile()``: the trainable weights it updates are the ones of that moment.
"""
from __future__ import annotations

from kerassniff.checks._shared import keras_2_only
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import AttributeSet, FitCall
from kerassniff.semantic.values import const_value


@rule("KS312", "trainable-changed-without-recompile", Severity.ERROR,
      "trainable changed on a model or layer after it was trained, then trained again without compile()",
      "call model.compile(...) again after changing trainable and before the next fit()")
def check(script: Script):
    for holder in script.models:
        for change in holder.attribute_sets:
            if change.attribute != "trainable":
                continue
            # a whole model frozen after its compile() and before its own first training call (the Keras 2 GAN
            # recipe, whether or not the combined model it is frozen for could be read): Keras 3 trains nothing
            report = _frozen_before_first_step(holder, change) if not keras_2_only(script) else None
            if report is not None:
                yield report
                continue
            trained = [m for m in script.models if m.compiles and _contains(m, holder)]
            if change.layer is None and len(trained) > 1:
                continue  # GAN: the model trains alone and frozen inside a combined model, each compiled apart
            for model in trained:
                stale = _stale_fit(model, change)
                if stale is not None:
                    yield _report(script, model, change, stale)
                    break


def _stale_fit(model: Model, change: AttributeSet) -> FitCall | None:
    """The first fit after ``change`` that still runs a train function built before it, if any."""
    compiled = [c.order for c in model.compiles if c.order < change.order]
    if not compiled:
        return None
    built = any(max(compiled) < fit.order < change.order for fit in model.fits)
    if not built:
        return None  # the train function is built at the first fit, after the change: it sees it
    later = sorted((fit for fit in model.fits if fit.order > change.order), key=lambda fit: fit.order)
    if not later:
        return None
    first = later[0]
    if any(change.order < c.order < first.order for c in model.compiles):
        return None
    return first


def _frozen_before_first_step(model: Model, change: AttributeSet) -> Report | None:
    """``discriminator.trainable = False`` after its compile() and before its own first training call, with nothing
    setting it back to True first: Keras 3 builds that call's train function with no trainable weight, so the model
    never learns (tf.keras 2 trained it with the weights trainable at compile(): the Keras 2 GAN recipe)."""
    if const_value(change.value) is not False or change.layer is not None or change.part:
        return None  # not the whole model: what stays trainable still trains
    compiled = [c.order for c in model.compiles if c.order < change.order]
    if not compiled or any(max(compiled) < fit.order < change.order for fit in model.fits):
        return None  # not compiled yet, or its train function was built before the change
    later = sorted((fit for fit in model.fits if fit.order > change.order), key=lambda fit: fit.order)
    if not later:
        return None
    first = later[0]
    if any(change.order < c.order < first.order for c in model.compiles) or any(
            other.attribute == "trainable" and other.layer is None and not other.part and
            change.order < other.order < first.order
            for other in model.attribute_sets):
        return None
    return Report(change.node, (
        f"{model.label} is frozen before its first {first.method}(): on Keras 3 it never learns"),
        "set it trainable before training it alone (trainable = True, then False again before the combined model "
        "trains), or compile it after the freeze only in the combined model",
        explanation=(
            f"{model.label} was compiled, then frozen here (for the combined model), and first trained on its own at "
            f"{{fit}}. Keras 3 builds a model's train function at its first training call, with the weights trainable "
            f"then: none, so that call and every later one update nothing (Keras warns once, \"The model does not "
            f"have any trainable weights\"), and the combined model trains against a network that stays at its "
            f"random initial weights. tf.keras 2 kept the trainable weights of compile() time, which this Keras 2 "
            f"recipe relied on. Checked on Keras 3.15.1 (TensorFlow backend)."),
        facts={"trainable": False, "model": model.label, "method": first.method, "keras": 3},
        mentions={"fit": first.node})


def _contains(model: Model, target: Model, depth: int = 0) -> bool:
    """Whether ``target`` is ``model`` or a model nested in it (as a layer, at any depth)."""
    if model is target:
        return True
    if depth > 8:
        return False
    return any(layer.nested is not None and _contains(layer.nested, target, depth + 1) for layer in model.all_layers())


def _report(script: Script, model: Model, change: AttributeSet, fit: FitCall) -> Report:
    value = const_value(change.value)
    what = script.code_of(change.node) + (f" = {value}" if isinstance(value, bool) else "")
    return Report(change.node, (
        f"'{what}' after training is ignored: {model.label} is not recompiled before {fit.method}()"),
        explanation=(
            f"{model.label} was compiled and trained before this line, so Keras already built its train function, "
            f"with the trainable weights of that moment. The train function is rebuilt only by compile(): the "
            f"{fit.method}() at {{fit}} still updates the weights that were trainable before this "
            f"change ({'frozen layers keep training' if value is False else 'unfrozen layers stay frozen'}"
            f"{'' if isinstance(value, bool) else ' or the reverse'}). Measured with Keras 3.15 (TensorFlow): the "
            f"changed layer's weights move (or stay) exactly as before the change."),
        facts={"trainable": value if isinstance(value, bool) else None, "model": model.label, "method": fit.method},
        mentions={"fit": fit.node})
