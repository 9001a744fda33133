"""The KerasHub family behaves the way the model's tables say (kerassniff/semantic/knowledge/model_api.py).

Slow, and skipped where keras-hub (or keras-cv) is not installed, as in CI: run them after installing it to check
the tables against another release (they were checked against keras-hub 0.32.0 and keras-cv 0.9.0).
"""
from __future__ import annotations

import inspect
import os

import pytest

from kerassniff.semantic.knowledge import model_api

pytestmark = pytest.mark.slow


def _classes(module) -> dict[str, type]:
    return {name: getattr(module, name) for name in dir(module)
            if not name.startswith("_") and inspect.isclass(getattr(module, name))}


def test_the_kerashub_tables_match_the_installed_kerashub() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras_hub = pytest.importorskip("keras_hub")
    import keras

    for name, cls in _classes(keras_hub.models).items():
        dotted = f"keras_hub.models.{name}"
        is_model = issubclass(cls, keras.Model)
        assert (model_api.library_model_class(dotted) is not None) is is_model, name
        assert model_api.compiles_itself(dotted) is (is_model and issubclass(cls, keras_hub.models.Task)), name
        if is_model and name.endswith("Classifier"):  # a linear (logit) head unless told otherwise
            parameters = inspect.signature(cls.__init__).parameters
            assert "activation" not in parameters or parameters["activation"].default is None, name
    assert inspect.signature(keras_hub.models.Task.__init__).parameters["compile"].default is True


def test_the_kerascv_table_matches_the_installed_kerascv() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras_cv = pytest.importorskip("keras_cv")
    import keras

    for name, cls in _classes(keras_cv.models).items():
        is_model = issubclass(cls, keras.Model)
        assert (model_api.library_model_class(f"keras_cv.models.{name}") is not None) is is_model, name
