"""Turn a harness report into a verdict for each static finding, and into dynamic-only findings.

A verdict is ``(confirmed, evidence)``: ``True``/``False`` when the run
measured the fact the finding claims, ``None`` when it could not tell, and one
line of evidence with the numbers.  One function per rule, named after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kerassniff.findings import Finding

Verdict = tuple[bool | None, str]
SQUASHING = ("softmax", "sigmoid")


@dataclass
class Report:
    """A harness report with the lookups verdicts need."""

    data: dict
    linked: list["Report"] = field(default_factory=list)  # reports of the scripts that trained a loaded model

    @property
    def calls(self) -> list[dict]:
        return self.data.get("calls", [])

    def fits(self) -> list[dict]:
        return [c for c in self.calls if c["kind"] == "fit"]

    def at(self, line: int, kind: str | None = None) -> dict | None:
        return next((c for c in self.calls if c["line"] == line and (kind is None or c["kind"] == kind)), None)

    def fit_for(self, line: int) -> dict | None:
        """The fit at this line, else the first fit after it, else the first fit."""
        fits = self.fits()
        exact = [c for c in fits if c["line"] == line]
        later = [c for c in fits if c["line"] > line]
        return (exact or later or fits or [None])[0]

    def checks(self, line: int) -> dict:
        fit = self.fit_for(line)
        return (fit or {}).get("checks") or {}

    @property
    def note(self) -> str:
        synthetic = self.data.get("synthetic") or []
        return f" (synthetic stand-in for {', '.join(sorted(set(synthetic)))}: not on this machine)" if synthetic else ""


def range_text(stats: dict | None, shape: bool = False) -> str:
    """'uint8 0..255' (with the shape: 'uint8 [32, 28, 28] in 0..255') for an array's recorded statistics."""
    if not stats or stats.get("min") is None:
        return "of unknown range" if shape else "unknown"
    where = f" {stats['shape']} in " if shape else " "
    return f"{stats['dtype']}{where}{stats['min']:.3g}..{stats['max']:.3g}"


def _scale_ratio(a: dict | None, b: dict | None) -> float | None:
    if not a or not b or a.get("max") in (None, 0) or b.get("max") in (None, 0):
        return None
    return max(abs(a["max"]), 1e-12) / max(abs(b["max"]), 1e-12)


def facts(finding: Finding) -> dict:
    """The typed facts the rule recorded with its finding (``Report(facts=...)``): verdicts read these, never the
    message, so a reworded message cannot change a verdict."""
    return finding.extra.get("facts") or {}


