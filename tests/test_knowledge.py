"""Library knowledge is written once (semantic/knowledge/) and every reader reads that one table."""
from __future__ import annotations

import importlib

import pytest

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


@pytest.mark.parametrize(("name", "model_class"), [
    ("keras_hub.models.BertTextClassifier", "BertTextClassifier"),
    ("keras_hub.models.BertTextClassifier.from_preset", "BertTextClassifier"),
    ("keras_nlp.models.GemmaCausalLM.from_preset", "GemmaCausalLM"),
    ("keras_hub.models.Backbone.from_preset", "Backbone"),
    ("keras_cv.models.ImageClassifier.from_preset", "ImageClassifier"),
    ("keras_cv.models.RetinaNet", "RetinaNet"),
    # preprocessing and tokenizers are layers, not models (keras-hub 0.32.0), nor is Stable Diffusion's wrapper
    ("keras_hub.models.BertTokenizer.from_preset", None),
    ("keras_hub.models.BertTextClassifierPreprocessor.from_preset", None),
    ("keras_hub.models.ResNetImageConverter", None),
    ("keras_cv.models.StableDiffusion", None),
    ("keras_nlp.models.WhisperAudioFeatureExtractor", None),  # keras-nlp 0.12: a preprocessing layer
    # other methods, deeper modules, functions, other packages: not known to build a model
    ("keras_hub.models.BertTextClassifier.generate", None),
    ("keras_cv.models.object_detection_3d.CenterPillarBackbone", None),
    ("keras_hub.models.some_function", None),
    ("keras_hub.layers.TransformerEncoder", None),
    ("mylib.models.BertTextClassifier", None),
])
def test_library_model_classes(name: str, model_class: str | None) -> None:
    assert model_api.library_model_class(name) == model_class


@pytest.mark.parametrize(("preset", "builtin"), [
    ("bert_base_en_uncased", True), ("resnet_50_imagenet", True),
    ("./my_finetuned_classifier", False), ("/models/clf", False), ("C:\\models\\clf", False),
    ("kaggle://keras/bert/keras/bert_base_en/2", False), ("hf://me/model", False), ("", False), (None, False),
])
def test_builtin_presets_are_plain_names(preset: object, builtin: bool) -> None:
    assert model_api.builtin_preset(preset) is builtin


@pytest.mark.parametrize(("name", "compiles"), [
    ("keras_hub.models.TextClassifier.from_preset", True), ("keras_hub.models.GemmaCausalLM.from_preset", True),
    ("keras_nlp.models.BartSeq2SeqLM", True), ("keras_hub.models.ESMMaskedPLM", True),
    ("keras_hub.models.MoonshineAudioToText.from_preset", True), ("keras_hub.models.DeepLabV3ImageSegmenter", True),
    ("keras_hub.models.Backbone.from_preset", False), ("keras_hub.models.CLIPVisionEncoder", False),
    ("keras_cv.models.ImageClassifier.from_preset", False), ("keras_hub.models.BertTokenizer.from_preset", False),
])
def test_kerashub_tasks_compile_themselves(name: str, compiles: bool) -> None:
    assert model_api.compiles_itself(name) is compiles
