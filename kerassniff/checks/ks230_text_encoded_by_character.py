"""KS230 text-encoded-by-character: ``texts_to_sequences()`` or ``texts_to_matrix()`` given one string, not a list.

A Keras ``Tokenizer`` encodes a list of texts, one row per text.  Given one string (the review a user typed, a
form field, a sentence written in the code), it iterates over the characters: each character is a "text", looked
up as a word.  The result has one row per character, almost all empty; padded and given to ``predict()``, the
model answers once per character, and the script reads the first character's answer as the text's.
"""
from __future__ import annotations

from typing import Iterator

from kerassniff.checks._shared import argument_shown
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.tokenizers import TEXT_ENCODERS, TOKENIZER_CHAR_LEVEL
from kerassniff.semantic.library.tokenizers import is_keras_tokenizer, tokenizer_setting
from kerassniff.semantic.names import short
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import CharacterRows, Instance, WordsOfOneText, is_one_string


@rule("KS230", "text-encoded-by-character", Severity.ERROR,
      "texts_to_sequences() given one string, not a list of texts: one row per character, not one for the text",
      "wrap the text in a list: texts_to_sequences([text]) gives the one row of the text's word ids")
def check(script: Script):
    reported: set[int] = set()
    for call in _encodings_of_one_string(script):
        if id(call.node) in reported:
            continue
        reported.add(id(call.node))
        given = call.args.node_of("texts", 0).value  # type: ignore[union-attr]
        written = argument_shown(script, given)
        if isinstance(call.args.get("texts", 0), WordsOfOneText):
            yield _words_report(call, given, written)
            continue
        yield Report(given, f"{call.method}({written}) gets one string, not a list of texts: one row per character",
                     explanation=(
                         f"{call.method}() encodes a list of texts, one row per text. A string iterates character by "
                         "character, so each character is a 'text' and is looked up as a word: the result has one "
                         "row per character, almost all empty (checked with tf.keras 2.21's Tokenizer fitted on "
                         "'this movie was great', 'a bad movie', 'i loved it': texts_to_sequences('a great movie') "
                         "gives 13 rows, [[5], [], [], ...], where texts_to_sequences(['a great movie']) gives "
                         "[[5, 4, 1]]). Padded and given to predict(), the model answers once per character, and "
                         "the first row is the first character's answer, not the text's."),
                     facts={"given": "string", "method": call.method})


def _encodings_of_one_string(script: Script) -> Iterator[CallSite]:
    """The encoding calls given one string whose rows are one per character for a model: by a Keras Tokenizer the
    script builds (word-level: char_level= not set or False), wherever the rows go; by a tokenizer whose settings
    are not known (read back from a pickle), when the rows are padded (a character-level tokenizer's rows are
    flattened, and its one-hot matrix rows are one per character by design)."""
    for call in script.calls:
        if call.method in TEXT_ENCODERS and isinstance(call.receiver, Instance) and \
                call.args.node_of("texts", 0) is not None and is_one_string(call.args.get("texts", 0)) and \
                is_keras_tokenizer(call.receiver, standalone=True) and \
                tokenizer_setting(call.receiver, *TOKENIZER_CHAR_LEVEL) in (None, False):
            yield call
        elif call.callee is not None and short(call.callee) == "pad_sequences":
            rows = call.args.positional[0] if call.args.positional else call.args.get("sequences")
            encoding = script.call_at(rows.call) if type(rows) is CharacterRows and rows.call is not None else None
            if encoding is not None and encoding.args.node_of("texts", 0) is not None:
                yield encoding


def _words_report(call: CallSite, given, written: str) -> Report:
    return Report(given, f"{call.method}({written}) gets one text's words, not a list of texts: one row per word",
                  "wrap the text, not its words, in a list: texts_to_sequences([text]) (the tokenizer splits it)",
                  explanation=(
                      f"{call.method}() encodes a list of texts, one row per text. The words of one text, given as "
                      "that list, are each a text of their own: the result has one row per word (checked on Keras "
                      "3.15.1's Tokenizer fitted on 'hello world', 'world of baz', 'hello baz foo': "
                      "texts_to_sequences(['hello', 'world', 'baz']) gives [[1], [2], [3]], where "
                      "texts_to_sequences(['hello world baz']) gives [[1, 2, 3]]). Padded and given to predict(), "
                      "the model answers once per word, and the first row is the first word's answer, not the "
                      "text's."),
                  facts={"given": "words", "method": call.method})
