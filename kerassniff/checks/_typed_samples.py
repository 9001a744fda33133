"""A sample typed into the code in raw units (``model.predict(np.array([[35, 2, 23000, 1200]]))``) given to a model
trained on a fitted scaler's output: what KS201 asks within one script and KS203 across a trainer and its loader."""
from __future__ import annotations

from dataclasses import dataclass

from kerassniff.semantic.dataflow import PART_SETTING, Data, DataEvent, Step
from kerassniff.semantic.knowledge.arrays import SCALER_STEPS

# How far a value typed into the code may lie from what a fitted scaler leaves (standardised: standard deviations from
# the mean; min-max scaled: times the training range) and still be a scaled value.
TYPED_SCALED_LIMIT = 20.0

# Scaling steps whose statistics a scaler learns from the array it is fitted on (Normalizer scales each row alone).
FITTED_KINDS = frozenset({"standardize", "minmax"})

# How a step with an array's own statistics scales it: (participle, the statistics, their short names).
OWN_STATISTICS = {"standardize": ("standardised", "mean and standard deviation", "mean/std"),
                  "minmax": ("min-max scaled", "minimum and maximum", "min/max")}

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


def _largest_raw_value(event: DataEvent, reference: DataEvent) -> float | None:
    """The typed value farthest from 0 when the event's input is a sample written in the code, not scaled, and too
    large to be a scaled value; None otherwise.  A value 20 standard deviations (or training ranges) away from
    anything training saw cannot be a scaled one."""
    data = event.data
    if not _unscaled_other_input(event, reference) or data.source.kind != "literal":
        return None
    typed = data.source.value_range
    if typed is None or max(abs(typed[0]), abs(typed[1])) < TYPED_SCALED_LIMIT:
        return None
    return typed[1] if abs(typed[1]) >= abs(typed[0]) else typed[0]


def _typed_by_a_user(event: DataEvent, reference: DataEvent) -> bool:
    """Whether the event's input is numbers a person typed or posted (``float(request.form["age"])``,
    ``st.number_input("Age")``), not scaled: a person types ages and prices, never standard scores."""
    return _unscaled_other_input(event, reference) and event.data.source.kind == "typed"


@dataclass(frozen=True)
class RawSample:
    """How an input is raw: written in the code with its largest value, or typed by a user (``largest`` None)."""

    largest: float | None

    @property
    def words(self) -> str:
        """For a message: "in raw units (up to 58000)", or "unscaled" after a :func:`sample_label` that says a
        user typed it."""
        return f"in raw units (up to {self.largest:g})" if self.largest is not None else "unscaled"

    @property
    def facts(self) -> dict:
        return {"largest_typed_value": self.largest} if self.largest is not None else {"typed_by_user": True}

    def explanation(self, trained_on: str) -> str:
        """Why the prediction is meaningless (without the final full stop); ``trained_on``, what training fed the
        model ("every input the model trained on was standardised (StandardScaler)")."""
        if self.largest is not None:
            return (f"The values written here reach {self.largest:g}, while {trained_on}, all within a few units of "
                    f"0: the model reads this sample far outside anything it saw, so its prediction is meaningless")
        return (f"A user types these numbers in their own units (years, prices, counts), while {trained_on}, all "
                f"within a few units of 0: the model reads them on a scale it never saw, so its prediction is "
                f"meaningless")


def raw_sample(event: DataEvent, reference: DataEvent) -> RawSample | None:
    """How the event's input is raw, None when it is not known to be."""
    largest = _largest_raw_value(event, reference)
    if largest is not None:
        return RawSample(largest)
    return RawSample(None) if _typed_by_a_user(event, reference) else None


def _unscaled_other_input(event: DataEvent, reference: DataEvent) -> bool:
    data = event.data
    return event.kind != "fit" and not data.scaling and data.group != reference.data.group


def sample_label(data: Data) -> str:
    """The input's name ('customer'), else what it is (a sample written in the code); for numbers a user typed, that
    too ("'row', typed by a user," or "numbers typed by a user,")."""
    if data.source.kind == "typed":
        return f"{data.label}, typed by a user," if data.name else "numbers typed by a user,"
    return data.label if data.name else "a sample"


def scaled_inputs(step: Step) -> str:
    """'StandardScaler output' for a scaler's step; 'standardised inputs' for one written by hand."""
    if step.detail in _SCALER_CLASSES:
        return f"{step.detail} output"
    return "standardised inputs" if step.kind == "standardize" else "min-max scaled inputs"
