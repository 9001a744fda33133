"""KS403 fractional-steps (seed 000)."""
from __future__ import annotations

import math
import re
from typing import Iterator

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.checks._floor_division import integer_quotient
from kerassniff.fixes import Fix, safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import KERAS_1_CALL_KEYWORDS
from kerassniff.semantic.knowledge.model_api import DATA_METHODS as METHODS
from kerassniff.semantic.knowledge.model_api import GENERATOR_METHODS, GENERATOR_STEPS_PARAMETER
from kerassniff.semantic.syntax import rendered
from kerassniff.semantic.values import CallArgs, Const, ModelValue, Unknown, Value

STEP_KEYWORDS = ("steps_per_epoch", "validation_steps", "steps")


@rule("KS403", "fractional-steps", Severity.ERROR,
      "steps_per_epoch or validation_steps computed with true division",
      "use floor division or math.ceil so the step count is an int: steps_per_epoch=len(train_data) // 5")
def check(script: Script):
    for call in script.calls:
        if call.method not in METHODS or not isinstance(call.receiver, (ModelValue, Unknown)):
            continue
        for name, value, arg in _step_arguments(call.method, call.args):
            fractional = (isinstance(value, Unknown) and value.division is not None) or (
                isinstance(value, Const) and isinstance(value.value, float))
            if not fractional:
                continue
            shown = script.code_of(arg.value)
            rounded = isinstance(value, Unknown) and isinstance(value.division, cst.Call)
            hint, fix = _remedy(script, name, arg, value, rounded, shown)
            cause = ("NumPy's ceil/floor/round of a float return a NumPy float (numpy.float64), even when it is "
                     "whole" if rounded else "A number written as a float (with a decimal point or an exponent) is one"
                     if type(arg.value) is cst.Float else "True division always gives a float" + (
                         ", and arithmetic on a float keeps it one ((n / 32) // 2 is 2.0, not 2)"
                         if isinstance(arg.value, cst.BinaryOperation) and
                         not isinstance(arg.value.operator, cst.Divide) else ""))
            kind = "numpy.float64" if rounded else "float"
            written = f"{name}={shown}" if arg.keyword is not None else f"{shown}, the {name},"
            stops = f"Keras 3's {GENERATOR_METHODS[call.method]}()" if call.method in GENERATOR_METHODS else "Keras 3"
            yield Report(arg, f"{written} is a float: {stops} stops with TypeError", hint, fix,
                         explanation=(f"{cause}. Keras 3 rejects it (TypeError: '{kind}' object cannot be interpreted "
                                      f"as an integer); older Keras runs a different number of batches than the "
                                      f"progress bar and the validation schedule assume."))


def _remedy(script: Script, name: str, arg: cst.Arg, value: Value, rounded: bool,
            shown: str) -> tuple[str, Fix | None]:
    """The hint, naming this call's own expression made an int (the rule's generic hint is an example), and the fix:
    the division written in the call made an integer (:func:`integer_quotient`: ``//`` when neither side may hold a
    float, else ``int(...)``), or ``int(...)`` around a NumPy rounding written in the call."""
    node = arg.value
    shown = _one_line(shown)
    if type(node) is cst.Float:
        number = float(node.value)
        whole = math.isfinite(number) and number >= 1 and number.is_integer()
        return ("write the step count as an int: " + (str(int(number)) if whole else "a whole number of batches")), None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        made, fix = integer_quotient(script, node, "use floor division (//)")
        written = _one_line(rendered(made))
        how = "use floor division so the step count is an int: " if isinstance(made, cst.BinaryOperation) else \
            "make it an int: "
        return how + (f"{name}={written}" if arg.keyword is not None else written), fix
    if rounded:
        fix = safe_fix("make it an int: int(...)", node, cst.Call(cst.Name("int"), [cst.Arg(node)])) \
            if node is value.division else None  # type: ignore[attr-defined]
        return f"make it an int: int({shown})", fix
    if type(node) in (cst.Name, cst.Attribute, cst.Subscript):
        return f"make {shown} an int where it is computed: floor division (//) or math.ceil", None
    return f"make it an int: int({shown})", None


def _one_line(code: str) -> str:
    """An expression written over several lines, on one (for a hint)."""
    return re.sub(r"\s*\n\s*", " ", code)


def _step_arguments(method: str, args: CallArgs) -> Iterator[tuple[str, Value, cst.Arg]]:
    """Each step count the call passes: by keyword, or by position to a generator method
    (``fit_generator(gen, n / 32)``), unless a Keras 1 keyword says the position counts samples."""
    for name in STEP_KEYWORDS:
        value, arg = args.get(name), args.node_of(name)
        if value is not None and arg is not None:
            yield name, value, arg
    name = GENERATOR_STEPS_PARAMETER.get(method)
    if name is None or args.has(name) or any(a.star for a in args.nodes) or \
            any(keyword in KERAS_1_CALL_KEYWORDS for keyword in args.keyword_names):
        return
    value, arg = args.get(name, 1), args.node_of(name, 1)
    if value is not None and arg is not None:
        yield name, value, arg
