"""KS305 invalid-learning-rate: a constant learning rate no optimizer can train with."""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict, losses_text
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import CallArgs, const_value

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
TF1_MODULES = ("tensorflow.train.", "tensorflow.compat.v1.train.", "tensorflow.optimizers.")


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, checks, _, probe = run.fit_parts(finding.line)
    optimizer = probe.get("optimizer") or {}
    rate = optimizer.get("learning_rate")
    if rate is None:
        return None
    name = optimizer.get("class", "the optimizer")
    invalid = rate <= 0 or (name in ADAPTIVE and rate >= 1) or (name in PLAIN and rate > SGD_LIMIT)
    diverged = f"; the loss is not finite after step {checks['nonfinite_step']}" if "nonfinite_step" in checks else ""
    return Verdict(invalid, f"the model trains with {name}(learning_rate={rate:g}){losses_text(checks)}{diverged}")


@rule("KS305", "invalid-learning-rate", Severity.ERROR,
      "a learning rate that is zero or negative, >= 1 for an adaptive optimizer, or > 10 for SGD",
      "use a small positive learning rate: about 1e-3 for Adam/RMSprop, 1e-2 to 1e-1 for SGD", verdict=verdict)
def check(script: Script):
    for call in script.calls:
        name = call.callee
        if name is None or not (is_keras(name) or name.startswith(TF1_MODULES)):
            continue
        optimizer = short(name)
        if optimizer not in ADAPTIVE | PLAIN | OTHER:
            continue
        found = _learning_rate(call.args)
        if found is None:
            continue
        keyword, rate = found
        node = call.args.node_of(keyword, 0) or call.node
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


def _learning_rate(args: CallArgs) -> tuple[str, float] | None:
    """(how it was spelled, the value) of a constant learning rate; None for schedules and unknowns."""
    for keyword in ("learning_rate", "lr"):
        if args.has(keyword):
            return _number(keyword, const_value(args.get(keyword)))
    if args.positional:
        return _number("learning_rate", const_value(args.positional[0]))
    return None


def _number(keyword: str, value: object) -> tuple[str, float] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return keyword, float(value)
