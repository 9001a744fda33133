"""KS222 word-index-without-offset: new texts encoded with a Keras dataset's ``get_word_index()`` for a model trained
on that dataset's ``load_data()``, without the offset ``load_data()`` adds to every id.

``imdb.load_data()`` (and ``reuters.load_data()``) give each word the id of its frequency rank plus ``index_from``,
3 by default: 0 is padding, 1 the start of a review, 2 an unknown word.  ``get_word_index()`` gives the bare rank.
A review encoded with ``[word_index[w] for w in text.split()]`` therefore puts every word three ranks away from
itself, and the Embedding reads another word's vector: the model scores a scrambled review, with no error.
"""
from __future__ import annotations

import re

from dataclasses import replace

from kerassniff.checks._shared import EVENT_WORDS, events, in_script
from kerassniff.checks._word_index import trained_on_word_ids, word_index_step
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataEvent, Step
from kerassniff.semantic.knowledge.datasets import OOV_ID, WORD_INDEX_FROM_POSITION, WORD_INDEX_OFFSETS
from kerassniff.semantic.links import model_links
from kerassniff.semantic.models import Model
from kerassniff.semantic.values import const_value


@rule("KS222", "word-index-without-offset", Severity.ERROR,
      "texts encoded with a Keras dataset's get_word_index() ranks for a model trained on its load_data() ids, "
      "which are those ranks plus index_from (3): every word reads as another",
      "add load_data()'s offset to every rank: word_index[w] + 3 (index_from), 1 to start a review and 2 for a word "
      "the index lacks")
def check(script: Script):
    for model in script.models:
        trained = _trained_offset(script, model)
        if trained is not None:
            yield from _offset_findings(script, model, trained)


