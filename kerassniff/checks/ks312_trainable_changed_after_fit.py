"""KS312 trainable-changed-without-recompile: ``base.trainable = ...`` between two fits with no compile between.

Keras (3.x and tf.keras 2.x) builds a model's train function at the first training call after ``compile()`` and
keeps it until the next ``compile()``: the trainable weights it updates are the ones of that moment.
"""
from __future__ import annotations

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
