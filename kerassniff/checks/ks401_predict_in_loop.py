"""KS401 predict-in-loop (seed 002)."""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.models import InferenceCall
from kerassniff.semantic.training import LoopContext
from kerassniff.semantic.syntax import names_read, walk_code
from kerassniff.semantic.values import Const, DataValue, RangeValue, Seq, Value, ZipValue, const_value


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    calls = [c for c in run.calls if c["line"] == finding.line and c["kind"] == "predict" and "seconds" in c]
    if len(calls) < 2:
        return None
    per_call = sum(c["seconds"] for c in calls[1:]) / len(calls[1:])
    rows = calls[0].get("x", {}) or {}
    return Verdict(True, (f"predict() ran {len(calls)} times at this line with {rows.get('shape', ['?'])[0]} row(s) "
                          f"each, {per_call * 1000:.0f} ms per call (one batched call costs about the same)"))


@rule("KS401", "predict-in-loop", Severity.WARNING,
      "model.predict() or model(x) called once per sample inside a loop over a dataset",
      "predict the whole array in one call (preds = model.predict(x_test)), or the windows stacked into one array "
      "(np.stack([...])), and loop over the results", verdict=verdict)
def check(script: Script):
    """One report per call, naming every array its loops walk: a helper run once for the training rows and once for
    the test rows (``evaluate_model(model, trainX)``, then ``(model, testX)``) predicts one sample at a time in both."""
    found: dict[int, _PerSampleCall] = {}  # by id of the call node
    for call in script.inferences():
        if call.method not in ("predict", "__call__") or call.loop is None:
            continue
        if not (isinstance(call.x, DataValue) and call.x.data.is_sample):
            continue
        loop = _sample_loop(call.loop)
        if loop is None or _trains_in(script, loop) or _reads_what_the_loop_grows(call, loop):
            continue  # each prediction needs the previous step's update or output: the calls cannot be batched
        walks = found.setdefault(id(call.node), _PerSampleCall(call, [])).walks
        walked = (_iterable_name(loop.iterable), loop.node)
        if walked not in walks:
            walks.append(walked)
    for per_sample in found.values():
        call = per_sample.call
        what = "model.predict()" if call.method == "predict" else "calling the model"
        loops = {id(node) for _, node in per_sample.walks}
        if len(loops) == 1:  # one loop, over one array or several (a helper's loop run for trainX and testX)
            over = f"the loop over {' and '.join(name for name, _ in per_sample.walks)} ({{loop0}})"
        else:
            over = "the loops over " + " and ".join(f"{name} ({{loop{index}}})"
                                                    for index, (name, _) in enumerate(per_sample.walks))
        yield Report(call.node, f"{what} runs once per sample in {over}, typically 10-100x slower",
                     explanation="Each call pays the full per-call overhead for a single row; one batched call over "
                                 "the whole array costs about as much as one of them.",
                     mentions={f"loop{index}": node for index, (_, node) in enumerate(per_sample.walks)})


@dataclass
class _PerSampleCall:
    """A predict() (or model call) on one sample at a time, and the (array, loop) pairs it walks."""

    call: InferenceCall
    walks: list[tuple[str, cst.CSTNode]]


# A loop over at most this many samples is a handful (a grid of plots, a few examples to show): one call
# per sample costs well under a second there, and batching it is not worth a finding.
FEW_SAMPLES = 100


def _sample_loop(loop: LoopContext | None) -> LoopContext | None:
    """The innermost enclosing loop that really repeats over samples: many of them, or an unknown number."""
    while loop is not None:
        if loop.per_sample and _repeats_many(loop.iterable):
            return loop
        loop = loop.parent
    return None


def _repeats_many(iterable: Value) -> bool:
    if isinstance(iterable, ZipValue):
        if not all(_walks_samples(part) or _length(part) is not None for part in iterable.parts):
            return False  # zip(axes, images): as long as the plot axes or file names, not the array
        counts = [c for c in map(_length, iterable.parts) if c is not None]
        return not counts or min(counts) > FEW_SAMPLES
    count = _length(iterable)
    return count is None or count > FEW_SAMPLES


def _length(value: Value) -> int | None:
    if isinstance(value, DataValue):
        return value.data.n_samples
    if isinstance(value, RangeValue):
        return value.count
    if isinstance(value, Seq):
        return len(value.items)
    if isinstance(value, Const) and isinstance(value.value, tuple):
        return len(value.value)
    return None


