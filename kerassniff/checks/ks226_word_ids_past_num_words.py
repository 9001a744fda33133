"""KS226 word-ids-past-num-words: new texts encoded with a Keras dataset's ``get_word_index()``, with nothing capping
the ids, for a model trained on ``load_data(num_words=N)`` whose Embedding has N rows.

``load_data(num_words=10000)`` keeps the 10,000 most frequent words (every id below 10,000), and the Embedding is
sized for them.  ``get_word_index()`` ranks every word of the dataset, so a review encoded with
``[word_index.get(w, 2) + 3 for w in words]`` gives a rare word an id past the last row: TensorFlow on a CPU stops
with InvalidArgumentError on such a text; on a GPU nothing stops it (XLA clamps the id to the last row, plain
``tf.gather`` gives zeros).
"""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import EVENT_WORDS, events, in_script
from kerassniff.checks._word_index import TrainedOnWordIds, trained_on_word_ids, word_index_step
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent, Step, text_encoding
from kerassniff.semantic.knowledge.datasets import NUM_WORDS_POSITION, OOV_ID
from kerassniff.semantic.knowledge.layers import EMBEDDING_ID_PAST_ROWS
from kerassniff.semantic.links import model_links
from kerassniff.semantic.knowledge.tokenizers import TOKENIZER_ID_ENCODERS, TOKENIZER_NUM_WORDS
from kerassniff.semantic.library.tokenizers import tokenizer_setting
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import Instance, const_value

# Steps that keep an array's values as they are (pad_sequences pads with 0 and cuts; np.array, reshape).
_KEEPING_VALUES = frozenset({"reshape"})


@rule("KS226", "word-ids-past-num-words", Severity.ERROR,
      "texts encoded with a Keras dataset's get_word_index() with no cap for a model trained on "
      "load_data(num_words=N) whose Embedding has N rows: a rare word's id has no row",
      "give every id at or above num_words load_data()'s out-of-vocabulary id 2 (oov_char)")
def check(script: Script):
    for model in script.models:
        embedding = _embedding(model)
        if embedding is None:
            continue
        trained = trained_on_word_ids(script, model)
        kept = _num_words(trained) if trained is not None else None
        if trained is not None and kept is not None and embedding[1] <= kept:
            # (more rows than load_data() kept ids: how many words the index has is not said here)
            same_dataset = trained.dataset
            for event, step, offset in _uncapped(script, model, lambda step: step.setting("dataset") == same_dataset):
                yield _report(event, trained, step, kept, embedding, offset)
        for tokenizer, kept in _tokenizers_trained_on(script, model):
            if embedding[1] <= kept:
                for event, step, _ in _uncapped(script, model, lambda step: step.setting("tokenizer") is tokenizer):
                    yield _tokenizer_report(script, event, step, kept, embedding)


@across_scripts("KS226")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``load_model("simple_rnn_imdb.h5")`` in a web app) that another script
    trained on load_data(num_words=N) and saved: the finding is the loading script's."""
    for link in model_links(scripts):
        embedding = _embedding(link.trained)
        trained = trained_on_word_ids(link.trainer, link.trained) if embedding is not None else None
        kept = _num_words(trained) if trained is not None else None
        if trained is None or kept is None or embedding[1] > kept:
            continue
        for event, step, offset in _uncapped(link.user, link.loaded,
                                             lambda step: step.setting("dataset") == trained.dataset):
            yield link.user, _report(event, trained, step, kept, embedding, offset, link.trainer)


def _uncapped(script: Script, model: Model, made_by):
    """The inputs of the model's predict(), evaluate() and validation data made of word ids ``made_by`` accepts
    (by the step that read them), which nothing bounds: (event, step, offset), one per call."""
    reported: set[int] = set()
    for event in events(script, model, "x", ("evaluate", "predict", "validation")):
        step = word_index_step(event.data)
        if step is None or not made_by(step) or id(step.node) in reported or step.setting("written"):
            continue  # (the words of a sentence typed in the code: which ids they get is fixed, whatever their rank)
        offset, bounds = step.setting("offset"), step.setting("bounds")
        if not isinstance(offset, int) or bounds is None or bounds.compared or not _values_kept_after(event, step):
            continue
        reported.add(id(step.node))  # one finding per index read: its ids may reach the model at several calls
        yield event, step, offset


