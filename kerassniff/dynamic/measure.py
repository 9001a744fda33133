"""The numbers dynamic mode measures: array statistics, outputs, ties, BatchNorm modes, accuracy readings.

Plain functions over NumPy arrays and a Keras model, used by the harness in
the child process (:mod:`kerassniff.dynamic.harness`) and tested without a
framework where they need none.
"""
from __future__ import annotations

import math
import time
from typing import Any

from kerassniff.semantic.knowledge.model_api import MONITOR_CALLBACKS, file_name_fields

STEP_TIME_BUDGET = 40.0  # seconds of training steps per fit, whatever the model


def to_numpy(value: Any):
    import numpy as np

    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value
    try:
        import keras

        return np.asarray(keras.ops.convertto_numpy(value))
    except Exception:  # noqa: BLE001 - tf_keras tensors, lists
        try:
            return np.asarray(value)
        except Exception:  # noqa: BLE001
            return None


def array_stats(value: Any) -> dict | None:
    """dtype, shape, range and label encoding of an array (None when it is not one)."""
    import numpy as np

    array = to_numpy(value)
    if array is None or array.dtype == object or array.size == 0 or not np.issubdtype(array.dtype, np.number):
        return None
    finite = array[np.isfinite(array)] if np.issubdtype(array.dtype, np.floating) else array
    stats = {"dtype": str(array.dtype), "shape": list(array.shape),
             "min": float(finite.min()) if finite.size else None, "max": float(finite.max()) if finite.size else None,
             "mean": float(finite.mean()) if finite.size else None}
    integral = bool(np.all(np.equal(np.mod(array, 1), 0))) if finite.size == array.size else False
    stats["onehot"] = bool(array.ndim == 2 and array.shape[1] > 1 and integral and array.min() >= 0 and array.max() <= 1
                           and np.all(array.sum(axis=1) == 1))
    stats["integer_labels"] = bool(integral and (array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1)))
    if array.ndim == 2 and array.shape[1] > 1 and not stats["onehot"]:
        columns = array.astype(np.float64)
        spread = columns.std(axis=0)
        nonzero = spread[spread > 0]
        stats["feature_abs_max"] = float(np.abs(columns).max())
        stats["feature_scale_ratio"] = float(nonzero.max() / nonzero.min()) if nonzero.size > 1 else 1.0
    return stats


def run_checks(model, xb, yb, updates: int, evaluate) -> dict:
    """Measure, on the first batch: the output before training, a few real updates, then both BN modes."""
    import numpy as np

    checks: dict[str, Any] = {}
    try:
        before = to_numpy(model(xb, training=False))
        checks["output"] = output_stats(before)
        checks["ties"] = tie_fractions(before)
    except Exception as error:  # noqa: BLE001
        checks["output_error"] = error_text(error)
    losses: list[float] = []
    start = time.perf_counter()
    for step in range(max(updates, 1)):
        try:
            result = model.train_on_batch(xb, yb)
        except Exception as error:  # noqa: BLE001 - this is KS501's evidence
            checks["training_error"] = error_text(error)
            checks["training_error_step"] = step
            break
        loss = float(np.ravel(to_numpy(result if not isinstance(result, dict) else result.get("loss")))[0])
        losses.append(loss)
        if not math.isfinite(loss):
            checks["nonfinite_step"] = step
            break
        if time.perf_counter() - start > STEP_TIME_BUDGET:
            break
    checks["losses"] = losses
    checks["updates"] = len(losses)
    if "training_error" in checks:
        return checks
    try:
        weights = [to_numpy(w) for w in model.weights]
        checks["nonfinite_weights"] = bool(any(w is not None and not np.all(np.isfinite(w)) for w in weights
                                               if np.issubdtype(w.dtype, np.floating)))
    except Exception:  # noqa: BLE001
        pass
    try:
        inference = to_numpy(model(xb, training=False))
        training = to_numpy(model(xb, training=True))
        checks["after_output"] = output_stats(inference)
        checks["after_ties"] = tie_fractions(inference)
        checks["modes"] = mode_comparison(training, inference, yb)
        checks["accuracy"] = accuracy_readings(model, xb, yb, inference, evaluate)
    except Exception as error:  # noqa: BLE001
        checks["after_error"] = error_text(error)
    return checks


