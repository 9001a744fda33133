"""KS307 dropout-keep-probability: a Dropout rate that is really TF1's keep_prob."""
from __future__ import annotations

import libcst as cst

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import const_value

DROPOUT_LAYERS = {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"}
EXTREME = 0.9  # at or above: reported on the value alone (nobody designs a layer that keeps a tenth of its units)
HIGH = 0.75  # at or above: reported in a model with other dropouts (not its only one, which may be a design)
EVIDENCE_FROM = 0.5  # above this: reported when the code says "keep"


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, _, probe = run.fit_parts(finding.line)
    rates = [layer["rate"] for layer in probe.get("layers") or [] if layer.get("class") == "Dropout"
             and isinstance(layer.get("rate"), (int, float))]
    if not rates:
        return None
    high = [r for r in rates if r >= 0.5]
    text = f"the built model's Dropout layers zero {', '.join(f'{r:g}' for r in rates)} of their inputs in training"
    return Verdict(bool(high), text)


# A rate nobody would write as a keep probability (keeping a quarter of the units or less).
SMALL_DROP = 0.3


def _rising_ladder(rates: list[float | None]) -> bool:
    """Rates that rise step by step up to this one from a small first one (0.25, 0.45, 0.55, 0.75): their author
    writes fractions dropped, since nobody keeps only a quarter of the units at the first layer. At least three
    distinct known rates, in order, none lower than the one before."""
    known = [rate for rate in rates if rate is not None]
    return len(set(known)) >= 3 and known[0] <= SMALL_DROP and all(a <= b for a, b in zip(known, known[1:]))


def _constant_rate(call) -> float | None:
    rate = const_value(call.args.get("rate", 0))
    return float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None


@rule("KS307", "dropout-keep-probability", Severity.WARNING,
      "a Dropout rate of 0.75 or more beside other dropouts, of 0.9 or more, or above 0.5 named as a keep probability: "
      "TF1's keep_prob carried over",
      "Keras's Dropout(rate) is the fraction DROPPED: use rate = 1 - keep_prob (typically 0.2 to 0.5)", verdict=verdict)
def check(script: Script):
    if _inference_only(script):
        return
    dropouts = [(call, _constant_rate(call)) for call in script.calls if call.callee is not None and
                is_keras(call.callee) and short(call.callee) in DROPOUT_LAYERS]
    among_others = _dropouts_among_others(script, [call for call, _ in dropouts])
    for index, (call, rate) in enumerate(dropouts):
        name = call.callee
        if rate is None or not EVIDENCE_FROM < rate < 1:
            continue
        arg = call.args.node_of("rate", 0)
        if arg is not None and isinstance(arg.value, cst.BinaryOperation):
            continue  # computed, e.g. 1 - keep_prob: the conversion was done on purpose
        evidence = _keep_evidence(script, arg)
        if evidence is None and _named_a_drop_rate(arg):
            continue  # Dropout(drop_probs[1]): the code says it is the fraction dropped
        if evidence is None and (rate < HIGH or (rate < EXTREME and id(call.node) not in among_others) or
                                 _rising_ladder([r for _, r in dropouts[:index + 1]])):
            continue
        kept = 1 - rate
        said = f" ({evidence})" if evidence else ""
        yield Report(arg or call.node, (
            f"{short(name)}({rate:g}) drops {rate:.0%} of the units{said}: "
            f"a TF1 keep_prob of {rate:g} is Dropout({kept:.2g})"),
            explanation=(
                f"Keras's Dropout(rate) zeroes a fraction `rate` of its inputs during training; TF1's "
                f"tf.nn.dropout(x, keep_prob) took the fraction KEPT. With rate {rate:g} only {kept:.0%} of the "
                f"signal gets through each step, so the layers after it learn from noise and training accuracy "
                f"stays low (usual rates are 0.2 to 0.5)."))


def _dropouts_among_others(script: Script, calls: list) -> set[int]:
    """The dropout layers (ids of their calls) of a model that has two or more dropout layers.  A heavy rate there
    stands out: all of them heavy (a TF1 port feeds one keep_prob to every dropout it has) or one far above the
    others.  A model's only dropout, heavy, is a design of its own (LSTM-FCN's published Dropout(0.8) on its
    recurrent branch, NIMA's Dropout(0.75) before its head).  The dropouts of a subclassed model, which the analysis
    places in no model's layers, are judged among those of their class."""
    among: set[int] = set()
    placed: set[int] = set()
    for model in script.models:
        dropouts = [id(layer.node) for layer in model.layers if layer.kind in DROPOUT_LAYERS]
        placed.update(dropouts)
        if len(dropouts) >= 2:
            among.update(dropouts)
    by_class: dict[int, list[int]] = {}  # module-level class -> the dropouts made in it and placed in no model
    for call in calls:
        if id(call.node) not in placed and call.top is not None and \
                type(script.module.body[call.top]) is cst.ClassDef:
            by_class.setdefault(call.top, []).append(id(call.node))
    for dropouts in by_class.values():
        if len(dropouts) >= 2:
            among.update(dropouts)
    return among


def _keep_evidence(script: Script, arg: cst.Arg | None) -> str | None:
    """'named keep_prob' or 'the comment says keep': the author meant a keep probability."""
    if arg is not None:
        text = _rate_name(arg.value)
        if text and "keep" in text.lower():
            return f"named {text}"
    source = script.line_text(script.line_of(arg)) if arg is not None else ""
    if "#" in source:
        comment = source.split("#", 1)[1].lower()
        if "keep" in comment:
            return "the comment says keep"
    return None


def _rate_name(value: cst.BaseExpression) -> str | None:
    """The name the rate is read from: ``keep_prob``, ``cfg.keep_prob``, ``drop_probs[1]``."""
    while isinstance(value, cst.Subscript):
        value = value.value
    if isinstance(value, cst.Name):
        return value.value
    return value.attr.value if isinstance(value, cst.Attribute) else None


def _named_a_drop_rate(arg: cst.Arg | None) -> bool:
    """The rate is read from a name that says it is dropped (``dropout_prob``, ``drop_rate``), not kept."""
    text = (_rate_name(arg.value) or "").lower() if arg is not None else ""
    return "drop" in text and "keep" not in text


def _inference_only(script: Script) -> bool:
    """A script that reads trained weights back into the network it builds and never trains it (no fit(), no loss
    computed by hand): its dropout layers do nothing at predict(), and the rate is the training script's to fix."""
    return not any(True for _ in script.fits()) and not any(model.loss_calls for model in script.models) and \
        any(call.method == "load_weights" for call in script.calls)
