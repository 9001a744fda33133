"""A Keras ``Tokenizer``'s attributes: the dicts its fitting fills, read as values that remember the tokenizer.

``len(tokenizer.word_index)`` is the usual way to size an ``Embedding`` for the tokenizer's ids, so the index is
followed as a :class:`~kerassniff.semantic.vocabulary.TokenizerIndex` whose ``len()`` is a vocabulary size
(KS225 compares it with the ids).  Its methods (``tokenizer.fit_on_texts``, ``texts_to_sequences``) are handled
with the other library objects' in :mod:`kerassniff.semantic.library.array_methods`.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic.knowledge.tokenizers import ID_DICTS, VOCABULARY_DICTS
from kerassniff.semantic.names import short
from kerassniff.semantic.pyvalues import UNKNOWN, Const, Instance, Value
from kerassniff.semantic.vocabulary import TokenizerIndex

# Dict methods that change the dict they are called on.
_DICT_CHANGERS = frozenset({"update", "pop", "popitem", "setdefault", "clear"})


def is_keras_tokenizer(instance: Instance, standalone: bool = False) -> bool:
    """A Keras Tokenizer (tf.keras, Keras 2/3's legacy copy); with ``standalone``, the keras_preprocessing package's
    too (whose fit_on_texts() the model does not follow, so its index is not known here)."""
    roots = ("keras.", "keras_preprocessing.") if standalone else ("keras.",)
    return short(instance.cls) == "Tokenizer" and instance.cls.startswith(roots)


def instance_attribute(instance: Instance, attribute: str, node: cst.Attribute) -> Value:
    """An attribute of a library object that no code of the script set: a Tokenizer's vocabulary dicts."""
    if attribute in VOCABULARY_DICTS and is_keras_tokenizer(instance):
        return TokenizerIndex(instance, attribute, node, holds_ids=attribute in ID_DICTS)
    return UNKNOWN


def index_method(index: TokenizerIndex, method: str, key: Value | None = None) -> Value:
    """``tokenizer.word_index.get(w, 0)``: a word's id; ``tokenizer.word_index.update(...)``: a method that changes
    the dict leaves its length unknown."""
    if method == "get":
        return index.word_id(key)
    if method in _DICT_CHANGERS:
        index.edited()
    return UNKNOWN


def tokenizer_setting(tokenizer: Instance, name: str, position: int) -> object:
    """A constructor setting's constant (None when not given; set on the object later, the value set): UNKNOWN when
    it is not a constant."""
    value: Value | None = tokenizer.attrs[name] if name in tokenizer.attrs else tokenizer.args.get(name, position)
    if value is None:
        return None
    return value.value if type(value) is Const else UNKNOWN
