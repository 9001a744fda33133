"""KS211 monitor-mode-inverted: EarlyStopping, ModelCheckpoint(save_best_only=True) or ReduceLROnPlateau told
``mode='min'`` for a quantity that rises as the model improves (an accuracy, AUC), or ``mode='max'`` for one that
falls (a loss, an error).

``mode`` overrides the direction Keras would infer: the callback then takes every worsening for progress.  Only the
quantities whose direction is known are judged (:data:`~kerassniff.semantic.knowledge.model_api.METRIC_DIRECTIONS`);
a custom metric's name says nothing Keras would read.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.fixes import unsafe_fix, with_quotes_of
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import (
    DEFAULT_MONITOR,
    METRIC_DIRECTIONS,
    MODE_POSITION,
    MONITOR_CALLBACKS,
    SAVE_BEST_ONLY_POSITION,
)
from kerassniff.semantic.values import const_value, str_value

# What each callback does when it takes a worsening for progress (checked on Keras 3.15.1: the callbacks compare
# with the operator mode= names, whatever the quantity).
INVERTED = {
    "EarlyStopping": ("it stops as the model improves",
                      "EarlyStopping counts an epoch as progress when the quantity moves the wrong way: training "
                      "stops after `patience` epochs of real improvement, and restore_best_weights=True brings back "
                      "the worst epoch."),
    "ModelCheckpoint": ("it keeps the worst epoch",
                        "ModelCheckpoint(save_best_only=True) overwrites the file only when the quantity moves the "
                        "wrong way: the file holds the worst epoch, not the best."),
    "ReduceLROnPlateau": ("it cuts the learning rate as the model improves",
                          "ReduceLROnPlateau sees a plateau whenever the model improves and lowers the learning rate "
                          "then, while a real worsening counts as progress."),
}
WORDS = {"up": "rises", "down": "falls"}
RIGHT_MODE = {"up": "max", "down": "min"}


@rule("KS211", "monitor-mode-inverted", Severity.ERROR,
      "a callback told mode='min' for a quantity that rises as the model improves (accuracy), or mode='max' for one "
      "that falls (a loss)", "give the quantity's own direction (mode='max' for accuracy, 'min' for a loss), or "
      "leave mode='auto'")
def check(script: Script):
    for call in script.calls:
        if call.callee not in MONITOR_CALLBACKS:
            continue
        name = call.callee.rsplit(".", 1)[-1]
        if name == "ModelCheckpoint" and const_value(call.args.get("save_best_only", SAVE_BEST_ONLY_POSITION)) \
                is not True:
            continue  # saves every epoch: mode is never read
        mode_arg = call.args.node_of("mode", MODE_POSITION[call.callee])
        mode = str_value(call.args.get("mode", MODE_POSITION[call.callee]))
        monitor_value = call.args.get("monitor", MONITOR_CALLBACKS[call.callee])
        key = DEFAULT_MONITOR if monitor_value is None else str_value(monitor_value)
        if mode not in ("min", "max") or key is None or mode_arg is None:
            continue
        direction = METRIC_DIRECTIONS.get(key.removeprefix("val_"))
        if direction is None or RIGHT_MODE[direction] == mode:
            continue
        yield _report(name, key, mode, direction, mode_arg)


def _report(name: str, key: str, mode: str, direction: str, mode_arg: cst.Arg) -> Report:
    right = RIGHT_MODE[direction]
    consequence, behaviour = INVERTED[name]
    fix = None
    if isinstance(mode_arg.value, cst.SimpleString):
        fix = unsafe_fix(f"mode {right!r}", mode_arg.value, with_quotes_of(mode_arg.value, right))
    return Report(mode_arg.value, f"{name} mode={mode!r} on {key!r}, which {WORDS[direction]} with progress: "
                                  f"{consequence}",
                  f"mode={right!r}", fix,
                  explanation=(f"mode={mode!r} makes the callback take a {'lower' if mode == 'min' else 'higher'} "
                               f"{key!r} for an improvement, but {key!r} {WORDS[direction]} as the model gets better. "
                               f"{behaviour} (Keras 3's mode='auto' reads the direction from the compiled metric.)"),
                  facts={"callback": name, "monitor": key, "mode": mode, "direction": direction})
