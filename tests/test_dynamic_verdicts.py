"""Dynamic mode's logic without a framework: verdicts from hand-made reports, and the harness's measurements."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from kerassniff.config import Config
from kerassniff.dynamic.measure import (
    array_stats,
    mode_comparison,
    output_stats,
    tie_fractions,
)
from kerassniff.dynamic.runner import Run, annotate, dynamic_findings
from kerassniff.dynamic.synthetic import SyntheticDirectoryFlow, image_dataset
from kerassniff.dynamic.verdicts import verdict_for
from kerassniff.evidence import Measurements
from kerassniff.findings import Finding, Severity


def finding(code: str, line: int, message: str = "") -> Finding:
    return Finding("train.py", line, 1, line, 1, code, "name", Severity.ERROR, message)


def fit(line: int, **extra) -> dict:
    return {"kind": "fit", "line": line, "model": extra.pop("model", {}), "checks": extra.pop("checks", {}), **extra}


def test_array_stats_tell_encodings_and_ranges() -> None:
    onehot = array_stats(np.eye(4)[[0, 1, 2, 3, 1]])
    assert onehot["onehot"] and not onehot["integer_labels"]
    labels = array_stats(np.array([[1], [2], [0]]))
    assert labels["integer_labels"] and not labels["onehot"]
    pixels = array_stats(np.full((2, 3, 3), 255, dtype=np.uint8))
    assert pixels["dtype"] == "uint8" and pixels["max"] == 255.0
    table = array_stats(np.array([[1.0, 400.0], [2.0, 100.0], [3.0, 900.0]]))
    assert table["feature_abs_max"] == 900.0 and table["feature_scale_ratio"] > 100
    assert array_stats(np.array(["a"])) is None


def test_output_ties_and_modes() -> None:
    saturated = np.zeros((4, 10), dtype=np.float32)
    saturated[:, 0] = 1.0
    assert tie_fractions(saturated)["5"] == 1.0 and tie_fractions(saturated)["1"] == 0.0
    assert output_stats(np.ones((3, 1)))["all_ones"]
    modes = mode_comparison(np.eye(3), np.array([[1, 0, 0]] * 3), np.eye(3))
    assert modes["training_mode_accuracy"] == 1.0 and round(modes["inference_mode_accuracy"], 2) == 0.33


def test_verdicts_from_reports() -> None:
    report = Measurements({"keras": ["keras 3.15.1"], "synthetic": ["cifar10.load_data()"], "calls": [
        fit(12, x={"dtype": "uint8", "min": 0.0, "max": 255.0}, y={"onehot": True, "shape": [32, 10]},
            model={"conv_filters": [64, 32]},
            checks={"updates": 5, "accuracy": {"reported": {"accuracy": 0.9}, "categorical": 0.1, "binary": 0.9},
                    "modes": {"max_abs_difference": 0.8, "argmax_disagreement": 0.6, "training_mode_accuracy": 1.0,
                              "inference_mode_accuracy": 0.3}}),
        {"kind": "evaluate", "line": 14, "x": {"dtype": "float64", "min": 0.0, "max": 1.0}},
    ]})
    confirmed, evidence = verdict_for(finding("KS101", 11), report)
    assert confirmed is True and "0.90" in evidence and "0.10" in evidence and "synthetic" in evidence
    assert verdict_for(finding("KS202", 12), report)[0] is True
    assert verdict_for(finding("KS201", 14), report)[0] is True
    assert verdict_for(finding("KS301", 8), report)[0] is True
    assert verdict_for(finding("KS302", 15), report) [0] is True
    assert verdict_for(finding("KS403", 12), report)[0] is None


def test_a_crash_before_fit_is_a_clear_unknown() -> None:
    report = Measurements({"status": "crashed", "calls": [], "crash": {"error": "FileNotFoundError: x.npy", "line": 3}})
    confirmed, evidence = verdict_for(finding("KS101", 9), report)
    assert confirmed is None and "stopped before fit(): FileNotFoundError: x.npy (line 3)" in evidence
    (annotated,) = annotate([finding("KS101", 9)], Run("train.py", None, "the script did not finish within 5 s"))
    assert annotated.extra == {"confirmed": None, "evidence": "dynamic run failed: the script did not finish within 5 s"}


def test_dynamic_only_findings_from_reports() -> None:
    report = Measurements({"calls": [
        fit(7, x={"dtype": "float64", "shape": [8, 13], "min": 0, "max": 700.0, "feature_abs_max": 700.0,
                  "feature_scale_ratio": 900.0}, checks={"losses": [1.0, float("nan")], "nonfinite_step": 1}),
        fit(9, y={"shape": [8, 1]}, model={"output_units": 10},
            checks={"training_error": "ValueError: Arguments `target` and `output` must have the same shape"}),
    ]})
    found = dynamic_findings("train.py", Run("train.py", report), [], Config())
    by_code = {f.code: f for f in found}
    assert set(by_code) == {"KS501", "KS502", "KS503"}
    assert "labels (8, 1), model output 10 units" in by_code["KS501"].message
    assert "training step 2" in by_code["KS502"].message and by_code["KS503"].line == 7


def test_synthetic_data_keeps_true_shapes_and_ranges() -> None:
    (x, y), (xt, yt) = image_dataset("cifar10")
    assert x.shape == (50000, 32, 32, 3) and x.dtype == np.uint8 and y.shape == (50000, 1) and xt.shape[0] == 10000
    flow = SyntheticDirectoryFlow("missing/", target_size=(64, 64), batch_size=4, rescale=1 / 255)
    flow.num_classes = 200
    xb, yb = next(flow)
    assert xb.shape == (4, 64, 64, 3) and xb.max() <= 1.0 and yb.shape == (4, 200)


def test_gpu_requests_fall_back_to_the_cpu_without_one(monkeypatch) -> None:
    """The harness's device report, as the CPU-only CI sees it: no GPU visible means 'cpu'."""
    from kerassniff.dynamic import harness

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert harness._device() == "cpu"


