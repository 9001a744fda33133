"""KS210 monitor-never-logged: EarlyStopping, ModelCheckpoint(save_best_only=True) or ReduceLROnPlateau watching a
quantity the fit() it is given never logs, or a ModelCheckpoint whose file name reads one (``"w-{val_acc:.2f}.h5"``).

A fit() logs ``loss`` and each compiled metric under the string it was given, and the same with ``val_`` only when
it validates.  A callback that monitors anything else never acts: Keras warns each epoch and trains on (Keras 3, with
``mode='auto'``, cannot tell which way an unknown metric should go and raises ValueError after the first epoch).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import replace

import libcst as cst

from kerassniff.checks._shared import compiled_metric_names, compiled_metric_strings, fit_validates, keras_2_only
from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.fixes import unsafe_fix, with_quotes_of
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import (
    METRIC_SPELLINGS,
    CALLBACK_LOGGED_KEYS,
    CALLBACKS_POSITION,
    CHECKPOINT_CALLBACKS,
    DEFAULT_MONITOR,
    MONITOR_CALLBACKS,
    SAVE_BEST_ONLY_POSITION,
    file_name_fields,
    other_spelling,
)
from kerassniff.semantic.folding import truth
from kerassniff.semantic.training import FitCall
from kerassniff.semantic.values import Instance, Value, const_value, str_value, string_ending

# What each callback fails to do when its quantity is missing, and how it behaves meanwhile (checked on Keras 3.15.1;
# Keras 2 and tf.keras 2 from their sources).
NEVER = {
    "EarlyStopping": ("it never stops training",
                      "EarlyStopping warns at each epoch that the metric is not available and never stops: training "
                      "runs every epoch, and restore_best_weights restores nothing."),
    "ModelCheckpoint": ("it never keeps the best epoch",
                        "ModelCheckpoint(save_best_only=True) warns that it can save the best model only with the "
                        "metric available; Keras 2 and tf.keras 2 then skip the save (no file is written) and Keras 3 "
                        "saves at every epoch (the file holds the last epoch, not the best)."),
    "ReduceLROnPlateau": ("it never lowers the learning rate",
                          "ReduceLROnPlateau warns at each epoch that the metric is not available and never lowers "
                          "the learning rate."),
}
# ModelCheckpoint's save_freq among its positional parameters (Keras 3 and tf.keras 2).
SAVE_FREQ_POSITION = 6


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    """The keys the observed fit() calls logged, for the callbacks of the finding's class and monitor."""
    fact = facts(finding)
    key, callback = fact.get("monitor"), fact.get("callback")
    watched = [fit for fit in run.fits()
               if any(m.get("callback") == callback and m.get("monitor") == key for m in fit.get("monitors") or [])]
    logged = [fit.get("logged") for fit in watched if fit.get("logged") is not None]
    if not logged:
        return None
    if all(key not in keys for keys in logged):
        return Verdict(True, f"fit() logged {', '.join(sorted(logged[0]))}: no {key!r} for {callback}")
    return Verdict(False, f"fit() logged {key!r}")


@rule("KS210", "monitor-never-logged", Severity.WARNING,
      "a callback (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau) that monitors, or names its file by, a "
      "quantity its fit() never logs", "monitor a logged quantity: 'val_loss' with validation data, else 'loss'",
      verdict=verdict)
def check(script: Script):
    # A callback object can be given to several fit() calls: it is reported when none of them logs its quantity.
    uses: dict[tuple, list[tuple[Instance, str, str, FitCall, tuple | None]]] = {}
    for fit in script.fits():
        if fit.method not in CALLBACKS_POSITION:
            continue
        for callback, name, direction_only in _monitoring_callbacks(script, fit):
            key = _monitor(callback, name)
            missing = _missing(script, fit, key) if key is not None else None
            if direction_only and missing is not None and missing[0] == "validation":
                missing = None  # (a checkpoint saving every epoch never reads the value: only its name's direction)
            uses.setdefault((id(callback.node), "monitor", key), []).append((callback, name, key, fit, missing))
        for callback, key in _file_name_fields(script, fit):
            missing = _missing(script, fit, key)
            if missing is not None and key.startswith("val_") and fit_validates(fit) is False:
                missing = ("validation",)  # the name's KeyError names the missing validation first
            uses.setdefault((id(callback.node), "file name", key), []).append(
                (callback, "ModelCheckpoint", key, fit, missing))
    for (_, kind, _), found in uses.items():
        if all(missing is not None for *_, missing in found):
            callback, name, key, fit, missing = found[0]
            yield _report(callback, name, key, fit, missing, script.call_at(callback.node) is not None) \
                if kind == "monitor" else _file_name_report(callback, key, fit, missing)
    yield from _own_callback_reads(script)
    yield from _history_reads(script)


