"""Issue 14's dynamic measurements without a framework: the data probe on NumPy arrays, verdicts on hand-made reports."""
from __future__ import annotations

import numpy as np
import pytest

from kerassniff.dynamic.probes import data_probe, label_association, label_facts, row_overlap
from kerassniff.dynamic.verdicts import verdict_for
from kerassniff.evidence import Measurements
from kerassniff.findings import Finding, Severity


def finding(code: str, line: int = 10, facts: dict | None = None) -> Finding:
    found = Finding("train.py", line, 1, line, 1, code, "name", Severity.ERROR, "message text is never read")
    if facts is not None:
        found.extra["facts"] = facts
    return found


def report(data: dict | None = None, probe: dict | None = None, status: str = "stopped", **fit) -> Measurements:
    record = {"kind": "fit", "line": 12, "model": fit.pop("model", {}), "checks": fit.pop("checks", {}),
              "data": data or {}, "probe": probe or {}, **fit}
    return Measurements({"status": status, "calls": [record], "keras": ["keras 3.15.1"]})


def blobs(rows: int = 600, classes: int = 3):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, classes, rows)
    return (rng.normal(size=(rows, 8)) + labels[:, None] * 3.0).astype("float32"), labels


# -- the data probe --------------------------------------------------------------------------------------------
def test_label_facts_tell_one_hot_class_ids_and_continuous_targets() -> None:
    assert label_facts(np.eye(4)[[0, 1, 2, 3, 1]])["onehot_width"] == 4
    ids = label_facts(np.array([0, 3, 1, 3]))
    assert ids["integral"] and (ids["min"], ids["max"], ids["distinct"]) == (0.0, 3.0, 3)
    continuous = label_facts(np.linspace(0, 1, 50))
    assert continuous["integral"] is False and continuous["distinct"] == 50 and "max" not in continuous


def test_row_overlap_counts_validation_rows_that_are_training_rows_across_dtypes() -> None:
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    assert row_overlap(x, x[:5].astype(np.float64))["in_training"] == 5
    assert row_overlap(x, x[:5] + 0.5)["in_training"] == 0


def test_label_association_tells_paired_labels_from_shuffled_ones() -> None:
    x, y = blobs()
    paired = label_association(x, y)
    assert paired["accuracy"] > 0.9 and paired["majority"] < 0.45
    shuffled = x.copy()
    np.random.default_rng(1).shuffle(shuffled)
    assert label_association(shuffled, y)["accuracy"] < 0.45
    assert label_association(x, np.linspace(0, 1, len(x))) is None  # regression targets: no classes to probe


def test_data_probe_reads_arrays_only() -> None:
    x, y = blobs()
    facts = data_probe(x, y, (x[:50], y[:50]))
    assert facts["overlap"]["in_training"] == 50 and facts["labels"]["max"] == 2 and "association" in facts
    assert data_probe(iter([]), None, None) == {}


# -- verdicts --------------------------------------------------------------------------------------------------
def test_ks108_one_hot_labels_under_a_regression_loss() -> None:
    confirmed, evidence = verdict_for(finding("KS108"), report(
        {"labels": {"onehot_width": 10, "integral": True}}, model={"loss": "mse"}, checks={"losses": [0.09, 0.07]}))
    assert confirmed is True and "one-hot (10 columns)" in evidence and "mse" in evidence
    assert verdict_for(finding("KS108"), report({"labels": {"integral": False, "distinct": 90}}))[0] is False


def test_ks109_labels_above_one_and_the_negative_loss() -> None:
    ids = {"dtype": "uint8", "min": 0.0, "max": 9.0}
    confirmed, evidence = verdict_for(finding("KS109"), report(y=ids, checks={"losses": [0.5, -12.5]}))
    assert confirmed is True and "0..9" in evidence and "negative (-12.5)" in evidence
    assert verdict_for(finding("KS109"), report(y={"dtype": "float32", "min": 0.0, "max": 1.0}))[0] is False


