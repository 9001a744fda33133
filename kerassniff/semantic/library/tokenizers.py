"""A Keras ``Tokenizer``'s attributes: the dicts its fitting fills, read as values that remember the tokenizer.

``len(tokenizer.word_index)`` is the usual way to size an ``Embedding`` for the tokenizer's ids, so the index is
followed as a :class:`~kerassniff.semantic.vocabulary.TokenizerIndex` whose ``len()`` is a vocabulary size
(KS225 compares it with the ids).  Its methods (``tokenizer.fit_on_texts``, ``texts_to_sequences``) make token-id
arrays of the texts' samples, for a Tokenizer the script builds and for one read back from a file.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic.dataflow import Data, DataValue, Source, data_of
from kerassniff.semantic.effects import Effects
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.knowledge.model_api import PREDICTION_RETURNING_METHODS
from kerassniff.semantic.knowledge.tokenizers import (
    HASHING_ENCODERS, ID_DICTS, PYTHON_HASH_SETTING, TOKENIZER_CHAR_LEVEL, TOKENIZER_FITS, TOKENIZER_ID_ENCODERS,
    TOKENIZER_OUTPUTS,
    VOCABULARY_DICTS,
)
from kerassniff.semantic.library.arrays import LibraryCall, make
from kerassniff.semantic.names import short
from kerassniff.semantic.pyvalues import (
    UNKNOWN, CallArgs, CharacterRows, ComprehensionValue, Const, Instance, Seq, Symbol, Value, WordsOfOneText,
    is_one_string,
)
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


def tokenizer_method(effects: Effects, instance: Instance, cls: str, method: str, args: CallArgs,
                     node: cst.Call) -> Value:
    """A Keras Tokenizer's method: ``fit_on_texts()`` notes what it was fitted on; ``texts_to_sequences()`` and
    ``texts_to_matrix()`` give the texts' samples as token ids (:func:`tokenized`)."""
    if method in TOKENIZER_FITS:
        given = args.node_of("texts", 0)
        instance.fitted_on.append((args.get("texts", 0) or UNKNOWN, given.value if given is not None else None))
        return Const(None)
    if method not in TOKENIZER_OUTPUTS:
        return UNKNOWN
    texts = args.get("texts", 0) or UNKNOWN
    if method in TOKENIZER_ID_ENCODERS and isinstance(texts, WordsOfOneText) and \
            tokenizer_setting(instance, *TOKENIZER_CHAR_LEVEL) in (None, False):
        return CharacterRows(call=node)  # one row per word (a character-level one encodes each word, as it should)
    given = args.node_of("texts", 0)
    written = given.value if given is not None else None
    return tokenized(data_of(texts), method, node, instance, (("texts", texts), ("texts_written", written)),
                     _count(texts))


def unknown_object_method(method: str, args: CallArgs, node: cst.Call) -> Value:
    """A method of an object whose kind is not known: any unknown value's method call comes here
    (:data:`kerassniff.semantic.calls._METHOD_CALLERS` routes every ``Unknown`` without a handler of its own), and
    only a tokenizer's encodings are answered, for a tokenizer read back with ``pickle.load`` (its settings not
    known): ``texts_to_sequences(text)`` of one string gives one row per character (:class:`CharacterRows`); of a
    list of texts, their token ids, as a Keras Tokenizer's encoding.  And an unpickled scaler's or encoder's
    ``inverse_transform(pred)`` of a model's predictions gives those predictions (in the targets' units, or as class
    names), as a known transformer's does.  Anything else is unknown."""
    if method in PREDICTION_RETURNING_METHODS and args.positional and isinstance(args.positional[0], Predictions):
        return args.positional[0]
    texts = args.get("texts", 0)
    if method in TOKENIZER_ID_ENCODERS and (is_one_string(texts) or isinstance(texts, WordsOfOneText)):
        return CharacterRows(call=node)
    if method in TOKENIZER_OUTPUTS and isinstance(texts, (Seq, ComprehensionValue, DataValue)):
        return tokenized(data_of(texts), method, node, n_samples=_count(texts))
    return UNKNOWN


def _count(value: Value) -> int | None:
    """How many texts a list written in the code holds (``[message]``: one), None when not known."""
    if isinstance(value, Seq):
        return len(value.items)
    return len(value.value) if isinstance(value, Const) and isinstance(value.value, tuple) else None


def tokenized(data: Data | None, method: str, node: cst.Call, tokenizer: Instance | None = None,
              texts: tuple[tuple[str, object], ...] = (), n_samples: int | None = None) -> Value:
    """``tokenizer.texts_to_sequences(x_test_text)``: the same samples as the texts, as token ids; from texts
    the model does not follow, a new array of the same kind (so its name still tells its split).  The step keeps
    the tokenizer object that made the ids (each evaluation's own: a helper called once per split builds one each),
    the texts' value and the expression written for them; ``n_samples``, how many texts a list written in the code
    holds."""
    settings = (("tokenizer", tokenizer), *texts) if tokenizer is not None else ()
    if data is not None:
        return DataValue(data.with_step("encode", method, node, settings=settings, encoding=None, n_classes=None))
    func = node.func
    owner = func.value.value if type(func) is cst.Attribute and type(func.value) is cst.Name else "tokenizer"
    made = make(Source("unknown", f"{owner}.{method}(...)", node), node, n_samples=n_samples)
    made_data = data_of(made)
    if tokenizer is None or made_data is None:
        return made
    return DataValue(made_data.with_step("encode", method, node, settings=settings))


def hashed_words(call: LibraryCall) -> Value:
    """``one_hot(text, n)``, ``hashing_trick(text, n, hash_function=...)``: one text's words as hashed ids, the step
    noting whether the hash is Python's salted one (:data:`~kerassniff.semantic.knowledge.tokenizers.HASHING_ENCODERS`)."""
    given = call.args.get("hash_function", HASHING_ENCODERS[call.name])
    python = given is None or (type(given) is Const and given.value is None) or \
        (isinstance(given, Symbol) and given.name == "builtins.hash")
    made = make(Source("unknown", f"{call.last}(...)", call.node), call.node, is_sample=True)
    return DataValue(made.data.with_step("encode", call.last, call.node, settings=((PYTHON_HASH_SETTING, python),)))
