"""KS402's checks of single calls: methods Keras 3's own objects no longer have, and file names its savers refuse
(the rule module holds the others and decides which Keras the script runs on).

Kept apart so that the rule module stays a readable size; each function takes one recorded call and returns or
yields the report, nothing when the call is not one it judges.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic.dataflow import data_of
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const, FunctionValue, Instance, ModelValue, Symbol, string_ending


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


def save_name(call: CallSite, where: str, suffixes: tuple[str, ...], position: int = 0):
    """A file name Keras 3 refuses to save to, when its end is known (a string, or an f-string's last text);
    ``position``: where the path is passed without its keyword (1 for ``save_model(model, path)``)."""
    arg = call.args.node_of("filepath", position)
    if arg is None:
        return
    name = string_ending(call.args.get("filepath", position))  # the end of f"{folder}/model.h5" is known
    if name is None:
        return
    if name.lower().endswith(suffixes):
        return
    wanted = suffixes[0] if len(suffixes) == 1 else f"{', '.join(suffixes[:-1])} or {suffixes[-1]}"
    consequence = "before training starts" if where.startswith("ModelCheckpoint") else \
        "and a model trained before this call is not saved"
    yield Report(arg, f"{where} needs a file name ending in {wanted}: Keras 3 raises ValueError",
                 (f"name the file '<name>{suffixes[0]}'" + ("; for a TensorFlow SavedModel folder call model.export()"
                                                             if where in SAVED_MODEL_WRITERS else "")),
                 explanation=(f"tf.keras 2 accepted this name (without .h5 it wrote TensorFlow's SavedModel or "
                              f"checkpoint format). Keras 3's {where} raises ValueError for any name not ending in "
                              f"{wanted}, {consequence}."),
                 facts={"path": name, "suffixes": list(suffixes)})


# The save functions beside model.save() (Keras 3.15.1: the same ValueError for a name without .keras/.h5).
SAVE_FUNCTIONS = frozenset({"keras.models.save_model", "keras.saving.save_model"})
SAVED_MODEL_WRITERS = ("model.save()", "save_model()")


def metrics_not_a_list(call: CallSite):
    """``model.compile(metrics="accuracy")`` or ``metrics=keras.metrics.AUC()``: tf.keras 2 spread one metric over
    the outputs; Keras 3's compile() raises ValueError ("Expected `metrics` argument to be a list, tuple, or dict",
    checked on 3.15.1; the same for weighted_metrics=). Only the keywords: compile()'s positional order differs
    between tf.keras 2 (metrics third) and Keras 3 (loss_weights third)."""
    for keyword in ("metrics", "weighted_metrics"):
        arg, value = call.args.node_of(keyword), call.args.get(keyword)
        if arg is None or not _one_metric(value):
            continue
        text = "a string" if isinstance(value, Const) else "one metric"
        # a list of one metric is the same metric only for a model with one output (a list is one entry per output)
        model = call.receiver.model if isinstance(call.receiver, ModelValue) else None
        single = model is not None and (model.kind == "sequential" or len(model.output_paths()) == 1)
        yield Report(arg.value, f"compile({keyword}=...) gets {text}, not a list: Keras 3 raises ValueError",
                     f"put it in a list: {keyword}=[...]" if single else
                     f"put it in a list ({keyword}=[...]), or for several outputs a dict by output name",
                     safe_fix("put the metric in a list", arg.value,
                              cst.List([cst.Element(arg.value)])) if single else None,
                     explanation=(f"tf.keras 2 accepted a single metric and applied it to every output; Keras 3's "
                                  f"compile() accepts only a list, tuple or dict and raises ValueError (\"Expected "
                                  f"`{keyword}` argument to be a list, tuple, or dict\"), before any training."),
                     facts={"keyword": keyword})


def _one_metric(value) -> bool:
    """A metric given alone: a name, a metric object, a metric function (a Keras one or the script's own)."""
    return (isinstance(value, Const) and isinstance(value.value, str)) or isinstance(value, FunctionValue) or (
        isinstance(value, Instance) and value.cls.startswith("keras.metrics.")) or (
        isinstance(value, Symbol) and value.name.startswith(("keras.metrics.", "keras.losses.")))