def test_ks110_outputs_outside_the_open_unit_interval_and_never_negative_logits() -> None:
    clipped = {"min": 0.0, "max": 3.2, "outside_unit": 0.4}
    assert verdict_for(finding("KS110"), report(probe={"outputs": clipped, "from_logits": False}))[0] is True
    inside = {"min": 0.1, "max": 0.6, "outside_unit": 0.0}
    assert verdict_for(finding("KS110"), report(probe={"outputs": inside, "from_logits": False}))[0] is None
    # from_logits=True: the static fact wins over the probe's reading of the loss
    assert verdict_for(finding("KS110", facts={"from_logits": True}), report(probe={"outputs": clipped}))[0] is True
    signed = {"min": -2.0, "max": 3.0, "outside_unit": 0.6}
    assert verdict_for(finding("KS110"), report(probe={"outputs": signed, "from_logits": True}))[0] is False


def test_ks111_classes_in_the_labels_against_output_units() -> None:
    confirmed, evidence = verdict_for(finding("KS111"), report(
        {"labels": {"onehot_width": 10}}, model={"output_units": 5}))
    assert confirmed is True and "10 classes" in evidence and "5 units" in evidence
    ids = {"labels": {"integral": True, "min": 0.0, "max": 99.0, "rows": 500}}
    assert verdict_for(finding("KS111"), report(ids, model={"output_units": 10}))[0] is True
    assert verdict_for(finding("KS111"), report(ids, model={"output_units": 100}))[0] is False
    crashed = Measurements({"status": "crashed", "calls": [], "crash": {"error": "ValueError: incompatible shape"}})
    assert verdict_for(finding("KS111"), crashed)[0] is True


def test_ks112_continuous_targets_and_class_labels() -> None:
    continuous = {"labels": {"integral": False, "distinct": 404, "sampled": 404}}
    confirmed, evidence = verdict_for(finding("KS112"), report(
        continuous, checks={"accuracy": {"reported": {"accuracy": 0.0}}}))
    assert confirmed is True and "404 distinct values" in evidence and "'accuracy' 0.00" in evidence
    classes = {"labels": {"integral": True, "distinct": 2, "sampled": 300}}
    assert verdict_for(finding("KS112"), report(classes))[0] is False


def test_ks206_validation_rows_found_among_training_rows() -> None:
    def overlap(shared):
        return report({"overlap": {"validation_rows": 100, "in_training": shared}})

    assert verdict_for(finding("KS206"), overlap(100)) == (True, "100 of the 100 validation rows (100%) are identical "
                                                                 "to training rows")
    assert verdict_for(finding("KS206"), overlap(0))[0] is False
    assert verdict_for(finding("KS206"), overlap(20))[0] is None
    partial = report({"overlap": {"validation_rows": 100, "in_training": 0, "training_rows_hashed": 1000,
                                  "training_rows": 5000}})
    assert verdict_for(finding("KS206"), partial) == (None, "0 of the 100 validation rows (0%) are identical to "
                                                            "training rows (the first 1000 of 5000 compared)")


def test_ks207_range_after_the_models_rescaling() -> None:
    scaled = {"dtype": "float64", "min": 0.0, "max": 1.0}
    confirmed, evidence = verdict_for(finding("KS207"), report(
        x=scaled, probe={"rescaled": {"layer": "rescaling", "min": 0.0, "max": 0.0039}}))
    assert confirmed is True and "network sees 0..0.0039" in evidence
    assert verdict_for(finding("KS207"), report(
        x=scaled, probe={"rescaled": {"layer": "rescaling", "min": 0.0, "max": 1.0}}))[0] is None


def test_ks208_probe_at_chance_confirms_above_chance_refutes_stand_ins_stay_open() -> None:
    def probe(accuracy, stand_ins=0):
        return report({"association": {"pairs": 600, "held_out": 300, "classes": 3, "accuracy": accuracy,
                                        "majority": 0.36}, "stand_ins_before": stand_ins})

    confirmed, evidence = verdict_for(finding("KS208"), probe(0.33))
    assert confirmed is True and "independent of their samples" in evidence
    assert verdict_for(finding("KS208"), probe(0.95))[0] is False
    assert verdict_for(finding("KS208"), probe(0.33, stand_ins=1))[0] is None


