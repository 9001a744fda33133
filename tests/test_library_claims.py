"""The KerasHub family, and Keras's callbacks and dataset loaders, behave the way the tables say
(kerassniff/semantic/knowledge/model_api.py, keras3_removals.py).

Slow, and skipped where keras-hub (or keras-cv) is not installed, as in CI: run them after installing it to check
the tables against another release (they were checked against keras-hub 0.32.0 and keras-cv 0.9.0).
"""
from __future__ import annotations

import importlib
import inspect
import os

import pytest

from kerassniff.semantic.knowledge import keras3_removals, model_api

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


def test_the_callback_and_dataset_argument_tables_match_the_installed_keras() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")

    def parameters(function) -> tuple[tuple[str, ...], bool]:
        found = [p for p in inspect.signature(function).parameters.values() if p.name != "self"]
        swallows = any(p.kind is p.VAR_KEYWORD for p in found)
        return tuple(p.name for p in found if p.kind is not p.VAR_KEYWORD), swallows

    for name, known in keras3_removals.CALLBACK_PARAMETERS.items():
        assert parameters(getattr(keras.callbacks, name).__init__) == known, name
    for name, known in keras3_removals.UTILITY_PARAMETERS.items():
        assert parameters(getattr(keras.utils, name)) == known, name
    for dotted, name in keras3_removals.UTILITY_FUNCTIONS.items():
        module, function = dotted.rsplit(".", 1)
        assert getattr(importlib.import_module(module), function) is getattr(keras.utils, name), dotted
    for dotted, known in keras3_removals.DATASET_LOADER_PARAMETERS.items():
        module, function = dotted.split(".")
        assert parameters(getattr(getattr(keras.datasets, module), function)) == known, dotted
    for name, known in keras3_removals.REGULARIZER_PARAMETERS.items():
        assert parameters(getattr(keras.regularizers, name)) == known, name
    for (where, old), modern in keras3_removals.RENAMED_LIBRARY_KEYWORDS.items():
        accepted, _ = (keras3_removals.CALLBACK_PARAMETERS.get(where) or keras3_removals.REGULARIZER_PARAMETERS.get(where)
                       or keras3_removals.DATASET_LOADER_PARAMETERS[where])
        assert modern in accepted and old not in accepted, (where, old)


def test_the_keras_2_backend_function_table_matches_the_installed_keras_and_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    table = keras3_removals
    everything = table.BACKEND_FUNCTIONS_IN_OPS | table.BACKEND_FUNCTIONS_IN_RANDOM | table.BACKEND_FUNCTIONS_ELSEWHERE
    legacy = {n for n in dir(tf.keras.backend) if not n.startswith("_") and not hasattr(keras.backend, n)}
    assert everything == legacy  # gone from Keras 3's keras.backend, kept by TensorFlow's tf.keras.backend
    assert all(hasattr(keras.ops, n) for n in table.BACKEND_FUNCTIONS_IN_OPS)
    assert all(hasattr(keras.random, n.removeprefix("random_")) for n in table.BACKEND_FUNCTIONS_IN_RANDOM)
    for name, spelling in table.BACKEND_SPELLINGS.items():  # the hint's keras.* spellings exist
        assert name in everything, name
        if spelling.startswith("keras."):
            module, attribute = spelling.split("(")[0].rsplit(".", 1)
            assert hasattr({"keras.ops": keras.ops, "keras.random": keras.random, "keras": keras}[module], attribute)


def test_keras_3_image_iterators_lost_next_while_tf_data_iterators_keep_it() -> None:
    """KS402's iterator.next() check (checks/_ks402_methods.py): an ImageDataGenerator flow has only __next__."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    flow = ImageDataGenerator(rescale=1 / 255).flow(np.zeros((4, 8, 8, 3)), np.arange(4), batch_size=2)
    assert not hasattr(flow, "next") and hasattr(flow, "__next__")
    assert next(flow)[0].shape == (2, 8, 8, 3)
    assert hasattr(iter(tf.data.Dataset.range(2)), "next")  # not reported: tf.data keeps it


def test_keras_3_trains_nothing_of_a_model_frozen_between_compile_and_its_first_training_call() -> None:
    """KS312's GAN case: Keras 3 builds the train function at the first call, with the weights trainable then; a
    model trained once before the freeze keeps training (its function was built already)."""
    import numpy as np
    import keras

    def judge():
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        return model

    x, y = np.random.rand(32, 4), np.random.randint(0, 2, (32, 1))

    def moved(model) -> bool:
        before = [w.copy() for w in model.get_weights()]
        model.train_on_batch(x, y)
        return any((a != b).any() for a, b in zip(before, model.get_weights()))

    frozen_first = judge()
    frozen_first.trainable = False
    assert not moved(frozen_first) and not moved(frozen_first)
    trained_first = judge()
    trained_first.train_on_batch(x, y)
    trained_first.trainable = False
    assert moved(trained_first)
    frozen_then_unfrozen = judge()
    frozen_then_unfrozen.trainable = False
    frozen_then_unfrozen.trainable = True
    assert moved(frozen_then_unfrozen)
    # compile() after a change of metrics, for KS402: Keras 3 takes only a list, tuple or dict
    with pytest.raises(ValueError, match="list, tuple, or dict"):
        judge().compile("adam", "binary_crossentropy", metrics="accuracy")
    # ModelCheckpoint fills its file name with the epoch's logs, for KS210
    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join("unused", "w-{val_acc:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        checkpoint._get_file_path(0, None, {"loss": 0.5, "val_accuracy": 0.5})


def test_the_built_in_input_scaling_table_matches_the_installed_applications() -> None:
    """knowledge/layers.BUILT_IN_SCALING (KS207, KS202): the first scaling layer each family builds, and the
    include_preprocessing switch."""
    import keras

    from kerassniff.semantic.knowledge.layers import BUILT_IN_SCALING

    def first_scaling(model):
        for layer in model.layers:
            if type(layer).__name__ in ("Rescaling", "Normalization"):
                return layer
        return None

    for name, prefix in (("EfficientNetB0", "EfficientNetB"), ("EfficientNetV2B0", "EfficientNetV2B"),
                         ("EfficientNetV2S", "EfficientNetV2"), ("MobileNetV3Small", "MobileNetV3"),
                         ("ConvNeXtTiny", "ConvNeXt")):
        factor, offset, switchable, _ = BUILT_IN_SCALING[prefix]
        build = getattr(keras.applications, name)
        layer = first_scaling(build(weights=None, include_top=False, input_shape=(64, 64, 3)))
        if type(layer).__name__ == "Rescaling":
            assert (layer.scale, layer.offset) == pytest.approx((factor, offset)), name
        else:  # ConvNeXt: (x - mean) / sqrt(variance), red channel
            mean, variance = layer.input_mean[0], layer.input_variance[0]
            assert (1 / variance ** 0.5, -mean / variance ** 0.5) == pytest.approx((factor, offset), rel=1e-3), name
        assert ("include_preprocessing" in inspect.signature(build).parameters) == switchable, name
        if switchable:
            bare = build(weights=None, include_top=False, input_shape=(64, 64, 3), include_preprocessing=False)
            assert first_scaling(bare) is None or type(first_scaling(bare)).__name__ == "Normalization" and \
                "stem" in first_scaling(bare).name, name


def test_the_removed_module_table_names_what_keras_3_lacks() -> None:
    """KS402's REMOVED_MODULES: none of its names resolves in the installed Keras 3, under keras. or
    tensorflow.keras."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")

    def resolves(dotted: str) -> bool:
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                value = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for name in parts[cut:]:
                if not hasattr(value, name):
                    return False
                value = getattr(value, name)
            return True
        return False

    for module in keras3_removals.REMOVED_MODULES:
        for root in ("keras", "tensorflow.keras"):
            assert not resolves(f"{root}.{module}"), f"{root}.{module}"
    assert resolves("keras.backend.image_data_format") and resolves("keras.initializers.HeNormal")


