"""KS402's history keys: ``history.history["acc"]`` where tf.keras 2 and Keras 3 log the metric under the name it was
given, and ``history.history["lr"]`` where Keras 3's learning-rate callbacks log ``"learning_rate"``."""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.checks._shared import compiled_metric_names, compiled_metric_strings, fit_validates
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import RATE_LOGGING_CALLBACKS
from kerassniff.semantic.knowledge.model_api import METRIC_SPELLINGS, other_spelling
from kerassniff.semantic.models import FitCall
from kerassniff.semantic.values import Instance


def history_keys(script: Script):
    """``history.history["acc"]`` after a fit() whose model was compiled with ``metrics=["accuracy"]`` (or the
    reverse; ``"val_mean_absolute_error"`` after ``["mae"]``): Keras 2.3+ and Keras 3 log the metric under the name it
    was given, so the key is missing.  One finding per metric of one fit(), at its first read: ``'acc'`` and
    ``'val_acc'`` read on the next line are one rename (and the first KeyError stops the script before the second)."""
    reads: dict[tuple[int, str], list] = {}
    for fit, key, node in script.history_reads:  # one finding per key of one fit(), at its first read
        reads.setdefault((id(fit), key), []).append((fit, key, node))
    found: dict[tuple[int, str], list] = {}  # (fit, metric) -> [(key, logged, first read, later reads)]
    for (fit, key, node), *again in reads.values():
        base = key[4:] if key.startswith("val_") else key
        if base not in METRIC_SPELLINGS:
            continue
        if key.startswith("val_") and fit_validates(fit) is False:
            continue  # no validation, so no spelling of it is logged (KS210 says so)
        names = compiled_metric_names(script, fit)
        # (another spelling is a string's: a function or a metric object named 'acc' is no Keras 2 rename)
        other = other_spelling(base, compiled_metric_strings(fit)) if names is not None and base not in names else None
        if other is None:
            continue
        found.setdefault((id(fit), base), []).append((fit, key, key.replace(base, other, 1), other, node, again))
    for (fit, key, logged, other, node, again), *siblings in found.values():
        subscript = isinstance(node, cst.Subscript)  # history.history["acc"]; .get("acc") gives None instead
        also = ""
        sibling_reads: dict[str, cst.CSTNode] = {}
        for index, (_, sibling, sibling_logged, _, read, more) in enumerate(siblings):
            places = [f"{{also{index}}}"]
            for extra, (_, _, again_read) in enumerate(more):
                sibling_reads[f"also{index}_{extra}"] = again_read
                places.append(f"{{also{index}_{extra}}}")
            also += f" It also reads {sibling!r} at {', '.join(places)}, logged as {sibling_logged!r}."
        yield Report(node, f"history key {key!r} is logged as {logged!r} (metrics=[{other!r}]): "
                           f"{'KeyError' if subscript else 'None'} after training",
                     f"read history.history[{logged!r}], the name the metric was given in compile()",
                     explanation=(f"Keras <= 2.2 logged metrics under names of its own ('acc' for both accuracies, "
                                  f"'mean_absolute_error' for 'mae'); tf.keras 2 and Keras 3 log a "
                                  f"metric under the string it was given, so this fit() logs {logged!r} and reading "
                                  + (f"{key!r} raises KeyError once the whole training has run." if subscript else
                                     f"{key!r} with get() gives None once the whole training has run (a plot of it "
                                     f"or arithmetic on it fails).")
                                  + ("" if not again else " The same key is read again at "
                                     + ", ".join(f"{{again{index}}}" for index in range(len(again)))
                                     + "; rename it there too.")
                                  + also),
                     facts={"key": key, "logged": logged,
                            **({"also": [sibling for _, sibling, *_ in siblings]} if siblings else {})},
                     mentions={**{f"again{index}": read for index, (_, _, read) in enumerate(again)},
                               **{f"also{index}": read for index, (*_, read, _) in enumerate(siblings)},
                               **sibling_reads})


def learning_rate_key(script: Script):
    """``history.history["lr"]`` after a fit() given a LearningRateScheduler or ReduceLROnPlateau: tf.keras 2's
    callbacks logged the rate as ``"lr"``, Keras 3.15.1's log it as ``"learning_rate"`` (KeyError after training).
    Without such a callback neither logs a rate, which is no Keras 3 change: not reported here."""
    seen: set[int] = set()
    for fit, key, node in script.history_reads:
        if key not in ("lr", "val_lr") or id(fit) in seen or not isinstance(node, cst.Subscript):
            continue  # (``.get("lr", [])`` may give its default: no error)
        logging = _rate_logging_callback(fit)
        if logging is None or _lr_may_be_logged_or_guarded(script, fit):
            continue
        seen.add(id(fit))
        yield Report(node, f"history key {key!r} is logged as 'learning_rate' by Keras 3's {logging}: KeyError after "
                           f"training",
                     "read history.history['learning_rate']",
                     explanation=(f"tf.keras 2's {logging} wrote the rate into the epoch's logs as 'lr'; Keras 3's "
                                  f"writes it as 'learning_rate' (checked on 3.15.1), so reading {key!r} raises "
                                  f"KeyError once the whole training has run."),
                     facts={"key": key, "logged": "learning_rate"})


# A callback class of the script's own that writes the key (``logs["lr"] = ...``).
_LR_WRITTEN = re.compile(r"""\[\s*['"]lr['"]\s*\]\s*=[^=]""")
# A script that tests for the key or catches the KeyError: the read may not raise.
_LR_GUARDED = re.compile(r"""['"]lr['"]\s+(not\s+)?in\b|\bKeyError\b""")


def _lr_may_be_logged_or_guarded(script: Script, fit: FitCall) -> bool:
    """Whether something else may log 'lr' in this fit() (a callback of the script's own class or one the analysis
    cannot read, which may write ``logs["lr"]``; a metric named lr), or the script guards the read."""
    names = compiled_metric_names(script, fit)
    if names is None or "lr" in names or fit.callbacks_unread or any(
            isinstance(callback, Instance) and callback.local_class is not None and
            _LR_WRITTEN.search(script.module.code_for_node(callback.local_class.node)) for callback in fit.callbacks):
        return True
    text = script.text if script.text is not None else script.module.code
    return _LR_GUARDED.search(text) is not None


def _rate_logging_callback(fit: FitCall) -> str | None:
    """The short name of a callback given to the fit() that logs the learning rate each epoch, if any."""
    for callback in fit.callbacks:
        name = callback.cls.rsplit(".", 1)[-1] if isinstance(callback, Instance) else None
        if name in RATE_LOGGING_CALLBACKS and callback.cls.startswith(("keras.", "tensorflow.keras.")):
            return name
    return None