LAYERS = [{"name": "dense", "class": "Dense", "activation": "linear", "inbound": "input_layer"},
          {"name": "dense_1", "class": "Dense", "activation": "softmax", "inbound": "dense"},
          {"name": "activation", "class": "Activation", "activation": "softmax", "inbound": "dense_1"}]


def test_ks303_and_ks304_read_the_built_graph() -> None:
    built = report(probe={"layers": LAYERS, "outputs": {"row_max_max": 0.38, "units": 3}})
    confirmed, evidence = verdict_for(finding("KS303"), built)
    assert confirmed is True and "'dense' (linear) straight into Dense 'dense_1'" in evidence
    confirmed, evidence = verdict_for(finding("KS304"), built)
    assert confirmed is True and "0.380" in evidence and "e/(e+N-1) = 0.576" in evidence
    fixed = [dict(LAYERS[0], activation="relu"), LAYERS[1]]
    assert verdict_for(finding("KS303"), report(probe={"layers": fixed}))[0] is False
    assert verdict_for(finding("KS304"), report(probe={"layers": fixed}))[0] is False


def test_ks305_the_rate_as_built() -> None:
    confirmed, evidence = verdict_for(finding("KS305"), report(
        probe={"optimizer": {"class": "Adam", "learning_rate": 5.0}}, checks={"losses": [0.5, 3e4]}))
    assert confirmed is True and "Adam(learning_rate=5)" in evidence and "0.5 -> 3e+04" in evidence
    assert verdict_for(finding("KS305"), report(probe={"optimizer": {"class": "SGD", "learning_rate": 5.0}}))[0] \
        is False
    assert verdict_for(finding("KS305"), report(probe={"optimizer": {"class": "SGD", "learning_rate": 0.0}}))[0] \
        is True
    default = finding("KS305", facts={"optimizer": "Adadelta", "learning_rate": 0.001, "default": True})
    assert verdict_for(default, report(probe={"optimizer": {"class": "Adadelta", "learning_rate": 0.001}}))[0] is True
    assert verdict_for(default, report(probe={"optimizer": {"class": "Adadelta", "learning_rate": 1.0}}))[0] is False
    assert verdict_for(finding("KS305"), report(probe={"optimizer": {"class": "Adadelta", "learning_rate": 0.001}}))[
        0] is False  # a finding about another optimizer than the one that trains


def test_ks314_the_rate_against_the_floor() -> None:
    floor = finding("KS314", facts={"min_lr": 0.001, "optimizer": "Adam", "learning_rate": 0.001, "default": True})
    confirmed, evidence = verdict_for(floor, report(probe={"optimizer": {"class": "Adam", "learning_rate": 0.001}}))
    assert confirmed is True and "Adam(learning_rate=0.001)" in evidence and "min_lr is 0.001" in evidence
    assert verdict_for(floor, report(probe={"optimizer": {"class": "Adam", "learning_rate": 1e-5}}))[0] is True
    assert verdict_for(floor, report(probe={"optimizer": {"class": "Adam", "learning_rate": 0.01}}))[0] is False
    assert verdict_for(floor, report(probe={}))[0] is None


def test_ks306_hidden_units_still_identical() -> None:
    kernels = [{"name": "dense", "units": 32, "identical_units": True, "all_zero": True},
               {"name": "out", "units": 1, "identical_units": False, "all_zero": False}]
    confirmed, evidence = verdict_for(finding("KS306"), report(probe={"kernels": kernels}, checks={"updates": 5}))
    assert confirmed is True and "32 units of 'dense' still have all zero weights" in evidence
    kernels[0].update(identical_units=False, all_zero=False)
    assert verdict_for(finding("KS306"), report(probe={"kernels": kernels}))[0] is False