def test_the_keras_only_removals_are_gone_from_keras_3_and_kept_by_tensorflow_keras() -> None:
    """KS402's REMOVED_FROM_KERAS: each name is missing from the installed Keras 3 under keras., and resolves under
    tensorflow.keras (TensorFlow's tf.keras namespace keeps it), so it is reported under keras. only."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")

    def resolves(dotted: str) -> bool:
        module, _, rest = dotted.partition(".")
        value = importlib.import_module(module)
        for name in rest.split("."):
            try:
                value = getattr(value, name)
            except AttributeError:
                return False
        return True

    for name in keras3_removals.REMOVED_FROM_KERAS:
        assert not resolves(f"keras.{name}"), f"keras.{name}"
        if not name.startswith("preprocessing."):  # (its modules are imported, not attributes, under tensorflow.keras)
            assert resolves(f"tensorflow.keras.{name}"), f"tensorflow.keras.{name}"


def test_the_word_index_datasets_shift_every_rank_by_index_from() -> None:
    """knowledge/datasets.WORD_INDEX_OFFSETS and WORD_INDEX_FROM_POSITION (KS222): load_data()'s default index_from,
    added to every rank, and its position (from the installed Keras's own signature and source, no download)."""
    import inspect

    from kerassniff.semantic.knowledge.datasets import WORD_INDEX_FROM_POSITION, WORD_INDEX_OFFSETS

    for name, offset in WORD_INDEX_OFFSETS.items():
        module = importlib.import_module(f"keras.datasets.{name}")
        parameters = list(inspect.signature(module.load_data).parameters)
        assert inspect.signature(module.load_data).parameters["index_from"].default == offset, name
        assert parameters.index("index_from") == WORD_INDEX_FROM_POSITION[name], name
        assert "w + index_from" in inspect.getsource(inspect.unwrap(module.load_data)), name
        assert hasattr(module, "get_word_index"), name


def test_the_dataset_class_names_are_the_ones_load_data_documents_in_id_order() -> None:
    """knowledge/datasets.KerasDataset.class_names (KS236): the table of each dataset's load_data() docstring, row by
    row (label id, class), and every spelling of the table stands for one class only."""
    import re

    from kerassniff.semantic.knowledge.datasets import CLASS_NAME_SPELLINGS, KERAS_DATASETS, class_name_key

    named = {name: spec for name, spec in KERAS_DATASETS.items() if spec.class_names is not None}
    assert set(named) == {"cifar10", "fashion_mnist"}
    for name, spec in named.items():
        module = importlib.import_module(f"keras.datasets.{name}")
        rows = re.findall(r"^\s*\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|\s*$", module.load_data.__doc__, re.MULTILINE)
        assert [(int(label), text) for label, text in rows] == list(enumerate(spec.class_names)), name
    keys = {class_name_key(name) for spec in named.values() for name in spec.class_names}
    assert set(CLASS_NAME_SPELLINGS) <= keys
    spellings = [s for key in keys for s in (key, *CLASS_NAME_SPELLINGS.get(key, ()))]
    assert len(spellings) == len(set(spellings))


def test_the_preprocess_input_maps_match_the_installed_applications() -> None:
    """knowledge/layers.PREPROCESSING_AFFINE (KS207): each mode's map of every colour channel of 0-255 pixels, and
    ImageDataGenerator's order (preprocessing_function first, then rescale)."""
    import numpy as np
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    from kerassniff.semantic.knowledge.layers import PREPROCESSING_AFFINE, PREPROCESSING_MODES

    pixels = np.stack([np.zeros((1, 1, 3)), np.full((1, 1, 3), 255.0)]).astype("float32")
    for mode, module_name in {mode: module for mode, module in PREPROCESSING_MODES.values()}.items():
        module = importlib.import_module(f"keras.applications.{module_name}")
        preprocessed = module.preprocess_input(pixels.copy())[:, 0, 0, :]
        assert len(PREPROCESSING_AFFINE[mode]) == 3, mode
        for channel, (factor, offset) in enumerate(PREPROCESSING_AFFINE[mode]):
            low, high = preprocessed[:, channel]
            assert (float(low), float(high)) == pytest.approx((offset, 255 * factor + offset), rel=1e-3), (mode, channel)
    generator = ImageDataGenerator(rescale=1 / 255, preprocessing_function=lambda x: x + 1000)
    assert generator.standardize(np.zeros((1, 1, 3), "float32"))[0, 0, 0] == pytest.approx(1000 / 255)


def test_the_private_copy_parts_reported_are_missing_from_the_installed_tensorflow() -> None:
    """KS402's PRIVATE_COPY_REMOVED: TensorFlow's private Keras 2 copy is there, without these subpackages."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    importlib.import_module(keras3_removals.PRIVATE_COPY)
    importlib.import_module(keras3_removals.PRIVATE_COPY + ".layers")
    for part in keras3_removals.PRIVATE_COPY_REMOVED:
        with pytest.raises(ImportError):
            importlib.import_module(f"{keras3_removals.PRIVATE_COPY}.{part}")


def test_the_private_copy_modules_hold_exactly_the_names_listed() -> None:
    """KS402's PRIVATE_COPY_NAMES: each module's public names and submodules in the installed TensorFlow (a name
    outside the list is an ImportError there), and the names the table says the copy lost are really gone."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import pkgutil

    for part, names in keras3_removals.PRIVATE_COPY_NAMES.items():
        module = importlib.import_module(f"{keras3_removals.PRIVATE_COPY}.{part}")
        held = {name for name in dir(module) if not name.startswith("_")}
        held |= {info.name for info in pkgutil.iter_modules(getattr(module, "__path__", []))}
        assert held == names, part
    for part, name in (("layers", "LSTM"), ("layers", "BatchNormalization"), ("optimizers", "Adam")):
        with pytest.raises(ImportError):
            exec(f"from {keras3_removals.PRIVATE_COPY}.{part} import {name}", {})


def test_tensorflow_2_lost_tf_train_optimizers_and_keras_3_refuses_the_compat_copies() -> None:
    """KS402's TENSORFLOW_1_OPTIMIZERS: no tf.train.<Name>, a tf.compat.v1.train.<Name> that Keras 3's compile()
    refuses, and the Keras optimizer the hint names."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    for name, modern in keras3_removals.TENSORFLOW_1_OPTIMIZERS.items():
        assert not hasattr(tf.train, name)
        old = getattr(tf.compat.v1.train, name)
        optimizer = old(0.01, 0.9) if name == "MomentumOptimizer" else old(0.01)
        with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
            model.compile(optimizer=optimizer, loss="mse")
        assert hasattr(keras.optimizers, modern.split("(")[0])


def test_keras_3_refuses_a_python_list_of_numbers_as_data() -> None:
    """KS402's python_numbers (checks/_ks402_methods.py): fit/evaluate/predict on a list of numbers, x or y, raise
    ValueError; a list of arrays (one per input) is accepted."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    array = np.array([[1.0], [2.0]])
    for call in (lambda: model.fit([1.0, 2.0], array, epochs=1, verbose=0),
                 lambda: model.fit(array, [1.0, 2.0], epochs=1, verbose=0),
                 lambda: model.evaluate(array, [1.0, 2.0], verbose=0),
                 lambda: model.predict([10.0], verbose=0),
                 lambda: model.predict([[10.0], [11.0]], verbose=0)):
        with pytest.raises(ValueError, match="Unrecognized data type"):
            call()
    left, right = keras.Input((1,)), keras.Input((1,))
    pair = keras.Model([left, right], keras.layers.Dense(1)(keras.layers.Concatenate()([left, right])))
    assert pair.predict([array, array], verbose=0).shape == (2, 1)


def test_keras_3_takes_a_list_of_one_array_as_that_array_for_a_one_input_model() -> None:
    """The data events (semantic/library/keras_training.py): predict([batch]) on a one-input model, Sequential or
    functional, is predict(batch)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import warnings

    import keras
    import numpy as np

    batch = np.arange(12, dtype="float32").reshape(3, 4)
    inputs = keras.Input((4,))
    for model in (keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
                  keras.Model(inputs, keras.layers.Dense(2)(inputs))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras 3 warns that the structure differs, and then flattens it
            np.testing.assert_allclose(model.predict([batch], verbose=0), model.predict(batch, verbose=0))


def test_keras_3_fit_refuses_a_class_weight_string() -> None:
    """KS402's class_weight_not_a_dict: fit(class_weight="auto") stops with AttributeError; a dict is read."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    for given in ("auto", "balanced"):
        with pytest.raises(AttributeError):
            model.fit(x, y, epochs=1, verbose=0, class_weight=given)
    model.fit(x, y, epochs=1, verbose=0, class_weight={0: 1.0, 1: 2.0})


def test_the_ignored_keyword_defaults_match_the_installed_keras() -> None:
    """KS402's RENAMED_KEYWORD_DEFAULTS: each ignored Keras 2 keyword's modern keyword has that default."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    owners = {"ReduceLROnPlateau": keras.callbacks.ReduceLROnPlateau, "imdb.load_data": keras.datasets.imdb.load_data}
    for (owner, old), default in keras3_removals.RENAMED_KEYWORD_DEFAULTS.items():
        modern = keras3_removals.RENAMED_LIBRARY_KEYWORDS[(owner, old)]
        assert inspect.signature(owners[owner]).parameters[modern].default == default, (owner, modern)


def test_numpy_rounding_gives_a_float_that_keras_3_steps_refuse_and_numpy_2_has_no_math() -> None:
    """KS403's NUMPY_ROUNDING row and KS404's numpy.math: np.ceil(n / b) is a numpy float, which fit(steps_per_epoch=)
    refuses with TypeError; NumPy 2 has no np.math."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    assert not hasattr(np, "math")
    steps = np.ceil(64 / 8)
    assert isinstance(steps, np.floating)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")

    def batches():
        while True:
            yield np.zeros((8, 2)), np.zeros((8, 1))

    with pytest.raises(TypeError):
        model.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=0)


