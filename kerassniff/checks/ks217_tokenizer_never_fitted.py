"""KS217 tokenizer-never-fitted: a Keras ``Tokenizer`` built in the script and asked to turn texts into token ids,
which nothing ever fitted or filled.

A prediction script or a web app often writes ``tokenizer = Tokenizer(num_words=5000)`` and then
``tokenizer.texts_to_sequences([text])``, forgetting that the word index lives in the tokenizer the training script
fitted: a new one knows no word.  Every text becomes an empty sequence, ``pad_sequences`` turns it into zeros, and
the model answers the same for every input (with ``oov_token=`` the ids are None, and ``pad_sequences`` stops with a
TypeError).
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.tokenizers import TEXT_ENCODERS, TOKENIZER_FITS, TOKENIZER_KEEPING, TOKENIZER_STATE
from kerassniff.semantic.library.tokenizers import is_keras_tokenizer
from kerassniff.semantic.syntax import rendered
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Instance, const_value

# The method that gives a tokenizer its word index, those that read it, those that leave the index as it is, and the
# attributes that hold it (the knowledge table's).
_FITTING = TOKENIZER_FITS
_READING = TEXT_ENCODERS
_KEEPING = TOKENIZER_KEEPING
_STATE = TOKENIZER_STATE
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
        name = script.code_of(call.node.func.value)
        if made in reported or tokenizer.fitted_on or _STATE & tokenizer.attrs.keys() or _filled(script, made) or \
                _state_reached(script.module, name):
            continue  # fitted, given a word index, or handed to code that may fill it
        reported.add(made)
        consequence, story = _consequence(call.method, tokenizer, call)
        yield Report(call.node, f"'{name}' is never fitted: {call.method}() {consequence}",
                     explanation=(f"The Tokenizer built at {{made}} has an empty word index: no fit_on_texts() is "
                                  f"called on it and no word index is given to it, so {call.method}() finds no word: "
                                  f"{story} (checked on the Keras 2 Tokenizer kept in Keras 3.15.1)."),
                     facts={"tokenizer": name, "method": call.method},
                     mentions={"made": tokenizer.node})


def _consequence(method: str, tokenizer: Instance, call: CallSite) -> tuple[str, str]:
    """What the unfitted tokenizer's method gives: (the message's words, the explanation's); checked on Keras
    3.15.1's copy of the Keras 2 Tokenizer."""
    oov = const_value(tokenizer.args.get("oov_token")) is not None
    given = tokenizer.args.get("num_words", 0)
    sized = given is not None and const_value(given, "not known") is not None
    if method == "texts_to_matrix":
        if not sized:
            return ("raises ValueError", "with no num_words= it does not know the matrix's width (ValueError)")
        if const_value(call.args.get("mode", 1)) == "tfidf":
            return ("raises ValueError", "mode='tfidf' needs the document counts fitting gathers (ValueError)")
        if oov:
            return ("raises TypeError", "each word becomes the out-of-vocabulary id, None before fitting, and the "
                                        "matrix cannot be filled with it (TypeError)")
        return ("gives all-zero rows: no text reaches the model",
                "every row of the matrix is zeros, so the model's output is the same whatever the text")
    if oov:
        return ("gives None ids: pad_sequences() raises TypeError",
                "each word becomes the out-of-vocabulary id, which is None before fitting, and pad_sequences() "
                "stops on it (TypeError)")
    return ("gives empty sequences, the model sees only zeros",
            "every text becomes an empty sequence, pad_sequences(maxlen=...) makes it all zeros, and the model's "
            "output is the same whatever the text")


def _is_tokenizer(value: object) -> bool:
    """A Keras Tokenizer the script built itself (an unpickled one is not an Instance)."""
    return isinstance(value, Instance) and value.node is not None and is_keras_tokenizer(value, standalone=True)


def _filled(script: Script, made: int) -> bool:
    """Whether the tokenizer built at ``made`` is fitted somewhere, or given to a call that may fill it (a function
    of another module, ``tokenizer.__dict__.update(...)``, a setter)."""
    for call in script.calls:
        if _is_tokenizer(call.receiver) and id(call.receiver.node) == made:
            if call.method in _FITTING or call.method not in _READING | _KEEPING:
                return True  # fit_on_texts(), or another method that may change it
        elif call.callee not in _HARMLESS and any(_is_tokenizer(value) and id(value.node) == made
                                                   for value in _arguments(call)):
            return True
    return False


def _arguments(call: CallSite):
    yield from call.args.positional
    yield from (value for _, value in call.args.keywords)


def _state_reached(module: cst.Module, name: str) -> bool:
    """Whether the code reaches into the tokenizer written ``name`` (``tokenizer``, ``self.tokenizer``) to fill it
    without a call on it: a method of one of its attributes (``tokenizer.word_index.update(...)``,
    ``tokenizer.__dict__.update(...)``), an item set in one (``tokenizer.word_index[word] = i``), ``setattr()`` or
    ``vars()`` of it, or its ``fit_on_texts`` passed on uncalled (``map(tokenizer.fit_on_texts, chunks)``).  Read by
    the text of the expressions, as written: a name bound to another object elsewhere only silences the rule.  Also a
    tokenizer written into a list or tuple, which a loop may fit."""
    finder = _StateFinder(name)
    module.visit(finder)
    return finder.found


class _StateFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False
        self._called: set[int] = set()

    def _code(self, node: cst.CSTNode) -> str:
        return rendered(node)

    def visit_Call(self, node: cst.Call) -> None:
        self._called.add(id(node.func))
        func = node.func
        if type(func) is cst.Attribute and type(func.value) is cst.Attribute and \
                self._code(func.value.value) == self.name:
            self.found = True  # tokenizer.word_index.update(...)
        elif type(func) is cst.Name and func.value in ("setattr", "vars") and node.args and \
                self._code(node.args[0].value) == self.name:
            self.found = True

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if type(target.target) is cst.Subscript and type(target.target.value) is cst.Attribute and \
                    self._code(target.target.value.value) == self.name:
                self.found = True  # tokenizer.word_index[word] = i

    def visit_List(self, node: cst.List) -> None:
        self._in_display(node)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._in_display(node)

    def _in_display(self, node: cst.List | cst.Tuple) -> None:
        """``for tok, column in zip([source_tok, target_tok], ...): tok.fit_on_texts(...)``: a tokenizer put in a
        list or tuple may be fitted through it."""
        if any(type(element) is cst.Element and self._code(element.value) == self.name for element in node.elements):
            self.found = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in _FITTING and id(node) not in self._called and self._code(node.value) == self.name:
            self.found = True  # map(tokenizer.fit_on_texts, chunks)
