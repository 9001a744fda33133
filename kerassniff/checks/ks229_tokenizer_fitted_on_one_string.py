"""KS229 tokenizer-fitted-on-one-string: ``fit_on_texts()`` given one string instead of a list of texts.

``Tokenizer.fit_on_texts(texts)`` takes a list of texts and iterates over it.  Given one string (a whole file's text,
``f.read()``), it iterates over the characters: each character is a "text", and the word index learns single
letters.  ``texts_to_sequences()`` of real sentences then finds almost no word in it: every word is dropped (or
becomes the ``oov_token``'s id), and the model is given empty or all-unknown sequences.
"""
from __future__ import annotations

from kerassniff.checks._shared import argument_shown
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.tokenizers import TOKENIZER_CHAR_LEVEL, TOKENIZER_FITS
from kerassniff.semantic.library.tokenizers import is_keras_tokenizer, tokenizer_setting
from kerassniff.semantic.values import Instance, is_one_string


@rule("KS229", "tokenizer-fitted-on-one-string", Severity.ERROR,
      "fit_on_texts() given one string, not a list of texts: the Tokenizer learns its characters as words",
      "give fit_on_texts() a list of texts: fit_on_texts([text]), or text.splitlines() for one text per line")
def check(script: Script):
    for call in script.calls:
        tokenizer = call.receiver
        if call.method not in TOKENIZER_FITS or not isinstance(tokenizer, Instance) or \
                not is_keras_tokenizer(tokenizer) or not is_one_string(call.args.get("texts", 0)):
            continue
        if tokenizer_setting(tokenizer, *TOKENIZER_CHAR_LEVEL) not in (None, False):
            continue  # char_level=True (or not known): characters are the tokens it wants
        argument = call.args.node_of("texts", 0)
        if argument is None:
            continue
        given = argument.value
        written = argument_shown(script, given)
        yield Report(given, f"fit_on_texts({written}) gets one string, not a list of texts: its words are characters",
                     explanation=(
                         "fit_on_texts() iterates over its argument as a list of texts. A string iterates character "
                         "by character, so each character is a 'text' and the word index learns single letters and "
                         "symbols. texts_to_sequences() of real sentences then finds almost none of their words: "
                         "each is dropped (or given the oov_token's id), and the model is given empty or all-unknown "
                         "sequences (checked with tf.keras 2.21's Tokenizer: fitted on 'the cat sat', its index is "
                         "t, h, e, a, ...; texts_to_sequences(['the cat sat']) gives [[]])."),
                     facts={"given": "string"})