def test_a_dropout_after_a_sigmoid_output_gives_the_training_loss_zeros_and_values_above_1() -> None:
    """KS110's Dropout after the sigmoid output: in training the outputs are 0 or scaled by 1 / (1 - rate), past 1
    for a confident output; at inference they are the sigmoid's."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid",
                                                                     bias_initializer=keras.initializers.Constant(4.0)),
                              keras.layers.Dropout(0.5)])
    x = np.zeros((400, 1))
    training = keras.ops.convert_to_numpy(model(x, training=True))
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    assert (training == 0).any() and (training > 1).any()
    assert ((inference > 0) & (inference < 1)).all()


def test_the_compile_arguments_and_the_yaml_removal_match_the_installed_keras() -> None:
    """KS402's COMPILE_PARAMETERS are Keras 3's Model.compile() arguments (another keyword: TypeError), and Keras 3
    models have no to_yaml() nor keras.models.model_from_yaml."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert tuple(inspect.signature(model.compile).parameters) == keras3_removals.COMPILE_PARAMETERS
    for keyword in keras3_removals.COMPILE_KEYWORD_ADVICE:
        with pytest.raises(TypeError):
            model.compile(optimizer="sgd", loss="mse", **{keyword: None})
    assert not hasattr(model, keras3_removals.YAML_METHOD) and not hasattr(keras.models, "model_from_yaml")


