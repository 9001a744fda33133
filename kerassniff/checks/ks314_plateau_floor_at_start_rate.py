"""KS314 plateau-floor-at-start-rate: a ReduceLROnPlateau whose floor (``min_lr``) is not below the rate the
optimizer starts at, so it never lowers the learning rate.

ReduceLROnPlateau lowers the rate only while it is above the floor: Keras 3.15.1 (and tf.keras 2, standalone Keras 2)
compare ``old_lr > float32(min_lr)`` before each reduction.  Keras's own docstring example,
``ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=0.001)``, is such a callback for a model
compiled with ``optimizer="adam"`` (0.001 by default): it is copied widely, and does nothing.
"""
from __future__ import annotations

import struct

from kerassniff.checks._learning_rates import StartingRate, sets_a_rate, starting_rate
from kerassniff.evidence import Measurements, Verdict, facts
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import MIN_LR_POSITION
from kerassniff.semantic.training import CompileCall, FitCall
from kerassniff.semantic.values import Instance, KnobConst, const_value

PLATEAU = "keras.callbacks.ReduceLROnPlateau"


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    """The learning rate of the optimizer the model trains with, against the finding's floor."""
    found = facts(finding)
    floor = found.get("min_lr")
    optimizer = run.fit_parts(found.get("fit_line") or finding.line)[3].get("optimizer") or {}
    rate = optimizer.get("learning_rate")
    if floor is None or rate is None:
        return None
    name = optimizer.get("class", "the optimizer")
    never = not float32(rate) > float32(floor)
    return Verdict(never, f"the model trains with {name}(learning_rate={rate:g}); ReduceLROnPlateau's min_lr is "
                          f"{floor:g}")


@rule("KS314", "plateau-floor-at-start-rate", Severity.WARNING,
      "a ReduceLROnPlateau whose min_lr is not below the learning rate the optimizer starts at: it never lowers it",
      "set min_lr below the starting rate (1e-6 is usual), or start the optimizer above min_lr", verdict=verdict)
def check(script: Script):
    starts: dict[int, list[tuple[FitCall, CompileCall, StartingRate]]] = {}
    callbacks: dict[int, Instance] = {}
    unknown: set[int] = set()  # callbacks given to a fit() whose starting rate is not known
    for fit in script.fits():
        plateaus = [c for c in fit.callbacks if type(c) is Instance and c.cls == PLATEAU and
                    c.node is not None and script.call_at(c.node) is not None]
        if not plateaus:
            continue
        compiled = fit.model.compile_before(fit.order)
        start = starting_rate(compiled.args.get("optimizer", 0)) if compiled is not None and \
            fit.model.keras_runs("compile") else None  # (a subclass's own compile() builds its optimizers itself)
        for plateau in plateaus:
            callbacks[id(plateau.node)] = plateau
            if start is None or fit.callbacks_unread:
                unknown.add(id(plateau.node))
            else:
                starts.setdefault(id(plateau.node), []).append((fit, compiled, start))  # type: ignore[arg-type]
    if starts and sets_a_rate(script):
        return  # a scheduler or an assignment of the script's own may move the rate above the floor
    for key, uses in starts.items():
        plateau = callbacks[key]
        given = plateau.args.get("min_lr", MIN_LR_POSITION)
        floor = const_value(given)
        if key in unknown or isinstance(given, KnobConst) or isinstance(floor, bool) or \
                not isinstance(floor, (int, float)):
            continue  # (a command-line option's floor changes from run to run)
        if all(not float32(start.highest) > float32(floor) for _, _, start in uses):
            yield _report(script, plateau, float(floor), *uses[0])


def float32(number: float) -> float:
    """The number as a float32 holds it (Keras compares the rate, a float32 variable, with float32(min_lr))."""
    return struct.unpack("f", struct.pack("f", number))[0]


def _report(script: Script, plateau: Instance, floor: float, fit: FitCall, compiled: CompileCall,
            start: StartingRate) -> Report:
    name, rate, default, highest = start
    node = plateau.args.node_of("min_lr", MIN_LR_POSITION) or plateau.node
    where = "Keras's default for it" if default else "as built"
    relation = "equals" if float32(rate) == float32(floor) else "is above"
    return Report(
        node, f"min_lr={floor:g} is not below {name}'s starting rate {rate:g}: ReduceLROnPlateau never acts",
        explanation=(f"ReduceLROnPlateau lowers the learning rate only while it is above min_lr (Keras checks "
                     f"lr > min_lr before each reduction). The fit() at {{fit}} trains with {name} at "
                     f"learning_rate={rate:g} ({where}; compiled at {{compile}}), and min_lr={floor:g} {relation} "
                     f"it, so on a plateau the callback does nothing: the rate stays {rate:g} for every epoch."
                     + (f" (Given as Keras 2's lr=, which tf.keras 2.11-2.15 ignore: there it starts at the "
                        f"default {highest:g}, not above min_lr either.)" if highest != rate else "")),
        facts={"min_lr": floor, "optimizer": name, "learning_rate": rate, "default": default,
               "fit_line": _line(script, fit)},
        mentions={"fit": fit.node, "compile": compiled.node})


def _line(script: Script, fit: FitCall) -> int | None:
    """The line of the fit() the finding is about (dynamic mode reads that fit's optimizer)."""
    where = script.position(fit.node)
    return where.start.line if where is not None else None
