"""Keras's bundled datasets (``keras.datasets.<name>.load_data()``): one table for static and dynamic mode.

The static analysis reads what the arrays hold (0-255 pixels, sample counts, classes, the target's range);
dynamic mode reads the same rows to stand in for a dataset that is not cached on the machine (the true
per-sample shape and counts, and how the labels are laid out).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(unsafe_hash=True)
class KerasDataset:
    pixels: bool  # 0-255 image data
    train: int  # samples in each split (scripts hard-code them: x_train.reshape(50000, -1))
    test: int
    classes: int | None  # None: a regression target
    description: str  # the arrays, for messages
    shape: tuple[int, ...] | None = None  # one image's shape; None: sequences or a table
    label_shape: str = "flat"  # "flat" (N,) or "column" (N, 1)
    cache_names: tuple[str, ...] = ()  # a file or folder under ~/.keras/datasets that means "cached"
    target_range: tuple[float, float] | None = None
    # the class each label id stands for, in id order, as load_data()'s docstring lists them (checked against the
    # installed Keras by tests/test_library_claims.py)
    class_names: tuple[str, ...] | None = None

    @property
    def samples(self) -> tuple[int, int]:
        return self.train, self.test

    @property
    def images(self) -> bool:
        return self.shape is not None

    @property
    def sequences(self) -> bool:
        return not self.pixels and self.classes is not None and bool(self.cache_names)


KERAS_DATASETS = {
    "mnist": KerasDataset(True, 60000, 10000, 10, "(N, 28, 28) uint8", (28, 28), "flat", ("mnist.npz",)),
    "fashion_mnist": KerasDataset(True, 60000, 10000, 10, "(N, 28, 28) uint8", (28, 28), "flat",
                                  ("fashion-mnist",),
                                  class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                               "Shirt", "Sneaker", "Bag", "Ankle boot")),
    "cifar10": KerasDataset(True, 50000, 10000, 10, "(N, 32, 32, 3) uint8", (32, 32, 3), "column",
                            ("cifar-10-batches-py",),
                            class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                         "ship", "truck")),
    "cifar100": KerasDataset(True, 50000, 10000, 100, "(N, 32, 32, 3) uint8", (32, 32, 3), "column",
                             ("cifar-100-python",)),
    "imdb": KerasDataset(False, 25000, 25000, 2, "integer sequences", cache_names=("imdb.npz",)),
    "reuters": KerasDataset(False, 8982, 2246, 46, "integer sequences", cache_names=("reuters.npz",)),
    "boston_housing": KerasDataset(False, 404, 102, None, "(N, 13) float", target_range=(5.0, 50.0)),
    "california_housing": KerasDataset(False, 16512, 4128, None, "(N, 8) float", target_range=(14999.0, 500001.0)),
}


# -- views of the one table, in the shapes their readers use ---------------------------------------------
def _static_facts(spec: KerasDataset) -> dict:
    facts: dict = dict(pixels=spec.pixels, samples=spec.samples, classes=spec.classes, shape=spec.description)
    if spec.target_range is not None:
        facts["target_range"] = spec.target_range
    if spec.class_names is not None:
        facts["class_names"] = spec.class_names
    return facts


# What the static analysis knows of the arrays each loader returns (read by the loaders).
DATASETS = {name: _static_facts(spec) for name, spec in KERAS_DATASETS.items()}

# The other ways scripts write a dataset's class names, by the class name (of KerasDataset.class_names) they stand
# for, each lower-cased with everything but letters and digits dropped ("T-shirt/top" -> "tshirttop"): a written
# list is read as the dataset's classes only when each of its names is one of these or the class name itself, and
# each class is named once.
def class_name_key(name: str) -> str:
    """A class name as :data:`CLASS_NAME_SPELLINGS` keys and lists it: lower-cased, letters and digits only."""
    return "".join(character for character in name.casefold() if character.isalnum())


CLASS_NAME_SPELLINGS = {
    "airplane": ("aeroplane", "plane", "airplanes", "aeroplanes", "planes"),
    "automobile": ("automobiles", "car", "cars", "auto"),
    **{name: (name + "s",) for name in ("bird", "cat", "dog", "frog", "horse", "ship", "truck", "sandal", "sneaker",
                                        "bag", "coat", "shirt")},
    "dress": ("dresses",),
    "tshirttop": ("tshirt", "tshirts", "top", "tops", "tee", "teeshirt", "tshirttops"),
    "trouser": ("trousers", "pants"),
    "pullover": ("pullovers", "sweater", "sweaters"),
    "ankleboot": ("ankleboots", "boot", "boots"),
}

# The Keras datasets whose get_word_index() gives each word's frequency rank, and the offset their load_data() adds to
# every rank by default (index_from=3: ids 0-2 are padding, start and out-of-vocabulary; checked on Keras 3.15.1).
WORD_INDEX_OFFSETS = {"imdb": 3, "reuters": 3}
# Where load_data() takes index_from when it is given by position (Keras 3.15.1's signatures).
WORD_INDEX_FROM_POSITION = {"imdb": 7, "reuters": 8}
# Where load_data() takes num_words by position (after path), and the out-of-vocabulary id it gives a word it drops
# (oov_char=2 by default): with num_words=N it keeps the N most frequent words, every id below N.
NUM_WORDS_POSITION = 1
OOV_ID = 2

# Functions that download a table of market data (prices by date) into a DataFrame, as pd.read_csv reads one:
# yfinance's download() and pandas-datareader's readers; and the object methods that do the same.
MARKET_DATA_READERS = frozenset({
    "yfinance.download", "pandas_datareader.DataReader", "pandas_datareader.data.DataReader",
    "pandas_datareader.data.get_data_yahoo", "pandas_datareader.get_data_yahoo",
})
MARKET_DATA_METHODS = {"yfinance.Ticker": frozenset({"history"})}

# Dynamic mode's stand-ins: image datasets by their spec, sequence datasets as (cache file, classes, train, test).
IMAGE_DATASETS = {name: spec for name, spec in KERAS_DATASETS.items() if spec.images}
SEQUENCE_DATASETS = {name: (spec.cache_names[0], spec.classes, spec.train, spec.test)
                     for name, spec in KERAS_DATASETS.items() if spec.sequences}


# scikit-learn's bundled classification sets: (classes, samples, whether the rows come in class blocks).
# Checked on scikit-learn 1.x: load_iris's target is 50 zeros, 50 ones, 50 twos; load_wine's 59/71/48 in order
# (validation_split=0.2 holds class 2 only); load_digits and load_breast_cancer are mixed (1,632 and 214 runs).
SKLEARN_CLASSIFICATION_SETS: dict[str, tuple[int, int, bool]] = {
    "load_iris": (3, 150, True),
    "load_wine": (3, 178, True),
    "load_digits": (10, 1797, False),
    "load_breast_cancer": (2, 569, False),
}

# scikit-learn's bundled regression sets: samples, and the range of .target (from scikit-learn's descriptions of the
# sets: California median house values in units of 100,000 dollars, capped at 5.00001; the diabetes progression
# score one year after baseline).
SKLEARN_REGRESSION_SETS: dict[str, tuple[int, tuple[float, float]]] = {
    "fetch_california_housing": (20640, (0.14999, 5.00001)),
    "load_diabetes": (442, (25.0, 346.0)),
}


# TensorFlow Datasets image sets whose image feature is uint8 0-255 pixels (tfds.features.Image), with their colour:
# tfds.load(name, split=..., as_supervised=True) yields (image, label) pairs of them. A name's config and version
# (``eurosat/rgb``, ``oxford_iiit_pet:3.*.*``) are not part of it.
TFDS_IMAGE_SETS = {
    **dict.fromkeys(("mnist", "fashion_mnist", "kmnist", "emnist", "binarized_mnist"), "gray"),
    **dict.fromkeys(("cifar10", "cifar100", "svhn_cropped", "tf_flowers", "rock_paper_scissors", "cats_vs_dogs",
                     "horses_or_humans", "beans", "malaria", "oxford_flowers102", "stanford_dogs", "food101",
                     "eurosat", "caltech101", "deep_weeds", "imagenette", "colorectal_histology", "oxford_iiit_pet",
                     "cassava", "plant_village", "citrus_leaves"), "rgb"),
}
# binarized_mnist's pixels are 0/1, not 0-255: left out of the pixel sets below.
TFDS_PIXEL_SETS = {name: color for name, color in TFDS_IMAGE_SETS.items() if name != "binarized_mnist"}


def tfds_slice(split: str) -> tuple[str, float, float, str] | None:
    """A TFDS split string read as (split, start, end, unit): ``"train"`` is the whole split, ``"train[:80%]"`` its
    first 80 percent, ``"train[1000:]"`` all from example 1000 (unit "%" or "" for examples; a missing bound is the
    split's start or end). TFDS's slicing syntax; None for what it is not (a sum of splits, ``"train[::2]"``, a
    percent beside a count, a negative bound)."""
    text = split.replace(" ", "")
    name, _, rest = text.partition("[")
    if not name or not name.replace("_", "").isalnum():
        return None
    if not rest:
        return name, 0.0, 100.0, "%"
    if not rest.endswith("]") or rest.count(":") != 1:
        return None
    low, high = rest[:-1].split(":")
    units = {bound.endswith("%") for bound in (low, high) if bound}
    if len(units) > 1:
        return None
    unit = "%" if units == {True} or not units else ""
    bounds = []
    for bound, missing in ((low, 0.0), (high, 100.0 if unit == "%" else float("inf"))):
        number = bound.rstrip("%")
        if not bound:
            bounds.append(missing)
        elif number.isascii() and number.replace(".", "", 1).isdigit():
            bounds.append(float(number))
        else:
            return None
    return name, bounds[0], bounds[1], unit

# imbalanced-learn's over-samplers: fit_resample(x, y) returns the original rows first, then the rows it adds for
# each class it grows, class after class (SMOTE's ``X_resampled = [X.copy()]`` then one block per class, stacked;
# RandomOverSampler's ``sample_indices = range(n)`` then the drawn indices appended), in every release since 0.4
# (fit_sample before it). Under-samplers are left out: some releases sort the kept indices, others keep class order.
OVERSAMPLERS = frozenset("SMOTE BorderlineSMOTE SVMSMOTE ADASYN SMOTENC SMOTEN RandomOverSampler".split())
RESAMPLE_METHODS = frozenset({"fit_resample", "fit_sample"})

# scikit-learn's cross-validators whose splits hold out samples another split trains on (checked on scikit-learn
# 1.9.1): a model trained on split after split has, from the second split on, already trained on part of the held-out
# samples.  TimeSeriesSplit is left out: its held-out part always comes after every training part so far (training on
# split after split is walk-forward validation); PredefinedSplit too (its folds are the script's data: perhaps one).
FOLD_SPLITTERS = frozenset(f"sklearn.model_selection.{name}" for name in (
    "KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "RepeatedKFold", "RepeatedStratifiedKFold",
    "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit", "LeaveOneOut", "LeavePOut", "LeaveOneGroupOut",
    "LeavePGroupsOut"))
# Every scikit-learn cross-validator: its split(X) yields, split after split, a pair of index arrays into X's samples
# (the training part's, the held-out part's).
CROSS_VALIDATORS = FOLD_SPLITTERS | {f"sklearn.model_selection.{name}" for name in ("TimeSeriesSplit", "PredefinedSplit")}
# Those that accept n_splits=1 (one split, no second fold: the common single train/validation split); the K-fold
# ones raise ValueError below 2. n_splits is their first parameter.
SINGLE_SPLIT_SPLITTERS = frozenset(f"sklearn.model_selection.{name}" for name in (
    "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit"))


# Listings of a folder's files, one class's folder in ``for name in classes: for f in os.listdir(root / name)``
# (kerassniff.semantic.class_blocks): functions by canonical name, and pathlib.Path methods (any receiver).
FOLDER_LISTINGS = frozenset({
    "os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob", "tensorflow.io.gfile.listdir",
    "tensorflow.io.gfile.glob", "tensorflow.io.gfile.walk", "imutils.paths.list_images", "imutils.paths.list_files",
})
FOLDER_LISTING_METHODS = frozenset({"glob", "rglob", "iterdir"})
# Progress bars that yield the items of the iterable they wrap, in its order (tqdm's, by canonical name; the iterable
# first or as iterable=): ``for image in tqdm(x_test)`` walks x_test's samples.
PROGRESS_BARS = frozenset({
    "tqdm.tqdm", "tqdm.std.tqdm", "tqdm.auto.tqdm", "tqdm.autonotebook.tqdm", "tqdm.notebook.tqdm",
    "tqdm.tqdm_notebook", "tqdm.notebook.tqdm_notebook",
})
# tqdm's ranges with a progress bar: ``trange(n)`` is ``tqdm(range(n))``.
PROGRESS_RANGES = frozenset({"tqdm.trange", "tqdm.std.trange", "tqdm.auto.trange", "tqdm.autonotebook.trange",
                             "tqdm.notebook.trange"})
# Of those, the ones that give a list of names in the file system's order (Python: "in arbitrary order"; glob:
# "whether or not the results are sorted depends on the file system"), where Keras's folder readers sort them.
UNORDERED_LISTINGS = frozenset({"os.listdir", "glob.glob"})
# Calls that pair the items of the sequences they are given by position (the i-th of one with the i-th of the
# other) for supervised data: two listings given to one pair their files in the two listings' orders.  By canonical
# name; the script's own keras.utils.Sequence (PyDataset) classes do the same with the lists they are built with
# (SEQUENCE_BASES).  Not zip() nor tf.data's from_tensor_slices(): the same calls build unpaired data on purpose (a
# CycleGAN's two domains, a siamese network's random negative pairs).
ROW_PAIRING_CALLS = frozenset({"sklearn.model_selection.train_test_split"})
SEQUENCE_BASES = frozenset({"keras.utils.Sequence", "keras.utils.PyDataset"})


# The keywords Keras's folder readers take, in Keras 3.15 and in tf.keras 2 (tf_keras 2.21; its image reader also
# read smart_resize= from **kwargs): any other keyword is a TypeError in both, so the call makes no dataset (checked
# against the installed signatures by a slow test).  Both also raise ValueError when exactly one of subset= and
# validation_split= is given.
FOLDER_READER_PARAMETERS = {
    "image_dataset_from_directory": frozenset({
        "directory", "labels", "label_mode", "class_names", "color_mode", "batch_size", "image_size", "shuffle", "seed",
        "validation_split", "subset", "interpolation", "follow_links", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
        "data_format", "format", "verbose", "smart_resize"}),
    "text_dataset_from_directory": frozenset({
        "directory", "labels", "label_mode", "class_names", "batch_size", "max_length", "shuffle", "seed",
        "validation_split", "subset", "follow_links", "format", "verbose"}),
    "audio_dataset_from_directory": frozenset({
        "directory", "labels", "label_mode", "class_names", "batch_size", "sampling_rate", "output_sequence_length",
        "ragged", "validation_split", "subset", "follow_links", "shuffle", "seed", "verbose"}),
}

# ImageDataGenerator's random augmentations: each flow it makes alters every image it yields, differently at each
# epoch, when one of them is set (a nonzero range, True, a brightness range), Keras 2 and Keras 3's legacy copy alike.
IMAGE_GENERATOR_AUGMENTATIONS = ("rotation_range", "width_shift_range", "height_shift_range", "shear_range",
                                 "zoom_range", "horizontal_flip", "vertical_flip", "brightness_range",
                                 "channel_shift_range")

# Readers whose len() is their number of batches (a Keras iterator, ``len(flow) == ceil(samples / batch_size)``, or a
# batched tf.data pipeline): by method (an ImageDataGenerator's) or short function name, their ``batch_size``'s
# position and default (checked on Keras 3.15.1; ``batch_size=None`` makes a dataset of single samples).
BATCHING_READERS: dict[str, tuple[int, int]] = {
    "flow": (2, 32), "flow_from_directory": (5, 32), "flow_from_dataframe": (9, 32),
    "image_dataset_from_directory": (5, 32), "text_dataset_from_directory": (4, 32),
    "audio_dataset_from_directory": (4, 32),
}
# tf.data methods that keep a dataset's elements as they were counted (len() of a batched dataset after them is
# still its number of batches; checked on TF 2.21: 3 batches shuffled, cached, mapped and prefetched are 3).
COUNT_KEEPING_DATASET_METHODS = frozenset({"shuffle", "prefetch", "cache", "map", "with_options"})

# The parts of a split that training does not see (``Data.split``: "train", "test", "val").
HELD_OUT_SPLITS = frozenset({"test", "val"})

# Calls that read data from files or folders, by their last name (besides any whose name starts with "read" or "load":
# wavfile.read, loadmat, read_hdf, np.load): code making them works on stored samples.
FILE_READING_CALLS = frozenset({"open", "imread", "genfromtxt", "listdir", "glob", "iglob", "walk", "scandir",
                                "decode_image", "File", "fromfile", "memmap"})


def reads_files(name: str) -> bool:
    """Whether a call of this last name reads data from files or folders (:data:`FILE_READING_CALLS`)."""
    return name in FILE_READING_CALLS or name.startswith(("read", "load"))
