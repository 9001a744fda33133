"""Dynamic mode, parent side: run each training script's harness in a child process, then attach verdicts.

Each script runs in its own scratch folder (a temporary directory), so files
it writes never land in the user's tree; a script that loads a model another
script saves shares the trainer's scratch folder and runs after it, so the
model it loads is the one the trainer's (briefly trained) run saved.  The
child has a time limit and no network; where the system allows it, it also
runs in its own network namespace with every filesystem read-only but its
scratch folder (:mod:`kerassniff.dynamic.isolation`), and the run says which
isolation was in force.  Whatever happens to the child, the parent gets a
report (possibly partial) or a clear reason why there is none.
"""
from __future__ import annotations

import json
import os
import posixpath
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from kerassniff.config import Config
from kerassniff.dynamic import isolation
from kerassniff.dynamic.verdicts import verdict_for
from kerassniff.evidence import Measurements, range_text
from kerassniff.findings import Finding
from kerassniff.registry import get_rule
from kerassniff.semantic import Script

DEFAULT_TIMEOUT = 120.0


@dataclass
class DynamicOptions:
    device: str = "auto"  # auto | cpu | gpu
    timeout: float = DEFAULT_TIMEOUT
    max_updates: int = 50


@dataclass
class Run:
    path: str
    measurements: Measurements | None
    reason: str = ""  # why there is no (complete) report
    seconds: float = 0.0
    linked: list["Run"] = field(default_factory=list)
    isolation: str = ""  # which isolation was in force, as checked from inside the child


def should_run(script: Script) -> bool:
    """A script that trains or uses a Keras model (a module of helpers only is not run)."""
    return any(model.fits or model.inferences or model.kind == "loaded" for model in script.models)


def data_hints(script: Script) -> dict[str, dict]:
    """What a missing ``np.load`` file feeds, as far as the static model knows: shape and kind of values."""
    hints: dict[str, dict] = {}
    for model in script.models:
        head = model.single_head()
        loss = next((spec.name for call in model.compiles for spec in call.losses), None)
        for fit in model.fits:
            for role, value in (("x", fit.x), ("y", fit.y)):
                data = getattr(value, "data", None)
                path = _np_load_path(data)
                if path is None:
                    continue
                if role == "x" and model.sample_shape() is not None:
                    hints[path] = {"kind": "features", "shape": list(model.sample_shape() or ())}
                elif role == "y" and head is not None and head.units:
                    hints[path] = _label_hint(loss, head.units)
    return hints


def _np_load_path(data) -> str | None:
    source = getattr(data, "source", None)
    return source.path if source is not None and source.description == "np.load(...)" else None


def _label_hint(loss: str | None, units: int) -> dict:
    if loss and "sparse" in loss:
        return {"kind": "classes", "classes": units}
    if loss and "categorical" in loss:
        return {"kind": "onehot", "classes": units}
    if loss and "binary" in loss and units == 1:
        return {"kind": "binary"}
    return {"kind": "regression", "units": units}


def harness_command(path: str, scratch: Path, report_path: Path, hints_path: Path, options: DynamicOptions,
                    method: str) -> list[str]:
    """The child's command line, wrapped in the chosen isolation (``unshare`` children seal themselves)."""
    command = [sys.executable, "-m", "kerassniff.dynamic.harness", str(Path(path).resolve()), str(report_path),
               "--device", options.device, "--max-updates", str(options.max_updates), "--hints", str(hints_path),
               "--isolation", method]
    if method == "unshare":
        command += ["--seal", str(scratch), "--outer-namespace", isolation.mount_namespace()]
    return isolation.wrap(command, scratch, method)


