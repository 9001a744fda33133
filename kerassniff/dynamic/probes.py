"""What a fit() call shows about the data and the built model, for the rules that read more than one batch's outputs.

Two probes, both cheap and run in the harness's child process:

- :func:`data_probe` reads the arrays ``fit()`` received: what the labels are (one-hot width, integer range,
  distinct values), how many validation rows are training rows (KS206), and whether the labels still go with
  their samples (KS208: a nearest-centroid probe on a few hundred pairs against the majority-class rate).
- :func:`model_probe` reads the built model after the harness's few training steps: each layer's class,
  activation, output shape and dropout rate (KS303, KS304, KS307, KS310), the optimizer's learning rate as built
  (KS305), the range after the model's own Rescaling layer (KS207), whether a hidden layer's units are still
  identical (KS306), the outputs' share outside the open interval (0, 1) and the largest row maximum (KS110,
  KS304), and each BatchNormalization layer's training-mode output on a one-sample batch (KS311).

Every measurement is optional: one that fails is left out, and its verdict stays open.
"""
from __future__ import annotations

import importlib
from typing import Any

from kerassniff.dynamic.measure import error_text, to_numpy

PROBE_ROWS = 2000  # pairs for the label probe
MAX_FEATURES = 4096  # features kept (evenly spaced) for the label probe
OVERLAP_ROWS = 200_000  # training rows hashed for the validation overlap (and validation rows looked up)...
OVERLAP_BYTES = 1 << 30  # ...and no more than about 1 GiB of them
DISTINCT_ROWS = 4096  # label rows whose distinct values are counted
MAX_CLASS_RUNS = 64  # runs of one class kept in order (labels in class blocks: KS209's validation_split)
SQUASHING = {"softmax", "sigmoid"}
KERNEL_LAYERS = ("Dense", "Conv1D", "Conv2D", "Conv3D")


def data_probe(x, y, validation) -> dict:
    """Facts about fit()'s arrays; arrays only (a dataset or generator gives no whole array to read)."""
    import numpy as np

    facts: dict[str, Any] = {}
    xs, ys = _array(x), _array(y)
    if ys is not None:
        try:
            facts["labels"] = label_facts(ys)
        except Exception as error:  # noqa: BLE001
            facts["labels_error"] = error_text(error)
    vx = _array(validation[0]) if isinstance(validation, (tuple, list)) and validation else None
    if xs is not None and vx is not None and xs.shape[1:] == vx.shape[1:]:
        try:
            facts["overlap"] = row_overlap(xs, vx)
        except Exception as error:  # noqa: BLE001
            facts["overlap_error"] = error_text(error)
    if xs is not None and ys is not None and len(xs) == len(ys) and np.issubdtype(xs.dtype, np.number):
        try:
            association = label_association(xs, ys)
            if association:
                facts["association"] = association
        except Exception as error:  # noqa: BLE001
            facts["association_error"] = error_text(error)
    return facts


def _array(value):
    import numpy as np

    if not (isinstance(value, np.ndarray) or type(value).__module__.startswith("numpy")):
        return None
    array = to_numpy(value)
    return array if array is not None and array.dtype != object and array.ndim >= 1 and len(array) else None


def label_facts(y) -> dict:
    """One-hot width, or the integer range and distinct values of a label array."""
    import numpy as np

    sample = y[:DISTINCT_ROWS]
    facts: dict[str, Any] = {"rows": int(len(y)), "sampled": int(len(sample))}
    if not np.issubdtype(y.dtype, np.number):
        return facts
    flat = sample.reshape(len(sample), -1) if sample.ndim > 1 else sample.reshape(-1, 1)
    integral = bool(np.all(np.mod(flat, 1) == 0)) if np.all(np.isfinite(flat)) else False
    facts["integral"] = integral
    rows = np.unique(flat.reshape(-1)) if flat.shape[1] == 1 else np.unique(flat, axis=0)
    facts["distinct"] = int(len(rows))
    if flat.shape[1] > 1 and integral and flat.min() >= 0 and flat.max() <= 1 and np.all(flat.sum(axis=1) == 1):
        facts["onehot_width"] = int(flat.shape[1])
    elif flat.shape[1] == 1 and integral:
        whole = y.reshape(-1)
        facts["min"], facts["max"] = float(whole.min()), float(whole.max())
    if integral and (flat.shape[1] == 1 or "onehot_width" in facts):
        facts["class_runs"] = class_runs(y)
        if facts["class_runs"] is None:
            facts["tail_runs"] = class_runs(y, tail=True)
    return facts


def class_runs(y, tail: bool = False) -> list[list] | None:
    """``[[class, start, end], ...]``: the label array's runs of one class in order, None when there are many
    (the labels are mixed, not in class blocks); with ``tail``, the last runs only (an over-sampler's output is
    mixed first and ends with whole blocks of the classes it grew)."""
    import numpy as np

    ids = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y), -1)[:, 0]
    changes = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    if len(changes) >= MAX_CLASS_RUNS and not tail:
        return None
    bounds = [0, *changes.tolist(), len(ids)][-MAX_CLASS_RUNS - 1:]
    return [[float(ids[start]), start, end] for start, end in zip(bounds, bounds[1:])]


