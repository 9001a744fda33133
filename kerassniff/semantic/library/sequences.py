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
from kerassniff.semantic.pyvalues import UNKNOWN, CallArgs, ClassValue, FunctionValue, Instance, Seq, Value


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
    y = _every_row(y, value) if y is not None else None
    return DataValue(replace(_every_row(x, value), batches=True, labels=y, node=node, is_sample=False))


def one_batch(effects: Effects, value: Value, node: cst.CSTNode) -> Value | None:
    """What ``__getitem__`` returns for an unknown index, when ``value`` is an instance of the script's own Sequence
    class (a loop over the instance draws these too: ``for images, maps in dataset:``); None for anything else."""
    if type(value) is not Instance or value.local_class is None or not is_sequence_class(value.local_class):
        return None
    getitem = _method(value.local_class, "__getitem__")
    if getitem is None:
        return None
    return effects.call_function(getitem, CallArgs((UNKNOWN,)), node, self_value=value)


def _every_row(batch: Data, instance: Instance) -> Data:
    """One batch as all the batches of an epoch: when it was cut from an array the instance holds (``self.x[i * n:(i
    + 1) * n]``), every row of that array, under its name (the script's ``test_x``, not the method's ``batch_x``), with
    the steps the method took on the batch."""
    for held in instance.attrs.values():
        whole = data_of(held)
        if whole is not None and whole.source is batch.source and whole.group == batch.group and \
                batch.steps[:len(whole.steps)] == whole.steps:
            return replace(batch, name=whole.name, whole_of=whole.whole_of, rows_cut=whole.rows_cut,
                           n_samples=whole.n_samples)
    return batch


def _method(cls: ClassValue, name: str) -> FunctionValue | None:
    """The method ``name`` of a class of the script, defined in it or inherited from a base class of its own."""
    found = cls.methods.get(name)
    if found is not None:
        return found
    return next((method for base in cls.local_bases if (method := _method(base, name)) is not None), None)