@across_scripts("KS222")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (a Streamlit app's ``load_model("simple_rnn_imdb.h5")``) that another script
    trained on the dataset's load_data() and saved: the finding is the loading script's."""
    for link in model_links(scripts):
        trained = _trained_offset(link.trainer, link.trained)
        if trained is not None:
            for report in _offset_findings(link.user, link.loaded, trained, link.trainer):
                yield link.user, report


def _offset_findings(script: Script, model: Model, trained: tuple[DataEvent, str, int],
                     trainer: Script | None = None):
    """The reports on the model's inputs made from the dataset's word index (``trainer``: the script that trained
    the model, when it is not ``script``)."""
    fit, dataset, index_from = trained
    there = in_script(trainer)
    reported: set[int] = set()
    for event in events(script, model, "x", ("evaluate", "predict", "validation")):
        step = word_index_step(event.data)
        if step is None or step.setting("dataset") != dataset or id(step.node) in reported:
            continue  # (one finding per word index read: its ids may reach the model at several calls)
        offset, missing = step.setting("offset"), step.setting("missing")
        if not isinstance(offset, int):
            continue
        if offset != index_from:
            report = _report(event, fit, step, dataset, offset, index_from, there)
        elif isinstance(missing, int) and missing >= index_from and not _presence_tested(script, missing):
            # (the ranks are right, the unknown-word id not)
            report = _missing_report(event, fit, step, dataset, missing, index_from, there)
        else:
            continue
        reported.add(id(step.node))
        trained_by = f"{trainer.path} trained the model this script loads. " if trainer is not None else ""
        yield replace(report, explanation=trained_by + (report.explanation or ""))


def _presence_tested(script: Script, missing: int) -> bool:
    """Whether the script's text tests a word's presence in a word index it binds, or repairs the unknown-word id
    (``if w in word_index and ...``, ``if w not in index: continue``, ``index.get(w) is not None``, ``if i == 3:``):
    then which words reach the lookup's default is the script's business, not known here."""
    text = script.text if script.text is not None else script.module.code
    for name in set(_INDEX_NAME.findall(text)):
        for found in re.finditer(rf"\bin\s+{re.escape(name)}\b(?!\s*\.)", text):  # (not word_index.items())
            line = text[text.rfind("\n", 0, found.start()) + 1:found.start()]
            if not _LOOP_HEAD.search(line):  # (a loop over its keys tests nothing)
                return True
        if re.search(rf"\b{re.escape(name)}\.get\([^()]*\)\s+is\s+(?:not\s+)?None", text):
            return True
    return re.search(rf"==\s*{missing}\b", text) is not None


# ``for w in`` / ``for k, v in`` just before a name: the loop's own ``in`` (no other ``in`` or ``if`` between).
_LOOP_HEAD = re.compile(r"\bfor\s+(?:(?!\bin\b|\bif\b)[\w\s,()])*$")
# A name bound to a dataset's word index (``word_index = imdb.get_word_index()``).
_INDEX_NAME = re.compile(r"(\w+)\s*=\s*[\w.]*get_word_index\(")


def _missing_report(event: DataEvent, fit: DataEvent, step: Step, dataset: str, missing: int,
                    index_from: int, there=lambda at: at) -> Report:
    word = EVENT_WORDS[event.kind]
    if missing == index_from:  # (get(w, 0) + 3: an id load_data() never writes, between its markers and the ranks)
        return _unwritten_id_report(event, fit, step, dataset, missing, index_from, there)
    return Report(event.call_node, (
        f"{word} gets {dataset}.get_word_index() ids where every unknown word is {missing}, the id of the word "
        f"ranked {missing - index_from}"),
        f"give a word the index lacks load_data()'s out-of-vocabulary id {OOV_ID} after the shift: "
        f"word_index.get(w, {OOV_ID - index_from}) + {index_from}, or (word_index[w] + {index_from} if w in "
        f"word_index else {OOV_ID})",
        explanation=(f"{dataset}.load_data() ({{loaded}}) gave the model each word as its frequency rank plus "
                     f"index_from={index_from}, and {OOV_ID} for a word it dropped. These ids add the same "
                     f"{index_from} to the default of the lookup ({{index}}) as well, so a word the index lacks (a "
                     f"name, a typo, a rare or new word) becomes {missing}: to the model, the word ranked "
                     f"{missing - index_from} (among the most frequent of all). Each such word is read as that "
                     f"word, and the text is scored as if it said it, with no error."),
        facts={"dataset": dataset, "missing": missing, "index_from": index_from},
        mentions={"loaded": there(fit.data.source.node), "index": step.node})


def _unwritten_id_report(event: DataEvent, fit: DataEvent, step: Step, dataset: str, missing: int,
                         index_from: int, there=lambda at: at) -> Report:
    word = EVENT_WORDS[event.kind]
    return Report(event.call_node, (
        f"{word} gets {dataset}.get_word_index() ids where every unknown word is {missing}: load_data() never "
        f"wrote that id"),
        f"give a word the index lacks load_data()'s out-of-vocabulary id {OOV_ID}: word_index.get(w, "
        f"{OOV_ID - index_from}) + {index_from}, or (word_index[w] + {index_from} if w in word_index else {OOV_ID})",
        explanation=(f"{dataset}.load_data() ({{loaded}}) gave the model each word as its frequency rank plus "
                     f"index_from={index_from} (ranks start at 1, so words start at {index_from + 1}), and {OOV_ID} "
                     f"for a word it dropped: no text it trained on held the id {missing}. These ids add "
                     f"{index_from} to the lookup's default of 0 ({{index}}), so every word the index lacks (a name, a "
                     f"typo, a new word) becomes {missing}, whose Embedding row kept its random initial values: the "
                     f"model reads such words as noise instead of as the unknown word it learned, with no error."),
        facts={"dataset": dataset, "missing": missing, "index_from": index_from},
        mentions={"loaded": there(fit.data.source.node), "index": step.node})


def _trained_offset(script: Script, model: Model) -> tuple[DataEvent, str, int] | None:
    """The fit() whose inputs are a word-index dataset's load_data() ids, the dataset, and the offset those ids carry
    (index_from, 3 unless the call says otherwise); None when no fit() trains on one or the offset is not known."""
    trained = trained_on_word_ids(script, model)
    if trained is None:
        return None
    call, dataset = trained.load, trained.dataset
    if any(arg.star for arg in call.args.nodes) or len(call.args.positional) > WORD_INDEX_FROM_POSITION[dataset]:
        return None  # (index_from given by position or from a dict: looked no further)
    given = call.args.get("index_from")
    index_from = WORD_INDEX_OFFSETS[dataset] if given is None else const_value(given)
    if type(index_from) is not int:
        return None
    return trained.fit, dataset, index_from


def _report(event: DataEvent, fit: DataEvent, step: Step, dataset: str, offset: int, index_from: int,
            there=lambda at: at) -> Report:
    word = EVENT_WORDS[event.kind]
    how = (f"without the +{index_from} load_data() adds" if offset == 0 else
           f"shifted by {offset:+d}, not load_data()'s +{index_from}")
    return Report(event.call_node, f"{word} gets {dataset}.get_word_index() ids {how}: each word reads as another",
                  f"add load_data()'s offset to every rank: word_index[w] + {index_from} (index_from), with 1 to start "
                  f"a review and 2 for a word the index lacks",
                  explanation=(f"{dataset}.load_data() ({{loaded}}) gave the model each word as its frequency rank plus "
                               f"index_from={index_from} (ids 0, 1 and 2 are padding, the start and an unknown word); "
                               f"{dataset}.get_word_index() ({{index}}) gives the bare rank"
                               f"{', and these ids are those ranks' if offset == 0 else f', and these ids add {offset}'}"
                               f". Every word is {abs(index_from - offset)} ranks away from itself, so the "
                               f"Embedding reads the vector training learnt for another word, and the model scores a "
                               f"scrambled text, with no error."),
                  facts={"dataset": dataset, "offset": offset, "index_from": index_from},
                  mentions={"fit": there(fit.call_node), "loaded": there(fit.data.source.node), "index": step.node})
