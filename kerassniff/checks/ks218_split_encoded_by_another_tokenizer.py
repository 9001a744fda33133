"""KS218 split-encoded-by-another-tokenizer: the texts of a validation, test or prediction split turned into token
ids by another Keras ``Tokenizer`` than the one that encoded the texts fit() trained on, fitted on other texts.

A Tokenizer numbers words by how often they occur in the texts it is fitted on: fitted again on the test texts (a
helper that builds and fits one per call, ``data_tokenizer(X_test)``), or on the one sentence a prediction script is
given, it gives the same word another id.  The Embedding then looks up the vector training learnt for some other
word, and the scores or predictions are those of scrambled texts.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import EVENT_WORDS, fit_words, held_out_inputs
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.script import NOT_RECORDED
from kerassniff.semantic.dataflow import Data, DataEvent, text_encoding
from kerassniff.semantic.knowledge.tokenizers import TOKENIZER_STATE
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import ComprehensionValue, DataValue, Instance, Unknown, Value, written_strings

@rule("KS218", "split-encoded-by-another-tokenizer", Severity.ERROR,
      "a split's texts encoded by another Tokenizer than fit()'s, fitted on other texts: the same word gets "
      "another id",
      "fit one Tokenizer on the training texts and encode every split with it (save it with the model and load it "
      "where you predict)")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        reference, held_out = held_out_inputs(script, model)
        trained = tokenizer_of(reference.data) if reference is not None else None
        for event in held_out:
            if id(event.call_node) in reported:
                continue
            used = tokenizer_of(event.data)
            if used is None or used is trained or not used.fitted_on or id(used) in reported or \
                    _STATE & used.attrs.keys():
                continue  # no tokenizer, the training one, one never fitted (KS217's), reported, or given an index
            if reference is not None:
                report = _refitted(event, reference, trained, used)
            else:
                report = _fitted_on_what_it_encodes(script, model, event, used)
            if report is not None:
                reported.update({id(event.call_node), id(used)})  # one finding per tokenizer, at its first use
                yield report


# The attributes that hold what fitting learns: a tokenizer given one (``test_tok.word_index = train_tok.word_index``)
# encodes with it.
_STATE = TOKENIZER_STATE


def tokenizer_of(data: Data) -> Instance | None:
    """The Tokenizer whose ids an array holds: the one of its last texts-to-ids step."""
    encoding = text_encoding(data)
    tokenizer = encoding.setting("tokenizer") if encoding is not None else None
    return tokenizer if isinstance(tokenizer, Instance) else None


def _refitted(event: DataEvent, reference: DataEvent, trained: Instance | None, used: Instance) -> Report | None:
    """The split's tokenizer is another one than fit()'s, and both were fitted on texts known to differ."""
    if trained is None or not trained.fitted_on or _may_share_texts(trained.fitted_on, used.fitted_on):
        return None
    fit = fit_words(event, reference)
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets {_label(event)} encoded by another Tokenizer than {fit}: word ids differ"),
        explanation=("A Tokenizer numbers the words of the texts it is fitted on by how often they occur there; this "
                     "split was encoded by another Tokenizer than the texts fit() trained on, fitted on other texts, "
                     "so the same word has another id here and the Embedding reads the vector training learnt for a "
                     "different word. The scores or predictions are those of scrambled texts."),
        facts={"tokenizer_fitted_on_other_texts": True},
        mentions={"fit": reference.call_node, "built": used.node, "training_tokenizer": trained.node})


def _fitted_on_what_it_encodes(script: Script, model: Model, event: DataEvent, used: Instance) -> Report | None:
    """A model this script does not train (a loaded one) given texts encoded by a tokenizer fitted only on strings
    written in the script, or only on the very texts it encodes (a user's input in an app): its vocabulary is those
    few words', not the one training used.  Not when those texts are read from a file (the training file read again
    rebuilds the training vocabulary)."""
    if model.fits or event.kind != "predict":
        return None
    encoding = text_encoding(event.data)
    written_for = encoding.setting("texts_written") if encoding is not None else None
    encoded = _texts_codes(script, written_for) if isinstance(written_for, cst.CSTNode) else None
    own = encoded is not None and all(node is not None and _texts_codes(script, node) & encoded and
                                      _one_scope(script, node, written_for) for _, node in used.fitted_on)
    written = all(written_strings(value) for value, _ in used.fitted_on)
    if not (own or written) or any(_read_from_a_file(value) for value, _ in used.fitted_on):
        return None
    what = "the texts it encodes" if own and not written else "texts written here"
    return Report(event.call_node, (
        f"predict() gets {_label(event)} encoded by a Tokenizer fitted only on {what}: not training's ids"),
        explanation=(f"The Tokenizer was fitted only on {what}, so its word ids number those few words by their "
                     f"order there, not the vocabulary the model was trained with: every word the model sees stands "
                     f"for another one (or for none). Load the tokenizer the training script fitted."),
        facts={"tokenizer_fitted_on": "encoded texts" if own and not written else "written texts"},
        mentions={"built": used.node})


_LONGEST_LABEL = 24  # a longer description of the array (an unnamed encoding) is left to the explanation


def _label(event: DataEvent) -> str:
    """The array's name for the message (``'x_test'``), or "texts" for an array with no short one."""
    label = event.data.label
    return label if len(label) <= _LONGEST_LABEL else "texts"