def _tokenizers_trained_on(script: Script, model: Model) -> list[tuple[Instance, int]]:
    """The Keras Tokenizers whose texts_to_sequences() ids the model's fit() is given, with their num_words when it
    is a constant (the ids they give stay below it)."""
    found: list[tuple[Instance, int]] = []
    for event in events(script, model, "x", ("fit",)):
        step = text_encoding(event.data)
        tokenizer = step.setting("tokenizer") if step is not None and step.detail in TOKENIZER_ID_ENCODERS else None
        if not isinstance(tokenizer, Instance) or any(tokenizer is known for known, _ in found):
            continue
        kept = tokenizer_setting(tokenizer, *TOKENIZER_NUM_WORDS)
        if type(kept) is int and kept > 0:
            found.append((tokenizer, kept))
    return found


def _num_words(trained: TrainedOnWordIds) -> int | None:
    """load_data()'s num_words, when it is a constant (None given or not given: every word is kept)."""
    call = trained.load
    if any(arg.star for arg in call.args.nodes):
        return None
    given = call.args.get("num_words", NUM_WORDS_POSITION)
    kept = const_value(given) if given is not None else None
    return kept if type(kept) is int and kept > 0 else None


def _embedding(model: Model):
    """The model's one Embedding and its rows, when they are a constant; None with no or several Embeddings."""
    found = [layer for layer in model.layers if layer.kind == "Embedding"]
    if len(found) != 1:
        return None
    rows = const_value(found[0].args.get("input_dim", 0))
    return (found[0].node, rows) if type(rows) is int else None


def _values_kept_after(event: DataEvent, step: Step) -> bool:
    """Whether every step after the encoding keeps the ids as they are (a clip or a where() may cap them)."""
    after = event.data.steps[event.data.steps.index(step) + 1:]
    return all(later.kind in _KEEPING_VALUES for later in after)


def _tokenizer_report(script: Script, event: DataEvent, step: Step, kept: int, embedding) -> Report:
    node, rows = embedding
    written = step.setting("tokenizer").node
    index = step.node.value if type(step.node) is cst.Attribute else None
    name = script.code_of(index) if index is not None else "the Tokenizer"
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets ids read from {name}.word_index with no cap below {kept}: a rarer word's "
        f"id has no Embedding row"),
        f"encode new texts with tokenizer.texts_to_sequences(), which drops the ids at or above num_words, as "
        f"training did",
        explanation=(f"The Tokenizer ({{tokenizer}}) was built with num_words={kept}, so the texts_to_sequences() ids "
                     f"the model was trained on are all below {kept:,}, and its Embedding ({{embedding}}) has "
                     f"{rows:,} rows. Its word_index ({{index}}) holds every word it was fitted on, with no cap: read "
                     f"from it by hand, and with nothing here bounding the ids, any word whose id is {kept:,} or more "
                     f"(a word rarer than those kept) gets an id with no row. {EMBEDDING_ID_PAST_ROWS}"),
        facts={"num_words": kept, "rows": rows},
        mentions={"tokenizer": written, "embedding": node, "index": step.node})


def _report(event: DataEvent, trained: TrainedOnWordIds, step: Step, kept: int, embedding, offset: int,
            trainer: Script | None = None) -> Report:
    """The finding; ``trainer``: the script that trained the model, when it is not the finding's own."""
    node, rows = embedding
    dataset = trained.dataset
    first_past = max(rows - offset, 0)
    there = in_script(trainer)
    trained_by = f"{trainer.path} trained the model this script loads. There, " if trainer is not None else ""
    here = "Here, " if trainer is not None else ""
    return Report(event.call_node, (
        f"{EVENT_WORDS[event.kind]} gets {dataset}.get_word_index() ids with no cap below {rows}: words ranked "
        f"{first_past:,}+ have no Embedding row"),
        f"give every id at or above {kept} load_data()'s out-of-vocabulary id {OOV_ID}: "
        f"i if i < {kept} else {OOV_ID}",
        explanation=(f"{trained_by}{dataset}.load_data(num_words={kept}) ({{loaded}}) kept only the ids below "
                     f"{kept:,} (the most frequent words; any other became its out-of-vocabulary id), and the "
                     f"model's Embedding ({{embedding}}) has {rows:,} rows, for the ids 0 to {rows - 1:,}. {here}"
                     f"{dataset}.get_word_index() ({{index}}) ranks every word of the dataset, not only those, and "
                     f"nothing caps the ids made from it (rank {offset:+d}): a word ranked {first_past:,} or later "
                     f"gets an id with no row. {EMBEDDING_ID_PAST_ROWS}"),
        facts={"dataset": dataset, "num_words": kept, "rows": rows, "offset": offset,
               **({"trainer": trainer.path} if trainer is not None else {})},
        mentions={"loaded": there(trained.fit.data.source.node), "embedding": there(node), "index": step.node})
