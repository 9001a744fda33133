"""KS103 single-unit-softmax."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import loss_heads
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import unsafe_fix, with_quotes_of
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    output = run.checks(finding.line).get("output")
    if not output:
        return None
    constant = output.get("all_ones") or (output["min"] == output["max"] == 1.0)
    return Verdict(bool(constant), f"outputs on the first batch range {output['min']:.3g}..{output['max']:.3g}")


@rule("KS103", "single-unit-softmax", Severity.ERROR,
      "softmax on a 1-unit output, which is always exactly 1.0 (or categorical crossentropy on one, always 0)",
      "for a yes/no output use Dense(1, activation='sigmoid') with binary_crossentropy; "
      "for N classes use Dense(N, activation='softmax')", verdict=verdict)
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        for head in model.heads():
            if head is not None and head.activation == "softmax" and head.units == 1:
                reported.add(id(head.activation_node))
                yield Report(head.activation_node, _message(head.layer.kind),
                             None, _sigmoid_fix(head.activation_node), explanation=EXPLANATION,
                             mentions={"layer": head.layer.node})
        for layer in model.all_layers():
            if layer.units == 1 and layer.activation == "softmax" and id(layer.node) not in reported:
                reported.add(id(layer.node))
                yield Report(layer.node, _message(layer.kind), None,
                             _sigmoid_fix(_activation_argument(layer.node)), explanation=EXPLANATION,
                             mentions={"layer": layer.node})
    for _, _, loss, head in loss_heads(script):
        # categorical crossentropy normalises the output over its units itself (a softmax with from_logits=True)
        if loss.name == "categorical_crossentropy" and head.units == 1 and head.activation != "softmax" \
                and id(loss.node) not in reported:
            reported.add(id(loss.node))
            yield Report(loss.node, (
                f"categorical_crossentropy on the 1-unit {head.activation} output ({{layer}}) is always 0: "
                f"nothing is learnt"),
                "for a yes/no output use loss='binary_crossentropy' with a sigmoid; for N classes use "
                "Dense(N, activation='softmax')",
                explanation=("Categorical crossentropy divides the output by its sum over the units (with "
                             "from_logits=True it takes their softmax), so a single unit becomes exactly 1.0 and the "
                             "loss is 0 for every sample: no gradient reaches the weights and accuracy stays at the "
                             "share of one class."),
                mentions={"layer": head.layer.node})


EXPLANATION = ("softmax normalises over the units, so over one unit it is exactly 1.0 for every input: the loss gets "
               "no gradient through it, every prediction is 1.0 and accuracy equals the share of positive labels.")


def _message(kind: str) -> str:
    """The message; it mentions the 1-unit layer as ``layer``."""
    return f"softmax over the 1-unit {kind} output ({{layer}}) is always 1.0: nothing is learnt"


def _activation_argument(node):
    """The ``'softmax'`` string of ``Dense(1, activation='softmax')``, if spelled that way."""
    if isinstance(node, cst.Call):
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "activation":
                return arg.value
    return None


def _sigmoid_fix(node):
    """activation='softmax' -> activation='sigmoid' (unsafe: it changes what the model outputs)."""
    if isinstance(node, cst.SimpleString):
        return unsafe_fix("use activation 'sigmoid' on the 1-unit output", node, with_quotes_of(node, "sigmoid"))
    return None
