"""The Keras 2 ``Tokenizer`` (``keras.preprocessing.text``, tf.keras, ``keras_preprocessing``; Keras 3 keeps the same
code in ``keras.src.legacy.preprocessing.text``): which methods build its word index, which read it, which leave it
as it is, and which attributes hold what fitting learns (checked on Keras 3.15.1's copy)."""
from __future__ import annotations

# Methods that turn texts or id sequences into the arrays a model is given.
TOKENIZER_OUTPUTS = frozenset({"texts_to_sequences", "texts_to_matrix", "sequences_to_matrix"})
# Methods that turn texts into ids through the word index.
TEXT_ENCODERS = frozenset({"texts_to_sequences", "texts_to_matrix"})
# The method that builds the word index (fit_on_sequences counts documents per id: word_index stays empty).
TOKENIZER_FITS = frozenset({"fit_on_texts"})
# Methods that leave the word index as it is.
TOKENIZER_KEEPING = frozenset({"fit_on_sequences", "get_config", "to_json", "sequences_to_matrix",
                               "sequences_to_texts"})
# Attributes that hold what fitting learns: setting one (or the whole __dict__) gives a tokenizer its index.
TOKENIZER_STATE = frozenset({"word_index", "index_word", "word_counts", "word_docs", "index_docs", "__dict__"})