def test_the_monitor_directions_and_mode_positions_match_the_installed_keras() -> None:
    """KS211's tables (knowledge/model_api.py): each named quantity's direction is the _direction of Keras 3's
    metric of that name (the loss falls), mode= sits where MODE_POSITION says, and a callback given mode= compares
    with that operator whatever the quantity."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    declared = {}
    for name in dir(keras.metrics):
        cls = getattr(keras.metrics, name)
        if inspect.isclass(cls) and issubclass(cls, keras.metrics.Metric):
            try:
                metric = cls()
            except TypeError:
                try:
                    metric = cls(num_classes=3)
                except TypeError:
                    continue
            if getattr(metric, "_direction", None) in ("up", "down"):
                declared[metric.name] = metric._direction
    for quantity, direction in model_api.METRIC_DIRECTIONS.items():
        if quantity in declared:
            assert declared[quantity] == direction, quantity
    assert {"accuracy", "auc", "precision", "recall", "mean_absolute_error", "root_mean_squared_error"} <= \
        declared.keys() & model_api.METRIC_DIRECTIONS.keys()
    for dotted, position in model_api.MODE_POSITION.items():
        cls = getattr(keras.callbacks, dotted.rsplit(".", 1)[-1])
        assert list(inspect.signature(cls.__init__).parameters)[1:][position] == "mode", dotted
    stop = keras.callbacks.EarlyStopping(monitor="accuracy", mode="min")
    stop._set_monitor_op()
    assert stop.monitor_op is keras.ops.less  # a higher accuracy is not an improvement


def test_a_tensorflow_tape_loop_gets_the_right_loss_from_logits_true_on_a_softmax_or_sigmoid() -> None:
    """KS104 (_tensorflow_loop): in a tf.GradientTape loop, eager or in tf.function, Keras 3's crossentropy with
    from_logits=True on a softmax/sigmoid output reads the cached logits: the same loss as from_logits=False."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    import warnings

    import keras
    import numpy as np

    x = np.random.RandomState(0).randn(32, 20).astype("float32")
    classes, tags = np.arange(32) % 4, (np.random.RandomState(1).rand(32, 4) > 0.5).astype("float32")
    for activation, labels, loss in (("softmax", classes, keras.losses.SparseCategoricalCrossentropy),
                                     ("sigmoid", tags, keras.losses.BinaryCrossentropy)):
        inputs = keras.Input((20,))
        model = keras.Model(inputs, keras.layers.Dense(4, activation=activation)(inputs))
        right = float(loss()(labels, model(x)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns that the output does not represent logits
            with tf.GradientTape():
                eager = float(loss(from_logits=True)(labels, model(x, training=True)))
            traced = float(tf.function(lambda batch: loss(from_logits=True)(labels, model(batch, training=True)))(x))
        assert abs(eager - right) < 1e-5 and abs(traced - right) < 1e-5, activation


def test_keras_3_load_model_refuses_a_folder_or_a_name_without_its_extensions(tmp_path) -> None:
    """KS402's load_name (checks/_ks402_methods.py): a SavedModel-style folder or an extension-less name raises
    ValueError ("File format not supported"); the suffixes it reads are LOADABLE_SUFFIXES."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    from kerassniff.checks._ks402_methods import LOADABLE_SUFFIXES

    folder = tmp_path / "exported_model"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"")
    for name in (folder, tmp_path / "weights.ckpt"):
        with pytest.raises(ValueError, match="File format not supported"):
            keras.models.load_model(str(name))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    for suffix in LOADABLE_SUFFIXES:
        model.save(tmp_path / f"m{suffix}")
        assert keras.models.load_model(tmp_path / f"m{suffix}").count_params() == 4


def test_keras_3_load_weights_refuses_a_tensorflow_checkpoint_name(tmp_path) -> None:
    """KS402's load_name(weights=True): Keras 3's load_weights() raises ValueError ("File format not supported") for a
    TensorFlow checkpoint name ('weights.tf', 'cp.ckpt', a folder), and reads the suffixes of
    LOADABLE_WEIGHTS_SUFFIXES."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    from kerassniff.semantic.knowledge.keras3_removals import LOADABLE_WEIGHTS_SUFFIXES

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    folder = tmp_path / "training_checkpoints"
    folder.mkdir()
    (folder / "checkpoint").write_text("model_checkpoint_path: \"cp.ckpt\"\n")
    for name in (tmp_path / "weights.tf", tmp_path / "cp.ckpt", folder):
        with pytest.raises(ValueError, match="File format not supported"):
            model.load_weights(str(name))
    model.save_weights(tmp_path / "w.weights.h5")
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.hdf5")
    model.save_weights(tmp_path / "w.weights.json", max_shard_size=1)  # sharded weights: their index file
    written = {".keras": "m.keras", ".h5": "w.weights.h5", ".hdf5": "m.hdf5", ".weights.json": "w.weights.json"}
    for suffix in LOADABLE_WEIGHTS_SUFFIXES:
        model.load_weights(tmp_path / written[suffix])  # reads without an error


def test_keras_3_load_img_takes_color_mode_second() -> None:
    """KS402's positional_grayscale: Keras 3's load_img() reads its second positional argument as color_mode (Keras 2's
    was grayscale), and a color_mode other than the three names raises ValueError (checked in its source: PIL is not
    installed here, so the image read itself is not run)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import inspect

    import keras
    from keras.src.utils import image_utils

    assert list(inspect.signature(keras.utils.load_img).parameters)[:2] == ["path", "color_mode"]
    assert 'raise ValueError(\'color_mode must be "grayscale", "rgb", or "rgba"\')' in \
        inspect.getsource(image_utils.load_img)


def test_keras_3_refuses_float_layer_sizes() -> None:
    """KS402's float_sizes (INTEGER_SIZES): each listed size given as a float raises ValueError on Keras 3, Dense's and
    Embedding's when the layer is made, a convolution's filters when it is built on an input (its constructor takes
    the float); the same layers with integers build; LSTM's units, left out, are taken when made (and fail when built
    in tf.keras 2 as well)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    from kerassniff.semantic.knowledge.keras3_removals import INTEGER_SIZES

    for layer, sizes in INTEGER_SIZES.items():
        make = getattr(keras.layers, layer)
        for keyword, position in sizes:
            if layer in ("Dense", "Embedding"):
                arguments = [8] * (max(p for _, p in sizes) + 1)
                arguments[position] = 8.0
                with pytest.raises(ValueError):
                    make(*arguments)
                assert make(*[8] * len(arguments)) is not None
                continue
            rank = 3 if "3D" in layer else 2 if "2D" in layer else 1
            inputs = keras.Input((8,) * rank + (2,))
            assert make(8, 3)(inputs) is not None
            with pytest.raises(ValueError):
                make(8.0, 3)(inputs)
    keras.layers.LSTM(8.0)


def test_normalized_stem_applications_start_with_a_linear_conv_and_batchnorm() -> None:
    """KS202's NORMALIZED_STEM_APPLICATIONS: built with weights=None, each starts (after padding) with a linear
    convolution followed at once by BatchNormalization; VGG16 and ResNet50V2, left out, do not."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    from kerassniff.semantic.knowledge.layers import NORMALIZED_STEM_APPLICATIONS

    def normalized_stem(name: str) -> bool:
        extra = {"input_shape": (224, 224, 3)} if name.startswith("NASNet") else {}
        network = getattr(keras.applications, name)(weights=None, include_top=False, **extra)
        kinds = [type(layer).__name__ for layer in network.layers if type(layer).__name__ not in
                 ("InputLayer", "ZeroPadding2D")]
        first = next(layer for layer in network.layers if type(layer).__name__ == kinds[0])
        return kinds[0] == "Conv2D" and first.activation.__name__ == "linear" and kinds[1] == "BatchNormalization"

    for name in sorted(NORMALIZED_STEM_APPLICATIONS):
        assert normalized_stem(name), name
    assert not normalized_stem("VGG16") and not normalized_stem("ResNet50V2")


def test_keras_3_functional_models_refuse_add_loss() -> None:
    """KS402's functional_add_loss: Keras 3's functional Model.add_loss() raises NotImplementedError (the Keras 2 VAE
    recipe), while a layer's add_loss() inside call() still trains."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    inputs = keras.Input((4,))
    code = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(4)(code))
    with pytest.raises(NotImplementedError):
        model.add_loss(keras.ops.mean(code))

    class Penalised(keras.layers.Layer):
        def call(self, x):
            self.add_loss(keras.ops.mean(keras.ops.square(x)))
            return x

    layered = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2), Penalised()])
    layered.compile(optimizer="sgd", loss="mse")
    layered.fit(np.zeros((8, 4)), np.zeros((8, 2)), verbose=0)


def test_keras_3_fails_a_loss_that_reads_the_graph_tensors_around_it() -> None:
    """KS402's loss_reading_graph_tensors: the Keras 2 VAE recipe's loss closing over the encoder's KerasTensors
    stops the first fit() step in Keras 3 (ValueError or TypeError, depending on the op that meets it); the same
    loss on its arguments alone trains."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    inputs = keras.Input((8,))
    mean = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(8, activation="sigmoid")(mean))

    def closing_over(x, decoded):
        return keras.losses.binary_crossentropy(x, decoded) + keras.ops.mean(keras.ops.square(mean), axis=-1)

    def own_values(x, decoded):
        return keras.losses.binary_crossentropy(x, decoded) + keras.ops.mean(keras.ops.square(decoded), axis=-1)

    data = np.random.rand(16, 8).astype("float32")
    model.compile(optimizer="adam", loss=closing_over)
    with pytest.raises((ValueError, TypeError)):
        model.fit(data, data, epochs=1, verbose=0)
    model.compile(optimizer="adam", loss=own_values)
    model.fit(data, data, epochs=1, verbose=0)


def test_keras_3_reads_a_list_of_metrics_as_one_entry_per_output_of_a_multi_output_model() -> None:
    """KS402's compile(metrics=["accuracy"]) on two outputs: tf.keras 2 gave the metric to every output; Keras 3
    fails when the metrics are built, at the first fit() or train_on_batch(); one entry per output trains."""
    import numpy as np
    import keras

    def judge(metrics):
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        model = keras.Model(inputs, [keras.layers.Dense(1, activation="sigmoid")(hidden),
                                     keras.layers.Dense(3, activation="softmax")(hidden)])
        model.compile("adam", ["binary_crossentropy", "sparse_categorical_crossentropy"], metrics=metrics)
        return model

    x, y = np.random.rand(16, 4), [np.random.randint(0, 2, (16, 1)), np.random.randint(0, 3, (16,))]
    with pytest.raises(ValueError, match="Invalid `metrics`"):
        judge(["accuracy"]).fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="Invalid `metrics`"):
        judge(["accuracy"]).train_on_batch(x, y)
    judge([["accuracy"], ["accuracy"]]).fit(x, y, epochs=1, verbose=0)  # what the fix writes
    judge(["accuracy", "accuracy"]).fit(x, y, epochs=1, verbose=0)


def test_keras_3_model_layers_is_a_new_list_on_each_read() -> None:
    """KS402's model.layers.pop(): it pops a copy, and the model keeps its last layer."""
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2, activation="softmax")])
    last = model.layers[-1]
    model.layers.pop()
    assert len(model.layers) == 2 and model.layers[-1] is last and model.layers is not model.layers


