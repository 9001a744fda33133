"""KS402's checks of methods that Keras 3's own objects no longer have (the rule module holds the others).

Kept apart so that the rule module stays a readable size; each function takes one recorded call and returns the
report, or None when the call is not one it judges.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.training import CallSite


def iterator_next(call: CallSite) -> Report | None:
    """``train_flow.next()`` on an ImageDataGenerator flow: Keras 2's image iterators kept a Python 2 ``next()``
    method; Keras 3's (keras.src.legacy.preprocessing.image.Iterator, a PyDataset) define only ``__next__``, so the
    call raises AttributeError (checked on Keras 3.15.1, also through tensorflow.keras). A tf.data iterator still
    has next(); a TimeseriesGenerator never had either (it is indexed), so neither is judged here."""
    data = data_of(call.receiver)
    if call.method != "next" or call.args.positional or call.args.keywords or data is None or \
            not data.keras_iterator or not isinstance(call.node.func, cst.Attribute):
        return None
    flow = call.node.func.value
    name = flow.value if isinstance(flow, cst.Name) else "iterator"
    return Report(call.node, f"{name}.next() was removed from Keras 3's image iterators: AttributeError",
                  "call next(iterator), which every Keras version accepts",
                  safe_fix("call next() on the iterator", call.node,
                           cst.Call(cst.Name("next"), [cst.Arg(flow)])),
                  explanation=("Keras 2's ImageDataGenerator iterators had a next() method for Python 2; the "
                               "iterators Keras 3 keeps for ImageDataGenerator define only __next__, so the script "
                               "stops here with AttributeError. The built-in next(iterator) works with both."),
                  facts={"method": "next", "modern": "next(iterator)"})