def _history_reads(script: Script):
    """``history.history["val_loss"]`` after a fit() that does not validate (or a metric after a compile() that names
    none): KeyError once the whole training has run.  Another spelling of a compiled metric is KS402's (a Keras 2
    name)."""
    seen: set[tuple[int, str]] = set()
    for fit, key, node in script.history_reads:
        if not isinstance(node, cst.Subscript) or fit.method not in CALLBACKS_POSITION or (id(fit), key) in seen:
            continue  # (one finding per key of one fit(), at its first read: KS402's history keys do the same)
        seen.add((id(fit), key))
        missing = _missing(script, fit, key)
        if missing is not None and missing[0] == "spelling" and key.startswith("val_") and fit_validates(fit) is False:
            missing = ("validation",)  # no spelling of it is logged: there is no validation at all
        if missing is None or missing[0] == "spelling":
            continue
        why = "fit() has no validation data" if missing[0] == "validation" else "compile() names no metric"
        fix = ("pass validation_data= or validation_split= to fit(), or read " + repr(key[4:]) if missing[0] ==
               "validation" else f"add metrics=[{key.removeprefix('val_')!r}] to compile()")
        yield Report(node, f"history key {key!r} is never logged ({why}): KeyError after training", fix,
                     explanation=(f"History holds what the fit() at {{fit}} logged each epoch: 'loss' and each "
                                  f"compiled metric, with 'val_' copies only when fit() validates. {key!r} is not "
                                  f"among them, so reading it raises KeyError once the whole training has run (and "
                                  f"code after it, a save for one, never runs)."),
                     facts={"callback": "History", "monitor": key, "reason": missing[0]}, mentions={"fit": fit.node})


def _own_callback_reads(script: Script):
    """A callback class of the script reading ``logs["acc"]`` / ``logs.get("acc")`` in on_epoch_end: reported when
    no fit() it is given to logs that key."""
    if not script.callback_log_reads:
        return
    fits_of: dict[int, list[FitCall]] = {}
    for fit in script.fits():
        for callback in fit.callbacks:
            if isinstance(callback, Instance) and callback.local_class is not None:
                fits_of.setdefault(id(callback.local_class), []).append(fit)
    reported: set[int] = set()
    for cls, key, node in script.callback_log_reads:
        fits = fits_of.get(id(cls), [])
        if not fits or id(node) in reported:
            continue
        missing = [_missing(script, fit, key) if fit.method in CALLBACKS_POSITION else None for fit in fits]
        if any(reason is None for reason in missing):
            continue
        reported.add(id(node))
        yield _log_read_report(cls.node.name.value, key, node, fits[0], missing[0])


def _log_read_report(name: str, key: str, node: cst.CSTNode, fit: FitCall, missing: tuple) -> Report:
    got = "KeyError at the end of the first epoch" if isinstance(node, cst.Subscript) else "it reads None every epoch"
    why = {"validation": "fit() has no validation data", "metrics": "compile() names no metric"}.get(
        missing[0], f"fit() logs {missing[1]!r}" if missing[0] == "spelling" else "")
    typed = {"callback": name, "monitor": key, "reason": missing[0], "custom": True}
    return Report(node, f"{name} reads logs {key!r} but {why}: {got}",
                  "read a quantity the fit() logs: " + (f"{missing[1]!r}" if missing[0] == "spelling" else
                                                        "'loss', or pass validation data for 'val_' quantities"),
                  explanation=(f"Keras passes on_epoch_end the quantities the epoch logged: 'loss' and each compiled "
                               f"metric under the string it was given, with 'val_' copies only when fit() validates. "
                               f"{key!r} is not among them for the fit() at {{fit}}, so logs[{key!r}] raises KeyError "
                               f"and logs.get({key!r}) is None (a comparison with it raises TypeError, a default hides "
                               f"the check)."),
                  facts=typed, mentions={"fit": fit.node})


