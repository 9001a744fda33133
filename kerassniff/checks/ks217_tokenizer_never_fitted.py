"""KS217 tokenizer-never-fitted: a Keras ``Tokenizer`` built in the script and asked to turn texts into token ids,
which nothing ever fitted or filled.

A prediction script or a web app often writes ``tokenizer = Tokenizer(num_words=5000)`` and then
``tokenizer.texts_to_sequences([text])``, forgetting that the word index lives in the tokenizer the training script
fitted: a new one knows no word.  Every text becomes an empty sequence, ``pad_sequences`` turns it into zeros, and
the model answers the same for every input (with ``oov_token=`` the ids are None, and ``pad_sequences`` stops with a
TypeError).
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Instance, const_value

# The methods that give a tokenizer its word index, and those that read it.
_FITTING = frozenset({"fit_on_texts", "fit_on_sequences"})
_READING = frozenset({"texts_to_sequences", "texts_to_matrix", "texts_to_sequences_generator"})
# Calls that may be given the tokenizer without filling it: saving it, printing it.
_HARMLESS = frozenset({"pickle.dump", "joblib.dump", "print", "json.dump", "len", "type", "isinstance"})


@rule("KS217", "tokenizer-never-fitted", Severity.ERROR,
      "texts_to_sequences() on a Keras Tokenizer that nothing fits or fills: every text becomes an empty sequence",
      "load the tokenizer the training script fitted (pickle.load, tokenizer_from_json) instead of building a new "
      "one, or fit_on_texts() the training texts first")
def check(script: Script):
    tokenizers = [call for call in script.calls if call.method in _READING and _is_tokenizer(call.receiver)]
    if not tokenizers:
        return
    reported: set[int] = set()
    for call in tokenizers:
        tokenizer = call.receiver
        made = id(tokenizer.node)
        if made in reported or tokenizer.attrs or _filled(script, made):
            continue  # fitted, given a word index by assignment, or handed to code that may fill it
        reported.add(made)
        name = script.code_of(call.node.func.value)
        consequence, story = _consequence(call.method, tokenizer)
        yield Report(call.node, f"'{name}' is never fitted: {call.method}() {consequence}",
                     explanation=(f"The Tokenizer built at {{made}} has an empty word index: no fit_on_texts() is "
                                  f"called on it and no word index is given to it, so {call.method}() finds no word: "
                                  f"{story} (checked on the Keras 2 Tokenizer kept in Keras 3.15.1)."),
                     facts={"tokenizer": name, "method": call.method},
                     mentions={"made": tokenizer.node})


def _consequence(method: str, tokenizer: Instance) -> tuple[str, str]:
    """What the unfitted tokenizer's method gives: (the message's words, the explanation's)."""
    oov = const_value(tokenizer.args.get("oov_token")) is not None
    sized = tokenizer.args.get("num_words", 0) is not None and const_value(tokenizer.args.get("num_words", 0)) \
        is not None
    if method == "texts_to_matrix":
        if oov:
            return ("raises TypeError", "each word becomes the out-of-vocabulary id, None before fitting, and the "
                                        "matrix cannot be filled with it (TypeError)")
        if not sized:
            return ("raises ValueError", "with no num_words= it does not know the matrix's width (ValueError)")
        return ("gives all-zero rows: no text reaches the model",
                "every row of the matrix is zeros, so the model's output is the same whatever the text")
    if oov:
        return ("gives None ids: pad_sequences() raises TypeError",
                "each word becomes the out-of-vocabulary id, which is None before fitting, and pad_sequences() "
                "stops on it (TypeError)")
    return ("gives empty sequences, the model sees only zeros",
            "every text becomes an empty sequence, pad_sequences() makes it all zeros, and the model's output is "
            "the same whatever the text")


def _is_tokenizer(value: object) -> bool:
    """A Keras Tokenizer the script built itself (an unpickled one is not an Instance)."""
    return isinstance(value, Instance) and value.node is not None and (
        value.cls.startswith("keras.") or value.cls.startswith("keras_preprocessing.")) and \
        value.cls.endswith(".Tokenizer")


def _filled(script: Script, made: int) -> bool:
    """Whether the tokenizer built at ``made`` is fitted somewhere, or given to a call that may fill it (a function
    of another module, ``tokenizer.__dict__.update(...)``, a setter)."""
    for call in script.calls:
        if _is_tokenizer(call.receiver) and id(call.receiver.node) == made:
            if call.method in _FITTING or call.method not in _READING:
                return True  # fit_on_texts(), or another method that may change it
        elif call.callee not in _HARMLESS and any(_is_tokenizer(value) and id(value.node) == made
                                                   for value in _arguments(call)):
            return True
    return False


def _arguments(call: CallSite):
    yield from call.args.positional
    yield from (value for _, value in call.args.keywords)
