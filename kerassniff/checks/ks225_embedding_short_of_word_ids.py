"""KS225 embedding-short-of-word-ids: an ``Embedding`` sized ``len(tokenizer.word_index)`` for the ids of a Keras
``Tokenizer`` that keeps every word.

A Tokenizer numbers its words from 1 (0 is left for padding), so with ``num_words`` unset its ids run from 1 to
``len(word_index)``, and an Embedding needs ``len(word_index) + 1`` rows.  With one row fewer, the rarest word's id
has none: TensorFlow on a CPU stops with InvalidArgumentError at the first batch that holds it; on a GPU nothing
stops it (XLA clamps the id to the last row, plain ``tf.gather`` gives zeros), so the word reads as another or as
nothing.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.layers import EMBEDDING_ID_PAST_ROWS
from kerassniff.semantic.knowledge.tokenizers import (
    TOKENIZER_ID_ENCODERS,
    TOKENIZER_NUM_WORDS,
    TOKENIZER_OOV_TOKEN,
    VOCABULARY_DICTS,
)
from kerassniff.semantic.library.tokenizers import tokenizer_setting
from kerassniff.semantic.values import UNKNOWN, Instance, VocabularySize


@rule("KS225", "embedding-short-of-word-ids", Severity.ERROR,
      "an Embedding sized len(tokenizer.word_index) (or fewer) for the ids of a Keras Tokenizer without num_words: "
      "its ids start at 1, so the largest has no row",
      "give the Embedding len(tokenizer.word_index) + 1 rows (id 0 is left for padding)")
def check(script: Script):
    seen: set[int] = set()
    for model in script.models:
        for layer in model.layers:
            if layer.kind != "Embedding" or id(layer.node) in seen:
                continue
            rows = layer.args.get("input_dim", 0)
            if type(rows) is not VocabularySize or rows.tokenizer is None or rows.index_node is None:
                continue
            short = _rows_short(rows)
            if not short or not _encodes_texts(script, rows.tokenizer):
                continue
            seen.add(id(layer.node))
            yield _report(script, layer.node, rows, short)


def _rows_short(rows: VocabularySize) -> int | None:
    """How many of the tokenizer's ids the rows leave out (0 or less: none); None when its ids are not known: a
    ``num_words`` given or set (ids below it, whatever the texts), an ``oov_token`` not written as a constant."""
    tokenizer = rows.tokenizer
    if not tokenizer.fitted_on:
        return None
    if tokenizer_setting(tokenizer, *TOKENIZER_NUM_WORDS) is not None:
        return None
    largest = 0  # the largest id, as an offset from len(word_index)
    if VOCABULARY_DICTS[rows.attribute] == "words":
        oov = tokenizer_setting(tokenizer, *TOKENIZER_OOV_TOKEN)
        if oov is UNKNOWN:
            return None
        largest = 1 if oov is not None else 0  # len(word_counts) leaves out the oov_token's id
    return largest + 1 - rows.offset


def _encodes_texts(script: Script, tokenizer: Instance) -> bool:
    """Whether the script turns texts into this tokenizer's ids (texts_to_sequences)."""
    return any(call.method in TOKENIZER_ID_ENCODERS and call.receiver is tokenizer for call in script.calls)


def _report(script: Script, node: cst.CSTNode, rows: VocabularySize, short: int) -> Report:
    name = script.code_of(rows.index_node.value) if type(rows.index_node) is cst.Attribute else "tokenizer"
    size = f"len({name}.{rows.attribute})"
    written = size + (f" + {rows.offset}" if rows.offset > 0 else f" - {-rows.offset}" if rows.offset < 0 else "")
    which = "largest word id" if short == 1 else f"{short} largest word ids"
    counts = "" if VOCABULARY_DICTS[rows.attribute] == "ids" else (
        f" {rows.attribute} counts the words of the texts only, without the oov_token's id (1).")
    return Report(node, f"Embedding of {written} rows has none for {name}'s {which} (ids start at 1)",
                  fix_hint=f"give the Embedding len({name}.word_index) + 1 rows (id 0 is left for padding)",
                  explanation=(f"{name} is a Keras Tokenizer without num_words, so texts_to_sequences() numbers every "
                               f"word of its texts from 1 (0 is left for padding) up to len({name}.word_index), and "
                               f"an Embedding needs len(word_index) + 1 rows for them.{counts} With {written} rows "
                               f"({{index}}), the {which} has no row. {EMBEDDING_ID_PAST_ROWS}"),
                  facts={"rows": written, "short": short, "attribute": rows.attribute},
                  mentions={"index": rows.index_node})
