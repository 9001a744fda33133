"""KS115 labels-from-padding: next-word labels taken as the last position of sequences padded at the end.

The usual recipe for a next-word model builds n-grams of each line, pads them and splits off the last token as the
label: ``xs, labels = padded[:, :-1], padded[:, -1]``.  It works with ``pad_sequences``' default, zeros in front,
where the last position holds each n-gram's last word.  With ``padding='post'`` the zeros go at the end, so every
n-gram shorter than the longest one has the padding id 0 as its label, and its real last word stays in the inputs:
the model learns to predict padding, and its accuracy counts it.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, Step


@rule("KS115", "labels-from-padding", Severity.ERROR,
      "labels taken as the last position of sequences padded at the end (padding='post'): most are the padding id 0",
      "pad with zeros in front (pad_sequences' default, padding='pre') before taking the last token as the label")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        for event in events(script, model, "y", ("fit", "validation", "evaluate")):
            padded = _last_of_post_padded(script, event.data)
            if padded is None or id(padded.node) in reported:
                continue
            reported.add(id(padded.node))
            yield Report(event.call_node, (
                f"{_LABELS[event.kind]} {event.data.label} are the last position of sequences padded 'post' "
                f"({{padded}}): shorter ones give 0"),
                explanation=(f"{_PADDERS[padded.detail]} puts the zeros at the end of each sequence, so the last "
                             "position of every sequence shorter than the longest is the padding id 0, not its last "
                             "word (which stays among the inputs). Taken as labels, most targets are 0: the model "
                             "learns to predict padding, and the accuracy it logs counts those easy zeros."),
                facts={"padding": "post"},
                mentions={"padded": padded.node})


_PADDERS = {"pad_sequences": "pad_sequences(padding='post')", "np.pad": "np.pad(ids, (0, longest - len(ids)))"}
_LABELS = {"fit": "fit()'s labels", "validation": "validation labels", "evaluate": "evaluate()'s labels"}


def _last_of_post_padded(script: Script, data: Data) -> Step | None:
    """The ``pad_sequences(padding='post')`` step of an array whose later step takes its last position
    (``padded[:, -1]``, ``padded[..., -1]``)."""
    pad_at = next((index for index, step in enumerate(data.steps) if step.is_padding), None)
    if pad_at is None or data.steps[pad_at].setting("padding") != "post":
        return None
    for step in data.steps[pad_at + 1:]:
        if step.kind == "encode":
            return None  # one-hot before the index: [..., -1] would take the last class, not the last position
        if step.kind == "reshape" and step.detail == "index" and _takes_last_position(step.node):
            return data.steps[pad_at]
    return None


def _takes_last_position(node: cst.CSTNode) -> bool:
    """``x[:, -1]``, ``x[..., -1]`` or ``x[:, -1:]``: every sample's last position along the sequence axis."""
    if type(node) is not cst.Subscript or len(node.slice) != 2:
        return False
    first, last = node.slice[0].slice, node.slice[1].slice
    whole = (type(first) is cst.Slice and first.lower is None and first.upper is None and first.step is None) or (
        type(first) is cst.Index and type(first.value) is cst.Ellipsis)
    if type(last) is cst.Slice:  # x[:, -1:]
        return whole and last.upper is None and last.step is None and _minus_one(last.lower)
    return whole and type(last) is cst.Index and _minus_one(last.value)


def _minus_one(value: cst.BaseExpression | None) -> bool:
    return type(value) is cst.UnaryOperation and type(value.operator) is cst.Minus and \
        type(value.expression) is cst.Integer and value.expression.value == "1"
