"""The child process of dynamic mode: run one script under observation and write what was seen.

    python -m kerassniff.dynamic.harness SCRIPT REPORT.json [--device cpu|gpu|auto] [--max-updates N]
        [--isolation bwrap|unshare|none] [--seal SCRATCH --outer-namespace NS]

The parent (:mod:`kerassniff.dynamic.runner`) starts this in a scratch working
directory, with a time limit and the network disabled (in Python, and where
the system allows it in its own network namespace with the filesystem
read-only but for the scratch folder: :mod:`kerassniff.dynamic.isolation`;
``--seal`` makes that happen first thing, under ``unshare``).  Before the script runs,
Keras's ``Model.fit``/``evaluate``/``predict`` (and the removed
``fit_generator`` family) are replaced by observers: ``fit`` records the
model and the arrays it gets, runs a few real training steps on the script's
first batch and measures what the rules need, then returns a History without
training further, so the script goes on to its ``evaluate``/``predict`` calls.
Datasets that are not cached are replaced by synthetic stand-ins
(:mod:`kerassniff.dynamic.synthetic`).  The report is rewritten after every
observation, so a script killed at the time limit still leaves what it showed.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import os
import runpy
import socket
import sys
import time
import traceback
from typing import Any

from kerassniff.dynamic import isolation
from kerassniff.dynamic.measure import array_stats, error_text, logged_quantities, monitors, run_checks, to_numpy
from kerassniff.dynamic.probes import data_probe, model_probe
from kerassniff.dynamic.reads import ReadResolver

MAX_FITS = 3
MAX_CALLS_PER_LINE = 3
DEFAULT_UPDATES = 5
MAX_UPDATES = 50
MAX_EVAL_ROWS = 256
MAX_BATCH_ROWS = 512  # the checks' batch: the script's batch size, capped


class StopScript(BaseException):
    """Raised into the script once enough has been observed (not an Exception: the script cannot catch it)."""


class Observer:
    def __init__(self, script: str, report_path: str, max_updates: int) -> None:
        self.script = os.path.abspath(script)
        self.report_path = report_path
        self.max_updates = max_updates
        self.report: dict[str, Any] = {"status": "running", "calls": [], "synthetic": [], "removed_api": [],
                                       "crash": None}
        self.fits = 0
        self.per_line: dict[tuple[str, int], int] = {}
        self.originals: dict[type, dict[str, Any]] = {}  # patched Model class -> its own evaluate/predict
        self.resolve: Any = lambda path: path  # replaced by ReadResolver.resolve: reads beside the script
        self.write()

    # -- reporting
    def write(self) -> None:
        temporary = self.report_path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(self.report, stream, default=str)
        os.replace(temporary, self.report_path)

    def script_line(self) -> int:
        frame = sys._getframe(1)
        line = 0
        while frame is not None:
            if os.path.abspath(frame.f_code.co_filename) == self.script:
                line = frame.f_lineno
            frame = frame.f_back
        return line

    def original(self, model, method: str):
        """The unpatched method of the Keras (keras or tf_keras) this model belongs to."""
        for cls in type(model).__mro__:
            if cls in self.originals:
                return self.originals[cls][method]
        raise LookupError(f"{type(model).__name__} is not a patched Keras model")

    def count(self, kind: str, line: int) -> None:
        key = (kind, line)
        self.per_line[key] = self.per_line.get(key, 0) + 1
        if self.per_line[key] > MAX_CALLS_PER_LINE:
            self.report["stopped_at"] = {"kind": kind, "line": line, "reason": f"{kind}() called again and again"}
            raise StopScript

    # -- fit
    def on_fit(self, model, method: str, args: tuple, kwargs: dict):
        line = self.script_line()
        self.count("fit", line)
        self.fits += 1
        names = ["x", "y", "batch_size", "epochs"] if method == "fit" else ["x", "steps_per_epoch", "epochs"]
        bound = dict(zip(names, args))
        bound.update(kwargs)
        if "generator" in bound:
            bound["x"] = bound.pop("generator")
        if method != "fit":
            self.report["removed_api"].append({"name": method, "line": line})
        x, y = bound.get("x"), bound.get("y")
        record: dict[str, Any] = {"kind": "fit", "method": method, "line": line, "model": model_facts(model)}
        self.report["calls"].append(record)
        flow_classes(x, model)
        xb, yb, source = first_batch(x, y, bound.get("batch_size"))
        record["batch_source"] = source
        record["x"] = array_stats(x) if source == "arrays" else array_stats(xb)
        record["y"] = array_stats(y) if source == "arrays" else array_stats(yb)
        validation = bound.get("validation_data")
        if isinstance(validation, (tuple, list)) and len(validation) >= 2:
            record["validation_x"], record["validation_y"] = array_stats(validation[0]), array_stats(validation[1])
        elif validation is not None:
            vx, vy, _ = first_batch(validation, None, None)
            record["validation_x"], record["validation_y"] = array_stats(vx), array_stats(vy)
        stand_ins = len(self.report["synthetic"]) + len(self.report.get("synthetic_ranges", []))
        record["data"] = {**data_probe(x, y, validation), "stand_ins_before": stand_ins}  # KS208: random labels?
        self.write()
        if xb is None:
            record["checks"] = {"skipped": "could not take a batch from the training data"}
            self.write()
            return make_history(model, [])
        updates = planned_updates(x, bound, source)
        record["script_updates"] = updates
        # BatchNormalization needs the script's own number of updates (KS302); other checks need only a few
        cap = self.max_updates if record["model"].get("batchnorm_layers") else DEFAULT_UPDATES * 2
        record["checks"] = run_checks(model, xb, yb, min(updates or DEFAULT_UPDATES, cap),
                                      self.original(model, "evaluate"))
        record["probe"] = model_probe(model, xb, bound.get("batch_size"))
        watched = monitors(bound.get("callbacks"))
        if watched:  # KS210: what the callbacks monitor, and what this call logs
            record["monitors"] = watched
            split = bound.get("validation_split")
            validates = validation is not None or (isinstance(split, (int, float)) and split > 0)
            record["logged"] = logged_quantities(record["checks"], validates)
        self.write()
        if self.fits >= MAX_FITS:
            self.report["stopped_at"] = {"kind": "fit", "line": line, "reason": f"{MAX_FITS} fit() calls observed"}
            raise StopScript
        return make_history(model, record["checks"].get("losses", []))

    # -- evaluate / predict
    def on_evaluate(self, model, method: str, args: tuple, kwargs: dict):
        line = self.script_line()
        self.count("evaluate", line)
        x = kwargs.get("x", args[0] if args else None)
        y = kwargs.get("y", args[1] if len(args) > 1 else None)
        xb, yb, source = first_batch(x, y, MAX_EVAL_ROWS)
        record = {"kind": "evaluate", "method": method, "line": line,
                  "x": array_stats(x) if source == "arrays" else array_stats(xb),
                  "y": array_stats(y) if source == "arrays" else array_stats(yb)}
        if method != "evaluate":
            self.report["removed_api"].append({"name": method, "line": line})
        self.report["calls"].append(record)
        self.write()
        original = self.original(model, "evaluate")
        return_dict = bool(kwargs.get("return_dict"))
        if xb is None:
            return {} if return_dict else 0.0
        return original(model, xb, yb, verbose=0, return_dict=return_dict)

    def on_predict(self, model, method: str, args: tuple, kwargs: dict):
        line = self.script_line()
        self.count("predict", line)
        x = kwargs.get("x", args[0] if args else None)
        record: dict[str, Any] = {"kind": "predict", "method": method, "line": line, "x": array_stats(x)}
        if method != "predict":
            self.report["removed_api"].append({"name": method, "line": line})
        self.report["calls"].append(record)
        self.write()
        start = time.perf_counter()
        if method == "predict":
            result = self.original(model, "predict")(model, *args, **{**kwargs, "verbose": 0})
        else:
            xb, _, _ = first_batch(x, None, None)
            result = self.original(model, "predict")(model, xb, verbose=0)
        record["seconds"] = time.perf_counter() - start
        record["output"] = array_stats(result)
        self.write()
        return result


def model_facts(model) -> dict:
    facts: dict[str, Any] = {"class": type(model).__name__}
    try:
        last = model.layers[-1]
        activation = getattr(last, "activation", None)
        facts["output_activation"] = getattr(activation, "__name__", None) if activation is not None else None
        facts["output_units"] = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else None
    except Exception:  # noqa: BLE001 - a subclassed model may not be built yet
        pass
    try:
        facts["conv_filters"] = [int(layer.filters) for layer in _all_layers(model)
                                 if type(layer).__name__.startswith(("Conv", "SeparableConv", "DepthwiseConv"))
                                 and getattr(layer, "filters", None)]
        facts["batchnorm_layers"] = sum(1 for layer in _all_layers(model) if "BatchNormalization" in type(layer).__name__)
    except Exception:  # noqa: BLE001
        pass
    loss = getattr(model, "loss", None)
    facts["loss"] = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(loss, "__name__", None) \
        or (type(loss).__name__ if loss is not None else None)
    return facts


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def flow_classes(x, model) -> None:
    from kerassniff.dynamic.synthetic import SyntheticDirectoryFlow

    if isinstance(x, SyntheticDirectoryFlow) and x.num_classes is None:
        try:
            x.num_classes = int(model.outputs[0].shape[-1])
        except Exception:  # noqa: BLE001
            x.num_classes = 2


def first_batch(x, y, batch_size):
    """(x batch, y batch, how it was taken): arrays are sliced, datasets and generators give their first batch."""
    import numpy as np

    size = min(int(batch_size), MAX_BATCH_ROWS) if isinstance(batch_size, int) and batch_size > 0 else 32
    try:
        array = to_numpy(x) if isinstance(x, (np.ndarray, list)) or type(x).__module__.startswith("numpy") else None
        if array is not None and array.dtype != object and array.ndim >= 1:
            return array[:size], (to_numpy(y)[:size] if y is not None else None), "arrays"
        if hasattr(x, "take") and hasattr(x, "element_spec"):  # tf.data.Dataset
            batch = next(iter(x))
        elif hasattr(x, "__getitem__") and hasattr(x, "__len__") and not isinstance(x, (tuple, list, dict)):
            batch = x[0]  # keras.utils.Sequence / PyDataset / DirectoryIterator
        elif hasattr(x, "__next__"):
            batch = next(x)
        elif isinstance(x, (tuple, list)) and len(x) >= 1:  # validation_data given as a dataset-like tuple
            return to_numpy(x[0]), to_numpy(x[1]) if len(x) > 1 else None, "arrays"
        else:
            return None, None, "unknown"
    except Exception:  # noqa: BLE001 - a missing file, an exhausted generator
        return None, None, "unreadable"
    if isinstance(batch, (tuple, list)):
        return to_numpy(batch[0]), to_numpy(batch[1]) if len(batch) > 1 else None, "first batch"
    return to_numpy(batch), None, "first batch"


def planned_updates(x, bound: dict, source: str) -> int | None:
    epochs = bound.get("epochs") if isinstance(bound.get("epochs"), int) else 1
    steps = bound.get("steps_per_epoch")
    if isinstance(steps, (int, float)) and steps > 0:
        return int(math.ceil(steps)) * epochs
    if source == "arrays":
        try:
            rows = len(x)
        except TypeError:
            return None
        batch = bound.get("batch_size") if isinstance(bound.get("batch_size"), int) else 32
        return int(math.ceil(rows / batch)) * epochs
    return None


def make_history(model, losses: list[float]):
    try:
        import keras

        history = keras.callbacks.History()
    except Exception:  # noqa: BLE001
        from types import SimpleNamespace

        history = SimpleNamespace()
    history.history = {"loss": list(losses)}
    history.epoch = list(range(len(losses)))
    history.params = {}
    try:
        history.set_model(model)
    except Exception:  # noqa: BLE001
        history.model = model
    return history


# -- installing the observers ----------------------------------------------------------------------------------
def install(observer: Observer) -> list[str]:
    """Patch every Keras that is installed; returns the names patched."""
    patched = []
    for name in ("keras", "tf_keras"):
        if importlib.util.find_spec(name) is None:
            continue
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a broken install is the script's problem, not ours
            continue
        try:  # reproducible verdicts: the same weights and stand-in data on every run (a script may reseed)
            module.utils.set_random_seed(0)
        except Exception:  # noqa: BLE001 - an old Keras without it
            pass
        _patch_model(module.Model, observer)
        _patch_datasets(module, observer)
        _patch_directory_flows(module, observer)
        patched.append(f"{name} {getattr(module, '__version__', '?')}")
        try:
            observer.report["backend"] = module.backend.backend()
        except Exception:  # noqa: BLE001
            pass
    return patched


# Model methods the harness observes: fit runs the checks, evaluate/predict record their inputs.  The
# Keras 2 *_generator methods (gone in Keras 3) are supplied too, so a script that uses them runs on.
OBSERVED_METHODS = {"fit": "on_fit", "fit_generator": "on_fit", "evaluate": "on_evaluate",
                    "evaluate_generator": "on_evaluate", "predict": "on_predict", "predict_generator": "on_predict"}


def _patch_model(model_class, observer: Observer) -> None:
    if model_class in observer.originals:
        return  # the same class reached through two names (tf.keras is keras 3)
    observer.originals[model_class] = {"evaluate": model_class.evaluate, "predict": model_class.predict}
    observer.report.setdefault("has_fit_generator", hasattr(model_class, "fit_generator"))
    for method, handler in OBSERVED_METHODS.items():
        setattr(model_class, method, _observed(getattr(observer, handler), method))


def _observed(handler, method: str):
    def observed(self, *args, **kwargs):
        return handler(self, method, args, kwargs)

    observed.__name__ = method
    return observed


def _patch_datasets(keras_module, observer: Observer) -> None:
    from kerassniff.dynamic import synthetic

    def replace(dataset: str, make):
        try:
            module = importlib.import_module(f"{keras_module.__name__}.datasets.{dataset}")
        except Exception:  # noqa: BLE001
            return
        original = module.load_data

        def load_data(*args, **kwargs):
            if synthetic.is_cached(dataset):
                return original(*args, **kwargs)
            observer.report["synthetic"].append(f"{dataset}.load_data()")
            return make(*args, **kwargs)

        module.load_data = load_data

    for name in synthetic.SPECS:
        replace(name, lambda *a, _n=name, label_mode="fine", **k: synthetic.image_dataset(_n, label_mode=label_mode))
    for name in synthetic.SEQUENCE_SPECS:
        replace(name, lambda *a, _n=name, num_words=None, **k: synthetic.sequence_dataset(_n, num_words))
    replace("boston_housing", lambda *a, **k: synthetic.boston_housing())


def _patch_directory_flows(keras_module, observer: Observer) -> None:
    # Keras 3 keeps it in keras.src.legacy (tf.keras exposes that class); Keras 2 and tf_keras in preprocessing.
    for path in ("preprocessing.image", "src.legacy.preprocessing.image"):
        try:
            module = importlib.import_module(f"{keras_module.__name__}.{path}")
            generator_class = module.ImageDataGenerator
        except (ImportError, AttributeError):
            continue
        if not getattr(generator_class.flow_from_directory, "_kerassniff", False):
            _patch_flow_from_directory(generator_class, observer)


def _patch_flow_from_directory(generator_class, observer: Observer) -> None:
    from kerassniff.dynamic.synthetic import SyntheticDirectoryFlow

    original = generator_class.flow_from_directory

    def flow_from_directory(self, directory, *args, **kwargs):
        directory = observer.resolve(directory)
        if os.path.isdir(directory):
            return original(self, directory, *args, **kwargs)
        observer.report["synthetic"].append(f"flow_from_directory({directory!r})")
        names = ["target_size", "color_mode", "classes", "class_mode", "batch_size"]
        bound = dict(zip(names, args))
        bound.update(kwargs)
        return SyntheticDirectoryFlow(directory, bound.get("target_size", (256, 256)), bound.get("color_mode", "rgb"),
                                      bound.get("batch_size", 32), bound.get("class_mode", "categorical"),
                                      getattr(self, "rescale", None))

    flow_from_directory._kerassniff = True  # type: ignore[attr-defined]
    generator_class.flow_from_directory = flow_from_directory


def _block_network() -> None:
    def refuse(*_args, **_kwargs):
        raise OSError("network access is disabled in kerassniff dynamic mode")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("script")
    parser.add_argument("report")
    parser.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto")
    parser.add_argument("--max-updates", type=int, default=MAX_UPDATES)
    parser.add_argument("--hints", default=None, help="JSON: shapes for np.load files that are missing")
    parser.add_argument("--isolation", choices=isolation.METHODS, default="none")
    parser.add_argument("--seal", default=None, help="the scratch folder: make every other filesystem read-only")
    parser.add_argument("--outer-namespace", default="", help="the parent's mount namespace (never sealed)")
    options = parser.parse_args(argv)
    refused = None
    if options.seal:
        try:
            refused = isolation.seal(os.path.abspath(options.seal), options.outer_namespace)
        except (OSError, RuntimeError, AttributeError) as error:
            refused = [f"/ ({error})"]
    if options.device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _block_network()
    observer = Observer(options.script, options.report, options.max_updates)
    observer.report["keras"] = install(observer)
    observer.report["device"] = _device()
    script = os.path.abspath(options.script)
    observer.report["isolation"] = isolation.observed(options.isolation, script, os.getcwd(), refused)
    hints = {}
    if options.hints:
        with open(options.hints, encoding="utf-8") as stream:
            hints = json.load(stream)
    resolver = ReadResolver(os.path.dirname(script), hints, observer.report)
    resolver.install()
    observer.resolve = resolver.resolve
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
        observer.report["status"] = "finished"
    except StopScript:
        observer.report["status"] = "stopped"
    except SystemExit:
        observer.report["status"] = "finished"
    except BaseException as error:  # noqa: BLE001 - the script's own failure is a result, not our crash
        observer.report["status"] = "crashed"
        line = 0
        for frame, lineno in traceback.walk_tb(error.__traceback__):
            if os.path.abspath(frame.f_code.co_filename) == script:
                line = lineno
        observer.report["crash"] = {"error": error_text(error), "line": line}
    observer.write()
    return 0


def _device() -> str:
    if os.environ.get("CUDA_VISIBLE_DEVICES") == "-1":
        return "cpu"
    try:
        import keras

        backend = keras.backend.backend()
        if backend == "torch":
            import torch

            return "gpu" if torch.cuda.is_available() else "cpu"
        if backend == "jax":
            import jax

            return "gpu" if any(d.platform == "gpu" for d in jax.devices()) else "cpu"
        import tensorflow as tf

        return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    except Exception:  # noqa: BLE001
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
