"""The script's own ``keras.utils.Sequence`` (``PyDataset``) classes, as the data they give a model.

``fit(TrainGenerator(train_x, train_y), validation_data=TrainGenerator(test_x, test_y))`` trains on what the
class's ``__getitem__`` returns for a batch index.  Keras calls it; the script does not, so the interpreter calls it
here, once per instance (its summary is reused when the same instance is given again), with the index unknown: the
instance's arrays are sliced, its files read, its own scaling applied, as the method does.  The batch it returns is
one element of a pipeline (``batches``), with its labels, as a ``tf.data`` pipeline's ``map(f)`` is.
"""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from kerassniff.semantic.dataflow import Data, DataValue, data_of
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.knowledge.datasets import SEQUENCE_BASES
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.pyvalues import (UNKNOWN, CallArgs, ClassValue, ComprehensionValue, FunctionValue, Instance,
                                         Seq, Value)


def is_sequence_class(cls: ClassValue) -> bool:
    """A class of the script deriving from ``keras.utils.Sequence``/``PyDataset``, directly or through its own
    classes."""
    return any(base in SEQUENCE_BASES for base in cls.bases) or any(is_sequence_class(base) for base in cls.local_bases)


def batches_of(effects: Effects, value: Value, node: cst.CSTNode) -> Value:
    """What a model reads from ``value`` when it is an instance of the script's own Sequence class: the batches its
    ``__getitem__`` returns (an ``(x, y)`` pair gives x with its labels); ``value`` itself for anything else, and
    when the method returns no array the analysis follows."""
    batch = one_batch(effects, value, node)
    if batch is None:
        return value
    if isinstance(batch, Seq) and len(batch.items) == 2:
        x, y = data_of(batch.items[0]), data_of(batch.items[1])
    else:
        x, y = data_of(batch), None
    if x is None:
        return value
    sources = (x.source, y.source if y is not None else x.source)
    every_x = _every_row(x, value, sources)
    if every_x is None:
        return value  # each instance may read its own part of the arrays: which rows is not known
    every_y = _every_row(y, value, sources) if y is not None else None  # (None: labels not known)
    inputs = replace(every_x, batches=True, labels=None, node=node, is_sample=False)
    if y is x:  # (images, images): an autoencoder's targets are its inputs, the same array
        return DataValue(replace(inputs, labels=inputs))
    return DataValue(replace(inputs, labels=every_y))


def one_batch(effects: Effects, value: Value, node: cst.CSTNode, looped: bool = False) -> Value | None:
    """What ``__getitem__`` returns for an unknown index, when ``value`` is an instance of the script's own Sequence
    class; None for anything else.  A loop over the instance (``looped``: ``for images, maps in dataset:``) draws
    these too, unless the class defines its own ``__iter__``, which Python runs instead."""
    if type(value) is not Instance or value.local_class is None or not is_sequence_class(value.local_class):
        return None
    if looped and _method(value.local_class, "__iter__") is not None:
        return None
    getitem = _method(value.local_class, "__getitem__")
    if getitem is None:
        return None
    return effects.call_function(getitem, CallArgs((UNKNOWN,)), node, self_value=value)


def _every_row(batch: Data, instance: Instance, sources: tuple) -> Data | None:
    """One batch as all the batches of an epoch: when it was cut from an array the instance holds (``self.x[i * n:(i
    + 1) * n]``), every row of that array, under its name (the script's ``test_x``, not the method's ``batch_x``), with
    the steps the method took on the batch; a batch read from files is itself.  None when it was cut from an array but
    the class's ``__len__`` does not count the batches of that array (``(self.stop - self.start) // n``, a constant, the
    length of a list of ids), or the instance holds something it may pick rows by (a list, an array of row ids that is
    not every index): each instance may then read its own part."""
    held_by_name = {name: data for name, held in instance.attrs.items() if (data := data_of(held)) is not None}
    name = next((name for name, data in held_by_name.items() if data.source is batch.source and
                 data.group == batch.group and batch.steps[:len(data.steps)] == data.steps), None)
    if name is None:
        return batch
    whole = held_by_name[name]
    counted = _arrays_counted(instance)
    if not counted & {key for key, data in held_by_name.items() if any(data.source is s for s in sources)} or any(
            isinstance(held, (Seq, ComprehensionValue)) for held in instance.attrs.values()) or any(
            all(data.source is not source for source in sources) and
            (data.rows_cut or data.split is not None or not _every_index(data.source.node))
            for data in held_by_name.values()):
        return None
    return replace(batch, name=whole.name, whole_of=whole.whole_of, rows_cut=whole.rows_cut, n_samples=whole.n_samples)