def test_tensorflow_2_lacks_the_tensorflow_names_reported() -> None:
    """KS402's REMOVED_FROM_TENSORFLOW (TensorFlow 1 packages) and REMOVED_FROM_TENSORFLOW_2 (names kept only under
    tf.compat.v1) are absent from the installed TensorFlow; the compat copies are there."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    for package in keras3_removals.REMOVED_FROM_TENSORFLOW:
        assert not hasattr(tf, package), package
        with pytest.raises(ImportError):
            importlib.import_module(f"tensorflow.{package}")
    for module, name in keras3_removals.REMOVED_FROM_TENSORFLOW_2:
        current, compat = tf, tf.compat.v1
        for part in module.split("."):
            current, compat = getattr(current, part, None), getattr(compat, part)
        assert current is None or not hasattr(current, name), name
        assert hasattr(compat, name), name


def test_keras_3_optimizers_have_no_lr_and_adadelta_defaults_to_a_thousandth() -> None:
    """KS402's REMOVED_OPTIMIZER_ATTRIBUTES (reading optimizer.lr or .decay fails; assigning them changes nothing:
    the rate after four steps is the rate built) and KS305's
    ADADELTA_DEFAULT (the rate Adadelta() and "adadelta" build with)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    from kerassniff.checks.ks305_invalid_learning_rate import ADADELTA_DEFAULT
    from kerassniff.semantic.knowledge.keras3_removals import REMOVED_OPTIMIZER_ATTRIBUTES

    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    for old, new in REMOVED_OPTIMIZER_ATTRIBUTES.items():
        assert not hasattr(optimizer, old) and (new is None or hasattr(optimizer, new)), old
        setattr(optimizer, old, 0.5)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, epochs=1, verbose=0)
    assert float(optimizer.learning_rate) == pytest.approx(0.1)  # neither 'lr' nor 'decay' reached the rate
    assert float(keras.optimizers.Adadelta().learning_rate) == pytest.approx(ADADELTA_DEFAULT)
    assert float(keras.optimizers.get("adadelta").learning_rate) == pytest.approx(ADADELTA_DEFAULT)


def test_optimizer_defaults_and_the_plateau_floor() -> None:
    """model_api.DEFAULT_LEARNING_RATES (the rate each optimizer, built or named, starts at) and KS314's claim:
    ReduceLROnPlateau lowers nothing when min_lr is not below the rate, and lowers a rate above it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")

    for name, rate in model_api.DEFAULT_LEARNING_RATES.items():
        assert float(getattr(keras.optimizers, name)().learning_rate) == pytest.approx(rate), name
        assert float(keras.optimizers.get(name.lower()).learning_rate) == pytest.approx(rate), name
    parameters = list(inspect.signature(keras.callbacks.ReduceLROnPlateau).parameters)
    assert parameters.index("min_lr") == model_api.MIN_LR_POSITION

    def rate_after_plateau(min_lr: float) -> float:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        plateau = keras.callbacks.ReduceLROnPlateau(patience=0, min_lr=min_lr)
        plateau.set_model(model)
        plateau.on_train_begin()
        for epoch in range(3):
            plateau.on_epoch_end(epoch, {"val_loss": 1.0})
        return float(model.optimizer.learning_rate)

    assert rate_after_plateau(0.001) == pytest.approx(0.001)  # equal to Adam's start: never lowered
    assert rate_after_plateau(0.01) == pytest.approx(0.001)  # above it: never lowered (nor raised)
    assert rate_after_plateau(1e-6) < 0.001


def test_divided_class_ids_collapse_to_class_0() -> None:
    """KS242's claim: to_categorical() and the sparse categorical loss cast divided class ids back to integers, so
    every id below the divisor is class 0."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    divided = np.array([1, 5, 9]) / 255.0
    assert keras.utils.to_categorical(divided, 10).argmax(axis=1).tolist() == [0, 0, 0]
    predicted = np.full((3, 10), 0.05, dtype="float32")
    predicted[:, 3] = 0.55
    loss = keras.losses.sparse_categorical_crossentropy
    assert np.allclose(loss(divided.astype("float32"), predicted), loss(np.zeros(3, "float32"), predicted))


def test_keras_3_cannot_load_an_h5_model_compiled_with_a_short_loss_name(tmp_path) -> None:
    """KS402's H5_UNREADABLE_LOSSES: each short loss name saved to .h5 makes load_model() raise ValueError on Keras 3;
    the full name, a .keras file and compile=False all load."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    from kerassniff.semantic.knowledge.keras3_removals import H5_UNREADABLE_LOSSES

    def saved(loss: str, name: str) -> str:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss=loss)
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)
        path = str(tmp_path / name)
        model.save(path)
        return path

    for short, full in H5_UNREADABLE_LOSSES.items():
        with pytest.raises(ValueError, match="deserialize"):
            keras.models.load_model(saved(short, f"{short}.h5"))
        keras.models.load_model(saved(full, f"{full}.h5"))
    with pytest.raises(ValueError, match="deserialize"):
        keras.models.load_model(saved("MSE", "upper.h5"))  # Keras reads loss names in any case
    keras.models.load_model(saved("mse", "mse.keras"))
    keras.models.load_model(saved("mse", "mse_again.h5"), compile=False)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.save(str(tmp_path / "no_optimizer.h5"), include_optimizer=False)  # no compile configuration stored
    keras.models.load_model(str(tmp_path / "no_optimizer.h5"))
    same_network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    same_network.load_weights(saved("mse", "read_as_weights.h5"))  # load_weights() reads the whole-model file


def test_keras_3_builds_no_sequential_from_an_embedding_so_set_weights_before_a_build_raises(tmp_path) -> None:
    """KS402's unbuilt-Embedding check: Keras 3 ignores input_length=, so set_weights() on the model, on a layer
    indexed by model.layers[i] or on the layer object raises ValueError until something builds the model; a
    keras.Input, input_shape=, build(), a call and predict() each build it, and summary() and compile() do not."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import warnings

    import numpy as np

    table = np.zeros((20, 4), dtype="float32")

    def unbuilt(**shape) -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (Keras 3 warns that input_length= is deprecated)
            return keras.Sequential([keras.layers.Embedding(20, 4, **shape), keras.layers.Flatten(),
                                     keras.layers.Dense(1)])

    for model in (unbuilt(input_length=6), unbuilt()):
        model.summary(print_fn=lambda *args, **kwargs: None)
        model.compile(optimizer="adam", loss="mse")
        with pytest.raises(ValueError, match="expecting 0 weights"):
            model.layers[0].set_weights([table])
        with pytest.raises(ValueError, match="expecting 0 weights"):
            model.set_weights([table, np.zeros((24, 1)), np.zeros(1)])
    saved = keras.Sequential([keras.Input((6,)), keras.layers.Embedding(20, 4), keras.layers.Flatten(),
                              keras.layers.Dense(1)])
    weights_file = str(tmp_path / "saved.weights.h5")
    saved.save_weights(weights_file)
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt(input_length=6).load_weights(weights_file)
    layer = keras.layers.Embedding(20, 4, input_length=6)
    keras.Sequential([layer])
    with pytest.raises(ValueError, match="expecting 0 weights"):
        layer.set_weights([table])
    built = [keras.Sequential([keras.Input((6,)), keras.layers.Embedding(20, 4)]),
             keras.Sequential([keras.layers.Embedding(20, 4, input_shape=(6,))])]
    for build in ("build", "call", "predict"):
        model = unbuilt(input_length=6)
        if build == "build":
            model.build((None, 6))
        elif build == "call":
            model(np.zeros((1, 6)))
        else:
            model.predict(np.zeros((1, 6)), verbose=0)
        built.append(model)
    for model in built:
        model.layers[0].set_weights([table])


