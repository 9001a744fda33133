"""KS102 label-encoding-mismatch (seed 003)."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import EVENT_WORDS, events, fits_under
from kerassniff.evidence import Measurements, Verdict
from kerassniff.fixes import unsafe_fix
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.label_literals import encoding_name, same_label_shape
from kerassniff.semantic.models import Model


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    fit = run.fit_for(finding.line)
    if not fit or not fit.get("y"):
        return None
    others = [(name, fit.get(name)) for name in ("validation_y",)] + \
             [(f"{c['kind']}() y", c.get("y")) for c in run.calls if c["kind"] == "evaluate"]
    for name, stats in others:
        if stats and stats.get("onehot") != fit["y"].get("onehot"):
            def encoding(s):
                return "one-hot" if s.get("onehot") else "integer" if s.get("integer_labels") else "other"
            return Verdict(True, (f"fit() y is {encoding(fit['y'])} {fit['y']['shape']}, {name} is {encoding(stats)} "
                                  f"{stats['shape']}"))
    return None


# The calls that read labels: predict() is given a flow of images and labels, and reads the images only.
_READS_LABELS = ("fit", "validation", "evaluate")


@rule("KS102", "label-encoding-mismatch", Severity.ERROR,
      "labels encoded differently from what the loss expects, or differently between training and validation/test",
      "encode every split's labels the same way the loss expects: to_categorical for categorical_crossentropy, "
      "integer ids for sparse_categorical_crossentropy", verdict=verdict)
def check(script: Script):
    for model in script.models:
        yield from _class_orders(script, model)
        yield from _one_hot_metric(script, model)
        labels = [e for e in events(script, model, "y", _READS_LABELS) if not e.data.conditional and
                  e.data.encoding in ("int", "onehot", "multihot", "column", "input")]
        if not labels:
            continue
        training = [e for e in labels if e.kind == "fit"]
        reported: set[int] = set()
        for event in labels:
            data = event.data
            losses = _losses_at(model, event.order)
            where = EVENT_WORDS[event.kind]
            if "categorical_crossentropy" in losses and data.encoding == "int":
                reported.add(id(event))
                if _single_unit(model):
                    continue  # KS103: the 1-unit output makes the loss 0 whatever the labels (one-hot or ids)
                yield Report(event.call_node, (
                    f"integer labels {data.label} reach {where}, but categorical_crossentropy expects one-hot rows"),
                    f"use loss='sparse_categorical_crossentropy', or one-hot encode: to_categorical({data.name or 'y'})",
                    explanation=(f"The labels are integer class ids (from {data.source.description}). Keras fails on "
                                 f"the shape mismatch, or with a 1-wide label silently computes a meaningless loss and "
                                 f"accuracy."),
                    facts={"encoding": "int", "loss": "categorical_crossentropy"})
            elif "categorical_crossentropy" in losses and data.encoding == "multihot" and event.kind == "fit" and \
                    _sigmoid_output(model):
                reported.add(id(event))
                yield Report(event.call_node, (
                    f"multi-hot labels {data.label} reach fit(), but categorical_crossentropy treats each row as one "
                    f"class"),
                    "use loss='binary_crossentropy' (with metrics=['binary_accuracy']) for labels that may hold "
                    "several classes at once",
                    explanation=(f"The labels hold several 1s per row (from {data.source.description}) and the "
                                 f"output is a sigmoid per class, a multi-label model. categorical_crossentropy "
                                 f"divides the outputs by their sum and scores them as one distribution over the "
                                 f"classes, so the sigmoids do not learn a probability per class (a threshold of 0.5 "
                                 f"on them means nothing), and 'accuracy' becomes categorical accuracy: the argmax "
                                 f"against the first 1 of each row."),
                    facts={"encoding": "multihot", "loss": "categorical_crossentropy"})
            elif "sparse_categorical_crossentropy" in losses and data.encoding == "onehot":
                reported.add(id(event))
                yield Report(event.call_node, (
                    f"one-hot labels {data.label} reach {where}, but sparse_categorical_crossentropy expects "
                    f"class ids"),
                    "use loss='categorical_crossentropy', or pass integer labels (np.argmax(y, axis=1))",
                    explanation=("sparse_categorical_crossentropy expects one integer class id per sample, not a "
                                 "one-hot row per sample."),
                    facts={"encoding": "onehot", "loss": "sparse_categorical_crossentropy"})
        for event in labels:
            if event.kind == "fit" or id(event) in reported:
                continue
            train = next((t for t in training if (t.call_node is event.call_node if event.kind == "validation"
                                                  else t.order <= event.order)), None)
            if train is None or id(train) in reported or same_label_shape(train.data.encoding, event.data.encoding):
                continue  # (training labels already reported: fixing them resolves this one)
            if "input" in (event.data.encoding, train.data.encoding):
                yield _images_as_targets(script, event, train)
                continue
            where = EVENT_WORDS[event.kind]
            yield Report(event.call_node, (
                f"{where} labels {event.data.label} are {encoding_name(event.data.encoding)} but the training "
                f"labels {train.data.label} are {encoding_name(train.data.encoding)}"),
                f"encode {event.data.name or 'these labels'} exactly like {train.data.name or 'the training labels'}",
                explanation=(f"The training labels are encoded at {{training}}. "
                             f"The loss and accuracy reported for {where} compare differently shaped labels and do "
                             f"not measure the model."),
                facts={"encoding": event.data.encoding, "training_encoding": train.data.encoding},
                mentions={"training": train.data.node or train.call_node})


def _sigmoid_output(model: Model) -> bool:
    """The model's one output is a sigmoid of several units (or of a number of units not known): a multi-label
    head."""
    head = model.single_head()
    return head is not None and head.activation == "sigmoid" and head.units != 1


def _images_as_targets(script: Script, event, train) -> Report:
    """A flow built with class_mode="input" (its targets are its own images, an autoencoder's) where the model
    trains on class labels, or a flow of class labels where it trains on its own images: the targets do not have
    the output's shape, and Keras stops with a shape error when it computes the loss on them."""
    flow = next((e.data.label for e in script.data_events if e.call_node is event.call_node and
                 e.kind == event.kind and e.role == "x"), "the flow")
    where = EVENT_WORDS[event.kind]
    stops = ("fit() stops with a shape error at the end of its first epoch, when it validates"
             if event.kind == "validation" else f"{where} stops with a shape error")
    if event.data.encoding == "input":
        message = f"{where} gets {flow}, built with class_mode='input': its targets are images"
        hint = "build it with the training flow's class_mode"
        explanation = (f"class_mode='input' makes a flow's targets its own images (for an autoencoder), while the "
                       f"model is trained on {encoding_name(train.data.encoding)} ({{training}}): the images do not "
                       f"have the shape of the model's output, so {stops} (Keras 3).")
    else:
        message = f"{where} gets {flow} with class labels, but the model learns to rebuild images"
        hint = "build it with class_mode='input', as the training flow is"
        explanation = (f"The model is trained on a flow built with class_mode='input' ({{training}}): its targets are "
                       f"the images themselves, while {flow}'s are {encoding_name(event.data.encoding)}, which do not "
                       f"have the shape of the model's output, so {stops} (Keras 3). predict() reads no targets and "
                       f"runs.")
    return Report(event.call_node, message, hint, explanation=explanation,
                  facts={"encoding": event.data.encoding, "training_encoding": train.data.encoding},
                  mentions={"training": train.data.node or train.call_node})


def _one_hot_metric(script: Script, model: Model):
    """``metrics=["categorical_accuracy"]`` (or ``CategoricalAccuracy()``) where the model trains with
    sparse_categorical_crossentropy: the loss says the labels are class ids, which the metric reads as one-hot rows.
    Not where the labels are known to be one-hot (the loss is what is wrong there: reported above)."""
    for compile_call in model.compiles:
        metrics = [metric for metric in compile_call.metrics if metric.name == "categorical_accuracy"]
        if not metrics or {loss.name for loss in compile_call.losses} != {"sparse_categorical_crossentropy"} or \
                not fits_under(compile_call) or \
                any(e.data.encoding == "onehot" for e in events(script, model, "y", ("fit",))):
            continue
        for metric in metrics:
            shown = f"'{metric.given}'" if metric.given else \
                "CategoricalAccuracy()" if type(metric.node) is cst.Call else script.code_of(metric.node)
            fix = unsafe_fix("log 'sparse_categorical_accuracy' (its history key changes too)", metric.node,
                             cst.SimpleString('"sparse_categorical_accuracy"')) \
                if type(metric.node) is cst.SimpleString else None
            yield Report(metric.node, f"{shown} on the class ids of sparse_categorical_crossentropy: wrong accuracy",
                         "log 'accuracy' (Keras picks the sparse kind from the loss) or 'sparse_categorical_accuracy'",
                         fix,
                         explanation=("sparse_categorical_crossentropy trains on integer class ids. "
                                      "categorical_accuracy takes the argmax of each label as if it were a one-hot "
                                      "row, which a class id is not: with one id per sample the accuracy it logs "
                                      "does not measure the model and nothing fails (measured on Keras 3.15.1: 0.12 "
                                      "where 'accuracy' read 0.59 on the same run); with one id per time step Keras "
                                      "3 stops with ValueError at the first step."),
                         facts={"metric": "categorical_accuracy", "loss": "sparse_categorical_crossentropy"})


def _class_orders(script: Script, model: Model):
    """Folder reads whose label ids follow another class order than the training read's: ``class_names=`` in one
    order for one split and another order (or none: the sub-folders sorted alphanumerically) for another."""
    folders = [e for e in events(script, model, "x", ("fit", "validation", "evaluate"))
               if e.data.source.kind == "directory" and e.data.source.class_names != "?"]
    training = [e for e in folders if e.kind == "fit"]
    for event in folders:
        if event.kind == "fit":
            continue
        before = [t for t in training if (t.call_node is event.call_node if event.kind == "validation"
                                          else t.order <= event.order)]
        if not before:
            continue
        train = before[-1]  # the training read last before (its own for validation_data)
        given, trained = event.data.source.class_names, train.data.source.class_names
        mine, theirs = _class_order(given), _class_order(trained)
        if mine == theirs or (isinstance(mine, tuple) and isinstance(theirs, tuple) and set(mine) != set(theirs)):
            continue  # the same order, or two lists of other classes (not an order question)
        if given is not None and trained is not None:
            message = f"{event.data.label} and fit()'s data list class_names= in different orders: labels disagree"
        else:
            message = (f"{event.data.label} numbers classes {_order_text(given)}, fit()'s data "
                       f"{_order_text(trained)}: labels disagree")
        yield Report(event.call_node, message,
            "give every folder read the same class_names=[...] (or none of them)",
            explanation=(f"A folder read numbers the classes by class_names= when given, else by the sub-folders "
                         f"sorted alphanumerically. The training read ({{training}}, {_order_full(trained)}) "
                         f"and this "
                         f"{EVENT_WORDS[event.kind]} read ({_order_full(given)}) number them differently, so the "
                         f"same class has another "
                         f"label id here: the reported loss and accuracy compare mismatched labels (with two "
                         f"classes, flipped ones)."),
            facts={"class_order": list(mine) if isinstance(mine, tuple) else mine,
                   "training_class_order": list(theirs) if isinstance(theirs, tuple) else theirs},
            mentions={"training": train.data.source.node})


def _class_order(names) -> tuple[str, ...] | str:
    """"sorted" for the default order and for a list already sorted; the list itself otherwise."""
    return "sorted" if names is None or list(names) == sorted(names) else tuple(names)


def _order_full(names) -> str:
    return "sorted folder names" if names is None else f"class_names={list(names)}"


def _order_text(names) -> str:
    if names is None:
        return "by sorted folder names"
    listed = str(list(names))
    return f"by class_names={listed}" if len(listed) <= 24 else "by its class_names= list"


def _losses_at(model: Model, order: int) -> set[str | None]:
    """The losses of the compile in force when the labels reach the model: the last one before.

    A notebook recompiles a model with another loss after its last fit; that later loss does not apply to
    the earlier fit.  Without any compile before (an order the interpreter cannot tell), every compile counts.
    """
    in_force = model.compile_before(order)
    chosen = [in_force] if in_force is not None else model.compiles
    return {loss.name for c in chosen for loss in c.losses if loss.output is None}


def _single_unit(model: Model) -> bool:
    """A model with one 1-unit output: categorical crossentropy on it is KS103's (the loss is 0 whatever the labels)."""
    head = model.single_head()
    return head is not None and head.units == 1