def _monitoring_callbacks(script: Script, fit: FitCall):
    """The callbacks of a fit() that act on a monitored quantity, with their short class name, and whether only the
    monitor's name is read: a ModelCheckpoint without save_best_only saves every epoch and reads no value (Keras tests
    the option's truth: save_best_only="True", and "False" too, is on), but with mode='auto' Keras 3 still asks
    whether the named metric should rise or fall when the first epoch ends, and raises ValueError for a metric the
    model does not have."""
    for callback in fit.callbacks:
        if not isinstance(callback, Instance) or callback.cls not in MONITOR_CALLBACKS:
            continue
        if not isinstance(callback.node, cst.Call):
            continue
        name = callback.cls.rsplit(".", 1)[-1]
        direction_only = _saves_every_epoch(callback, name)
        if direction_only and (keras_2_only(script) or _mode_given(callback) or
                               callback.args.get("monitor", MONITOR_CALLBACKS[callback.cls]) is None):
            continue
        yield callback, name, direction_only


def _saves_every_epoch(callback: Instance, name: str) -> bool:
    """A ModelCheckpoint without save_best_only (or with a value the analysis does not know)."""
    best_only = callback.args.get("save_best_only", SAVE_BEST_ONLY_POSITION)
    return name == "ModelCheckpoint" and (best_only is None or truth(best_only) is not True)


def _file_name_fields(script: Script, fit: FitCall):
    """``ModelCheckpoint("w-{epoch:02d}-{val_acc:.2f}.h5")`` given to a fit(): each logged quantity its file name
    reads (:func:`~kerassniff.semantic.knowledge.model_api.file_name_fields`), when the name, or its end after an
    unknown part (a folder, a loop variable), is known and the
    checkpoint saves once per epoch (a save every N batches formats the name with the batch's logs, which hold no
    ``val_`` quantity)."""
    for callback in fit.callbacks:
        if not isinstance(callback, Instance) or callback.cls not in CHECKPOINT_CALLBACKS:
            continue
        if not isinstance(callback.node, cst.Call) or script.call_at(callback.node) is None:
            continue  # built in a helper module: not this file's to report
        if _spreads(callback.args.nodes) or callback.args.get("save_freq", SAVE_FREQ_POSITION) is not None and \
                str_value(callback.args.get("save_freq", SAVE_FREQ_POSITION)) != "epoch":
            continue
        template = string_ending(callback.args.get("filepath", 0))  # the known end of tag + "-{acc:.3f}.keras" too
        for key in (file_name_fields(template) or ()) if template is not None else ():
            yield callback, key


def _monitor(callback: Instance, name: str) -> str | None:
    """The key a callback monitors ('val_loss' by default); None when it is not a known string."""
    value = callback.args.get("monitor", MONITOR_CALLBACKS[callback.cls])
    if value is None:
        return None if _spreads(callback.args.nodes) else DEFAULT_MONITOR
    return str_value(value)


def _missing(script: Script, fit: FitCall, key: str) -> tuple | None:
    """Why ``fit`` never logs ``key``: ("validation",) when it does not validate, ("spelling", logged) for the other
    spelling of a compiled metric, ("metrics",) when no metric is compiled; None when it is logged or unknown."""
    validates = fit_validates(fit)
    base = key[4:] if key.startswith("val_") else key
    if base in CALLBACK_LOGGED_KEYS or (base != "loss" and base not in METRIC_SPELLINGS and _others_may_log(fit)):
        return None
    no_validation = ("validation",) if key.startswith("val_") and validates is False else None
    if base == "loss" or validates is None or _adds_metrics(script):
        return no_validation
    logs_compiled = _logs_compiled_metrics(fit.model)
    if not logs_compiled and fit.model.kind != "external":
        return no_validation
    names = compiled_metric_names(script, fit)
    if names is None or base in names:
        return no_validation
    if not logs_compiled:  # a model built by code not read, compiled here: only another spelling of its metric
        other = other_spelling(base, compiled_metric_strings(fit))  # (no Keras model logs 'acc' after ['accuracy'])
        return ("spelling", key.replace(base, other, 1), other) if other is not None else no_validation
    # a metric name never compiled comes first: Keras 3 stops on it (mode='auto') whether or not fit() validates
    other = other_spelling(base, compiled_metric_strings(fit)) or _misspelt(base, names)
    if other is not None:
        return ("spelling", key.replace(base, other, 1), other)
    if not names and _no_metric_argument(fit):
        return ("metrics",)
    return no_validation