def test_python_int_truncates_one_probability_and_refuses_an_array_of_them() -> None:
    """KS113's int() case: int() of one number truncates a probability to 0; of a whole (1, 1) prediction, or of one
    row of it, NumPy 2 raises TypeError rather than truncating (so only a fully indexed element is flagged)."""
    import numpy as np

    predictions = np.array([[0.97]], dtype="float32")
    assert int(predictions[0][0]) == 0 and int(predictions[0, 0]) == 0 and int(predictions.ravel()[0]) == 0
    for whole in (predictions, predictions[0]):
        with pytest.raises(TypeError, match="0-dimensional"):
            int(whole)


def test_the_star_export_tables_hold_every_public_name_of_the_installed_keras() -> None:
    """knowledge.names.KERAS_3_EXPORTS: ``from keras.layers import *`` (and the other modules star imports read) binds
    every public name the installed Keras exports, as the table says; the guessed subset is part of the exports."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("keras")
    from kerassniff.semantic.knowledge.names import GUESSED_STAR_EXPORTS, KERAS_3_EXPORTS, STAR_EXPORTS

    for module, names in KERAS_3_EXPORTS.items():
        installed = importlib.import_module(module)
        assert names == {name for name in dir(installed) if not name.startswith("_")}, module
        assert GUESSED_STAR_EXPORTS[module] <= STAR_EXPORTS[module] and names <= STAR_EXPORTS[module], module


def test_numpy_resize_cuts_or_repeats_values_instead_of_resampling() -> None:
    """KS243's claim: np.resize() fills the new shape with the flattened values in order, cut short (a larger image
    keeps its top rows) or repeated from the start (a smaller one is tiled); it never resamples, and it keeps every
    value only when the sizes agree."""
    import numpy as np

    image = np.arange(16).reshape(4, 4)
    assert np.resize(image, (2, 2)).tolist() == [[0, 1], [2, 3]]  # the top row, folded: not a 2x2 thumbnail
    assert np.resize(image, (6, 6)).ravel()[16:20].tolist() == [0, 1, 2, 3]  # repeated from the start
    assert np.array_equal(np.resize(image, (1, 4, 4, 1)), image.reshape(1, 4, 4, 1))  # same size: a reshape
    colour = np.arange(12).reshape(2, 2, 3)  # two rows of two RGB pixels
    assert np.resize(colour, (2, 2, 1)).ravel().tolist() == [0, 1, 2, 3]  # R, G, B of the first pixel, then R: no gray


def test_numpy_2_keeps_its_warnings_and_errors_only_in_numpy_exceptions() -> None:
    """KS404's rows whose replacement is np.exceptions.<Name>."""
    import numpy as np

    from kerassniff.checks.ks404_removed_alias import REMOVED

    moved = [name for name, (replacement, _) in REMOVED.items() if replacement.startswith("np.exceptions.")]
    assert moved
    for name in moved:
        short = name.rsplit(".", 1)[1]
        assert not hasattr(np, short) and hasattr(np.exceptions, short), short


def test_keras_3_learning_rate_scheduler_refuses_a_tensor_schedule() -> None:
    """KS402's schedule_returns_tensor: Keras 3's LearningRateScheduler stops on a schedule returning a tensor and
    takes the same value as a float."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    data = (np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(*data, epochs=1, verbose=0,
                  callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * tf.math.exp(-0.1))])
    model.fit(*data, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: float(lr * tf.math.exp(-0.1)))])


def test_keras_3_refuses_an_input_shape_that_is_one_integer() -> None:
    """KS402's INTEGER_SHAPES: keras.Input(shape=784) and InputLayer(input_shape=784) raise ValueError in Keras 3;
    the one-element tuple is accepted."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")

    for name, keywords in keras3_removals.INTEGER_SHAPES.items():
        for keyword, _ in keywords:
            with pytest.raises(ValueError, match="to a shape"):
                keras.Sequential([getattr(keras.layers, name)(**{keyword: 784}), keras.layers.Dense(1)])
    assert tuple(keras.Input(shape=(784,)).shape) == (None, 784)


def test_the_keras_1_layer_keyword_tables_match_the_installed_keras() -> None:
    """KS402's ONE_LAYER_KEYWORDS and REMOVED_LAYER_KEYWORDS name keywords Keras 3's layers do not take (and the
    modern names they do), and REQUIRED_LAYER_ARGUMENTS are exactly their required arguments, by position."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")

    def parameters(name: str) -> list[inspect.Parameter]:
        return list(inspect.signature(getattr(keras.layers, name).__init__).parameters.values())[1:]

    for name, keywords in keras3_removals.ONE_LAYER_KEYWORDS.items():
        names = {p.name for p in parameters(name)}
        for old, (modern, _) in keywords.items():
            assert old not in names and modern in names, (name, old)
    for name, keywords in keras3_removals.REMOVED_LAYER_KEYWORDS.items():
        assert not set(keywords) & {p.name for p in parameters(name)}, name
    for name, required in keras3_removals.REQUIRED_LAYER_ARGUMENTS.items():
        positions = {p.name: index for index, p in enumerate(parameters(name))
                     if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD}
        assert positions == required, name
    with pytest.raises(TypeError):
        keras.layers.Conv1D(64, filter_length=3)
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        keras.layers.MaxPooling1D(pool_length=2)
    for make in (lambda: keras.layers.Dense(4, weights=None), lambda: keras.layers.Conv2D(4, 3, weights=None),
                 lambda: keras.layers.LSTM(4, weights=None)):  # Keras 1/2's initial weights=[kernel, bias]
        with pytest.raises(ValueError, match="Unrecognized keyword"):
            make()
    keras.layers.Embedding(10, 4, weights=None)  # (Embedding still takes them)


def test_keras_3_callbacks_have_no_validation_data_and_tf_keras_2_left_it_none() -> None:
    """KS402's REMOVED_CALLBACK_ATTRIBUTES: no such attribute on a Keras 3 Callback, None on tf.keras 2's."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    from tensorflow.python.keras import callbacks as private_callbacks

    for name in keras3_removals.REMOVED_CALLBACK_ATTRIBUTES:
        assert not hasattr(keras.callbacks.Callback(), name), name
        assert getattr(private_callbacks.Callback(), name) is None, name


def test_categorical_accuracy_on_sparse_labels_does_not_measure_the_model() -> None:
    """KS102's metric check: with sparse_categorical_crossentropy, 'categorical_accuracy' logs another number than
    'accuracy' (resolved from the loss) on the same run, without an error."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(600, 8)).astype("float32")
    y = x[:, :4].argmax(1)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy", "categorical_accuracy"])
    logged = model.fit(x, y, epochs=20, verbose=0).history
    assert abs(logged["accuracy"][-1] - logged["categorical_accuracy"][-1]) > 0.2


def test_accuracy_beside_a_logits_loss_thresholds_at_a_half() -> None:
    """KS104's metric check: with BinaryCrossentropy(from_logits=True) on a linear unit, 'accuracy' is binary
    accuracy at 0.5 (another number than the threshold of logits, 0, on the same run)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(800, 6)).astype("float32")
    y = (x[:, 0] + 0.3 * x[:, 1] > 0.8).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    model.compile("adam", keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=["accuracy", keras.metrics.BinaryAccuracy(threshold=0.0, name="logit_accuracy")])
    logged = model.fit(x, y, epochs=30, verbose=0).history
    assert abs(logged["accuracy"][-1] - logged["logit_accuracy"][-1]) > 0.02