def run_script(path: str, scratch: Path, options: DynamicOptions, hints: dict[str, dict] | None = None,
               method: str = "none") -> Run:
    report_path = scratch / f".kerassniff-report-{abs(hash(path))}.json"
    hints_path = scratch / f".kerassniff-hints-{abs(hash(path))}.json"
    hints_path.write_text(json.dumps(hints or {}), encoding="utf-8")
    command = harness_command(path, scratch, report_path, hints_path, options, method)
    environment = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
                   "TMPDIR": str(scratch),  # temporary files go where the child may write, and go with it
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                               os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    reason = ""
    try:
        completed = subprocess.run(command, cwd=scratch, env=environment, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=options.timeout)
        if completed.returncode < 0:
            reason = f"the script was killed by signal {-completed.returncode} (out of memory?)"
        elif completed.returncode != 0:
            reason = f"the harness exited with status {completed.returncode}"
    except subprocess.TimeoutExpired:
        reason = f"the script did not finish within {options.timeout:g} s (--dynamic-timeout)"
    except OSError as error:
        reason = f"the harness could not start: {error}"
    seconds = time.perf_counter() - start
    measurements = None
    try:
        measurements = Measurements(json.loads(report_path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        reason = reason or "the harness wrote no report"
    fenced = isolation.describe(measurements.data.get("isolation") if measurements is not None else None, method)
    return Run(path, measurements, reason, seconds, isolation=fenced)


def _prepare_scratch(scratch: Path, scripts: list[Script]) -> None:
    """Create the relative folders the scripts save into (``models/best.h5``) inside the scratch folder."""
    for script in scripts:
        for model in script.models:
            for save in model.saves:
                value = getattr(save.path, "value", None)
                if isinstance(value, str) and value and not os.path.isabs(value):
                    folder = posixpath.dirname(value.replace("\\", "/"))
                    if folder and ".." not in folder.split("/"):
                        (scratch / folder).mkdir(parents=True, exist_ok=True)


def run_all(scripts: list[Script], options: DynamicOptions) -> dict[str, Run]:
    """One harness run per script that trains or uses a model; trainers run before the scripts that load them."""
    from kerassniff.semantic.links import model_links

    candidates = [s for s in scripts if should_run(s)]
    links = model_links(candidates)
    trainers_of: dict[str, list[Script]] = {}
    for link in links:
        trainers_of.setdefault(link.user.path, [])
        if link.trainer not in trainers_of[link.user.path]:
            trainers_of[link.user.path].append(link.trainer)
    runs: dict[str, Run] = {}
    # Loading scripts first: their trainers run in the same scratch folder, and that run serves both.
    ordered = sorted(candidates, key=lambda s: s.path not in trainers_of)
    method = isolation.choose() if candidates else "none"
    with tempfile.TemporaryDirectory(prefix="kerassniff-dynamic-") as root:
        for index, script in enumerate(ordered):
            if script.path in runs:
                continue
            scratch = Path(root) / f"run{index}"
            scratch.mkdir()
            trainers = trainers_of.get(script.path, [])
            _prepare_scratch(scratch, [*trainers, script])
            trainer_runs = []
            for trainer in trainers:
                trainer_run = run_script(trainer.path, scratch, options, data_hints(trainer), method)
                runs.setdefault(trainer.path, trainer_run)
                trainer_runs.append(trainer_run)
            run = run_script(script.path, scratch, options, data_hints(script), method)
            run.linked = trainer_runs
            if run.measurements is not None:
                run.measurements.linked = [r.measurements for r in trainer_runs if r.measurements is not None]
            runs[script.path] = run
    return runs


def annotate(findings: list[Finding], run: Run) -> list[Finding]:
    """Each finding with ``confirmed`` and ``evidence`` in its extra data."""
    annotated = []
    for finding in findings:
        rule = get_rule(finding.code)
        if rule is None or rule.scope in ("pipeline", "dynamic"):  # nothing static to confirm
            annotated.append(finding)
            continue
        if run.measurements is None:
            confirmed, evidence = None, f"dynamic run failed: {run.reason}"
        else:
            confirmed, evidence = verdict_for(finding, run.measurements)
            if run.reason and confirmed is None:
                evidence = f"{evidence}; {run.reason}"
        fenced = {"isolation": run.isolation} if run.isolation else {}
        annotated.append(replace(finding, extra={**finding.extra, "confirmed": confirmed, "evidence": evidence,
                                                 **fenced}))
    return annotated


def dynamic_findings(path: str, run: Run, static: list[Finding], config: Config) -> list[Finding]:
    """KS501-KS503: what only running the script shows."""
    if run.measurements is None:
        return []
    found: list[Finding] = []
    static_at = {(f.line, f.code) for f in static}
    stand_ins = bool(run.measurements.data.get("synthetic_ranges"))  # random arrays for missing files: shapes guessed
    for fit in run.measurements.fits():
        checks = fit.get("checks") or {}
        line = fit["line"] or 1
        if "training_error" in checks and not stand_ins:
            found.append(_finding("KS501", path, line, _explain_training_error(checks["training_error"], fit)))
        elif "nonfinite_step" in checks or checks.get("nonfinite_weights"):
            step = checks.get("nonfinite_step")
            what = f"the loss became {checks['losses'][-1]} at training step {step + 1}" if step is not None \
                else "the weights contain NaN or inf"
            found.append(_finding("KS502", path, line, (
                f"{what} on the script's first batch: every later number is meaningless; inputs "
                f"{range_text(fit.get('x'), shape=True)}")))
        x = fit.get("x") or {}
        if stand_ins:
            continue
        unscaled = x.get("feature_abs_max", 0) > 10 or x.get("feature_scale_ratio", 1) > 100
        if unscaled and len(x.get("shape", [])) == 2 and (line, "KS202") not in static_at:
            found.append(_finding("KS503", path, line, _unscaled_message(x)))
    return [replace(f, extra={**f.extra, "isolation": run.isolation}) for f in found if config.enabled_for(f.code, path)]


def _unscaled_message(x: dict) -> str:
    ratio = x.get("feature_scale_ratio", 1.0)
    message = f"the features that reach fit() are unscaled: largest |value| {x['feature_abs_max']:.3g}"
    if ratio > 100:
        return message + (f", and the columns' standard deviations differ by a factor of {ratio:.3g}: one learning "
                          f"rate is too large for the big features and too small for the small ones, so the model "
                          f"underfits")
    return message + (" (far outside [-10, 10]): large inputs saturate activations and make the first updates "
                      "huge, so training is slow or unstable")


def _explain_training_error(error: str, fit: dict) -> str:
    y = fit.get("y") or {}
    units = (fit.get("model") or {}).get("output_units")
    shapes = ""
    if y.get("shape") and units:
        shapes = f" (labels {tuple(y['shape'])}, model output {units} units)"
    hint = ""
    lowered = error.lower()
    if "shape" in lowered and ("incompatible" in lowered or "must have the same" in lowered or "mismatch" in lowered):
        hint = ": the labels do not match the model's output; one-hot labels need categorical_crossentropy, " \
               "integer labels sparse_categorical_crossentropy, and the last layer needs one unit per class"
    elif "out of range" in lowered or "received a label value" in lowered:
        hint = ": a label is outside 0..units-1; the last layer needs one unit per class"
    return f"one training step on the script's first batch fails{shapes}{hint}. Keras says: {error}"


def _finding(code: str, path: str, line: int, message: str) -> Finding:
    rule = get_rule(code)
    assert rule is not None
    return Finding(path, line, 1, line, 1, rule.code, rule.name, rule.severity, message, rule.fix_hint,
                   {"confirmed": True, "evidence": "observed in a dynamic run"})
