"""The interpreter's attribute reads: ``base.name`` by the kind of value the base holds.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`, apart from :mod:`~kerassniff.semantic.evaluation`
because each kind of value answers an attribute its own way (a library symbol names a deeper symbol, an instance
holds what the script set on it, a model, a History or an array answer from the library's handlers) and a read of a
library object's attribute is recorded for the rules that know which attributes each library version has.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic import cli_args, data_calls, keras_calls
from kerassniff.semantic.frames import Frame, by_type
from kerassniff.semantic.guards import SAYS_VERSION, says_version
from kerassniff.semantic.library.keras_models import layer_owner
from kerassniff.semantic.script import AttributeRead
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ClassValue,
    CopiedLayer,
    DataValue,
    HistoryLog,
    HistoryValue,
    Instance,
    LayerValue,
    ModelValue,
    ModuleValue,
    Symbol,
    TensorValue,
    Value,
)


class Attributes:
    """``base.name``."""

    def eval_attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        base = self.eval(node.value, frame)
        attribute = node.attr.value
        says = SAYS_VERSION.get(attribute)
        if says or (says is None and says_version(attribute)):
            self.version_names_seen += 1
        if (type(base) is CopiedLayer or type(base) is LayerValue) and not self.in_helper:
            self._library_attribute(base, attribute, node)  # (layer.output_shape: which it has is the library's)
        reader = by_type(_ATTRIBUTE_READERS, base)
        if reader is not None:
            return reader(self, base, attribute, node)
        if attribute == "output" and type(node.value) in (cst.Subscript, cst.Call):  # base.layers[-2].output
            owner = layer_owner(node.value, self.loop, lambda inner: self.eval(inner, frame))
            inner = keras_calls.inner_layer_output(owner.model, attribute) if owner is not None else None
            if inner is not None:
                return inner
        return UNKNOWN

    def _symbol_attribute(self, base: Symbol, attribute: str, node: cst.Attribute) -> Value:
        if cli_args.is_flag_values(base.name):  # from absl.flags import FLAGS; FLAGS.model
            return self.flag_values.defaults.get(attribute, UNKNOWN)
        symbol = base.attr(attribute)
        self._reference(symbol, node)
        if cli_args.is_flag_values(symbol.name):
            return Instance(symbol.name, CallArgs(), node, attrs=self.flag_values.defaults)
        return symbol

    def _instance_attribute(self, base: Instance, attribute: str, node: cst.Attribute) -> Value:
        if attribute in base.attrs:
            value = base.attrs[attribute]
            return self.arm_model(value) if type(value) is ModelValue and value.alternatives else value
        if base.local_class is not None:
            methods = base.local_class.methods
            return self.method_of(methods[attribute], base, base.local_class) if attribute in methods else UNKNOWN
        if not self.in_helper:
            self._library_attribute(base, attribute, node)
        return data_calls.instance_attribute(base, attribute, node)  # a library object's (tokenizer.word_index)

    def _library_attribute(self, base: Value, attribute: str, node: cst.Attribute) -> None:
        """Note an attribute read of a library's object (an optimizer, a layer): which attributes it has is the
        library's business, the rules' tables (Script.library_attribute_reads)."""
        reads = self.script.library_attribute_reads
        if id(node) not in reads or (reads[id(node)].guarded and not self.guarded):  # unguarded in any interpretation
            reads[id(node)] = AttributeRead(node, base, attribute, self.guarded > 0, self.top_index)

    def _class_attribute(self, base: ClassValue, attribute: str, node: cst.Attribute) -> Value:
        if attribute in base.methods:  # LeNet.build(...): a static method
            return self.method_of(base.methods[attribute], None, base)
        return UNKNOWN

    def _model_attribute(self, base: ModelValue, attribute: str, node: cst.Attribute) -> Value:
        return keras_calls.model_attribute(self, base.model, attribute, node)

    def _module_attribute(self, base: ModuleValue, attribute: str, node: cst.Attribute) -> Value:
        member = base.member(attribute)
        return member if member is not None else UNKNOWN

    def _history_attribute(self, base: HistoryValue, attribute: str, node: cst.Attribute) -> Value:
        """``history.history``: the metrics a fit() logged, read by key."""
        return HistoryLog(fit=base.fit) if attribute == "history" else UNKNOWN

    def _data_attribute(self, base: DataValue, attribute: str, node: cst.Attribute) -> Value:
        return data_calls.data_attribute(base.data, attribute, node)

    def _tensor_attribute(self, base: TensorValue, attribute: str, node: cst.Attribute | cst.Call) -> Value:
        """A functional-API tensor's attribute (``x._keras_shape``, or ``getattr(x, "_keras_shape")``, see
        Calls.call_library): unknown; a private one is noted, since which of them a Keras version has is the
        library's business (the rules' tables)."""
        if attribute[:1] == "_" and not self.in_helper:
            reads = self.script.tensor_attribute_reads
            if id(node) not in reads or (reads[id(node)][2] and not self.guarded):  # unguarded in any interpretation
                reads[id(node)] = (node, attribute, self.guarded > 0)
        return UNKNOWN


_ATTRIBUTE_READERS = {
    Symbol: Attributes._symbol_attribute, Instance: Attributes._instance_attribute,
    ClassValue: Attributes._class_attribute, ModelValue: Attributes._model_attribute,
    HistoryValue: Attributes._history_attribute,
    ModuleValue: Attributes._module_attribute, DataValue: Attributes._data_attribute,
    TensorValue: Attributes._tensor_attribute,
}