def test_a_reshuffling_pipeline_gives_predict_and_a_second_pass_two_orders() -> None:
    """KS213's tf.data shape: predict() on a pipeline reshuffled each pass, scored against labels gathered by
    another pass, pairs predictions with other samples' labels; shuffled once or cached after the shuffle, every
    pass reads one order.  image_dataset_from_directory shuffles by default."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    labels = np.repeat(np.arange(3), 40)
    images = labels[:, None].astype("float32")  # a "perfect classifier" reads the class from the input
    inputs = keras.Input((1,))
    to_class = keras.layers.Lambda(lambda t: keras.ops.one_hot(keras.ops.cast(t[:, 0], "int32"), 3))
    perfect = keras.Model(inputs, to_class(inputs))

    def accuracy(ds) -> float:
        predicted = np.argmax(perfect.predict(ds, verbose=0), axis=1)
        gathered = np.concatenate([y for _, y in ds], axis=0)
        return float((predicted == gathered).mean())

    base = tf.data.Dataset.from_tensor_slices((images, labels))
    assert accuracy(base.shuffle(120, seed=1).batch(8)) < 0.7
    assert accuracy(base.shuffle(120, seed=1, reshuffle_each_iteration=False).batch(8)) == 1.0
    assert accuracy(base.shuffle(120, seed=1).cache().batch(8)) == 1.0
    assert inspect.signature(keras.utils.image_dataset_from_directory).parameters["shuffle"].default is True


def test_the_folder_reader_keywords_match_the_installed_keras() -> None:
    """knowledge/datasets.FOLDER_READER_PARAMETERS: Keras 3's folder readers take exactly these keywords (the table
    adds tf.keras 2's smart_resize=, read from its **kwargs), and raise for subset= without validation_split=."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    from kerassniff.semantic.knowledge.datasets import FOLDER_READER_PARAMETERS

    for name, parameters in FOLDER_READER_PARAMETERS.items():
        taken = set(inspect.signature(getattr(keras.utils, name)).parameters)
        assert taken <= parameters and parameters - taken <= {"smart_resize"}, name
    with pytest.raises(TypeError):
        keras.utils.image_dataset_from_directory(".", validation_split=0.2, dataset="training")
    with pytest.raises(ValueError):
        keras.utils.image_dataset_from_directory(".", subset="training")


def test_keras_3_compile_reads_the_short_loss_and_metric_strings_the_hints_name() -> None:
    """KS402's hints for keras.losses.mse & co.: 'mse', 'mae', 'mape', 'msle' work as losses and metrics, 'kld' as a
    loss only, 'logcosh' as neither; keras.metrics.log_cosh and kl_divergence exist."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import numpy as np

    def runs(**compiled) -> bool:
        net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        try:
            net.compile("sgd", **compiled)
            net.fit(np.zeros((4, 2)), np.zeros(4), verbose=0)
        except ValueError:
            return False
        return True

    for name in ("mse", "mae", "mape", "msle"):
        assert runs(loss=name) and runs(loss="mse", metrics=[name]), name
    assert runs(loss="kld") and not runs(loss="mse", metrics=["kld"])
    assert not runs(loss="logcosh") and not runs(loss="mse", metrics=["logcosh"])
    assert hasattr(keras.metrics, "log_cosh") and hasattr(keras.metrics, "kl_divergence")


def test_the_private_copy_models_cannot_run_on_tensorflow_2_21() -> None:
    """KS402: a model of TensorFlow's private Keras 2 copy builds and compiles on TensorFlow 2.21, but fit() and
    predict() raise AttributeError (its training loop reads a name TensorFlow's distribute module no longer has)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import numpy as np
    from tensorflow.python.keras.layers import Dense
    from tensorflow.python.keras.models import Sequential

    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(AttributeError, match="DistributedDatasetInterface"):
        model.fit(np.zeros((4, 4)), np.zeros(4), epochs=1, verbose=0)
    with pytest.raises(AttributeError, match="DistributedDatasetInterface"):
        model.predict(np.zeros((2, 4)), verbose=0)


def test_categorical_crossentropy_normalises_sigmoid_outputs_and_accuracy_is_categorical_then() -> None:
    """KS102's multi-hot case: categorical_crossentropy divides the outputs by their sum (so it scores one
    distribution, whatever each sigmoid says), and 'accuracy' beside it is categorical accuracy (argmax against
    argmax of the multi-hot row)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    target = np.array([[1.0, 1.0, 0.0]])
    loss = keras.losses.categorical_crossentropy
    assert float(np.ravel(loss(target, np.array([[0.9, 0.9, 0.1]])))[0]) == pytest.approx(
        float(np.ravel(loss(target, np.array([[0.45, 0.45, 0.05]])))[0]), rel=1e-5)
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="sigmoid", kernel_initializer="zeros",
                                                   bias_initializer=keras.initializers.Constant([0.0, 1.0, 2.0]))(inputs))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    # the outputs' argmax is class 2; the row's first 1 is class 0: categorical accuracy 0 (binary accuracy: 1/3)
    scores = model.evaluate(np.zeros((1, 2)), np.array([[1.0, 0.0, 1.0]]), verbose=0, return_dict=True)
    assert scores["accuracy"] == 0.0


def test_tf_keras_has_the_short_loss_aliases_and_not_the_long_names_standalone_keras_has() -> None:
    """KS402's MISSING_FROM_TF_KERAS: on TensorFlow 2.16+ tf.keras (and tf.losses, tf.metrics) lacks each long
    function name and has the alias the hint names; standalone Keras 3 has the long name."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    import keras

    from kerassniff.semantic.knowledge.keras3_removals import MISSING_FROM_TF_KERAS

    for relative, alias in MISSING_FROM_TF_KERAS.items():
        module, name = relative.split(".")
        for namespace in (getattr(tf.keras, module), getattr(tf, module)):
            assert not hasattr(namespace, name) and hasattr(namespace, alias), relative
        assert hasattr(getattr(keras, module), name), relative


def test_the_model_methods_reported_gone_are_missing_from_keras_3_and_the_builders_hint_exists() -> None:
    """KS402's MODEL_METHODS_GONE: Keras 3's Model has none of them; the hint's public make_*_function() exists."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras

    from kerassniff.semantic.knowledge.keras3_removals import MODEL_METHODS_GONE

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    for method in MODEL_METHODS_GONE:
        assert not hasattr(model, method), method
    for kind in ("predict", "train", "test"):
        assert callable(getattr(model, f"make_{kind}_function")), kind


def test_the_private_copy_sequential_refuses_keras_3_layers_and_its_functional_model_wraps_them() -> None:
    """KS402: a Sequential of TensorFlow's private Keras 2 copy raises TypeError for a Keras 3 layer, listed or
    added (under keras and tensorflow.keras alike); its functional Model over a Keras 3 layer's output builds."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = pytest.importorskip("tensorflow")
    import keras
    from tensorflow.python.keras.layers import Input
    from tensorflow.python.keras.models import Model, Sequential

    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        Sequential([keras.layers.Dense(2, input_shape=(3,))])
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        Sequential().add(tf.keras.layers.Dense(2, input_shape=(3,)))
    inputs = Input((3,))
    Model(inputs, keras.layers.Dense(2)(inputs))


def test_an_unadapted_normalization_passes_its_input_through_and_load_weights_restores_it(tmp_path) -> None:
    """KS219: a Normalization layer never adapted and given no mean=/variance= is built with mean 0 and variance 1
    and returns its input unchanged, also inside a model through fit(); load_weights() restores adapted statistics."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    x = np.array([[100.0, 200.0], [300.0, 400.0]], dtype="float32")
    never = keras.layers.Normalization()
    model = keras.Sequential([keras.Input((2,)), never, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros(2), verbose=0)
    np.testing.assert_allclose(np.asarray(never(x)), x)

    adapted = keras.layers.Normalization()
    adapted.adapt(x)
    trained = keras.Sequential([keras.Input((2,)), adapted, keras.layers.Dense(1)])
    path = str(tmp_path / "net.weights.h5")
    trained.save_weights(path)
    rebuilt_layer = keras.layers.Normalization()
    rebuilt = keras.Sequential([keras.Input((2,)), rebuilt_layer, keras.layers.Dense(1)])
    rebuilt.load_weights(path)
    np.testing.assert_allclose(np.asarray(rebuilt_layer(x)), [[-1.0, -1.0], [1.0, 1.0]], atol=1e-3)


def test_the_accuracy_class_counts_exact_equality_and_the_accuracy_strings_do_not() -> None:
    """KS116: keras.metrics.Accuracy() compiled for a sigmoid output logs (near) 0 while the model learns; the
    strings 'accuracy' and 'Accuracy' are the accuracy Keras picks from the loss; integer labels for a softmax of
    several units make Accuracy() stop fit() with ValueError."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[keras.metrics.Accuracy(), keras.metrics.BinaryAccuracy(), "Accuracy"])
    logs = model.fit(x, y, epochs=20, verbose=0).history
    assert logs["accuracy"][-1] < 0.05 and logs["binary_accuracy"][-1] > 0.75 and logs["Accuracy"][-1] > 0.75

    softmax = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    softmax.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=[keras.metrics.Accuracy()])
    with pytest.raises(ValueError):
        softmax.fit(x, (x[:, 0] > 0).astype(int), epochs=1, verbose=0)


