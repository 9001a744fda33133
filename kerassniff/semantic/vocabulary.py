"""Word ids and vocabularies: what a word index numbers, and how many rows an ``Embedding`` needs for it.

Two sources of word ids are followed.  A Keras dataset's word index (``imdb.get_word_index()``) gives each word its
frequency rank, which ``load_data()`` shifts by ``index_from`` (KS222 compares the two).  A Keras ``Tokenizer``
fitted on texts numbers its words from 1 (0 is left for padding), so with ``num_words`` unset its ids run up to
``len(tokenizer.word_index)``; ``len()`` of its index is a :class:`VocabularySize` that remembers the tokenizer and
the offset added to it, so a rule can compare an ``Embedding``'s rows with the ids it will be given (KS225).  What
the tokenizer's fields mean is the library's (:mod:`kerassniff.semantic.knowledge.tokenizers`); these values only
carry it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from kerassniff.semantic.pyvalues import UNKNOWN, Const, Instance, Strings, UnknownInteger, Value

__all__ = ["WORD_INDEX_STEP", "IdBounds", "TokenizerIndex", "VocabularySize", "WordId", "WordIndex"]


class IdBounds:
    """Whether the script compares ids read from one word index with ``<``, ``<=``, ``>`` or ``>=`` anywhere
    (``word_index[w] + 3 < 10000``: a cap, or a filter): shared by the index and every id read from it, and read once
    the whole script is interpreted."""

    __slots__ = ("compared",)

    def __init__(self) -> None:
        self.compared = False


@dataclass(unsafe_hash=True)
class WordIndex(Value):
    """A Keras dataset's word index (``imdb.get_word_index()``): word -> id, each id the word's frequency rank plus
    ``offset`` (0 as the dataset gives it)."""

    dataset: str
    offset: int
    node: cst.CSTNode = field(repr=False, compare=False)
    bounds: IdBounds = field(default_factory=IdBounds, repr=False, compare=False)

    def word_id(self, key: Value | None = None, default: Value | None = None) -> "WordId":
        """The id of the word ``key`` (``word_index[key]``, ``word_index.get(key, 2)``: ``default``, the id a word the
        index lacks gets)."""
        missing = default.value if type(default) is Const and type(default.value) is int else None
        return WordId(self.dataset, self.offset, self.node, self.bounds, word=written_word(key), missing=missing)


@dataclass(unsafe_hash=True)
class WordId(Value):
    """An id read from a dataset's word index (``word_index["great"]``, ``word_index.get(w, 2) + 3``): the word's
    rank plus ``offset``."""

    dataset: str  # "" for an id read from a Tokenizer's word index
    offset: int
    node: cst.CSTNode = field(repr=False, compare=False)
    bounds: IdBounds = field(default_factory=IdBounds, repr=False, compare=False)
    tokenizer: Instance | None = field(default=None, repr=False)  # the Tokenizer whose word_index gave it
    word: str | None = field(default=None, compare=False)  # the word, when the script writes it ("great")
    # the id a word missing from the index gets (word_index.get(w, 2) + 3: 5), shifted with the ranks
    missing: int | None = field(default=None, compare=False)

    def shifted(self, by: int) -> "WordId":
        missing = None if self.missing is None else self.missing + by
        return WordId(self.dataset, self.offset + by, self.node, self.bounds, self.tokenizer, self.word, missing)

    def absorbs(self, other: Value) -> bool:
        """A padding, start or unknown-word marker (0, 1, 2 as load_data() uses them) beside word ids: the list is
        still one of word ids (``encoded = [1]``, then the ranks appended; ``.get(w, 2)``)."""
        return type(other) is Const and type(other.value) is int and other.value in _MARKER_IDS

    def stands_for(self, item: Value) -> bool:
        return item == self or self.absorbs(item)

    def ordered_against(self) -> None:
        self.bounds.compared = True

    def present_only(self) -> "WordId":
        """No word the index lacks reaches this id: none gets the unknown-word id."""
        return self if self.missing is None else replace(self, missing=None)

    def or_else(self, item: Value, passes=None) -> "WordId":
        """``word_index.get(w, 2) + 3 if w in word_index else 2``: which id a missing word gets is the other branch's
        business, no longer known; unless the test is a bound on the id itself that the missing word's id passes
        (``i if i < 5000 else 2``: a word the index lacks is still ``missing``)."""
        if self.missing is None or (passes is not None and passes(self.missing)):
            return self
        return replace(self, missing=None)


# load_data()'s padding, start and out-of-vocabulary ids (start_char=1, oov_char=2; 0 pads).
_MARKER_IDS = (0, 1, 2)
# The step of an array of ids read from a dataset's word index (settings: dataset, offset).
WORD_INDEX_STEP = "get_word_index"


@dataclass(eq=False)
class TokenizerIndex(Value):
    """A Keras Tokenizer's ``word_index`` (or ``word_counts``) as its fitting fills it, read from the tokenizer the
    script built (compared by identity: the tokenizer's own dict)."""

    tokenizer: Instance
    attribute: str  # "word_index" | "word_counts"
    node: cst.CSTNode = field(repr=False)  # the expression that reads it (tokenizer.word_index)
    holds_ids: bool = False  # its values are the ids texts_to_sequences() gives (word_index), not counts

    def word_id(self, key: Value | None = None) -> Value:
        """``tokenizer.word_index["great"]`` (or ``.get(w)``): that word's id, every id of the index possible."""
        if not self.holds_ids:
            return UNKNOWN
        if self.tokenizer.id_bounds is None:
            self.tokenizer.id_bounds = IdBounds()
        return WordId("", 0, self.node, self.tokenizer.id_bounds, self.tokenizer, written_word(key))

    def size(self) -> "VocabularySize":
        """``len()`` of the index."""
        return VocabularySize(tokenizer=self.tokenizer, attribute=self.attribute, offset=0, index_node=self.node)

    def edited(self) -> None:
        """An item written into the dict, or a method that changes it (``word_index["<pad>"] = 0``): its length is
        no longer the fitted vocabulary's, so the tokenizer's attribute reads as not known from here on."""
        self.tokenizer.attrs[self.attribute] = UNKNOWN


@dataclass(unsafe_hash=True)
class VocabularySize(UnknownInteger):
    """``len(tokenizer.word_index) + offset``: a number not known before the texts are read (an unknown integer to
    every other reader), that still says which tokenizer's vocabulary it counts."""

    tokenizer: Instance | None = field(default=None, repr=False)  # compared by identity: a tokenizer is itself
    attribute: str = "word_index"
    offset: int = 0
    index_node: cst.CSTNode | None = field(default=None, repr=False, compare=False)  # tokenizer.word_index

    def shifted(self, by: int) -> "VocabularySize":
        return VocabularySize(tokenizer=self.tokenizer, attribute=self.attribute, offset=self.offset + by,
                              index_node=self.index_node)


def written_word(key: Value | None) -> str | None:
    """The word a lookup asks for, when the script writes it (a constant: a word of a sentence typed in the code)."""
    if type(key) is Const and type(key.value) is str:
        return key.value
    return "|".join(key.options) if type(key) is Strings and key.options else None  # one of a few written words
