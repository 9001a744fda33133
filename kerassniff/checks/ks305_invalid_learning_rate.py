"""KS305 invalid-learning-rate: a constant learning rate no optimizer can train with, and Adadelta left at the
default rate of tf.keras and Keras 3 (0.001), with which it barely moves the weights."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._learning_rates import constant_rate, helpers_set_a_rate, rate_left_out, sets_a_rate
from kerassniff.checks._shared import fits_under

from kerassniff.evidence import Measurements, Verdict, facts as facts_of, losses_text
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import unsafe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import Instance, const_value

# Optimizers that scale each step by running gradient statistics: a step is about
# learning_rate in size whatever the gradient, so 1.0 or more throws weights around.
ADAPTIVE = {
    "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Lion",
    "AdamOptimizer", "RMSPropOptimizer", "AdagradOptimizer",  # TF1 tf.train spellings
}
# Plain gradient descent: the step is learning_rate x gradient, so large rates can be
# deliberate on tiny gradients; only absurd ones are flagged.
PLAIN = {"SGD", "GradientDescentOptimizer", "MomentumOptimizer"}
OTHER = {"Adadelta", "Ftrl", "Adafactor", "AdadeltaOptimizer", "FtrlOptimizer"}  # only <= 0 is flagged
SGD_LIMIT = 10.0
# Adadelta's default learning rate in tf.keras and Keras 3 (standalone Keras 2.3 and earlier defaulted to 1.0, the
# paper's setting): Adadelta scales each step by its own running step size, which starts near sqrt(epsilon), so at
# 0.001 the steps stay about 1000 times smaller than at 1.0 and the model barely trains (chance accuracy after 5
# epochs where 1.0 learns, measured on Keras 3.15).
ADADELTA = {"Adadelta", "AdadeltaOptimizer"}
ADADELTA_DEFAULT = 0.001
TF1_MODULES = ("tensorflow.train.", "tensorflow.compat.v1.train.", "tensorflow.optimizers.")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, checks, _, probe = run.fit_parts(finding.line)
    optimizer = probe.get("optimizer") or {}
    rate = optimizer.get("learning_rate")
    if rate is None:
        return None
    name = optimizer.get("class", "the optimizer")
    invalid = rate <= 0 or (name in ADAPTIVE and rate >= 1) or (name in PLAIN and rate > SGD_LIMIT) or (
        bool(facts_of(finding).get("default")) and name in ADADELTA and rate <= ADADELTA_DEFAULT)
    diverged = f"; the loss is not finite after step {checks['nonfinite_step']}" if "nonfinite_step" in checks else ""
    return Verdict(invalid, f"the model trains with {name}(learning_rate={rate:g}){losses_text(checks)}{diverged}")


@rule("KS305", "invalid-learning-rate", Severity.ERROR,
      "a learning rate that is zero or negative, >= 1 for an adaptive optimizer, > 10 for SGD, or Adadelta's "
      "default 0.001", "use a small positive learning rate: about 1e-3 for Adam/RMSprop, 1e-2 to 1e-1 for SGD, 1.0 "
      "for Adadelta", verdict=verdict)
def check(script: Script):
    yield from _adadelta_by_name(script)
    for call in script.calls:
        name = call.callee
        if name is None or not (is_keras(name) or name.startswith(TF1_MODULES)):
            continue
        optimizer = short(name)
        if optimizer not in ADAPTIVE | PLAIN | OTHER:
            continue
        found = constant_rate(call.args)
        if found is None:
            if optimizer in ADADELTA and rate_left_out(call.args) and isinstance(call.node, cst.Call) and \
                    id(call.node) in _adadelta_trains(script):
                report = _adadelta_at_default(script, optimizer, call.node, call.node, fix=True)
                if report is not None:
                    yield report
            continue
        keyword, rate = found
        node = call.args.node_of(keyword, 0) or call.node
        if rate == 0 and _rate_may_be_set(script, call.node):
            continue  # a zero start that a scheduling callback overwrites (a cyclic rate, a rate finder)
        if rate <= 0:
            verb = "never changes the weights" if rate == 0 else "climbs the loss instead of descending it"
            yield Report(node, f"{optimizer} with {keyword}={rate:g}: the optimizer {verb}", explanation=(
                "Each step moves the weights by -learning_rate x (a function of) the gradient. A learning rate of 0 "
                "leaves them where they started; a negative one is gradient ascent: the loss grows every step "
                "until it overflows to inf/NaN. Keras accepts both without a warning."))
        elif optimizer in ADAPTIVE and rate >= 1:
            yield Report(node, f"{optimizer} with {keyword}={rate:g}: steps this large make the loss diverge",
                         explanation=(
                             f"{optimizer} divides each gradient by a running estimate of its size, so every "
                             f"weight moves by roughly the learning rate each step whatever the gradient: "
                             f"{rate:g} per step throws weights initialised at a scale of about 0.1 far away, and "
                             f"the loss jumps or turns NaN. Usual values are 1e-4 to 1e-2 (Keras's default is 1e-3)."))
        elif optimizer in PLAIN and rate > SGD_LIMIT:
            yield Report(node, f"{optimizer} with {keyword}={rate:g}: steps this large make the loss diverge",
                         explanation=(
                             f"Gradient descent moves each weight by learning_rate x gradient; at {rate:g} even a "
                             f"gradient of 0.1 moves a weight by more than 1, and the loss diverges to inf/NaN. "
                             f"Usual values are 1e-3 to 1e-1; rates near 1 appear only with tiny gradients."))


def _rate_may_be_set(script: Script, optimizer: cst.CSTNode) -> bool:
    """Whether something may set the learning rate after the optimizer is built: the script's own code (a
    LearningRateScheduler built, ``K.set_value(model.optimizer.lr, ...)``), or a callback the analysis cannot read
    (an imported CyclicLR, a callbacks list built elsewhere) of a fit() of a model this optimizer is compiled into
    (of any fit() when it is not known to be compiled)."""
    if sets_a_rate(script):
        return True
    models = [c.model for c in script.compiles() if type(given := c.args.get("optimizer", 0)) is Instance and
              given.node is optimizer]
    fits = [fit for model in models for fit in model.fits] if models else list(script.fits())
    return any(fit.callbacks_unread for fit in fits)


def _adadelta_trains(script: Script) -> set[int]:
    """The nodes (constructor calls, compile() calls given "adadelta") of the Adadelta optimizers that train at the
    rate they were built with: compiled into a model that then trains, or stepped by hand (apply_gradients,
    minimize); none when the script sets a learning rate itself anywhere (a LearningRateScheduler,
    ``optimizer.learning_rate.assign(1.0)``, ``K.set_value(model.optimizer.lr, ...)``), which may be Adadelta's."""
    return script.derived("adadelta_trains", lambda: _trained_at_built_rate(script))