def _walks_samples(value: Value) -> bool:
    return isinstance(value, DataValue) or (isinstance(value, RangeValue) and value.over is not None)


def _iterable_name(value: Value) -> str:
    if isinstance(value, DataValue):
        return value.data.label
    if isinstance(value, ZipValue):
        names = [p.data.label for p in value.parts if isinstance(p, DataValue)]
        return ", ".join(names) if names else "the dataset"
    if isinstance(value, RangeValue) and value.over is not None:
        return f"the indices of {value.over.label}"
    return "the dataset"


def _within(context: LoopContext | None, loop: LoopContext) -> bool:
    while context is not None:
        if context is loop:
            return True
        context = context.parent
    return False


def _trains_in(script: Script, loop: LoopContext) -> bool:
    """A model is trained inside the loop (fit(), train_on_batch(), a gradient step): a walk-forward refit or an
    agent's step, whose next prediction needs this step's update."""
    for model in script.models:
        if any(_within(fit.loop, loop) for fit in model.fits) or any(
                _within(other.loop, loop) and const_value(other.args.get("training")) is True
                for other in model.inferences):
            return True
    return any(type(node) is cst.Attribute and node.attr.value in GRADIENT_STEPS
               for node in walk_code(getattr(loop.node, "body", loop.node)))


# Methods whose call in a loop is a training step of a model the analysis may not know (a GradientTape update).
GRADIENT_STEPS = frozenset({"apply_gradients", "minimize"})
# List and array methods that grow or rewrite what they are called on.
GROWING_METHODS = frozenset({"append", "extend", "insert"})


def _reads_what_the_loop_grows(call, loop: LoopContext) -> bool:
    """The prediction's input is read from a list or array that the loop grows or rewrites (a recursive forecast:
    ``history.append(yhat)``, ``window = np.append(window[1:], yhat)``), directly or through names the loop body
    assigns from it; not the loop's own names, which each step binds again."""
    body = getattr(loop.node, "body", None)
    if body is None:
        return False
    grown: set[str] = set()  # lists grown and arrays written into (``a[i] = yhat``, ``history.append(yhat)``)
    rebound: set[str] = set()  # names bound again from themselves (``window = np.append(window[1:], yhat)``)
    written: list[tuple[str, set[str]]] = []  # writes into a loop name's items: (the name, the names the value reads)
    sources: dict[str, set[str]] = {}
    for node in walk_code(body):
        kind = type(node)
        if kind is cst.Call and type(node.func) is cst.Attribute and node.func.attr.value in GROWING_METHODS and \
                type(node.func.value) is cst.Name:
            grown.add(node.func.value.value)
        elif kind is cst.Assign:
            read = names_read(node.value)
            for target in node.targets:
                base = target.target
                while type(base) in (cst.Subscript, cst.Attribute):
                    base = base.value  # a[i] = ... rewrites a
                if type(base) is cst.Name:
                    if base is not target.target and base.value in loop.target_names:
                        written.append((base.value, read))  # row[-1] = previous (or row[np.isnan(row)] = 0)
                    elif base is not target.target:
                        grown.add(base.value)  # a[i] = yhat: what a is now depends on the step before
                    elif base.value in read:
                        rebound.add(base.value)  # a = np.append(a[1:], yhat)
                    sources.setdefault(base.value, set()).update(read)
    # (the loop's own names are bound afresh from the iterable at each step: ``image = image.reshape(1, 64)`` carries
    # nothing into the next prediction; a value written into the row itself, ``row[-1] = previous``, does)
    grown |= rebound - set(loop.target_names)
    # a value written into the loop's own row is state only when it comes from the step before (``row[-1] = previous``,
    # a name the body assigns), not a cleaning of the row (``row[np.isnan(row)] = 0``)
    grown |= {name for name, read in written if (read - {name}) & sources.keys()}
    arg = call.args.node_of("x", 0)
    if arg is None or not grown:
        return False
    seen: set[str] = set()
    pending = set(names_read(arg.value))
    while pending:
        name = pending.pop()
        if name in grown:
            return True
        if name not in seen:
            seen.add(name)
            pending |= sources.get(name, set())
    return False
