"""KS104 logits-mismatch."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import describe_head, hand_loss_heads, head_mention, loss_heads, loss_text
from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import MIXED_PRECISION_MODULES, TENSORFLOW_TAPE
from kerassniff.semantic.knowledge.losses import CROSSENTROPY_METRICS
from kerassniff.semantic.training import BINARY_LOSSES, CROSSENTROPY_LOSSES


# Checked against Keras 3.15 (keras/src/backend/*/nn.py) and tf.keras 2 (tensorflow/python/keras/backend.py).
_DOUBLE_ACTIVATION = (
    "On the TensorFlow backend (Keras 3, and recent tf.keras 2 releases) the crossentropy notices that its input was "
    "produced by a {activation} (the activation caches its logits on the tensor, or the graph op is a "
    "{activation}), warns \"received `from_logits=True`, but the `output` argument was produced by a {op} "
    "activation\" and computes the loss from the logits underneath, so training is right there. The JAX and "
    "PyTorch backends of Keras 3 have no such check: they apply "
    "{activation} again to the probabilities, so the loss and its gradients no longer match the model's outputs "
    "and training stalls. On TensorFlow too, a float32 cast between the {activation} and the loss (mixed "
    "precision) hides the logits and makes the double {activation} real."
)


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    output = run.checks(finding.line).get("output")
    if not output:
        return None
    probabilities = output["min"] >= 0.0 and output["max"] <= 1.0
    sums = f", rows sum to {output['row_sum_mean']:.2f}" if "row_sum_mean" in output else ""
    shown = f"outputs range {output['min']:.3g}..{output['max']:.3g}{sums}"
    if facts(finding).get("from_logits") is True:
        return Verdict(probabilities,
                       shown + (": probabilities, fed to a loss that expects logits" if probabilities else ""))
    return Verdict((not probabilities), shown)


@rule("KS104", "logits-mismatch", Severity.ERROR,
      "from_logits=True on a probability output, or a linear (logit) output fed to a loss expecting probabilities",
      "make the output and the loss agree: either a softmax/sigmoid output with from_logits=False, "
      "or a linear output with from_logits=True", verdict=verdict)
def check(script: Script):
    yield from _metrics_on_logits(script)
    pairs = [(model, loss, head, False) for model, _, loss, head in loss_heads(script)]
    hand = [(model, loss, head, True) for model, loss, head in hand_loss_heads(script)]
    on_tensorflow = bool(hand) and _tensorflow_loop(script)
    for model, loss, head, by_hand in pairs + hand:
        if loss.name not in CROSSENTROPY_LOSSES or (not by_hand and _only_evaluated(model)):
            continue
        if loss.from_logits is True and head.activation in ("softmax", "sigmoid"):
            if by_hand and on_tensorflow:
                continue  # a tf.GradientTape loop runs on TensorFlow, whose crossentropy reads the cached logits
            yield Report(loss.node, (
                f"from_logits=True on the {describe_head(head)}: JAX and PyTorch apply "
                f"{head.activation} twice"),
                f"drop from_logits=True (the output is already {head.activation}), or remove the activation from "
                f"the last layer and keep from_logits=True",
                explanation=_DOUBLE_ACTIVATION.format(activation=head.activation,
                                                      op=head.activation.capitalize()),
                facts={"from_logits": True, "activation": head.activation}, mentions=head_mention(head))
        elif loss.from_logits is False and head.activation == "linear":
            library = model.kind == "library"  # a KerasHub classifier: its head is linear by default
            yield Report(loss.node, (
                f"{loss_text(script, loss)} expects probabilities but the {describe_head(head)} gives logits"),
                f"pass from_logits=True to the loss (keras.losses.{_loss_class(loss.name)}(from_logits=True)), or "
                + (f"build the classifier with activation='{_probabilities(loss.name)}'" if library else
                   f"add activation='{_probabilities(loss.name)}' to the last layer"),
                explanation=("The loss has from_logits=False, so it clips its input into (0, 1) before the log: it is "
                             "wrong for every sample whose logit falls outside that range, and training degrades."
                             + (" A KerasHub classifier outputs logits unless it is built with an activation "
                                "('softmax', or 'sigmoid' for one unit): its activation defaults to None."
                                if library else "")),
                facts={"from_logits": False, "activation": head.activation}, mentions=head_mention(head))


# The metrics that Keras turns into a 0.5 threshold on a one-unit output: 'accuracy' resolves to binary accuracy
# there (keras/src/trainers/compile_utils.py, 3.15.1), whatever the loss's from_logits.
_THRESHOLDED_METRICS = frozenset({"accuracy", "binary_accuracy"})


def _metrics_on_logits(script: Script):
    """Metrics that read the logits a loss takes (``from_logits=True`` on a single linear output) as probabilities:
    ``metrics=["accuracy"]`` beside ``BinaryCrossentropy(from_logits=True)`` on one unit thresholds the logits at
    0.5 (a probability's middle), where a logit's middle is 0; a crossentropy metric without ``from_logits=True``
    (``keras.metrics.SparseCategoricalCrossentropy()``, ``'binary_crossentropy'``) logs the loss of other numbers
    than the model's."""
    for model, compile_call, loss, head in loss_heads(script):
        if loss.name not in CROSSENTROPY_LOSSES or loss.from_logits is not True or head.activation != "linear" or \
                len(model.heads()) != 1:
            continue
        for metric in compile_call.metrics:
            if metric.name in CROSSENTROPY_METRICS and metric.from_logits is False:
                yield _crossentropy_on_logits(script, metric, head)
            elif metric.name in _THRESHOLDED_METRICS and loss.name == "binary_crossentropy" and head.units == 1 and \
                    not _threshold_given(metric.node):
                yield _accuracy_on_logits(metric, head)


def _accuracy_on_logits(metric, head) -> Report:
    shown = f"'{metric.given}'" if metric.given else "BinaryAccuracy()"
    return Report(metric.node, f"{shown} cuts the logits of the {describe_head(head)} at 0.5, not 0: wrong accuracy",
                  "log keras.metrics.BinaryAccuracy(threshold=0.0) (a logit of 0 is a probability of 0.5)",
                  explanation=("The loss takes logits (from_logits=True) from a linear one-unit output. Keras turns "
                               "'accuracy' into binary accuracy with a threshold of 0.5, which is right for "
                               "probabilities; on logits it counts a prediction as positive only above a probability "
                               "of 0.62, so the logged accuracy is off, with no error (measured on Keras 3.15.1: "
                               "0.835 where BinaryAccuracy(threshold=0.0) read 0.886 on the same run)."),
                  facts={"metric": metric.name, "from_logits": True}, mentions=head_mention(head))


def _crossentropy_on_logits(script: Script, metric, head) -> Report:
    shown = f"'{metric.given}'" if metric.given else _written(script, metric.node, f"{_loss_class(metric.name)}(...)")
    binary = metric.name == "binary_crossentropy"
    measured = ("logits [2, -1, -3] with labels [1, 0, 1] log 5.37 where from_logits=True gives 1.16" if binary else
                "logits [[3, -1, 0.5], [-2, 4, 1]] with labels [0, 1] log 0.549 where from_logits=True gives 0.073")
    return Report(metric.node, f"metric {shown} reads the logits of the {describe_head(head)} as probabilities",
                  f"log keras.metrics.{_loss_class(metric.name)}(from_logits=True), as the loss takes them",
                  explanation=("The loss takes logits (from_logits=True) from a linear output, but a crossentropy "
                               "metric has from_logits=False unless it is given (a metric named by a string, or a "
                               "metric function, always has): it clips the logits into (0, 1) as if they were "
                               f"probabilities, so the logged value is not the model's crossentropy (on Keras 3.15.1, "
                               f"{measured}). Training is not affected; the curve and any callback watching it are."),
                  facts={"metric": metric.name, "from_logits": False}, mentions=head_mention(head))


def _written(script: Script, node, fallback: str) -> str:
    """The metric as the script writes it (``keras.metrics.sparse_categorical_crossentropy``), short enough for a
    message; ``fallback`` when it is long."""
    text = script.code_of(node)
    return text if len(text) <= 45 else fallback


def _threshold_given(node) -> bool:
    """``BinaryAccuracy(threshold=0.0)``: the script chose the threshold (a string metric has none to choose)."""
    return isinstance(node, cst.Call) and any(arg.keyword is not None and arg.keyword.value == "threshold"
                                              for arg in node.args)


def _only_evaluated(model) -> bool:
    """A model the script never trains but evaluates or predicts with (weights loaded into it): the loss trains
    nothing, its accuracy does not read from_logits.  (A model only built and compiled here, trained by another
    module, is still judged.)"""
    return not model.fits and bool(model.inferences or any(save.method == "load_weights" for save in model.saves))


def _loss_class(name: str) -> str:
    """Keras's class for a crossentropy loss name (``sparse_categorical_crossentropy`` ->
    ``SparseCategoricalCrossentropy``): the hint names the loss the script uses, not another one."""
    return "".join(part.capitalize() for part in name.split("_"))


def _probabilities(name: str) -> str:
    """The output activation a crossentropy loss without logits expects: sigmoid for a binary one, else softmax."""
    return "sigmoid" if name in BINARY_LOSSES else "softmax"


def _tensorflow_loop(script: Script) -> bool:
    """Whether the script's hand-written training loop is TensorFlow's (it uses tf.GradientTape, so it runs only on
    the TensorFlow backend, whose crossentropy reads the cached logits) and no mixed-precision policy is set (a cast
    may hide them): TENSORFLOW_TAPE, MIXED_PRECISION_MODULES."""
    names = {reference.canonical for reference in script.references}
    return TENSORFLOW_TAPE in names and not any(name.startswith(MIXED_PRECISION_MODULES) for name in names)