NPY_SCRIPT = """\
from dataclasses import replace

import numpy as np
import keras
x = np.load("features.npy")
y = np.load("labels.npy")
model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
model.fit(x, y)
"""


def test_static_hints_for_missing_npy_files() -> None:
    import libcst as cst

    from kerassniff.dynamic.runner import data_hints
    from kerassniff.semantic import build_script

    script = build_script(cst.parse_module(NPY_SCRIPT), "train.py")
    assert data_hints(script) == {"features.npy": {"kind": "features", "shape": [20]},
                                  "labels.npy": {"kind": "classes", "classes": 10}}


def test_reads_resolve_beside_the_script_and_missing_files_get_stand_ins(tmp_path, monkeypatch) -> None:
    from kerassniff.dynamic.reads import ReadResolver

    project, scratch = tmp_path / "project", tmp_path / "scratch"
    project.mkdir()
    scratch.mkdir()
    np.save(project / "present.npy", np.arange(6))
    monkeypatch.chdir(scratch)
    report: dict = {}
    resolver = ReadResolver(str(project), {"labels.npy": {"kind": "onehot", "classes": 4}}, report)
    import glob
    import os

    for module, name in ((np, "load"), (os, "listdir"), (os, "scandir"), (glob, "glob"), (glob, "iglob")):
        monkeypatch.setattr(module, name, getattr(module, name))  # restored after the test
    resolver.install()
    assert list(np.load("present.npy")) == list(range(6))
    labels = np.load("labels.npy")
    assert labels.shape == (256, 4) and set(labels.sum(axis=1)) == {1.0}
    assert report["synthetic"] == ["np.load('labels.npy')"] and report["synthetic_ranges"] == ["labels.npy"]
    assert resolver.resolve("missing.csv") == "missing.csv"


def test_range_verdicts_stay_open_on_stand_in_data() -> None:
    report = Measurements({"synthetic_ranges": ["x.npy"], "calls": [fit(5, x={"dtype": "float32", "min": 0.0, "max": 1.0})]})
    confirmed, evidence = verdict_for(finding("KS202", 5), report)
    assert confirmed is None and "x.npy" in evidence and "not on this machine" in evidence


