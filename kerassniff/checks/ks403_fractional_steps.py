"""KS403 fractional-steps (seed 000)."""
from __future__ import annotations

from typing import Iterator

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.fixes import safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import KERAS_1_CALL_KEYWORDS
from kerassniff.semantic.knowledge.model_api import DATA_METHODS as METHODS
from kerassniff.semantic.knowledge.model_api import GENERATOR_METHODS, GENERATOR_STEPS_PARAMETER
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
            fix = None
            rounded = isinstance(value, Unknown) and isinstance(value.division, cst.Call)
            # the hint names this call's own expression, made an int (the rule's generic hint is an example)
            hint = (f"make it an int: int({shown})" if rounded else
                    f"make {shown} an int where it is computed: floor division (//) or math.ceil"
                    if type(arg.value) is cst.Name else
                    f"make {shown} an int: // for every division, or math.ceil")
            if isinstance(arg.value, cst.BinaryOperation) and isinstance(arg.value.operator, cst.Divide):
                divide = arg.value.operator
                floor = cst.FloorDivide(whitespace_before=divide.whitespace_before,
                                        whitespace_after=divide.whitespace_after)
                floored = arg.value.with_changes(operator=floor)
                fix = safe_fix("use floor division (//)", arg.value, floored)
                hint = "use floor division so the step count is an int: " + (
                    f"{name}={_code(floored)}" if arg.keyword is not None else _code(floored))
            if rounded and fix is None and arg.value is value.division:  # steps=np.ceil(n / batch) written in the call
                fix = safe_fix("make it an int: int(...)", arg.value, cst.Call(cst.Name("int"), [cst.Arg(arg.value)]))
            cause = ("NumPy's ceil/floor/round of a float return a NumPy float (numpy.float64), even when it is "
                     "whole" if rounded else "True division always gives a float" + (
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


def _code(node: cst.CSTNode) -> str:
    """An expression's text (a node made here, with no place in the script's module)."""
    return cst.Module(body=[]).code_for_node(node)


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
