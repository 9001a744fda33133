"""Library knowledge is written once (semantic/knowledge/) and every reader reads that one table."""
from __future__ import annotations

import importlib

from kerassniff.dynamic import synthetic
from kerassniff.semantic import dataflow, training
from kerassniff.semantic.knowledge import datasets, losses, model_api


def test_static_and_dynamic_mode_read_one_dataset_table() -> None:
    assert synthetic.SPECS is datasets.IMAGE_DATASETS
    assert synthetic.SEQUENCE_SPECS is datasets.SEQUENCE_DATASETS
    assert dataflow.DATASETS is datasets.DATASETS
    for name, spec in datasets.KERAS_DATASETS.items():
        assert dataflow.DATASETS[name]["samples"] == (spec.train, spec.test)
        assert dataflow.DATASETS[name]["classes"] == spec.classes
    assert set(synthetic.SPECS) | set(synthetic.SEQUENCE_SPECS) <= set(datasets.KERAS_DATASETS)


def test_one_set_of_model_methods() -> None:
    ks402 = importlib.import_module("kerassniff.checks.ks402_legacy_keras_api")
    ks403 = importlib.import_module("kerassniff.checks.ks403_fractional_steps")
    assert ks402.MODEL_METHODS is ks403.METHODS is model_api.DATA_METHODS
    assert ks402.GENERATOR_METHODS is model_api.GENERATOR_METHODS
    assert model_api.DATA_METHODS <= model_api.FIT_METHODS | model_api.EVALUATE_METHODS | model_api.PREDICT_METHODS


def test_loss_families_are_the_knowledge_tables() -> None:
    assert training.REGRESSION_LOSSES is losses.REGRESSION_LOSSES
    assert training.LOSS_ALIASES is losses.LOSS_ALIASES
    assert set(losses.LOSS_ALIASES.values()) >= losses.CROSSENTROPY_LOSSES | losses.REGRESSION_LOSSES