@pytest.mark.parametrize("rates, expected", [([0.8, 0.8], True), ([0.2], False)])
def test_ks307_built_dropout_rates(rates, expected) -> None:
    layers = [{"name": f"d{i}", "class": "Dropout", "rate": r} for i, r in enumerate(rates)]
    assert verdict_for(finding("KS307"), report(probe={"layers": layers}))[0] is expected


def test_ks310_a_dense_reading_a_feature_map() -> None:
    layers = [{"name": "conv", "class": "Conv2D", "input_shape": [None, 28, 28, 1], "output_shape": [None, 26, 26, 4]},
              {"name": "dense", "class": "Dense", "input_shape": [None, 26, 26, 4], "output_shape": [None, 26, 26, 10]}]
    confirmed, evidence = verdict_for(finding("KS310"), report(probe={"layers": layers}))
    assert confirmed is True and "[None, 26, 26, 10]" in evidence
    stopped = report(checks={"training_error": "ValueError: must have the same rank"})
    assert verdict_for(finding("KS310"), stopped)[0] is True
    flat = [dict(layers[1], input_shape=[None, 2704], output_shape=[None, 10])]
    assert verdict_for(finding("KS310"), report(probe={"layers": flat}))[0] is False


def test_ks311_batchnorm_output_on_one_sample() -> None:
    erased = report(probe={"batch_size": 1, "batchnorm_one_sample": [{"name": "bn", "max_from_beta": 0.0}]})
    confirmed, evidence = verdict_for(finding("KS311"), erased)
    assert confirmed is True and "exactly its beta" in evidence and "batch_size=1" in evidence
    varied = report(probe={"batchnorm_one_sample": [{"name": "bn", "max_from_beta": 1.7}]})
    assert verdict_for(finding("KS311"), varied)[0] is False


def test_label_association_keeps_wide_inputs_and_many_classes_small() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 100, 400)
    images = rng.integers(0, 256, size=(400, 64, 64, 3), dtype=np.uint8)  # 12,288 features, kept to 4,096
    probe = label_association(images, labels)
    assert probe["classes"] == 100 and probe["accuracy"] < 0.1


def test_class_runs_of_labels_in_blocks_and_mixed() -> None:
    blocks = label_facts(np.concatenate([np.zeros(30), np.ones(20)]))
    assert blocks["class_runs"] == [[0.0, 0, 30], [1.0, 30, 50]]
    assert label_facts(np.eye(2)[[0, 0, 1]])["class_runs"] == [[0.0, 0, 2], [1.0, 2, 3]]
    assert label_facts(np.arange(200) % 2)["class_runs"] is None
    assert "class_runs" not in label_facts(np.linspace(0, 1, 50))


def test_tail_runs_of_labels_mixed_first_then_in_blocks() -> None:
    oversampled = label_facts(np.concatenate([np.arange(200) % 2, np.ones(150), np.full(50, 2)]))
    assert oversampled["class_runs"] is None
    assert oversampled["tail_runs"][-2:] == [[1.0, 199, 350], [2.0, 350, 400]]
    assert len(oversampled["tail_runs"]) == 64
    assert "tail_runs" not in label_facts(np.concatenate([np.zeros(30), np.ones(20)]))


def test_ks209_validation_tail_of_one_class_confirms_mixed_labels_refute() -> None:
    def labels(runs, rows=100):
        return report({"labels": {"rows": rows, "class_runs": runs}})

    facts = {"validation_split": 0.2}
    confirmed, evidence = verdict_for(finding("KS209", facts=facts), labels([[0.0, 0, 50], [1.0, 50, 100]]))
    assert confirmed is True and "rows 80..99, of class 1" in evidence
    assert verdict_for(finding("KS209", facts=facts), labels([[0.0, 0, 70], [1.0, 70, 90], [2.0, 90, 100]]))[0] is False
    assert verdict_for(finding("KS209", facts=facts), labels(None))[0] is False
    assert verdict_for(finding("KS209", facts=facts), report({}))[0] is None