# -- one function per rule ---------------------------------------------------------------------------------------
def ks101(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    readings = checks.get("accuracy") or {}
    reported = (readings.get("reported") or {}).get("accuracy")
    categorical, binary = readings.get("categorical"), readings.get("binary")
    if categorical is None:
        return None
    keras = ", ".join(report.data.get("keras") or ["Keras"])
    if reported is not None and abs(reported - categorical) > 0.1:
        return True, (f"{keras} reports 'accuracy' {reported:.2f} after {checks.get('updates')} updates; the true "
                      f"categorical accuracy of the same predictions is {categorical:.2f}")
    row_sums = checks.get("after_output") or {}
    tail = f" (Keras <= 2.3 would have shown binary accuracy {binary:.2f})" if binary is not None else ""
    if row_sums.get("row_sum_std", 0) > 0.05 or abs(row_sums.get("row_sum_mean", 1.0) - 1.0) > 0.05:
        return True, (f"{keras} reports 'accuracy' {reported if reported is not None else categorical:.2f}, the "
                      f"true categorical accuracy: the metric is not misreported on this Keras{tail}, but the loss "
                      f"trains independent sigmoids (row sums {row_sums['row_sum_mean']:.2f} ± "
                      f"{row_sums['row_sum_std']:.2f}, not 1)")
    return None, (f"{keras} reports 'accuracy' {categorical:.2f}, the true categorical accuracy: not misreported "
                  f"on this Keras{tail}")


def ks102(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    if not fit or not fit.get("y"):
        return None
    others = [(name, fit.get(name)) for name in ("validation_y",)] + \
             [(f"{c['kind']}() y", c.get("y")) for c in report.calls if c["kind"] == "evaluate"]
    for name, stats in others:
        if stats and stats.get("onehot") != fit["y"].get("onehot"):
            def encoding(s):
                return "one-hot" if s.get("onehot") else "integer" if s.get("integer_labels") else "other"
            return True, (f"fit() y is {encoding(fit['y'])} {fit['y']['shape']}, {name} is {encoding(stats)} "
                          f"{stats['shape']}")
    return None


def ks103(finding: Finding, report: Report) -> Verdict | None:
    output = report.checks(finding.line).get("output")
    if not output:
        return None
    constant = output.get("all_ones") or (output["min"] == output["max"] == 1.0)
    return bool(constant), f"outputs on the first batch range {output['min']:.3g}..{output['max']:.3g}"


def ks104(finding: Finding, report: Report) -> Verdict | None:
    output = report.checks(finding.line).get("output")
    if not output:
        return None
    probabilities = output["min"] >= 0.0 and output["max"] <= 1.0
    sums = f", rows sum to {output['row_sum_mean']:.2f}" if "row_sum_mean" in output else ""
    shown = f"outputs range {output['min']:.3g}..{output['max']:.3g}{sums}"
    if facts(finding).get("from_logits") is True:
        return probabilities, shown + (": probabilities, fed to a loss that expects logits" if probabilities else "")
    return (not probabilities), shown


def ks105(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    k = str(facts(finding).get("k", 5))
    before, after = (checks.get("ties") or {}).get(k), (checks.get("after_ties") or {}).get(k)
    if before is None and after is None:
        return None
    worst = max(v for v in (before, after) if v is not None)
    measured = (f"{before or 0:.0%} of the rows of a real batch tie at the {k}th score before training, "
                f"{after or 0:.0%} after {checks.get('updates')} updates")
    if worst <= 0.05:  # ties appear once the softmax saturates, which a short run may not reach
        return None, measured + "; ties appear once the softmax saturates"
    reported = ((checks.get("accuracy") or {}).get("reported") or {})
    top_k = next((v for name, v in reported.items() if "top_k" in name), None)
    if top_k is not None and reported.get("accuracy") is not None:
        measured += f" (Keras reported top-{k} accuracy {top_k:.2f} with top-1 at {reported['accuracy']:.2f})"
    return True, measured


def ks106(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    output = checks.get("after_output") or checks.get("output")
    if not output or output.get("min") is None:
        return None
    losses = [loss for loss in checks.get("losses") or [] if loss is not None]
    non_finite = any(loss != loss or loss in (float("inf"), float("-inf")) for loss in losses)
    if output["min"] <= 0 or non_finite:
        tail = "; the loss became NaN/inf" if non_finite else ""
        return True, f"the outputs reach {output['min']:.3g} (clipped to 1e-7 by the loss){tail}"
    return False, f"every output stayed above 0 (minimum {output['min']:.3g}) in {checks.get('updates')} updates"


def ks107(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    output = ((fit or {}).get("checks") or {}).get("output")
    if not fit or not output or not fit.get("y"):
        return None
    outside = fit["y"]["min"] < output["min"] - 1e-6 or fit["y"]["max"] > 1.0
    return outside, f"targets {range_text(fit['y'])}, outputs {output['min']:.3g}..{output['max']:.3g}"


def _scaling_verdict(train: dict | None, used: dict | None, where: str) -> Verdict | None:
    ratio = _scale_ratio(train, used)
    if ratio is None:
        return None
    differs = ratio > 10 or ratio < 0.1
    return differs, f"fit() x {range_text(train)}; {where} x {range_text(used)}"


def ks201(finding: Finding, report: Report) -> Verdict | None:
    used = report.at(finding.line)
    fit = report.fit_for(0)
    if used is None or fit is None:
        return None
    if used["kind"] == "fit":
        return _scaling_verdict(fit.get("x"), used.get("validation_x"), "validation")
    return _scaling_verdict(fit.get("x"), used.get("x"), f"{used['kind']}()")


def ks202(finding: Finding, report: Report) -> Verdict | None:
    fit = report.at(finding.line, "fit") or report.fit_for(finding.line)
    if not fit or not fit.get("x"):
        return None
    raw = fit["x"]["max"] > 2.0
    return raw, f"fit() x is {range_text(fit['x'])}"


def ks203(finding: Finding, report: Report) -> Verdict | None:
    used = report.at(finding.line)
    trainer_fits = [fit for linked in report.linked for fit in linked.fits()]
    if used is None or not trainer_fits:
        return None
    verdict = _scaling_verdict(trainer_fits[0].get("x"), used.get("x"), f"{used['kind']}() here")
    if verdict is None:
        return None
    return verdict[0], "training script's " + verdict[1]


def ks204(finding: Finding, report: Report) -> Verdict | None:
    return ks201(finding, report)


def ks301(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    filters = ((fit or {}).get("model") or {}).get("conv_filters")
    if not filters:
        return None
    decreasing = any(b < a for a, b in zip(filters, filters[1:]))
    return decreasing, f"the built model's convolution filters: {filters}"


def ks302(finding: Finding, report: Report) -> Verdict | None:
    checks = report.checks(finding.line)
    modes = checks.get("modes")
    if not modes:
        return None
    updates = checks.get("updates")
    text = f"after {updates} updates, training-mode and inference-mode outputs differ by up to " \
           f"{modes['max_abs_difference']:.2f}"
    if "training_mode_accuracy" in modes:
        text += (f"; argmax accuracy on the same batch: training mode {modes['training_mode_accuracy']:.2f}, "
                 f"inference mode {modes['inference_mode_accuracy']:.2f}")
    disagreement = modes.get("argmax_disagreement", 0.0)
    return (disagreement > 0 or modes["max_abs_difference"] > 0.1), text


def ks401(finding: Finding, report: Report) -> Verdict | None:
    calls = [c for c in report.calls if c["line"] == finding.line and c["kind"] == "predict" and "seconds" in c]
    if len(calls) < 2:
        return None
    per_call = sum(c["seconds"] for c in calls[1:]) / len(calls[1:])
    rows = calls[0].get("x", {}) or {}
    return True, (f"predict() ran {len(calls)} times at this line with {rows.get('shape', ['?'])[0]} row(s) each, "
                  f"{per_call * 1000:.0f} ms per call (one batched call costs about the same)")


def ks402(finding: Finding, report: Report) -> Verdict | None:
    removed = [r for r in report.data.get("removed_api", []) if r["line"] == finding.line]
    if not removed:
        return None
    keras = ", ".join(report.data.get("keras") or ["Keras"])
    if report.data.get("has_fit_generator") is False:
        return True, f"{keras} has no Model.{removed[0]['name']}: the script fails here with AttributeError"
    return False, f"{keras} still has Model.{removed[0]['name']} (deprecated)"


def _shape_failure(report: Report) -> Verdict | None:
    """The first training step failed on a shape: what KS111 and KS310 predict."""
    crash = report.data.get("crash") or {}
    error = str(crash.get("error") or "")
    if report.data.get("status") != "crashed" or not error:
        return None
    if "shape" in error or "rank" in error or "outside the valid range" in error:
        return True, f"training stops with: {error}"
    return None


def ks207(finding: Finding, report: Report) -> Verdict | None:
    fit = report.fit_for(finding.line)
    stats = (fit or {}).get("x")
    if not stats or stats.get("max") is None:
        return None
    if stats["max"] < 0.05:
        return True, f"fit() x is {range_text(stats)}"
    rescaled = ((fit or {}).get("probe") or {}).get("rescaled")
    if not rescaled:
        return None  # the arrays look right and the model has no Rescaling layer to measure after
    seen = (f"fit() x is {range_text(stats)}; after the model's Rescaling layer '{rescaled['layer']}' the "
            f"network sees {rescaled['min']:.3g}..{rescaled['max']:.3g}")
    return (True, seen) if rescaled["max"] < 0.05 else (None, seen)


# -- issue 14's rules: read the fit's data probe ("data") and built-model probe ("probe") ------------------------
def _fit_parts(finding: Finding, report: Report) -> tuple[dict, dict, dict, dict]:
    """(fit record, its checks, its data probe, its built-model probe) for the fit this finding is about."""
    fit = report.fit_for(finding.line) or {}
    return fit, fit.get("checks") or {}, fit.get("data") or {}, fit.get("probe") or {}


def _losses_text(checks: dict) -> str:
    losses = checks.get("losses") or []
    if not losses:
        return ""
    return f"; loss {losses[0]:.3g} -> {losses[-1]:.3g} over {len(losses)} updates"


def ks108(finding: Finding, report: Report) -> Verdict | None:
    fit, checks, data, _ = _fit_parts(finding, report)
    labels = data.get("labels") or {}
    loss = (fit.get("model") or {}).get("loss") or "a regression loss"
    if labels.get("onehot_width") or (fit.get("y") or {}).get("onehot"):
        width = labels.get("onehot_width") or (fit.get("y") or {}).get("shape", [0, "?"])[-1]
        return True, f"fit() y is one-hot ({width} columns), trained with {loss}{_losses_text(checks)}"
    if labels and labels.get("integral") is False:
        return False, f"fit() y has {labels.get('distinct')} distinct non-integer values: regression targets"
    return None


def ks109(finding: Finding, report: Report) -> Verdict | None:
    fit, checks, _, _ = _fit_parts(finding, report)
    y = fit.get("y") or {}
    if y.get("max") is None:
        return None
    losses = checks.get("losses") or []
    negative = f"; the loss is negative ({min(losses):.3g}) after training" if losses and min(losses) < 0 else ""
    if y["max"] > 1 or y["min"] < 0:
        return True, f"fit() y is {range_text(y)}: labels outside 0..1 under binary crossentropy{negative}"
    return False, f"fit() y is {range_text(y)}: every label is 0 or 1"


def ks110(finding: Finding, report: Report) -> Verdict | None:
    _, _, _, probe = _fit_parts(finding, report)
    outputs = probe.get("outputs")
    if not outputs:
        return None
    from_logits = facts(finding).get("from_logits", probe.get("from_logits"))
    shown = (f"outputs on a real batch range {outputs['min']:.3g}..{outputs['max']:.3g}, "
             f"{outputs['outside_unit']:.0%} of them outside the open interval (0, 1)")
    if from_logits is True:
        never_negative = outputs["min"] >= 0
        return never_negative, shown + (": as logits none is negative, so no predicted probability falls below 0.5"
                                        if never_negative else "")
    if outputs["outside_unit"] > 0:
        return True, shown + ": binary crossentropy clips them to [1e-7, 1 - 1e-7]"
    return None, shown + ": this batch stays inside, other inputs need not"


def ks111(finding: Finding, report: Report) -> Verdict | None:
    failure = _shape_failure(report)
    if failure is not None:
        return failure
    fit, _, data, probe = _fit_parts(finding, report)
    labels = data.get("labels") or {}
    units = (fit.get("model") or {}).get("output_units") or (probe.get("outputs") or {}).get("units")
    if labels.get("onehot_width"):
        classes, how = labels["onehot_width"], f"one-hot rows of width {labels['onehot_width']}"
    elif labels.get("integral") and labels.get("max") is not None and labels.get("min", 0) >= 0:
        classes = int(labels["max"]) + 1
        how = f"class ids {labels['min']:.0f}..{labels['max']:.0f} in {labels['rows']} rows"
    else:
        return None
    if not units or units == 1:
        return None
    return classes != units, f"the labels are {how} ({classes} classes); the built output layer has {units} units"


def ks112(finding: Finding, report: Report) -> Verdict | None:
    _, checks, data, _ = _fit_parts(finding, report)
    labels = data.get("labels") or {}
    if not labels.get("distinct"):
        return None
    counted = f"fit() y has {labels['distinct']} distinct values in its first {labels['sampled']} rows"
    reported = ((checks.get("accuracy") or {}).get("reported") or {}).get("accuracy")
    if labels.get("integral") is False and labels["distinct"] > 20:
        tail = f"; Keras reports 'accuracy' {reported:.2f} on them" if reported is not None else ""
        return True, counted + ": continuous targets, which an exact-match accuracy cannot score" + tail
    if labels.get("integral") and labels["distinct"] <= 20:
        return False, counted + ": class labels"
    return None, counted


def ks206(finding: Finding, report: Report) -> Verdict | None:
    _, _, data, _ = _fit_parts(finding, report)
    overlap = data.get("overlap")
    if not overlap or not overlap.get("validation_rows"):
        return None
    share = overlap["in_training"] / overlap["validation_rows"]
    hashed, rows = overlap.get("training_rows_hashed"), overlap.get("training_rows")
    partial = hashed is not None and rows is not None and hashed < rows
    text = (f"{overlap['in_training']} of the {overlap['validation_rows']} validation rows ({share:.0%}) are "
            f"identical to training rows" + (f" (the first {hashed} of {rows} compared)" if partial else ""))
    return (True if share >= 0.5 else False if share <= 0.05 and not partial else None), text


def ks208(finding: Finding, report: Report) -> Verdict | None:
    import math

    _, _, data, _ = _fit_parts(finding, report)
    probe = data.get("association")
    if not probe:
        return None
    stand_ins = data.get("stand_ins_before")
    if stand_ins is None:
        stand_ins = len(report.data.get("synthetic") or []) + len(report.data.get("synthetic_ranges") or [])
    if stand_ins:  # random stand-ins were loaded before this fit: their labels are random by construction
        return None, "the data may be a random stand-in, whose labels are independent of its samples by construction"
    accuracy, majority, held_out = probe["accuracy"], probe["majority"], probe["held_out"]
    margin = 3 * math.sqrt(max(majority * (1 - majority), 0.01) / held_out) + 0.02
    text = (f"a nearest-centroid probe on {probe['pairs']} fit() pairs predicts {accuracy:.0%} of the held-out "
            f"labels from their samples; the majority class alone gives {majority:.0%}")
    if accuracy > majority + margin:
        return False, text + ": the labels still go with their samples"
    return True, text + ": the labels are independent of their samples"


def ks209(finding: Finding, report: Report) -> Verdict | None:
    import math

    _, _, data, _ = _fit_parts(finding, report)
    labels = data.get("labels") or {}
    split = facts(finding).get("validation_split")
    if "class_runs" not in labels or not isinstance(split, (int, float)) or not labels.get("rows"):
        return None
    runs, rows = labels["class_runs"], labels["rows"]
    if runs is None:
        return False, f"fit()'s {rows} labels change class 64 times or more: they are not in class blocks"
    start = int(math.floor(rows * (1 - split)))
    held = sorted({run[0] for run in runs if run[2] > start})
    classes = {run[0] for run in runs}
    text = (f"fit()'s {rows} labels come in {len(runs)} runs of one class; validation_split={split} keeps rows "
            f"{start}..{rows - 1}, of class{'' if len(held) == 1 else 'es'} {', '.join(f'{c:g}' for c in held)}")
    return (len(held) == 1 and len(classes) > 1), text


def _kernel_layer(layer: dict) -> bool:
    return layer.get("class") in ("Dense", "Conv1D", "Conv2D", "Conv3D")


def _chains(layers: list[dict]) -> list[tuple[dict, dict]]:
    """(producer, consumer) pairs of top-level layers, by the built graph."""
    by_name = {layer["name"]: layer for layer in layers if not layer.get("nested")}
    return [(by_name[layer["inbound"]], layer) for layer in by_name.values() if layer.get("inbound") in by_name]


def ks303(finding: Finding, report: Report) -> Verdict | None:
    _, _, _, probe = _fit_parts(finding, report)
    layers = probe.get("layers")
    if not layers:
        return None
    linear = [(a, b) for a, b in _chains(layers) if _kernel_layer(a) and _kernel_layer(b)
              and a.get("activation") == "linear"]
    if linear:
        a, b = linear[0]
        return True, (f"the built model feeds {a['class']} '{a['name']}' (linear) straight into {b['class']} "
                      f"'{b['name']}': two affine maps in a row are one")
    return False, "every Dense/Conv layer of the built model that feeds another has a non-linear activation"


def ks304(finding: Finding, report: Report) -> Verdict | None:
    import math

    _, _, _, probe = _fit_parts(finding, report)
    layers = probe.get("layers")
    if not layers:
        return None
    doubled = [(a, b) for a, b in _chains(layers) if a.get("activation") in SQUASHING
               and a.get("activation") == b.get("activation")]
    if not doubled:
        return False, "no squashing activation of the built model feeds the same activation"
    a, b = doubled[0]
    text = f"the built model applies {a['activation']} in '{a['name']}' and again in '{b['name']}'"
    outputs = probe.get("outputs") or {}
    if a["activation"] == "softmax" and outputs.get("row_max_max") is not None and outputs.get("units", 1) > 1:
        bound = math.e / (math.e + outputs["units"] - 1)
        text += (f"; the largest output on a real batch is {outputs['row_max_max']:.3f} "
                 f"(at most e/(e+N-1) = {bound:.3f} for N = {outputs['units']})")
    elif a["activation"] == "sigmoid" and outputs.get("min") is not None:
        text += f"; outputs on a real batch range {outputs['min']:.3f}..{outputs['max']:.3f} (never below 0.5)"
    return True, text


def ks305(finding: Finding, report: Report) -> Verdict | None:
    from kerassniff.checks.ks305_invalid_learning_rate import ADAPTIVE, PLAIN, SGD_LIMIT

    _, checks, _, probe = _fit_parts(finding, report)
    optimizer = probe.get("optimizer") or {}
    rate = optimizer.get("learning_rate")
    if rate is None:
        return None
    name = optimizer.get("class", "the optimizer")
    invalid = rate <= 0 or (name in ADAPTIVE and rate >= 1) or (name in PLAIN and rate > SGD_LIMIT)
    diverged = f"; the loss is not finite after step {checks['nonfinite_step']}" if "nonfinite_step" in checks else ""
    return invalid, f"the model trains with {name}(learning_rate={rate:g}){_losses_text(checks)}{diverged}"


def ks306(finding: Finding, report: Report) -> Verdict | None:
    _, checks, _, probe = _fit_parts(finding, report)
    kernels = probe.get("kernels")
    if not kernels or len(kernels) < 2:
        return None
    hidden = kernels[:-1]
    symmetric = [k for k in hidden if k["identical_units"]]
    updates = checks.get("updates")
    if symmetric:
        k = symmetric[0]
        state = "all zero" if k["all_zero"] else "identical"
        return True, f"after {updates} updates the {k['units']} units of '{k['name']}' still have {state} weights"
    return False, f"after {updates} updates every hidden layer's units have distinct weights"


def ks307(finding: Finding, report: Report) -> Verdict | None:
    _, _, _, probe = _fit_parts(finding, report)
    rates = [layer["rate"] for layer in probe.get("layers") or [] if layer.get("class") == "Dropout"
             and isinstance(layer.get("rate"), (int, float))]
    if not rates:
        return None
    high = [r for r in rates if r >= 0.5]
    text = f"the built model's Dropout layers zero {', '.join(f'{r:g}' for r in rates)} of their inputs in training"
    return bool(high), text


def ks310(finding: Finding, report: Report) -> Verdict | None:
    failure = _shape_failure(report)
    if failure is not None:
        return failure
    _, checks, _, probe = _fit_parts(finding, report)
    error = str(checks.get("training_error") or "")
    if "shape" in error or "rank" in error:
        return True, f"training stops with: {error}"
    layers = [layer for layer in probe.get("layers") or [] if layer.get("output_shape") and not layer.get("nested")]
    if not layers:
        return None
    spatial = [layer for layer in layers if layer["class"] == "Dense" and len(layer.get("input_shape") or []) > 2]
    if spatial and len(layers[-1]["output_shape"]) > 2:
        return True, (f"the built Dense '{spatial[0]['name']}' reads {spatial[0]['input_shape']} and the model "
                      f"outputs {layers[-1]['output_shape']}: one prediction per position, not per sample")
    if not spatial:
        return False, "every Dense layer of the built model reads a flat [batch, features] input"
    return None


def ks311(finding: Finding, report: Report) -> Verdict | None:
    _, _, _, probe = _fit_parts(finding, report)
    layers = probe.get("batchnorm_one_sample")
    if not layers:
        return None
    size = f" (fit() batch_size={probe['batch_size']})" if "batch_size" in probe else ""
    collapsed = [layer for layer in layers if layer["max_from_beta"] < 1e-5]
    if collapsed:
        return True, (f"on a one-sample batch, '{collapsed[0]['name']}' in training mode outputs exactly its beta "
                      f"(largest difference {collapsed[0]['max_from_beta']:.1g}): the sample is erased{size}")
    return False, (f"on a one-sample batch every BatchNormalization layer's training-mode output still varies "
                   f"(largest difference from beta {max(layer['max_from_beta'] for layer in layers):.3g}){size}")


VERDICTS: dict[str, Callable[[Finding, Report], Verdict | None]] = {
    "KS101": ks101, "KS102": ks102, "KS103": ks103, "KS104": ks104, "KS105": ks105, "KS106": ks106, "KS107": ks107,
    "KS201": ks201, "KS202": ks202, "KS203": ks203, "KS204": ks204, "KS301": ks301, "KS302": ks302, "KS401": ks401,
    "KS402": ks402, "KS111": ks111, "KS207": ks207, "KS310": ks310,
    "KS108": ks108, "KS109": ks109, "KS110": ks110, "KS112": ks112, "KS206": ks206, "KS208": ks208, "KS209": ks209,
    "KS303": ks303, "KS304": ks304, "KS305": ks305, "KS306": ks306, "KS307": ks307, "KS311": ks311,
}


# Rules whose verdict compares the values of the arrays: random stand-ins for missing files cannot settle them.
RANGE_RULES = frozenset({"KS201", "KS202", "KS203", "KS204", "KS107", "KS207"})


def verdict_for(finding: Finding, report: Report) -> Verdict:
    status = report.data.get("status")
    function = VERDICTS.get(finding.code)
    stand_ins = report.data.get("synthetic_ranges") or [p for r in report.linked for p in
                                                         r.data.get("synthetic_ranges") or []]
    if finding.code in RANGE_RULES and stand_ins:
        return None, (f"the data ({', '.join(sorted(set(stand_ins)))}) is not on this machine: random stand-in "
                      f"values say nothing about its scaling")
    result = None
    if function is not None:
        try:
            result = function(finding, report)
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            result = None
    if result is not None:
        return result[0], result[1] + report.note
    if status == "crashed" and not report.fits():
        crash = report.data.get("crash") or {}
        return None, f"the script stopped before fit(): {crash.get('error')} (line {crash.get('line')})"
    if function is None:
        return None, "nothing to measure at run time for this rule"
    return None, "the run did not reach what this finding is about" + report.note
