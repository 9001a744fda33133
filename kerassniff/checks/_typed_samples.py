"""A sample typed into the code in raw units (``model.predict(np.array([[35, 2, 23000, 1200]]))``) given to a model
trained on a fitted scaler's output: what KS201 asks within one script and KS203 across a trainer and its loader."""
from __future__ import annotations

from kerassniff.semantic.dataflow import PART_SETTING, DataEvent, Step
from kerassniff.semantic.knowledge.arrays import SCALER_STEPS

# How far a value typed into the code may lie from what a fitted scaler leaves (standardised: standard deviations from
# the mean; min-max scaled: times the training range) and still be a scaled value.
TYPED_SCALED_LIMIT = 20.0

# Scaling steps whose statistics a scaler learns from the array it is fitted on (Normalizer scales each row alone).
FITTED_KINDS = frozenset({"standardize", "minmax"})

_SCALER_CLASSES = frozenset(detail for _, detail in SCALER_STEPS.values())


def fitted_scaling(reference: DataEvent) -> Step | None:
    """The fitted scaling that made the training input, when it is the last scaling and scaled the whole array: not
    when the scaler was written into some columns only (``df[cols] = scaler.fit_transform(df[cols])``: the others
    may be raw)."""
    scalings = [step for step in reference.data.steps if step.is_scaling]
    if not scalings or scalings[-1].kind not in FITTED_KINDS or \
            any(step.setting(PART_SETTING) is True for step in scalings):
        return None
    return scalings[-1]


def largest_raw_value(event: DataEvent, reference: DataEvent) -> float | None:
    """The typed value farthest from 0 when the event's input is a sample written in the code, not scaled, and too
    large to be a scaled value; None otherwise.  A value 20 standard deviations (or training ranges) away from
    anything training saw cannot be a scaled one."""
    data = event.data
    if event.kind == "fit" or data.source.kind != "literal" or data.scaling or data.group == reference.data.group:
        return None
    typed = data.source.value_range
    if typed is None or max(abs(typed[0]), abs(typed[1])) < TYPED_SCALED_LIMIT:
        return None
    return typed[1] if abs(typed[1]) >= abs(typed[0]) else typed[0]


def scaled_inputs(step: Step) -> str:
    """'StandardScaler output' for a scaler's step; 'standardised inputs' for one written by hand."""
    if step.detail in _SCALER_CLASSES:
        return f"{step.detail} output"
    return "standardised inputs" if step.kind == "standardize" else "min-max scaled inputs"