def _misspelt(base: str, names: set[str]) -> str | None:
    """The compiled metric (or 'loss') a name misspells by a letter or two (``'val_ccuracy'`` for 'accuracy'): one
    close match, a name the compile() lists exactly (another spelling of a metric is :func:`other_spelling`'s)."""
    close = difflib.get_close_matches(base, [*names, "loss"], n=2, cutoff=_MISSPELT)
    if len(close) != 1 or close[0].lower() == base.lower():
        return None  # ('Precision' logs 'Precision' on Keras 3 and 'precision' on tf.keras 2: not judged)
    return close[0]


# How alike a monitored name and a compiled one must be to be read as its misspelling (difflib's ratio: 'ccuracy'
# and 'accuracy' 0.93, 'categorical_accuracy' and 'sparse_categorical_accuracy' 0.85, 'mae' and 'mse' 0.67).
_MISSPELT = 0.84


def _others_may_log(fit: FitCall) -> bool:
    """A callback of the fit() that is not one of Keras's own (a class of the script, or one kerassniff does not
    know), or a callbacks list the analysis cannot read, may write any quantity into the epoch's logs, an F1 score
    computed on its own data for one."""
    return fit.callbacks_unread or any(isinstance(callback, Instance) and callback.local_class is not None
                                       for callback in fit.callbacks)


def _no_metric_argument(fit: FitCall) -> bool:
    """The last compile() before the fit names no metric at all (no metrics=, weighted_metrics= or ``**config``)."""
    args = fit.model.compile_before(fit.order).args  # there is one: compiled_metric_names found it
    return not _spreads(args.nodes) and not args.has("weighted_metrics") and (
        args.get("metrics", 2) is None or const_value(args.get("metrics", 2), 0) in ([], ()))


def _adds_metrics(script: Script) -> bool:
    """``model.add_metric(...)`` anywhere: the model logs a name its compile() does not show."""
    return any(call.method == "add_metric" for call in script.calls)


def _spreads(nodes: tuple) -> bool:
    return any(arg.star for arg in nodes)


def _report(callback: Instance, name: str, key: str, fit: FitCall, missing: tuple, here: bool = True) -> Report:
    """The finding at the callback's monitor= (``here``), or, for a callback a helper module built (its node is in
    that module, mentioned as such), at the callbacks= of this file's fit()."""
    report = _monitor_report(callback, name, key, fit, missing, here)
    if here:
        return report
    built = f"The {name} given to this fit() is built at {{built}}. "
    return replace(report, explanation=built + (report.explanation or ""))


def _monitor_report(callback: Instance, name: str, key: str, fit: FitCall, missing: tuple, here: bool) -> Report:
    never, story = NEVER[name]
    monitor_arg = callback.args.node_of("monitor", MONITOR_CALLBACKS[callback.cls]) if here else None
    given = fit.args.node_of("callbacks", CALLBACKS_POSITION.get(fit.method)) if not here else None
    where = monitor_arg.value if monitor_arg is not None else callback.node if here else \
        given.value if given is not None else fit.node
    mentions = {"fit": fit.node, **({} if here else {"built": callback.node})}
    typed = {"callback": name, "monitor": key, "reason": missing[0]}
    if missing[0] == "validation":
        return Report(where, f"{name} monitors {key!r} but fit() has no validation data: {never}",
                      "pass validation_data= or validation_split= to fit(), or monitor 'loss'",
                      explanation=(f"Keras logs {key!r} only when fit() validates (validation_data= or "
                                   f"validation_split=); the fit() at {{fit}} does not, so each epoch logs only the "
                                   f"training quantities. {story}"),
                      facts=typed, mentions=mentions)
    consequence = never if _mode_given(callback) else "Keras 3 raises ValueError after epoch 1"
    if _saves_every_epoch(callback, name):
        story = "ModelCheckpoint without save_best_only saves every epoch and reads no value: it runs as written."
    ending = (f"With mode='auto' Keras 3 cannot tell whether {key!r} should rise or fall and raises ValueError at "
              f"the end of the first epoch. With mode= given, and on tf.keras 2: {story}")
    if missing[0] == "spelling":
        logged, compiled = missing[1], missing[2]
        fix = None
        if monitor_arg is not None and isinstance(monitor_arg.value, cst.SimpleString):
            fix = unsafe_fix(f"monitor {logged!r}", monitor_arg.value, with_quotes_of(monitor_arg.value, logged))
        spelt = (f"compile(metrics=[{compiled!r}]) makes fit() log {logged!r}: tf.keras 2 and Keras 3 log a string "
                 f"metric under the string given (only Keras <= 2.2 logged metrics under names of its own, 'acc' for "
                 f"both accuracies)." if other_spelling(key.removeprefix("val_"), [compiled]) is not None else
                 f"The fit() at {{fit}} logs {logged!r}, not {key!r}, which reads as a misspelling of it.")
        return Report(where, f"{name} monitors {key!r} but fit() logs {logged!r}: {consequence}",
                      f"monitor={logged!r}, the name compile(metrics=[{compiled!r}]) logs" if compiled != "loss" else
                      f"monitor={logged!r}", fix, explanation=f"{spelt} {ending}",
                      facts={**typed, "logged": logged}, mentions=mentions)
    return Report(where, f"{name} monitors {key!r} but compile() names no metric: {consequence}",
                  f"add metrics=[{key.removeprefix('val_')!r}] to compile(), or monitor 'val_loss'",
                  explanation=(f"A model compiled without metrics logs only its loss ('loss', and 'val_loss' when "
                               f"fit() validates), so {key!r} never appears in the logs of the fit() at {{fit}}. "
                               f"{ending}"),
                  facts=typed, mentions=mentions)