def test_shape_and_double_scaling_verdicts() -> None:
    from kerassniff.dynamic.verdicts import verdict_for
    from kerassniff.evidence import Measurements
    from kerassniff.findings import Finding, Severity

    def finding(code: str) -> Finding:
        return Finding("t.py", 5, 1, 5, 2, code, "x", Severity.ERROR, "m")

    crashed = Measurements({"status": "crashed", "calls": [], "crash": {
        "error": "ValueError: Arguments `target` and `output` must have the same rank (ndim).", "line": 9}})
    for code in ("KS111", "KS310"):
        confirmed, evidence = verdict_for(finding(code), crashed)
        assert confirmed is True and "same rank" in evidence
    tiny = Measurements({"status": "ok", "calls": [{"kind": "fit", "line": 9, "x": {
        "dtype": "float32", "min": 0.0, "max": 0.0039, "shape": [32, 28, 28]}}]})
    confirmed, evidence = verdict_for(finding("KS207"), tiny)
    assert confirmed is True and "0..0.0039" in evidence
    unit = Measurements({"status": "ok", "calls": [{"kind": "fit", "line": 9, "x": {
        "dtype": "float32", "min": 0.0, "max": 1.0, "shape": [32, 28, 28]}}]})
    assert verdict_for(finding("KS207"), unit)[0] is None
    before_vgg = finding("KS207")
    before_vgg.extra["facts"] = {"application": "VGG16", "mode": "caffe", "expects": 255.0}
    confirmed, evidence = verdict_for(before_vgg, unit)
    assert confirmed is True and "VGG16 expects a 255-wide range" in evidence
    raw = Measurements({"status": "ok", "calls": [{"kind": "fit", "line": 9, "x": {
        "dtype": "float32", "min": -103.9, "max": 151.1, "shape": [32, 28, 28]}}]})
    assert verdict_for(before_vgg, raw)[0] is False  # preprocess_input's range after all


def test_ks106_verdict_reads_non_positive_outputs_and_non_finite_loss() -> None:
    from kerassniff.dynamic.verdicts import verdict_for
    from kerassniff.evidence import Measurements
    from kerassniff.findings import Finding, Severity

    finding = Finding("t.py", 5, 1, 5, 2, "KS106", "x", Severity.ERROR, "m")

    def run(minimum: float, losses: list) -> Measurements:
        return Measurements({"status": "ok", "calls": [{"kind": "fit", "line": 9, "checks": {
            "updates": len(losses), "losses": losses, "after_output": {"min": minimum, "max": 1.0}}}]})

    assert verdict_for(finding, run(0.0, [2.3, 2.2]))[0] is True
    assert verdict_for(finding, run(0.2, [2.3, float("nan")]))[0] is True
    assert verdict_for(finding, run(0.2, [2.3, 2.1]))[0] is False


def test_each_rule_owns_its_verdict_and_declares_whether_stand_ins_can_settle_it() -> None:
    from kerassniff.registry import all_rules

    rules = list(all_rules())
    assert {r.code for r in rules if r.verdict is not None} == {
        "KS101", "KS102", "KS103", "KS104", "KS105", "KS106", "KS107", "KS108", "KS109", "KS110", "KS111", "KS112",
        "KS201", "KS202", "KS203", "KS204", "KS206", "KS207", "KS208", "KS209", "KS210", "KS301", "KS302", "KS303", "KS304",
        "KS305", "KS306", "KS307", "KS310", "KS311", "KS313", "KS314", "KS401", "KS402"}
    assert {r.code for r in rules if r.compares_values} == {"KS107", "KS201", "KS202", "KS203", "KS204", "KS207"}
    for rule in rules:  # a verdict lives in its rule's own module, nowhere central
        if rule.verdict is not None:
            assert rule.verdict.__module__ == rule.check.__module__


def test_a_new_rule_s_verdict_is_asked_without_touching_dynamic_mode(monkeypatch) -> None:
    from kerassniff import registry
    from kerassniff.evidence import Verdict

    registry.load_rules()
    monkeypatch.setitem(registry.RULES, "KS999", registry.Rule(
        "KS999", "new", Severity.INFO, "s", "h", None,
        verdict=lambda found, run: Verdict(True, f"{len(run.fits())} fit(s) at line {found.line}")))
    run = Measurements({"calls": [fit(4)], "synthetic_ranges": ["x.npy"]})
    assert verdict_for(finding("KS999", 4), run) == (True, "1 fit(s) at line 4")
    monkeypatch.setitem(registry.RULES, "KS999", replace(registry.RULES["KS999"], compares_values=True))
    assert verdict_for(finding("KS999", 4), run)[0] is None


def test_checks_sit_below_dynamic_mode() -> None:
    import ast
    from pathlib import Path

    import kerassniff.checks

    for path in Path(kerassniff.checks.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.startswith("kerassniff.dynamic") for n in names), path.name
