"""Canonical names for Keras (and a few neighbouring libraries).

Keras is reachable under many module paths: ``keras``, ``tensorflow.keras``,
``tf.keras`` (after ``import tensorflow as tf``), ``tensorflow.python.keras``,
``tf_keras``, ``keras.src`` and the deep implementation modules
(``keras.layers.core.Dense``).  Every rule wants to ask one question -- "is
this ``keras.layers.Dense``?" -- so the import table stores raw dotted names
and this module maps them to one canonical spelling.
"""
from __future__ import annotations

from functools import lru_cache

from kerassniff.semantic.knowledge.keras3_removals import REMOVED_LAYER_CLASSES
from kerassniff.semantic.knowledge.names import (
    FLAT_PACKAGES,
    GUESSED_STAR_EXPORTS,
    LIBRARY_ROOTS,
    IMPLICIT_ALIASES,
    IMPLICIT_STAR_MODULES,
    KERAS_ROOTS,
    MODULE_ALIASES,
    STAR_EXPORTS,
    TENSORFLOW_KERAS_ALIASES,
    TOP_LEVEL_ALIASES,
)

__all__ = ["IMPLICIT_ALIASES", "IMPLICIT_STAR_MODULES", "STAR_EXPORTS", "canonical", "is_keras", "keras_relative",
           "short", "star_lookup"]


def keras_relative(raw: str) -> str | None:
    """The part of ``raw`` after its Keras root, or None when it is not Keras."""
    if raw.startswith("tensorflow.") and raw.count(".") >= 2:
        package = raw[:raw.index(".", 11)]
        if package in TENSORFLOW_KERAS_ALIASES:  # tf.optimizers.Adam: keras.optimizers.Adam
            return TENSORFLOW_KERAS_ALIASES[package][6:] + raw[len(package):]
    for root in KERAS_ROOTS:
        if raw == root:
            return ""
        if raw.startswith(root + "."):
            return raw[len(root) + 1 :]
    return None


def _other_alias(raw: str) -> str:
    """``cv2.cv2.imread`` as ``cv2.imread`` (:data:`MODULE_ALIASES`); any other name as it is."""
    for alias, module in MODULE_ALIASES.items():
        if raw == alias or raw.startswith(alias + "."):
            return module + raw[len(alias):]
    return raw


@lru_cache(maxsize=4096)
def canonical(raw: str) -> str:
    """Map a raw dotted name to kerassniff's canonical spelling.

    >>> canonical("tensorflow.keras.layers.core.Dense")
    'keras.layers.Dense'
    >>> canonical("numpy.int")
    'numpy.int'
    """
    rest = keras_relative(raw)
    if rest is None:
        return _other_alias(raw)
    name = "keras" + ("." + rest if rest else "")
    if name in TOP_LEVEL_ALIASES:
        return TOP_LEVEL_ALIASES[name]
    parts = name.split(".")
    if len(parts) >= 3 and parts[1] in FLAT_PACKAGES:
        name = f"keras.{parts[1]}.{parts[-1]}"
    elif len(parts) >= 3 and parts[1] == "applications":
        # keras.applications.resnet50.ResNet50 -> keras.applications.ResNet50,
        # but keep the family of preprocess_input/decode_predictions.
        if parts[-1][:1].isupper():
            name = f"keras.applications.{parts[-1]}"
        else:
            name = "keras.applications." + ".".join(parts[-2:])
    elif len(parts) >= 3 and parts[1] == "utils" and parts[-1][:1] != "_":
        name = f"keras.utils.{parts[-1]}"
    return TOP_LEVEL_ALIASES.get(name, name)


def may_be_the_projects(module: str) -> bool:
    """Whether a module named in an import may be one of the script's project (``prepare_data``, ``.utils``): not
    Keras under any of its names, nor a library (:data:`LIBRARY_ROOTS`)."""
    return bool(module) and not is_keras(canonical(module)) and module.split(".")[0] not in LIBRARY_ROOTS


def is_keras(name: str) -> bool:
    return name == "keras" or name.startswith("keras.")


def short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def star_lookup(star_modules: list[str], name: str, guessed: bool = False) -> str | None:
    """Resolve ``name`` through ``from <keras module> import *``, if any provides it; ``guessed``: the star imports are
    the analysis's guess (a snippet without imports, an unread module's star import), which provide only the common
    names (:data:`GUESSED_STAR_EXPORTS`)."""
    exports = GUESSED_STAR_EXPORTS if guessed else STAR_EXPORTS
    for module in reversed(star_modules):
        canon = canonical(module)
        if name in exports.get(canon, ()):
            return f"{module}.{name}"  # (as written: tf.keras's preprocessing still has what Keras 3's lost)
        if canon in ("keras", "keras.layers") and (name in exports["keras.layers"] or
                                                   (canon == "keras.layers" and name in REMOVED_LAYER_CLASSES)):
            return f"keras.layers.{name}"  # (a Keras 2 layer Keras 3 lost: reported as such)
    return None