def test_a_rescale_factor_above_one_multiplies_pixels_and_matplotlib_reads_png_as_unit_floats(tmp_path) -> None:
    """KS202's multiplied pixels: ImageDataGenerator(rescale=1/.255) multiplies (255 becomes 1000); and the exemption,
    matplotlib's imread gives a PNG file's pixels in 0-1 (skipped where matplotlib is not installed, as in CI)."""
    import numpy as np
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    generator = ImageDataGenerator(rescale=1 / .255)
    assert generator.standardize(np.full((1, 1, 3), 255.0, "float32"))[0, 0, 0] == pytest.approx(1000.0)
    pyplot = pytest.importorskip("matplotlib.pyplot")
    image = pytest.importorskip("PIL.Image")
    path = tmp_path / "white.png"
    image.fromarray(np.full((2, 2, 3), 255, "uint8")).save(path)
    read = pyplot.imread(path)
    assert read.dtype.kind == "f" and float(read.max()) == 1.0


def test_a_scaler_fitted_on_one_sample_maps_it_to_a_constant() -> None:
    """KS221 (knowledge/arrays.ONE_SAMPLE_CONSTANT): fitted on one row, StandardScaler, MinMaxScaler and RobustScaler
    give 0 for every feature, MaxAbsScaler the sign (checked on scikit-learn 1.9.1; skipped where scikit-learn is
    not installed, as in CI)."""
    import numpy as np

    preprocessing = pytest.importorskip("sklearn.preprocessing")
    from kerassniff.semantic.knowledge.arrays import ONE_SAMPLE_CONSTANT

    row = [[761.0, -40.0, 3.5]]
    for name, becomes in ONE_SAMPLE_CONSTANT.items():
        scaled = getattr(preprocessing, name)().fit_transform(row)
        expected = np.zeros((1, 3)) if becomes == "0" else np.sign(row)
        assert np.array_equal(scaled, expected), name


def test_the_preprocessing_star_exports_are_tf_keras_names_and_keras_3_lost_the_image_generator() -> None:
    """``from tensorflow.keras.preprocessing.image import *`` brings ImageDataGenerator (knowledge/names.STAR_EXPORTS);
    Keras 3's own keras.preprocessing.image does not have it (KS402's NameError)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from kerassniff.semantic.knowledge.names import STAR_EXPORTS

    for module in ("image", "sequence", "text"):
        installed = importlib.import_module(f"tensorflow.keras.preprocessing.{module}")
        for name in STAR_EXPORTS[f"keras.preprocessing.{module}"]:
            assert hasattr(installed, name), (module, name)
    keras_image = importlib.import_module("keras.preprocessing.image")
    assert not hasattr(keras_image, "ImageDataGenerator") and hasattr(keras_image, "img_to_array")


def test_a_generator_without_validation_split_gives_its_training_subset_the_whole_folder(tmp_path) -> None:
    """kerassniff.semantic.library.datasets._subset_read: subset="training" of an ImageDataGenerator made without
    validation_split= raises nothing and lists every file (KS206's overlap with a validation subset)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    for name in ("apple", "kiwi"):
        (tmp_path / name).mkdir()
        for index in range(10):
            (tmp_path / name / f"{index}.png").write_bytes(b"")  # listed only: no batch is read
    whole = ImageDataGenerator().flow_from_directory(str(tmp_path), target_size=(8, 8), subset="training")
    part = ImageDataGenerator(validation_split=0.2).flow_from_directory(str(tmp_path), target_size=(8, 8),
                                                                        subset="validation")
    assert whole.samples == 20 and part.samples == 4 and set(part.filenames) <= set(whole.filenames)


def test_a_tokenizer_fitted_on_one_string_learns_its_characters() -> None:
    """KS229: fit_on_texts() of a str iterates its characters; real sentences then find no word (rules/KS229.md)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.keras.preprocessing.text import Tokenizer

    tokenizer = Tokenizer()
    tokenizer.fit_on_texts("the cat sat on the mat\nthe dog")
    assert list(tokenizer.word_index)[:4] == ["t", "h", "e", "a"] and len(tokenizer.word_index) == 11
    assert tokenizer.texts_to_sequences(["the cat sat"]) == [[]]
    unknown = Tokenizer(oov_token="<OOV>")
    unknown.fit_on_texts("the cat sat on the mat")
    assert unknown.texts_to_sequences(["the cat sat"]) == [[1, 1, 1]]


def test_tensorflow_operations_refuse_keras_3_symbolic_tensors_and_keras_ops_spell_them() -> None:
    """The KS402 row on TensorFlow operations applied while a functional model is built (keras3_removals
    TENSORFLOW_NON_CONVERTING, TENSORFLOW_OPS_IN_KERAS)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    inputs = keras.Input((10, 3))
    tokens = keras.Input((None,), dtype="int64")
    for call in (lambda: tf.concat([inputs, inputs], axis=-1), lambda: tf.reduce_mean(inputs, axis=1),
                 lambda: tf.one_hot(tokens, 4), lambda: tf.shape(inputs), lambda: tf.identity(inputs)):
        with pytest.raises(ValueError, match="KerasTensor cannot be used as input to a TensorFlow function"):
            call()
    for name in keras3_removals.TENSORFLOW_NON_CONVERTING:  # these read it without converting it
        getattr(tf, name.removeprefix("tensorflow."))(inputs)
    tf.nest.flatten([inputs])
    for tf_name, ops_name in keras3_removals.TENSORFLOW_OPS_IN_KERAS.items():
        target = tf
        for part in tf_name.split("."):
            target = getattr(target, part)  # the TensorFlow operation exists
        spelled = keras.ops
        for part in ops_name.split("."):
            spelled = getattr(spelled, part)  # and so does the keras.ops spelling the hint names
    assert keras.ops.concatenate([inputs, inputs], axis=-1).shape == (None, 10, 6)