def _texts_codes(script: Script, node: cst.CSTNode) -> set[str]:
    """The ways one written expression of texts may be the same texts as another: its code, and for a list of one
    item that item's (``fit_on_texts(words)`` then ``texts_to_sequences([words])``: the input's own words)."""
    codes = {script.code_of(node)}
    if type(node) in (cst.List, cst.Tuple) and len(node.elements) == 1 and type(node.elements[0]) is cst.Element:
        codes.add(script.code_of(node.elements[0].value))
    return codes


def _one_scope(script: Script, first: cst.CSTNode, second: cst.CSTNode) -> bool:
    """Whether two texts arguments written alike are read in one scope: the same innermost function (or lambda), or
    both at module level (``lines`` fitted in ``create_tokenizer(lines)`` and ``lines`` encoded in
    ``encode_sequences(tokenizer, lines)`` are two functions' parameters, not the same texts, whether the functions
    are the module's, a class's methods or nested in ``main()``)."""
    scope = script.enclosing_function(first)
    return scope is not NOT_RECORDED and scope is script.enclosing_function(second)


def _read_from_a_file(value: Value) -> bool:
    return isinstance(value, DataValue) and value.data.source.kind in ("file", "directory", "dataset")


def _may_share_texts(first: list, second: list) -> bool:
    """Whether the two tokenizers may have been fitted on the same texts.  Texts are told apart only when each is
    followed: arrays of different splits or of different files (not one file read twice), or strings written in the
    script against an array; anything else may be the same."""
    for value_a, _ in first:
        for value_b, _ in second:
            if not _known_apart(value_a, value_b):
                return True
    return False


def _gathered_elsewhere(value: Value) -> bool:
    """Texts known not to be strings the script writes: an array read from a file, or a list a comprehension builds
    of values the analysis does not follow (not of strings, which may be the written ones, changed)."""
    if isinstance(value, DataValue):
        return True
    return type(value) is ComprehensionValue and type(value.element) is Unknown


def _known_apart(a: Value, b: Value) -> bool:
    if written_strings(a) or written_strings(b):
        if written_strings(a) and written_strings(b):
            return written_strings(a) != written_strings(b)
        # strings written in the script against texts read from a file (an array followed) or gathered by a
        # comprehension of values the analysis does not know (``[reader.raw(f) for f in reader.fileids()]``): not
        # the same texts.  A value merely lost (``list(corpus)`` of the written corpus) may be them.
        return _gathered_elsewhere(a) or _gathered_elsewhere(b)
    if not isinstance(a, DataValue) or not isinstance(b, DataValue):
        return False
    first, second = a.data, b.data
    if first.group == second.group:
        return first.split != second.split and None not in (first.split, second.split)
    paths = first.source.normal_path, second.source.normal_path
    if first.source.kind == second.source.kind == "file" and None not in paths:
        return paths[0] != paths[1] or first.split != second.split
    return first.source.node is not second.source.node and first.source.kind in ("file", "dataset") and \
        second.source.kind in ("file", "dataset")
