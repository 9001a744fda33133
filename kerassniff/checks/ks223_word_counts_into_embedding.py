"""KS223 word-counts-into-embedding: a bag-of-words matrix (a Tokenizer's ``texts_to_matrix``, ``sequences_to_matrix``,
or a scikit-learn text vectorizer's: ``TfidfVectorizer``, ``CountVectorizer``, ``HashingVectorizer``) given to a
Sequential model that starts with an ``Embedding``.

An Embedding looks up one vector per token id; a bag-of-words matrix holds one column per vocabulary word with a 0/1
flag (or a count, a frequency, a tf-idf weight): no ids.  The Embedding reads each column as a token, so a review
becomes num_words "tokens" that are all 0 or 1 (weights are cast to 0), in the vocabulary's order.  Training runs
with no error, on inputs that say almost nothing, and the accuracy stays near chance.
"""
from __future__ import annotations

from kerassniff.checks._shared import EVENT_WORDS, events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, Step
from kerassniff.semantic.knowledge.arrays import TEXT_VECTORIZERS
from kerassniff.semantic.models import Model

# A Tokenizer's methods that make one column per vocabulary word instead of a sequence of ids (a scikit-learn text
# vectorizer's step is named "TfidfVectorizer.transform").
_MATRIX_ENCODERS = frozenset({"texts_to_matrix", "sequences_to_matrix"})


@rule("KS223", "word-counts-into-embedding", Severity.ERROR,
      "a bag-of-words matrix (a Tokenizer's texts_to_matrix, a TfidfVectorizer's or CountVectorizer's transform) "
      "given to a model that starts with an Embedding, which reads each column as a token id",
      "give the Embedding token ids (texts_to_sequences, then pad_sequences), or give the matrix to Dense layers "
      "without an Embedding")
def check(script: Script):
    for model in script.models:
        embedding = _first_embedding(model)
        if embedding is None:
            continue
        for event in events(script, model, "x", ("fit",)):
            step = _matrix_step(event.data)
            if step is None:
                continue
            yield Report(event.call_node, (
                f"{EVENT_WORDS[event.kind]} gets {event.data.label}, a bag-of-words matrix, but {model.label} starts "
                f"with an Embedding ({{embedding}}): no word ids"),
                explanation=(f"{step.detail}() ({{matrix}}) gives one column per vocabulary word holding a 0/1 flag "
                             f"(or a count, or a frequency or tf-idf weight, which the cast to ids makes 0), not a "
                             f"sequence of token ids. The "
                             f"Embedding reads each column as a token, so every text becomes as many 'tokens' as the "
                             f"vocabulary has words, each 0 or 1, in the vocabulary's order: the layers after it see "
                             f"almost nothing of the text. Training runs with no error and its accuracy stays low."),
                facts={"encoder": step.detail},
                mentions={"embedding": embedding, "matrix": step.node})
            break  # one finding per model


def _first_embedding(model: Model):
    """The node of a Sequential model's first layer when it is an Embedding (an InputLayer before it aside)."""
    if model.kind != "sequential":
        return None
    first = next((layer for layer in model.layers if layer.kind != "InputLayer"), None)
    return first.node if first is not None and first.kind == "Embedding" and first.wrapper is None else None


def _matrix_step(data: Data) -> Step | None:
    """The array's last encoding step, when it makes a bag-of-words matrix (a Tokenizer's, a text vectorizer's)."""
    last = next((step for step in reversed(data.steps) if step.kind == "encode"), None)
    if last is None:
        return None
    return last if last.detail in _MATRIX_ENCODERS or last.detail.split(".")[0] in TEXT_VECTORIZERS else None