def _trained_at_built_rate(script: Script) -> set[int]:
    return set(_first_trainings(script))


def _first_trainings(script: Script) -> dict[int, cst.CSTNode | None]:
    """:func:`_adadelta_trains`'s nodes, each with the first training call of a model compiled with it (None when
    stepped by hand): where a finding goes when the optimizer is built in an imported helper module (a
    ``build()`` that compiles the model it returns), which this script trains and the helper's own run does not."""
    return script.derived("adadelta_first_trainings", lambda: _find_first_trainings(script))


def _find_first_trainings(script: Script) -> dict[int, cst.CSTNode | None]:
    if sets_a_rate(script):
        return {}
    nodes: dict[int, cst.CSTNode | None] = {}
    for compile_call in script.compiles():
        fits = fits_under(compile_call)
        if not fits:
            continue
        given = compile_call.args.get("optimizer", 0)
        if type(given) is Instance and given.node is not None:
            nodes.setdefault(id(given.node), fits[0].node)
        elif isinstance(const_value(given), str):
            nodes.setdefault(id(compile_call.node), fits[0].node)
    for call in script.calls:
        if call.method in ("apply_gradients", "minimize") and type(call.receiver) is Instance and \
                call.receiver.node is not None:
            nodes.setdefault(id(call.receiver.node), None)
    return nodes


def _adadelta_by_name(script: Script):
    """compile(optimizer="adadelta"): Keras builds Adadelta() at its default rate."""
    for compile_call in script.compiles():
        given = compile_call.args.get("optimizer", 0)
        if isinstance(const_value(given), str) and const_value(given).lower() == "adadelta" and \
                id(compile_call.node) in _adadelta_trains(script):
            node = compile_call.args.node_of("optimizer", 0) or compile_call.node
            report = _adadelta_at_default(script, '"adadelta"', node, compile_call.node, fix=False)
            if report is not None:
                yield report


def _adadelta_at_default(script: Script, spelled: str, node: cst.CSTNode, call: cst.CSTNode,
                         fix: bool) -> Report | None:
    """Adadelta left at tf.keras's and Keras 3's default learning rate (a constructor call, or its name); built in
    an imported helper module, reported at this script's first training call, the helper's line named."""
    by_name = spelled.startswith('"')
    optimizer = "optimizer " + spelled if by_name else spelled + "()"
    training = _first_trainings(script).get(id(call))
    in_helper = training is not None and script.position(node) is None
    if in_helper and helpers_set_a_rate(script):
        return None  # the helper's own code may set the rate (a callback, a scheduler, an assign in the builder)
    return Report(
        training if in_helper else node,
        f"{optimizer} ({{built}}) trains at the default learning_rate=0.001, at which Adadelta barely moves" if
        in_helper else f"{optimizer} uses the default learning_rate=0.001, at which Adadelta barely trains",
        fix_hint="pass learning_rate=1.0 (Adadelta's paper and standalone Keras 2.3 and earlier), or use Adam",
        fix=unsafe_fix("pass learning_rate=1.0", call, _with_rate(call)) if fix and isinstance(call, cst.Call) and
        not in_helper else None,
        mentions={"built": node} if in_helper else None,
        explanation=(
            "Adadelta scales each step by its own running estimate of past step sizes, which starts near "
            "sqrt(epsilon): the learning rate multiplies that, and the paper (and standalone Keras up to 2.3) uses "
            "1.0. tf.keras and Keras 3 default it to 0.001, so every step is about 1000 times smaller and the model "
            "stays near its initial weights for many epochs (a small dense classifier stays at chance accuracy for "
            "5 epochs on Keras 3.15, where learning_rate=1.0 learns it). Nothing warns."),
        facts={"optimizer": "Adadelta", "learning_rate": ADADELTA_DEFAULT, "default": True})


def _with_rate(call: cst.Call) -> cst.Call:
    rate = cst.Arg(keyword=cst.Name("learning_rate"), value=cst.Float("1.0"),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
    return call.with_changes(args=(rate, *call.args))
