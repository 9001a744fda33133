"""KS103 single-unit-softmax."""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script


@rule("KS103", "single-unit-softmax", Severity.ERROR,
      "softmax on a 1-unit output, which is always exactly 1.0",
      "for a yes/no output use Dense(1, activation='sigmoid') with binary_crossentropy; "
      "for N classes use Dense(N, activation='softmax')")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        for head in model.heads():
            if head is not None and head.activation == "softmax" and head.units == 1:
                reported.add(id(head.activation_node))
                yield Report(head.activation_node, _message(script, head.layer.kind, head.activation_node, head.layer.node))
        for layer in model.all_layers():
            if layer.units == 1 and layer.activation == "softmax" and id(layer.node) not in reported:
                reported.add(id(layer.node))
                yield Report(layer.node, _message(script, layer.kind, layer.node, layer.node))


def _message(script: Script, kind: str, node, layer_node) -> str:
    return (f"softmax over the 1-unit {kind} output ({script.where(layer_node)}) is always 1.0: the loss "
            f"gets no gradient through it, every prediction is 1.0 and accuracy equals the share of positive labels")