def output_stats(predictions) -> dict:
    import numpy as np

    p = np.asarray(predictions, dtype=np.float64)
    stats = {"min": float(p.min()), "max": float(p.max()), "units": int(p.shape[-1]) if p.ndim > 1 else 1}
    if p.ndim == 2:
        sums = p.sum(axis=1)
        stats["row_sum_mean"], stats["row_sum_std"] = float(sums.mean()), float(sums.std())
        stats["all_ones"] = bool(np.allclose(p, 1.0))
    return stats


def tie_fractions(predictions) -> dict:
    """For k = 1, 3, 5: the fraction of rows whose k-th and (k+1)-th highest scores are exactly equal."""
    import numpy as np

    p = np.asarray(predictions)
    if p.ndim != 2 or p.shape[1] < 3:
        return {}
    ordered = -np.sort(-p, axis=1)
    return {str(k): float(np.mean(ordered[:, k - 1] == ordered[:, k])) for k in (1, 3, 5) if k < p.shape[1]}


def mode_comparison(training, inference, labels) -> dict:
    import numpy as np

    t, i = np.asarray(training), np.asarray(inference)
    result = {"max_abs_difference": float(np.max(np.abs(t - i)))}
    if t.ndim == 2 and t.shape[1] > 1:
        result["argmax_disagreement"] = float(np.mean(t.argmax(axis=1) != i.argmax(axis=1)))
        truth = _class_indices(labels)
        if truth is not None and len(truth) == len(t):
            result["training_mode_accuracy"] = float(np.mean(t.argmax(axis=1) == truth))
            result["inference_mode_accuracy"] = float(np.mean(i.argmax(axis=1) == truth))
    return result


def _class_indices(labels):
    import numpy as np

    y = to_numpy(labels)
    if y is None:
        return None
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(np.int64)


def accuracy_readings(model, xb, yb, predictions, evaluate) -> dict:
    """What the installed Keras reports for the compiled metrics, and the true categorical/binary accuracy."""
    import numpy as np

    readings: dict[str, Any] = {}
    try:
        reported = evaluate(model, xb, yb, verbose=0, return_dict=True)
        readings["reported"] = {k: float(v) for k, v in reported.items() if isinstance(v, (int, float, np.floating))}
    except Exception as error:  # noqa: BLE001
        readings["reported_error"] = error_text(error)
    p = np.asarray(predictions)
    truth = _class_indices(yb)
    if p.ndim == 2 and p.shape[1] > 1 and truth is not None and len(truth) == len(p):
        readings["categorical"] = float(np.mean(p.argmax(axis=1) == truth))
        y = to_numpy(yb)
        if y is not None and y.shape == p.shape:
            readings["binary"] = float(np.mean((p > 0.5) == (y > 0.5)))
    return readings


# The callbacks that act on one logged quantity (KS210), by class name as the harness finds them in fit(callbacks=[...]).
MONITORING_CALLBACKS = frozenset(name.rsplit(".", 1)[-1] for name in MONITOR_CALLBACKS)


def monitors(callbacks) -> list[dict]:
    """The quantity each monitoring callback of a fit() watches (ModelCheckpoint only with save_best_only), and the
    quantities a ModelCheckpoint's file name reads when it saves each epoch (``"w-{val_loss:.2f}.h5"``)."""
    found = []
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else ():
        name = type(callback).__name__
        if name in MONITORING_CALLBACKS and isinstance(getattr(callback, "monitor", None), str) and \
                (name != "ModelCheckpoint" or getattr(callback, "save_best_only", False)):
            found.append({"callback": name, "monitor": callback.monitor})
        template = getattr(callback, "filepath", None)
        if name == "ModelCheckpoint" and isinstance(template, str) and getattr(callback, "save_freq", None) == "epoch":
            found.extend({"callback": name, "monitor": key, "in": "filepath"}
                         for key in file_name_fields(template) or ())
    return found


def logged_quantities(checks: dict, validates: bool) -> list[str] | None:
    """The names a fit() logs each epoch: what evaluate() reported on the batch, and the same with ``val_`` when the
    call validates; None when evaluate() could not run."""
    reported = (checks.get("accuracy") or {}).get("reported")
    if reported is None:
        return None
    return sorted(set(reported) | ({f"val_{name}" for name in reported} if validates else set()))


def error_text(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return " ".join(text.split())[:400]
