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

# The tokenizer's dicts whose length counts its vocabulary, by what they hold (checked on Keras 3.15.1 and tf.keras
# 2.21: Tokenizer(oov_token="<OOV>") fitted on "a b c" and "a b" has word_index {'<OOV>': 1, 'a': 2, 'b': 3, 'c': 4}
# and three word_counts): "ids", one entry per id it gives (the oov_token's too); "words", one per word of the texts.
VOCABULARY_DICTS = {"word_index": "ids", "index_word": "ids", "word_counts": "words", "word_docs": "words"}
# The dict that maps a word to the id texts_to_sequences() gives it (with num_words=N, only the ids below N are given;
# the dict holds them all).
ID_DICTS = frozenset({"word_index"})
# Where the constructor takes the settings that decide its ids: Tokenizer(num_words=None, filters, lower, split,
# char_level, oov_token=None, analyzer=None).  With num_words unset, texts_to_sequences() gives every id from 1 to
# len(word_index); with num_words=N, only the ids below N.
TOKENIZER_NUM_WORDS = ("num_words", 0)
TOKENIZER_OOV_TOKEN = ("oov_token", 5)
# char_level=True: every character is a token, so fit_on_texts() of one string (its characters) is what it wants.
TOKENIZER_CHAR_LEVEL = ("char_level", 4)
# Methods that give the tokenizer's ids as sequences (what an Embedding is given).
TOKENIZER_ID_ENCODERS = frozenset({"texts_to_sequences", "texts_to_sequences_generator"})

# Keras's hashing word encoders (keras.preprocessing.text, tf.keras, keras_preprocessing; Keras 3's legacy copy), with
# the position of hash_function=: one text's words as hash(word) % (n - 1) + 1.  Without hash_function= (or with None)
# that hash is Python's own, salted afresh in every process; "md5" or a function of the script's is stable (Keras
# 3.15.1's hashing_trick: "'hash' is not a stable hashing function, so it is not consistent across different runs").
HASHING_ENCODERS = {f"{package}.{name}": 2 for package in ("keras.preprocessing.text", "keras_preprocessing.text")
                    for name in ("one_hot", "hashing_trick")}
# The setting of a hashing encoder's step: True when the ids come from Python's salted hash().
PYTHON_HASH_SETTING = "python_hash"
# Functions that split one text into its words, a list of strings (Keras's own, NLTK's, gensim's lowercasing one):
# handed to texts_to_sequences() as they are, each word is a text of its own.
WORD_SPLITTERS = frozenset({"keras.preprocessing.text.text_to_word_sequence",
                            "keras_preprocessing.text.text_to_word_sequence", "nltk.word_tokenize",
                            "nltk.tokenize.word_tokenize", "gensim.utils.simple_preprocess"})
