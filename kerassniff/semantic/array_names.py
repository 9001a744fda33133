"""What a variable's name says of the array it holds: a split (``x_test``, ``testY``, ``train_images``) of inputs or
labels, or a pipeline of batches.  Only what the analysis cannot see into is read by its name."""
from __future__ import annotations

import re
from functools import lru_cache

# What a variable's name says of an array: a split (x_test, testY, train_images) of inputs or labels. Only a call the
# analysis cannot see into is read by these names (:func:`kerassniff.semantic.loaders.opaque_splits`).
SPLIT_WORDS = frozenset({"train", "test", "val", "valid", "validation"})
ARRAY_WORDS = frozenset({"x", "y", "xs", "ys", "data", "label", "labels", "feature", "features", "image", "images",
                         "img", "imgs", "input", "inputs", "target", "targets", "seq", "seqs", "sequence", "sequences",
                         "padded", "tokens", "encoded", "vectors", "windows", "samples", "set"})
PIPELINE_WORDS = frozenset({"dataset", "ds", "gen", "generator", "loader", "flow", "flows", "iterator", "batch",
                            "batches"})  # batches, not one array


@lru_cache(maxsize=4096)  # (asked of every name an import or an unpacking binds: the same few names again and again)
def names_a_split_array(name: str) -> bool:
    """``X_test``, ``trainY``, ``test_images``, ``images_test``, ``xtrain``, ``test_dataset``: a word for a split and
    a word for an array or a pipeline."""
    words = name_words(name)
    if words and any(w in SPLIT_WORDS for w in words) and (
            words[-1] in ARRAY_WORDS or words[-1] in PIPELINE_WORDS or (words[0] in ("x", "y") and
                                                                          words[-1] in SPLIT_WORDS)):
        return True  # it ends on what it holds (train_images, x_test), not train_data_dir or x_train_len
    if len(words) == 2 and words[0] in ARRAY_WORDS and words[1] in SPLIT_WORDS:
        return True  # what it holds, then the split: images_test, labels_train
    return any((w.startswith(split) and w[len(split):] in ("x", "y")) or (w.endswith(split) and w[:-len(split)] in (
        "x", "y")) for w in words for split in SPLIT_WORDS)


def names_a_pipeline(name: str) -> bool:
    """``test_dataset``, ``train_gen``: a name that says it holds batches (a pipeline or a generator)."""
    return any(w in PIPELINE_WORDS for w in name_words(name))


def name_words(name: str) -> list[str]:
    """A variable's words in order, lower case: 'X_test' -> ['x', 'test'], 'testX' -> ['test', 'x']."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z]+", spaced.lower()) if w]