def _file_name_report(callback: Instance, key: str, fit: FitCall, missing: tuple) -> Report:
    """ModelCheckpoint formats its file name with the epoch's logs: a quantity fit() never logs is a KeyError when
    the first epoch ends, after that epoch's training."""
    name_arg = callback.args.node_of("filepath", 0)
    where = name_arg.value if name_arg is not None else callback.node
    typed = {"callback": "ModelCheckpoint", "monitor": key, "reason": missing[0], "in": "filepath"}
    got = "KeyError after epoch 1"
    ending = ("ModelCheckpoint fills its file name with filepath.format(epoch=..., **logs) at each save, so the "
              "first save, when the first epoch ends, raises KeyError ('Failed to format this callback filepath') "
              "and the epoch's training is lost (Keras 3 and tf.keras 2 alike).")
    if missing[0] == "spelling":
        logged, compiled = missing[1], missing[2]
        fix = None
        field = re.compile(r"(?<!\{)\{" + re.escape(key) + r"(?=[:}!.\[])")  # {val_acc:.2f}, not {val_accuracy}
        if isinstance(where, cst.SimpleString) and field.search(where.value):
            fix = unsafe_fix(f"write {{{logged}}} in the file name", where,
                             cst.SimpleString(field.sub("{" + logged, where.value)))
        return Report(where, f"ModelCheckpoint's file name reads {key!r} but fit() logs {logged!r}: {got}",
                      f"write {{{logged}}} in the file name, the name compile(metrics=[{compiled!r}]) logs", fix,
                      explanation=(f"compile(metrics=[{compiled!r}]) makes fit() log {logged!r}: tf.keras 2 and "
                                   f"Keras 3 log a string metric under the string given (only Keras <= 2.2 logged "
                                   f"metrics under names of its own, 'acc' for both accuracies). {ending}"),
                      facts={**typed, "logged": logged}, mentions={"fit": fit.node})
    if missing[0] == "validation":
        why, fix_hint = "fit() has no validation data", \
            f"pass validation_data= or validation_split= to fit(), or write {{{key[4:]}}} in the file name"
        detail = f"Keras logs {key!r} only when fit() validates; the fit() at {{fit}} does not."
    else:
        why, fix_hint = "compile() names no metric", f"add metrics=[{key.removeprefix('val_')!r}] to compile()"
        detail = f"A model compiled without metrics logs only its loss, so the fit() at {{fit}} never logs {key!r}."
    return Report(where, f"ModelCheckpoint's file name reads {key!r} but {why}: {got}", fix_hint,
                  explanation=f"{detail} {ending}", facts=typed, mentions={"fit": fit.node})


def _mode_given(callback: Instance) -> bool:
    mode: Value | None = callback.args.get("mode")
    return str_value(mode) in ("min", "max")


def _logs_compiled_metrics(model) -> bool:
    """A model whose logged quantities are its compiled loss and metrics: Keras's own train_step and test_step run
    (a subclass's may log anything)."""
    return model.keras_runs("train_step") and model.keras_runs("test_step")