def test_ks209_over_sampled_labels_confirm_when_the_validation_rows_are_the_added_blocks() -> None:
    def labels(tail, rows=100):
        return report({"labels": {"rows": rows, "class_runs": None, "tail_runs": tail}})

    facts = {"validation_split": 0.2, "ordered_by": "minority-last"}
    mixed_then_added = [[0.0, 60, 61], [1.0, 61, 62], [0.0, 62, 70], [1.0, 70, 100]]
    confirmed, evidence = verdict_for(finding("KS209", facts=facts), labels(mixed_then_added))
    assert confirmed is True and "end in 4 runs" in evidence and "of class 1 (one block each)" in evidence
    after_the_split = [[0.0, 85, 90], [1.0, 90, 100]]  # the runs read start after row 80: still mixed there
    assert verdict_for(finding("KS209", facts=facts), labels(after_the_split))[0] is False
    still_mixed = [[0.0, 75, 81], [1.0, 81, 82], [0.0, 82, 83], [1.0, 83, 100]]
    assert verdict_for(finding("KS209", facts=facts), labels(still_mixed))[0] is False


def test_ks209_labels_appended_by_class_folder_confirm_when_the_last_folders_are_not_all_classes() -> None:
    def labels(runs, rows=100):
        return report({"labels": {"rows": rows, "class_runs": runs}})

    facts = {"validation_split": 0.4, "ordered_by": "folder"}
    three_folders = [[0.0, 0, 40], [1.0, 40, 70], [2.0, 70, 100]]
    confirmed, evidence = verdict_for(finding("KS209", facts=facts), labels(three_folders))
    assert confirmed is True and "of classes 1, 2 (one block each)" in evidence
    mixed = [[0.0, 0, 30], [1.0, 30, 60], [0.0, 60, 80], [1.0, 80, 100]]  # a class in two runs: not one per folder
    assert verdict_for(finding("KS209", facts=facts), labels(mixed))[0] is False
    assert verdict_for(finding("KS209", facts=facts), labels([[0.0, 0, 100]]))[0] is False  # one class only


def test_ks210_the_quantities_a_fit_logs_against_what_its_callbacks_monitor() -> None:
    from kerassniff.dynamic.measure import logged_quantities, monitors

    class EarlyStopping:
        monitor = "val_loss"

    class ModelCheckpoint:
        monitor, save_best_only = "val_acc", False

    assert monitors([EarlyStopping(), ModelCheckpoint(), object()]) == [{"callback": "EarlyStopping",
                                                                          "monitor": "val_loss"}]
    ModelCheckpoint.filepath, ModelCheckpoint.save_freq = "w-{epoch:02d}-{val_acc:.2f}.h5", "epoch"
    assert monitors([ModelCheckpoint()]) == [{"callback": "ModelCheckpoint", "monitor": "val_acc", "in": "filepath"}]
    ModelCheckpoint.save_freq = 100  # saved every 100 batches: the name is formatted with the batch's logs
    assert monitors([ModelCheckpoint()]) == []
    checks = {"accuracy": {"reported": {"loss": 0.7, "accuracy": 0.5}}}
    assert logged_quantities(checks, validates=False) == ["accuracy", "loss"]
    assert logged_quantities(checks, validates=True) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert logged_quantities({}, validates=True) is None

    facts = {"callback": "EarlyStopping", "monitor": "val_loss"}
    watched = [{"callback": "EarlyStopping", "monitor": "val_loss"}]
    confirmed, evidence = verdict_for(finding("KS210", facts=facts), report(monitors=watched, logged=["loss"]))
    assert confirmed is True and "val_loss" in evidence
    assert verdict_for(finding("KS210", facts=facts), report(monitors=watched, logged=["loss", "val_loss"]))[0] is False
    assert verdict_for(finding("KS210", facts=facts), report(monitors=watched, logged=None))[0] is None
    assert verdict_for(finding("KS210", facts=facts), report())[0] is None  # no fit with this callback was seen
