"""The interpreter's assignment targets: what ``target = value`` does to a name, an unpacking, an attribute or an item.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`, found through the targets' table
(``TARGET_HANDLERS``, made from :data:`kerassniff.semantic.statements._TARGETS`).  Apart from the statements
because a target's kind decides the effect: an attribute set on an instance is kept, on a layer it is the
library's business; an item written into an array may scale it, into a dict may change a setting.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic import keras_calls
from kerassniff.semantic.builtins import set_environment
from kerassniff.semantic.folding import merge
from kerassniff.semantic.pyvalues import unpack
from kerassniff.semantic.frames import Frame, dotted
from kerassniff.semantic.syntax import constant_index
from kerassniff.semantic.library.datasets import shuffle_switched
from kerassniff.semantic.library.keras_models import bound_to, kept_alongside, layer_owner, name_attribute_model
from kerassniff.semantic.values import (
    UNKNOWN,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FolderListing,
    FunctionValue,
    Instance,
    Symbol,
    TokenizerIndex,
    Value,
)


class Assignments:
    """``target = value`` by the target's kind."""

    def assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        handler = self.TARGET_HANDLERS.get(type(target))
        if handler is not None:
            handler(self, target, value, frame)

    def assign_name(self, target: cst.Name, value: Value, frame: Frame) -> None:
        frame.scope.bind(target.value, bound_to(value, target.value))

    def assign_unpacked(self, target: cst.Tuple | cst.List, value: Value, frame: Frame) -> None:
        elements = target.elements
        for element, item in zip(elements, unpack(value, len(elements))):
            self.assign(element.value, UNKNOWN if type(element) is cst.StarredElement else item, frame)

    def assign_attribute(self, target: cst.Attribute, value: Value, frame: Frame) -> None:
        receiver = self.eval(target.value, frame)
        if type(receiver) is FunctionValue and target.attr.value == "__name__":
            self.script.renamed_functions.add(id(receiver.node))  # (Keras logs a metric under fn.__name__)
            return
        if isinstance(receiver, Instance):
            name_attribute_model(value, dotted(target.value), target.attr.value)
            receiver.attrs[target.attr.value] = kept_alongside(receiver.attrs.get(target.attr.value), value,
                                                               self.branches)
            return
        if type(receiver) is DataValue and receiver.data.keras_iterator and target.attr.value == "shuffle" and \
                type(target.value) is cst.Name:
            switched = shuffle_switched(receiver.data, value, self.calls_so_far())
            if switched is not None:
                self.rebind(target.value.value, DataValue(switched), frame)
            return
        owner = layer_owner(target.value, self.loop, lambda node: self.eval(node, frame))
        keras_calls.set_attribute(self, receiver if owner is None else owner, target.attr.value, value, target,
                                  part=owner is not None)

    def assign_item(self, target: cst.Subscript, value: Value, frame: Frame) -> None:
        """``x[...] = value``.  Writing into part of an array the same array's values with more scaling steps
        (``x[..., c] = (x[..., c] - mean[c]) / std[c]``, once per channel) scales the array: it takes those steps;
        writing values scaled otherwise (another frame's column standardised) scales it by an unknown amount."""
        current = self.eval(target.value, frame)
        if type(current) is TokenizerIndex:
            current.edited()  # tokenizer.word_index["<pad>"] = 0: its length is not the fitted vocabulary's now
        if type(current) is FolderListing and type(target.value) is cst.Name:
            # classes[:] = sorted(classes): the listing now holds those items, in their order
            self.rebind(target.value.value, value if type(value) is FolderListing else current.reordered(None), frame)
        if self.lists_in_blocks and type(target.value) is cst.Name:
            self.forget_runs(target.value.value, frame)  # ys[:] = shuffled: the list's order is the new items'
        keys = [self.eval(element.slice.value, frame) for element in target.slice if type(element.slice) is cst.Index]
        if type(current) is Symbol and current.name == "os.environ" and len(keys) == 1:
            set_environment(self.script.environment, keys[0], value)  # os.environ["TF_USE_LEGACY_KERAS"] = "1"
        if type(target.value) is cst.Name and isinstance(current, DictValue):  # settings["metrics"] = [...]
            key = keys[0] if len(keys) == 1 and isinstance(keys[0], Const) else None
            items = tuple(item for item in current.items if not (isinstance(item[0], Const) and key is not None and
                                                                 item[0].value == key.value))
            # (a function writing into a dict of the module changes the module's dict: the name's own scope)
            self.rebind(target.value.value,
                        DictValue(items + ((key, value),), current.complete) if key is not None else UNKNOWN, frame)
        if type(target.value) is cst.Name and isinstance(current, DataValue) and isinstance(value, DataValue):
            scaled = current.data.rescaled_like(value.data, constant_index(target)) or \
                current.data.part_scaled_otherwise(value.data, target)
            if scaled is not None:
                self.rebind(target.value.value, DataValue(scaled), frame)
        if type(target.value) is cst.Name and isinstance(current, ComprehensionValue):
            # images[i] = images[i] / 255.0: an item of the list replaced, the others may still be as they were
            self.rebind(target.value.value, ComprehensionValue(merge(current.element, value), current.length), frame)

    def assign_starred(self, target: cst.StarredElement, value: Value, frame: Frame) -> None:
        self.assign(target.value, UNKNOWN, frame)
