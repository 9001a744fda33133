"""ImageDataGenerator: the scaling a generator applies to every flow it makes.

``ImageDataGenerator(rescale=1./255)`` scales nothing by itself; each
``flow``/``flow_from_directory`` it makes yields scaled batches.  So the
generator's options become steps on the Data each flow returns, and KS201,
KS202 and KS204 compare flows like arrays.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from kerassniff.semantic.dataflow import Step
from kerassniff.semantic.names import short
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    Const,
    DataValue,
    FunctionValue,
    Instance,
    Symbol,
    Value,
    const_value,
)

if TYPE_CHECKING:
    from kerassniff.semantic.builder import Builder


def generator_steps(instance: Instance, node: cst.CSTNode) -> tuple[Step, ...]:
    args = instance.args
    steps: list[Step] = []
    rescale = args.get("rescale")
    if rescale is not None:
        number = const_value(rescale)
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            if number not in (0, 1):
                detail = f"/{1 / number:g}" if 0 < abs(number) < 1 else f"*{number:g}"
                steps.append(Step("scale", detail, instance.node or node))
        elif not (isinstance(rescale, Const) and rescale.value is None):
            steps.append(Step("scale", "?", instance.node or node))
    function = args.get("preprocessing_function")
    if isinstance(function, Symbol) and short(function.name) == "preprocess_input":
        family = function.name.split(".")[-2]
        steps.append(Step("preprocess", family, instance.node or node))
    elif function is not None and not (isinstance(function, Const) and function.value is None):
        detail = function.node.name.value if isinstance(function, FunctionValue) and isinstance(function.node, cst.FunctionDef) else "?"
        steps.append(Step("preprocess", detail, instance.node or node))
    for option in ("featurewise_center", "featurewise_std_normalization", "samplewise_center",
                   "samplewise_std_normalization", "zca_whitening"):
        if const_value(args.get(option)) is True:
            steps.append(Step("standardize", option, instance.node or node))
    return tuple(steps)


def generator_method(builder: "Builder", instance: Instance, method: str, args: CallArgs, node: cst.Call) -> Value:
    from kerassniff.semantic.data_calls import data_of, image_directory

    steps = generator_steps(instance, node)
    if method == "flow":
        x = data_of(args.get("x", 0) or UNKNOWN)
        y = data_of(args.get("y", 1) or UNKNOWN)
        if x is None:
            return UNKNOWN
        return DataValue(replace(x, steps=x.steps + steps, batches=True, labels=y, node=node))
    if method in ("flow_from_directory", "flow_from_dataframe"):
        description = f"{method}(...)"
        mode = args.get("class_mode")
        call_args = CallArgs(args.positional, args.keywords + (("label_mode", mode if mode is not None else Const("categorical")),))
        return image_directory(call_args, node, description, steps, "categorical")
    return UNKNOWN