def _arrays_counted(instance: Instance) -> set[str]:
    """The attributes whose rows the class's ``__len__`` counts in batches: it returns ``len(self.x)`` or
    ``self.x.shape[0]`` divided by something (``ceil(len(self.x) / self.batch_size)``, ``len(self.x) // n``), through
    ``int()``/``ceil()``/``float()``; anything else (a difference of bounds, a fraction of the rows) counts none."""
    length = _method(instance.local_class, "__len__") if instance.local_class is not None else None
    if length is None or type(length.node) is not cst.FunctionDef:
        return set()
    counted: set[str] = set()
    for node in walk_code(length.node.body):
        if type(node) is cst.Return and node.value is not None:
            value = _unwrapped(node.value)
            if type(value) is cst.BinaryOperation and type(value.operator) in (cst.Divide, cst.FloorDivide):
                value = _unwrapped(value.left)
            name = _rows_of(value)
            if name is not None:
                counted.add(name)
    return counted


def _unwrapped(node: cst.BaseExpression) -> cst.BaseExpression:
    """``x`` of ``int(x)``, ``math.ceil(x)``, ``np.ceil(x)``, ``float(x)``, ``(x)``."""
    while type(node) is cst.Call and len(node.args) == 1 and (
            (type(node.func) is cst.Name and node.func.value in ("int", "float", "ceil")) or
            (type(node.func) is cst.Attribute and node.func.attr.value == "ceil")):
        node = node.args[0].value
    return node


def _rows_of(node: cst.BaseExpression) -> str | None:
    """``x`` of ``len(self.x)`` or ``self.x.shape[0]``."""
    counted = _counted_rows(node)
    return _self_attribute(counted) if counted is not None else None


def _counted_rows(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The array whose rows an expression counts: ``a`` of ``len(a)`` or ``a.shape[0]``; None for anything else."""
    if type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "len" and len(node.args) == 1:
        return node.args[0].value
    if type(node) is cst.Subscript and type(node.value) is cst.Attribute and node.value.attr.value == "shape" and \
            len(node.slice) == 1 and type(node.slice[0].slice) is cst.Index and \
            type(node.slice[0].slice.value) is cst.Integer and node.slice[0].slice.value.value == "0":
        return node.value.value
    return None


def _self_attribute(node: cst.BaseExpression) -> str | None:
    """``x`` of ``self.x``."""
    if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
        return node.attr.value
    return None


def _every_index(node: cst.CSTNode | None) -> bool:
    """An index array over every row: ``np.arange(len(x))``, ``np.arange(x.shape[0])`` or a permutation of as many
    (the order a Sequence shuffles at each epoch's end), written so where it is made."""
    return type(node) is cst.Call and type(node.func) is cst.Attribute and \
        node.func.attr.value in ("arange", "permutation") and len(node.args) == 1 and \
        _counted_rows(node.args[0].value) is not None


def _method(cls: ClassValue, name: str) -> FunctionValue | None:
    """The method ``name`` of a class of the script, defined in it or inherited from a base class of its own."""
    found = cls.methods.get(name)
    if found is not None:
        return found
    return next((method for base in cls.local_bases if (method := _method(base, name)) is not None), None)
