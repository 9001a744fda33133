"""KS202 unscaled-input (seeds 002 and 004)."""
from __future__ import annotations

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script


@rule("KS202", "unscaled-input", Severity.WARNING,
      "raw 0-255 pixel data reaches fit() with no scaling anywhere",
      "divide by 255 (x = x.astype('float32') / 255), use ImageDataGenerator(rescale=1/255), "
      "or add keras.layers.Rescaling(1/255) as the model's first layer")
def check(script: Script):
    for model in script.models:
        if not model.structure_known or model.scales_inputs:
            continue  # a model we cannot see into may rescale its inputs itself
        for event in events(script, model, "x", ("fit",)):
            data = event.data
            if not data.raw_pixels or any(step.kind == "scale" for step in data.steps):
                continue
            yield Report(event.call_node, (
                f"{data.label} reaches fit() as raw 0-255 pixels that nothing scales: training may stall near chance"),
                explanation=(f"The pixels come from {data.source.description} ({script.where(data.source.node)}) and "
                             f"nothing scales them, in the arrays or in the model: inputs hundreds of times larger "
                             f"than the initial weights expect saturate activations, so training is slow or stuck "
                             f"near chance accuracy."))
            break
