"""``kerassniff --show-model``: the semantic model as a rule author reads it."""
from __future__ import annotations

from typing import Callable

from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.models import Model
from kerassniff.semantic.script import Script
from kerassniff.semantic.shapes import describe_shape, model_shapes
from kerassniff.semantic.values import DataValue, Value


def describe(script: Script) -> str:
    lines = [f"== {script.path}"]
    if script.imports:
        lines.append("imports:")
        lines += [f"  {name} = {raw}" for name, raw in sorted(script.imports.items())]
    for model in script.models:
        for section in _SECTIONS:
            lines += section(script, model)
    return "\n".join(lines) + "\n"


def _header(script: Script, model: Model) -> list[str]:
    lines = [f"model {model.label} ({model.kind}, line {script.line_of(model.node)})"
             + ("" if model.complete else " [layers not fully known]")]
    if model.application is not None:
        app = model.application
        lines.append(f"  application {app.name}: weights={getattr(app.weights, 'value', '?')!r} "
                     f"include_top={app.include_top} classes={app.classes}")
    return lines


def _layers(script: Script, model: Model) -> list[str]:
    shapes = {id(s.layer): s.output_shape for path in model_shapes(model) for s in path}
    lines = []
    for layer in model.all_layers():
        facts = [f"units={layer.units}" if layer.units is not None else "",
                 f"activation={layer.activation}" if layer.activation else "",
                 f"kernel={layer.kernel_size}" if layer.kernel_size else "",
                 f"-> {describe_shape(shapes[id(layer)])}" if shapes.get(id(layer)) is not None else ""]
        lines.append(f"  line {script.line_of(layer.node):>4}  {layer.kind} {' '.join(f for f in facts if f)}".rstrip())
    return lines


def _heads(script: Script, model: Model) -> list[str]:
    return [f"  output: {'?' if head.units is None else head.units}-unit {head.activation}" if head else "  output: unknown"
            for head in model.heads()]


def _compiles(script: Script, model: Model) -> list[str]:
    lines = []
    for call in model.compiles:
        losses = ", ".join(f"{l.name or '?'}(from_logits={l.from_logits})" for l in call.losses)
        metrics = ", ".join(m.name or "?" for m in call.metrics)
        lines.append(f"  compile (line {script.line_of(call.node)}): loss={losses or '-'} metrics={metrics or '-'}")
    return lines


def _training(script: Script, model: Model) -> list[str]:
    lines = [f"  {fit.method} (line {script.line_of(fit.node)}): x={_value(fit.x)} y={_value(fit.y)} "
             f"epochs={getattr(fit.epochs, 'value', '?')}" for fit in model.fits]
    lines += [f"  {call.method} (line {script.line_of(call.node)}): x={_value(call.x)}" for call in model.inferences]
    lines += [f"  {save.method} (line {script.line_of(save.node)}): {getattr(save.path, 'value', '?')!r}"
              for save in model.saves]
    return lines


# What --show-model prints of each model, in order.
_SECTIONS: tuple[Callable[[Script, Model], list[str]], ...] = (_header, _layers, _heads, _compiles, _training)


def _value(value: Value) -> str:
    if isinstance(value, DataValue):
        return _data(value.data)
    return type(value).__name__.lower()


def _data(data: Data) -> str:
    parts = [data.name or "array", f"from {data.source.description}"]
    if data.split:
        parts.append(f"split={data.split}")
    if data.encoding:
        parts.append(f"encoding={data.encoding}")
    if data.n_classes is not None:
        parts.append(f"classes={data.n_classes}")
    if data.n_samples is not None:
        parts.append(f"n={data.n_samples}")
    parts.append(f"scaling={'+'.join(data.scaling) or 'none'}")
    return "<" + " ".join(parts) + ">"