def row_overlap(train, validation) -> dict:
    """How many validation rows also occur, byte for byte in a common dtype, among the training rows."""
    import numpy as np

    common = np.result_type(train.dtype, validation.dtype)

    def keys(rows):
        return {hash(np.ascontiguousarray(row, dtype=common).tobytes()) for row in rows}

    row_bytes = max(1, int(np.prod(train.shape[1:], dtype=np.int64)) * common.itemsize)
    hashed = int(min(len(train), OVERLAP_ROWS, max(1000, OVERLAP_BYTES // row_bytes)))
    seen = keys(train[:hashed])
    shared = sum(1 for row in validation[:hashed] if hash(np.ascontiguousarray(row, dtype=common).tobytes()) in seen)
    return {"validation_rows": int(min(len(validation), hashed)), "in_training": int(shared),
            "training_rows_hashed": hashed, "training_rows": int(len(train))}


def label_association(x, y) -> dict | None:
    """Nearest-centroid accuracy of the labels from their samples, on held-out pairs, against the majority rate.

    Labels that still belong to their samples are predictable from them above the majority rate on almost
    any data; labels shuffled independently of their samples are not.  Rows alternate between the two halves,
    so class-ordered data is split evenly.
    """
    import numpy as np

    n = min(len(x), PROBE_ROWS)
    labels = y[:n]
    if labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    labels = labels.reshape(-1)
    if len(labels) != n or n < 40 or not np.all(np.mod(labels, 1) == 0):
        return None
    classes = np.unique(labels)
    if not 2 <= classes.size <= 100:
        return None
    features = x[:n].reshape(n, -1)
    if features.shape[1] > MAX_FEATURES:  # pick the columns before converting: large images stay small
        features = features[:, np.linspace(0, features.shape[1] - 1, MAX_FEATURES).astype(int)]
    features = features.astype(np.float64)
    spread = features.std(axis=0)
    features = (features - features.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    train, test = np.arange(0, n, 2), np.arange(1, n, 2)
    present = [c for c in classes if np.any(labels[train] == c)]
    centroids = np.stack([features[train][labels[train] == c].mean(axis=0) for c in present])
    held = features[test]  # squared distances without a (rows x classes x features) array
    distances = (held ** 2).sum(axis=1)[:, None] - 2 * held @ centroids.T + (centroids ** 2).sum(axis=1)[None, :]
    predicted = np.asarray(present)[distances.argmin(axis=1)]
    counts = np.unique(labels[test], return_counts=True)[1]
    return {"pairs": int(n), "held_out": int(test.size), "classes": int(classes.size),
            "accuracy": float(np.mean(predicted == labels[test])), "majority": float(counts.max() / test.size)}


# -- the built model -----------------------------------------------------------------------------------------
def model_probe(model, xb, batch_size) -> dict:
    """Facts about the built model after the harness's training steps (each one optional)."""
    facts: dict[str, Any] = {}
    for name, measure in (("layers", lambda: layer_facts(model)), ("optimizer", lambda: optimizer_facts(model)),
                          ("outputs", lambda: output_facts(model, xb)),
                          ("rescaled", lambda: rescaled_range(model, xb)),
                          ("kernels", lambda: kernel_facts(model)),
                          ("batchnorm_one_sample", lambda: batchnorm_one_sample(model, xb))):
        try:
            value = measure()
        except Exception as error:  # noqa: BLE001 - a subclassed or unusual model: leave the fact out
            facts[f"{name}_error"] = error_text(error)
            continue
        if value is not None:
            facts[name] = value
    if isinstance(batch_size, int):
        facts["batch_size"] = batch_size
    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        facts["from_logits"] = False
    elif isinstance(getattr(loss, "from_logits", None), bool):
        facts["from_logits"] = loss.from_logits
    return facts


def _activation(layer) -> str | None:
    kind = type(layer).__name__
    if kind == "Softmax":
        return "softmax"
    if kind in ("ReLU", "LeakyReLU", "PReLU", "ELU", "ThresholdedReLU"):
        return kind.lower()
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) if activation is not None else None


def _shape(tensor) -> list | None:
    try:
        return [None if d is None else int(d) for d in tensor.shape]
    except Exception:  # noqa: BLE001 - a layer used twice, a nested output
        return None


def _inbound(layer, previous) -> str | None:
    """The name of the layer feeding this one (None when several do, or the graph is not readable)."""
    try:
        history = layer.input._keras_history
        source = getattr(history, "operation", None) or getattr(history, "layer", None) or history[0]
        return source.name
    except Exception:  # noqa: BLE001
        return previous


def layer_facts(model) -> list[dict]:
    facts, previous = [], None
    for layer in getattr(model, "layers", []):
        entry: dict[str, Any] = {"name": layer.name, "class": type(layer).__name__, "activation": _activation(layer),
                                 "inbound": _inbound(layer, previous)}
        for attribute in ("units", "filters", "rate"):
            value = getattr(layer, attribute, None)
            if isinstance(value, (int, float)):
                entry[attribute] = value
        try:
            entry["input_shape"], entry["output_shape"] = _shape(layer.input), _shape(layer.output)
        except Exception:  # noqa: BLE001
            pass
        facts.append(entry)
        previous = layer.name
    for layer in _nested(model):
        if type(layer).__name__ == "Dropout" and layer not in model.layers:
            facts.append({"name": layer.name, "class": "Dropout", "rate": float(layer.rate), "nested": True})
    return facts


def _nested(model):
    for layer in getattr(model, "layers", []):
        yield layer
        if hasattr(layer, "layers"):
            yield from _nested(layer)


def optimizer_facts(model) -> dict | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    facts: dict[str, Any] = {"class": type(optimizer).__name__}
    rate = getattr(optimizer, "learning_rate", None)
    try:
        facts["learning_rate"] = float(to_numpy(rate))
    except Exception:  # noqa: BLE001 - a schedule: no single rate
        facts["schedule"] = type(rate).__name__
    return facts


def output_facts(model, xb) -> dict:
    import numpy as np

    p = np.asarray(to_numpy(model(xb, training=False)), dtype=np.float64)
    facts = {"rows": int(p.shape[0]), "units": int(p.shape[-1]) if p.ndim > 1 else 1,
             "outside_unit": float(np.mean((p <= 0) | (p >= 1))), "nonpositive": float(np.mean(p <= 0)),
             "min": float(p.min()), "max": float(p.max())}
    if p.ndim == 2:
        facts["row_max_max"], facts["row_min_min"] = float(p.max(axis=1).max()), float(p.min(axis=1).min())
    return facts


def _keras_of(model):
    return importlib.import_module(type(model).__module__.split(".")[0])


def _run_to(model, target, batch, output: bool):
    """The input (or output) of a top-level layer on this batch: Sequential layer by layer, else a sub-model."""
    layers = list(getattr(model, "layers", []))
    if type(model).__name__ == "Sequential":
        value = batch
        for layer in layers:
            if layer is target and not output:
                return value
            value = layer(value, training=False)
            if layer is target:
                return value
        return None
    keras = _keras_of(model)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    sub = keras.Model(inputs, target.output if output else target.input)
    return sub(batch, training=False)


def rescaled_range(model, xb) -> dict | None:
    """The range the model's layers see after its last top-level Rescaling layer."""
    import numpy as np

    rescaling = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ == "Rescaling"]
    if not rescaling:
        return None
    values = np.asarray(to_numpy(_run_to(model, rescaling[-1], xb, output=True)), dtype=np.float64)
    return {"layer": rescaling[-1].name, "layers": len(rescaling), "min": float(values.min()),
            "max": float(values.max())}


def kernel_facts(model) -> list[dict]:
    """For each Dense/Conv layer: whether its units' weight vectors are all identical (and all zero)."""
    import numpy as np

    facts = []
    for layer in _nested(model):
        kernel = getattr(layer, "kernel", None)
        if type(layer).__name__ not in KERNEL_LAYERS or kernel is None:
            continue
        weights = np.asarray(to_numpy(kernel), dtype=np.float64)
        units = weights.reshape(-1, weights.shape[-1])
        facts.append({"name": layer.name, "units": int(units.shape[1]),
                      "identical_units": bool(units.shape[1] > 1 and np.allclose(units, units[:, :1], atol=1e-7)),
                      "all_zero": bool(np.all(units == 0)), "spread": float(units.std(axis=1).max())})
    return facts


def batchnorm_one_sample(model, xb) -> list[dict] | None:
    """Each top-level BatchNormalization layer's training-mode output on one sample, against its beta.

    The layer's moving statistics are restored afterwards, so the script's later calls see the model as the
    harness's training steps left it.
    """
    import numpy as np

    found = []
    for layer in getattr(model, "layers", []):
        if "BatchNormalization" not in type(layer).__name__:
            continue
        inputs = _run_to(model, layer, xb[:1], output=False)
        saved = layer.get_weights()
        try:
            out = np.asarray(to_numpy(layer(inputs, training=True)), dtype=np.float64)
        finally:
            layer.set_weights(saved)
        beta = np.asarray(to_numpy(layer.beta), dtype=np.float64) if getattr(layer, "beta", None) is not None else 0.0
        found.append({"name": layer.name, "input_rank": int(np.ndim(to_numpy(inputs))),
                      "max_from_beta": float(np.max(np.abs(out - beta)))})
    return found or None
