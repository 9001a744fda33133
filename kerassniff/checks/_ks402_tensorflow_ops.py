"""KS402: the symbolic tensors of a functional model used as Keras 2 allowed.

TensorFlow's own operations applied to them (``x = tf.concat([inputs,
features], axis=-1)``, ``tf.reduce_mean(base.output, axis=[1, 2])``). tf.keras 2 wrapped such a call in a layer of
its own (TFOpLambda); Keras 3's symbolic tensors refuse to become TensorFlow tensors, so the model cannot be built.

Not judged: calls inside a class's ``call()`` (a Layer's or Model's forward pass runs on real or traced tensors, where
TensorFlow's operations work; also ``train_step`` and the like), ``tf.compat.v1.keras`` (Keras itself), the operations
that do not convert their argument (``tf.nest``, ``tf.is_tensor``), and scripts whose Keras is a Keras 2 (tf_keras).
A tensor is symbolic when its chain starts at an Input or a model: a layer applied to something the analysis does not
know (a tf.data map function's image, a TextVectorization applied to strings) may be a real tensor.

Also Keras 2's private attributes of such a tensor (``x._keras_shape``, also through ``getattr(x, "_keras_shape")``),
which no Keras 3 tensor has: read in code that does not test for them first (a version check, ``hasattr``, a ``try``
catching AttributeError).
"""
from __future__ import annotations

from typing import Iterator

import libcst as cst

from kerassniff.checks._shared import keras_2_only
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.keras_values import TensorValue
from kerassniff.fixes import safe_fix
from kerassniff.semantic.knowledge.keras3_removals import (
    KERAS_2_TENSOR_ATTRIBUTES,
    TENSORFLOW_NON_CONVERTING,
    TENSORFLOW_NON_CONVERTING_MODULES,
    TENSORFLOW_OPS_IN_KERAS,
)
from kerassniff.semantic.names import is_keras
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.values import CallArgs, Seq, Value

_TENSORFLOW = "tensorflow."


def tensorflow_ops_on_keras_tensors(script: Script) -> Iterator[Report]:
    """The first TensorFlow operation each symbolic tensor meets (its result is not followed: the script stops
    there)."""
    if keras_2_only(script):
        return
    traced: set[int] | None = None
    for call in script.calls:
        callee = call.callee
        if callee is None or not callee.startswith(_TENSORFLOW) or is_keras(callee) or "keras" in callee.split(".") or \
                callee in TENSORFLOW_NON_CONVERTING or callee.startswith(TENSORFLOW_NON_CONVERTING_MODULES):
            continue  # (tf.compat.v1.keras.layers.concatenate is Keras)
        given = _symbolic_argument(call.args)
        if given is None:
            continue
        if call.top is not None and type(script.module.body[call.top]) is cst.ClassDef:
            traced = traced if traced is not None else _traced_calls(script)
            if id(call.node) in traced:
                continue  # a Layer's or Model's call(): traced, where TensorFlow's operations work
        yield _report(script, call, callee[len(_TENSORFLOW):], given)


# The methods Keras runs on real or traced tensors (a layer's or model's forward pass, a custom training step).
_TRACED_METHODS = frozenset({"call", "__call__", "train_step", "test_step", "predict_step", "compute_loss"})


def _traced_calls(script: Script) -> set[int]:
    """The calls written inside a module-level class's traced methods (:data:`_TRACED_METHODS`), functions nested in
    them included; not those of other methods (a builder's ``build_model(self)`` making ``keras.Input`` tensors)."""
    found: set[int] = set()
    for statement in script.module.body:
        if type(statement) is not cst.ClassDef:
            continue
        for node in walk_code(statement.body, skip=(cst.ClassDef,)):
            if type(node) is cst.FunctionDef and node.name.value in _TRACED_METHODS:
                found.update(id(inner) for inner in walk_code(node.body) if type(inner) is cst.Call)
    return found


def _symbolic_argument(args: CallArgs) -> Value | None:
    """The first symbolic tensor among the arguments, or inside a list of them (``tf.concat([a, b], -1)``)."""
    for value in (*args.positional, *(value for _, value in args.keywords)):
        if _symbolic(value):
            return value
        if type(value) is Seq:
            found = next((item for item in value.items if _symbolic(item)), None)
            if found is not None:
                return found
    return None


def _symbolic(value: Value) -> bool:
    """A tensor of a functional graph: ``keras.Input(...)``, a model's input or output, or layers applied to one; not
    a layer's output on something the analysis does not know (``resize(image)`` in a tf.data map function, a
    TextVectorization applied to strings: real tensors)."""
    return type(value) is TensorValue and (not value.path or value.path[0].kind != "Unknown")


def _report(script: Script, call, name: str, tensor: Value) -> Report:
    spelling = TENSORFLOW_OPS_IN_KERAS.get(name)
    instead = f"keras.ops.{spelling}" if spelling else "the keras.ops function of the same meaning"
    return Report(call.node, f"tf.{name}() on a Keras symbolic tensor: Keras 3 raises ValueError building the model",
                  f"use {instead} (check its arguments), or do it inside a layer's call()",
                  explanation=(f"tf.keras 2 turned tf.{name}() on a functional model's symbolic tensor into a layer "
                               "of its own (TFOpLambda). Keras 3's symbolic tensors cannot become TensorFlow "
                               "tensors, and every TensorFlow operation converts its input, so the script stops here "
                               "with \"ValueError: A KerasTensor cannot be used as input to a TensorFlow function\" "
                               "(tensorflow.keras on TensorFlow 2.16 and later is Keras 3 too). keras.ops works on "
                               "symbolic tensors and on every backend; inside a custom layer's call(), TensorFlow's "
                               "operations work as before."),
                  facts={"operation": f"tf.{name}", "replacement": instead})


def private_tensor_attributes(script: Script) -> Iterator[Report]:
    """``x._keras_shape`` (or ``getattr(x, "_keras_shape")``) of a functional model's tensor: Keras 2's private
    attribute (KERAS_2_TENSOR_ATTRIBUTES), absent from Keras 3's tensors."""
    if keras_2_only(script):
        return
    for node, attribute, guarded in script.tensor_attribute_reads.values():
        public = KERAS_2_TENSOR_ATTRIBUTES.get(attribute)
        if public is None or guarded:
            continue
        if type(node) is cst.Attribute:
            fix = safe_fix(f"read .{public}", node.attr, cst.Name(public))
            yield _private_attribute(script.code_of(node.value), attribute, public, node, fix)
        else:  # getattr(tensor, "_keras_shape")
            yield _private_attribute(script.code_of(node.args[0].value), attribute, public, node, None)


def _private_attribute(tensor: str, attribute: str, public: str, node: cst.CSTNode, fix) -> Report:
    return Report(node, f"{tensor}.{attribute} is a Keras 2 private attribute: Keras 3 tensors lack it, AttributeError",
                  f"read {tensor}.{public} (the same shape, with None for the batch axis)", fix,
                  explanation=(f"Standalone Keras 1 and 2 set {attribute} on the tensors of a functional model; it "
                               f"was never public. Keras 3's KerasTensor has no {attribute} (AttributeError, checked "
                               f"on Keras 3.15.1), and neither have TensorFlow's tensors, so the script stops here "
                               f"while the model is built. {tensor}.{public} gives the same tuple."),
                  facts={"attribute": attribute, "replacement": public})
