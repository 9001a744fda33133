"""Phrases and pairings several rules share (no tree walking here)."""
from __future__ import annotations

from typing import Iterator

from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.models import Model, OutputHead
from kerassniff.semantic.training import CompileCall, LossSpec


def loss_heads(script: Script) -> Iterator[tuple[Model, CompileCall, LossSpec, OutputHead]]:
    """Each compiled loss with the output head it applies to (known heads only)."""
    for model in script.models:
        heads = model.heads()
        if not heads:
            continue
        for compile_call in model.compiles:
            for loss in compile_call.losses:
                if loss.output is None:
                    targets = heads
                elif isinstance(loss.output, int) and loss.output < len(heads):
                    targets = [heads[loss.output]]
                else:
                    continue
                for head in targets:
                    if head is not None:
                        yield model, compile_call, loss, head


def describe_head(script: Script, head: OutputHead) -> str:
    units = f"{head.units}-unit " if head.units is not None else ""
    return f"{units}{head.activation} output (line {script.line_of(head.activation_node)})"


def quoted(script: Script, node) -> str:
    return f"'{script.code_of(node)}'" if not script.code_of(node).startswith(("'", '"')) else script.code_of(node)


def fit_labels(script: Script, model: Model) -> list[Data]:
    return [data for _, data in script.fit_labels(model)]


def data_label(data: Data) -> str:
    return data.label
