"""Stand-in data for a dynamic run when the script's own data is not on this machine.

Dynamic mode never downloads.  When ``keras.datasets.<name>.load_data()`` has
no cached copy, or ``flow_from_directory`` names a folder that does not exist,
the harness returns arrays with the true per-sample shapes, dtypes and value
ranges and sample counts (cifar10: uint8 (50000, 32, 32, 3) in 0..255 with 10
classes) and random labels, and says so in the evidence.  Random labels are
what the checks want: every number measured is "at chance".
"""
from __future__ import annotations

import os

import numpy as np

from kerassniff.semantic.knowledge.datasets import IMAGE_DATASETS as SPECS, SEQUENCE_DATASETS as SEQUENCE_SPECS


def keras_cache_dir() -> str:
    return os.path.join(os.environ.get("KERAS_HOME", os.path.expanduser("~/.keras")), "datasets")


def is_cached(name: str) -> bool:
    spec = SPECS.get(name)
    names = spec.cache_names if spec else (SEQUENCE_SPECS.get(name, ("",))[0],)
    return any(names) and any(os.path.exists(os.path.join(keras_cache_dir(), n)) for n in names if n)


def image_dataset(name: str, seed: int = 0, label_mode: str = "fine"):
    spec = SPECS[name]
    rng = np.random.default_rng(seed)
    classes = 20 if name == "cifar100" and label_mode == "coarse" else spec.classes

    def split(count: int):
        x = rng.integers(0, 256, size=(count, *spec.shape), dtype=np.uint8)
        y = rng.integers(0, classes, size=(count,) if spec.label_shape == "flat" else (count, 1)).astype(np.uint8)
        return x, y

    return split(spec.train), split(spec.test)


def sequence_dataset(name: str, num_words: int | None = None, seed: int = 0):
    _, classes, train, test = SEQUENCE_SPECS[name]
    rng = np.random.default_rng(seed)
    vocabulary = num_words or 10_000

    def split(count: int):
        x = np.empty(count, dtype=object)
        for index in range(count):
            x[index] = list(rng.integers(1, vocabulary, size=int(rng.integers(20, 200))))
        return x, rng.integers(0, classes, size=(count,)).astype(np.int64)

    return split(train), split(test)


def boston_housing(seed: int = 0):
    """13 features on their real, very different scales (crime rate ~1, tax ~400, B ~390)."""
    rng = np.random.default_rng(seed)
    scales = np.array([3.6, 11.0, 11.0, 0.07, 0.55, 6.3, 68.0, 3.8, 9.5, 408.0, 18.0, 356.0, 12.6])

    def split(count: int):
        x = np.abs(rng.normal(scales, scales * 0.3, size=(count, 13)))
        return x, rng.normal(22.5, 9.0, size=(count,))

    return split(404), split(102)


class SyntheticDirectoryFlow:
    """What ``flow_from_directory`` returns when its folder is missing: batches of the right image size.

    The number of classes is not known until the model is: the harness sets it
    from the model's output when ``fit`` receives this flow.
    """

    def __init__(self, directory: str, target_size=(256, 256), color_mode: str = "rgb", batch_size: int = 32,
                 class_mode: str | None = "categorical", rescale: float | None = None, seed: int = 0) -> None:
        self.directory = directory
        self.target_size = tuple(target_size)
        self.channels = 1 if color_mode == "grayscale" else 4 if color_mode == "rgba" else 3
        self.batch_size = batch_size
        self.class_mode = class_mode
        self.rescale = rescale
        self.num_classes: int | None = None
        self.samples = batch_size * 4
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return 4

    def batch(self):
        x = self.rng.integers(0, 256, size=(self.batch_size, *self.target_size, self.channels)).astype(np.float32)
        if self.rescale:
            x = x * self.rescale
        classes = self.num_classes or 2
        labels = self.rng.integers(0, classes, size=(self.batch_size,))
        if self.class_mode in ("categorical", None):
            return x, np.eye(classes, dtype=np.float32)[labels]
        return x, labels.astype(np.float32)

    def __getitem__(self, index: int):
        return self.batch()

    def __iter__(self):
        return self

    def __next__(self):
        return self.batch()
