"""KS215 sequence-padding-mismatch: the sequences fit() trains on and those another split gives the same model are
padded or cut by ``pad_sequences`` with other settings.

``pad_sequences`` puts its zeros in front of each sequence (``padding='pre'``, the default) or after it
(``'post'``), and cuts a longer sequence by dropping its first tokens (``truncating='pre'``, the default: the last
``maxlen`` are kept) or its last ones.  A training script that pads one way and a validation, test or prediction
path written later that pads the other (often by leaving a keyword out) feeds the model sequences it never saw: a
recurrent layer with no mask runs over the zeros at the other end and ends in another state; a longer text keeps
another part of itself.  Nothing fails, the scores drop or the predictions drift.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath

from kerassniff.checks._shared import EVENT_WORDS, held_out_inputs, in_script
from kerassniff.findings import Severity
from kerassniff.registry import Report, across_scripts, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import NOT_KNOWN, Data, DataEvent, Step, text_encoding
from kerassniff.semantic.knowledge.layers import RECURRENT_LAYERS
from kerassniff.semantic.links import model_links
from kerassniff.semantic.models import Model
from kerassniff.semantic.shapes import model_input_shape
from kerassniff.semantic.values import written_strings

# The layers whose output depends on where in the sequence the zeros stand (checked on Keras 3.15.1; global average
# or max pooling straight after an Embedding sees the same zeros wherever they stand), with why: a recurrent layer
# (also wrapped in Bidirectional) reads them unless a mask hides them; a Flatten or a 1-D convolution reads them
# whatever masks them (Keras drops the mask there).
_MASKED_READERS = RECURRENT_LAYERS | {"Bidirectional"}
_POSITION_LAYERS = frozenset({"Flatten", "Conv1D", "SeparableConv1D", "LocallyConnected1D"})
_RECURRENT_REASON = ("with no mask (no Embedding(mask_zero=True)) the {reader} reads the zeros as tokens, so each "
                     "sequence now {now} where training sequences {then}, and the state the {reader} ends in differs "
                     "from every one it was trained on")
# What a recurrent layer reads last of a sequence padded on each side.
_ENDS = {"post": "ended on padding", "pre": "ended on their last real token"}
_ENDS_NOW = {"post": "ends on padding", "pre": "ends on its last real token"}
_READER_REASONS = {
    "Flatten": "the Flatten gives each position its own weights in the next layer, so every token now meets weights "
               "learned for another position (a mask does not change that)",
    "Conv1D": "the {reader}'s windows now meet the zeros at the other end of each sequence, so the features it "
              "computes near both ends differ (a mask does not reach a convolution)",
}


@dataclass(frozen=True)
class Padding:
    """How one array was padded and cut: its one ``pad_sequences`` step and that call's folded settings."""

    step: Step
    maxlen: object
    padding: object
    truncating: object

    @property
    def settings(self) -> tuple[object, object, object]:
        return self.maxlen, self.padding, self.truncating


@rule("KS215", "sequence-padding-mismatch", Severity.ERROR,
      "sequences padded or cut by pad_sequences otherwise than the ones fit() trained the same model on",
      "pad every split with the same pad_sequences settings (one function, or constants for maxlen=, padding= and "
      "truncating=)")
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        reference, held_out = held_out_inputs(script, model)
        trained = padding_of(reference.data) if reference is not None else None
        if trained is None:
            continue
        for event in held_out:
            used = padding_of(event.data)
            if used is None or (used.step.node is trained.step.node and used.settings == trained.settings):
                continue  # not padded by pad_sequences, or by one call with the same settings (one helper)
            if id(event.call_node) in reported:
                continue  # one helper's call evaluated for several models: its first difference is the finding
            report = _difference(model, reference, trained, event, used, _longest_written_text(event.data))
            if report is not None:
                reported.add(id(event.call_node))
                yield report


@across_scripts("KS215")
def check_across(scripts: list[Script]):
    """The same for a model a script loads (``load_model("spam.h5")`` in an app) that another script of the run
    trained on padded sequences and saved: the loading script's inputs are compared with the trainer's fit() input,
    and the finding is the loading script's."""
    for link in model_links(scripts):
        reference, _ = held_out_inputs(link.trainer, link.trained)
        trained = padding_of(reference.data) if reference is not None else None
        if trained is None:
            continue
        _, used_inputs = held_out_inputs(link.user, link.loaded)
        reported: set[int] = set()
        for event in used_inputs:
            used = padding_of(event.data)
            if used is None or id(event.call_node) in reported or \
                    (used.step.node is trained.step.node and used.settings == trained.settings):
                continue  # (one helper module's call, with the same settings, pads for both)
            report = _difference(link.trained, reference, trained, event, used, _longest_written_text(event.data),
                                 link.trainer)
            if report is not None:
                reported.add(id(event.call_node))
                yield link.user, replace(report, explanation=f"{link.trainer.path} trained the model this script "
                                                             f"loads and saved it. {report.explanation}")


def padding_of(data: Data) -> Padding | None:
    """The array's one ``pad_sequences`` step with its settings; None when it has none or more than one (an
    ``np.pad`` of one sequence says only its side: not compared here)."""
    steps = [step for step in data.steps if step.is_padding and step.detail == "pad_sequences"]
    if len(steps) != 1:
        return None
    step = steps[0]
    return Padding(step, step.setting("maxlen"), step.setting("padding"), step.setting("truncating"))


def _difference(model: Model, reference: DataEvent, trained: Padding, event: DataEvent, used: Padding,
                longest_text: int | None, trainer: Script | None = None) -> Report | None:
    """The first difference that changes what the model reads: the side of the zeros (for a model that reads
    positions), the length, then the end kept of a longer sequence (not for texts written in the script, none of
    them longer than maxlen: ``longest_text``, their most words).  ``trainer``: the script that trained and saved
    the model this one loads, when it is another (its nodes are mentioned as its own)."""
    where = f"{EVENT_WORDS[event.kind]} gets {event.data.label}"
    # the fit() compared with, as the messages name it: "fit()" (this input is its validation data), "fit() (line 9)",
    # or the trainer's "train.py's fit() (line 9)"
    fit = "fit()" if trainer is None and event.call_node is reference.call_node else "fit() ({fit})" \
        if trainer is None else f"{PurePath(trainer.path).name}'s fit() ({{fit}})"
    there = in_script(trainer)
    facts = {"maxlen": used.maxlen, "padding": used.padding, "truncating": used.truncating,
             "training_maxlen": trained.maxlen, "training_padding": trained.padding,
             "training_truncating": trained.truncating}
    facts = {key: value for key, value in facts.items() if value is not NOT_KNOWN}
    if trainer is not None:
        facts["trainer"] = trainer.path
    mentions = {"fit": there(reference.call_node), "padded": used.step.node,
                "training_padded": there(trained.step.node)}
    reader = _position_reader(model)
    if used.padding in _SIDES and trained.padding in _SIDES and used.padding != trained.padding and \
            reader is not None:
        return Report(event.call_node, (
            f"{where} padded '{used.padding}', not '{trained.padding}' as for {fit}: the {reader}'s output shifts"),
            explanation=(f"pad_sequences(padding='{used.padding}') puts the zeros {_SIDES[used.padding]} of each "
                         f"sequence, while {reference.data.label}, which the model was trained on, has them "
                         f"{_SIDES[trained.padding]}: {_reason(reader, trained.padding, used.padding)}. Nothing "
                         f"fails; the scores or predictions made here are not those of the model training taught."),
            facts=facts, mentions=mentions)
    if used.maxlen is None and trained.maxlen is None and used.padding == trained.padding == "post" and \
            reader in _MASKED_READERS and event.data.n_samples == 1 and reference.data.n_samples != 1:
        one = f"{EVENT_WORDS[event.kind]} gets {event.data.label if event.data.name else 'one sequence'}"
        return Report(event.call_node, (
            f"{one} unpadded (no maxlen=): {fit} trained on sequences ending in zeros"),
            explanation=(f"pad_sequences() without maxlen= pads to the longest sequence it is given: the training "
                         f"sequences ({reference.data.label}) to the longest of them, so nearly every one ended on "
                         f"padding zeros, and this one sequence to its own length, so it gets no zeros at all. With no "
                         f"mask (no Embedding(mask_zero=True)) the {reader} reads the zeros as tokens, so it now ends "
                         f"on the last real token where training sequences ended on padding, in a state it was never "
                         f"trained to read. Nothing fails; the prediction is not the one training taught."),
            facts=facts, mentions=mentions)
    if _known_pair(used.maxlen, trained.maxlen) and used.maxlen != trained.maxlen and \
            isinstance(used.maxlen, int) and isinstance(trained.maxlen, int) and not _length_fixed(model):
        shorter = used.maxlen < trained.maxlen
        masked = not model.puts_no_mask()
        consequence = "longer texts lose more" if shorter else \
            "longer texts keep more than in training" if masked else "the model reads more zeros"
        return Report(event.call_node, (
            f"{where} {'cut' if shorter else 'padded'} to {used.maxlen} steps, not the {trained.maxlen} of {fit}: "
            f"{consequence}"),
            explanation=(f"The model takes sequences of any length (a Sequential model given a longer or shorter "
                         f"sequence than its input shape runs on Keras 3), so nothing fails: sequences padded or cut "
                         f"to {used.maxlen} steps reach it where it was trained on {trained.maxlen}, so a text longer "
                         f"than {min(used.maxlen, trained.maxlen)} tokens is cut at another place than in training"
                         + ("" if masked else f", and a shorter one comes with {'fewer' if shorter else 'more'} "
                                              f"padding steps, which the model, with no mask, reads as input")
                         + "."),
            facts=facts, mentions=mentions)
    if _known_pair(used.truncating, trained.truncating) and used.truncating != trained.truncating and \
            used.maxlen == trained.maxlen and isinstance(used.maxlen, int) and used.truncating in _KEPT and \
            trained.truncating in _KEPT and (longest_text is None or longest_text > used.maxlen):
        return Report(event.call_node, (
            f"{where} cut to its {_KEPT[used.truncating]} {used.maxlen} steps, not its "
            f"{_KEPT[trained.truncating]} as for {fit}: other words kept"),
            explanation=(f"pad_sequences(truncating='{used.truncating}') keeps the {_KEPT[used.truncating]} "
                         f"{used.maxlen} tokens of a sequence longer than maxlen, while the training sequences kept "
                         f"their {_KEPT[trained.truncating]} {trained.maxlen}: for every longer text the model is "
                         f"shown another part of it than the part it learned from."),
            facts=facts, mentions=mentions)
    return None


# Where padding='pre'/'post' puts the zeros, and which tokens truncating='pre'/'post' keeps.
_SIDES = {"pre": "in front", "post": "at the end"}
_KEPT = {"pre": "last", "post": "first"}


def _longest_written_text(data: Data) -> int | None:
    """The most words of the texts an array was tokenized from, when they are strings written in the script
    (``tokenizer.texts_to_sequences(["I love this phone", ...])``): no cut happens to texts shorter than maxlen.  None
    when the texts are not all known."""
    encoding = text_encoding(data)
    texts = written_strings(encoding.setting("texts")) if encoding is not None else None
    return max(len(text.split()) for text in texts) if texts else None


def _known_pair(a: object, b: object) -> bool:
    return a is not NOT_KNOWN and b is not NOT_KNOWN


def _position_reader(model: Model) -> str | None:
    """The first layer of a model whose layers are all known that reads where the zeros stand; None otherwise."""
    if model.kind not in ("sequential", "functional") or not model.structure_known:
        return None
    maskless = model.puts_no_mask()
    return next((layer.kind for layer in model.all_layers()
                 if layer.kind in _POSITION_LAYERS or (maskless and layer.kind in _MASKED_READERS)), None)


def _reason(reader: str, trained: str, used: str) -> str:
    if reader in _POSITION_LAYERS:
        return _READER_REASONS.get(reader, _READER_REASONS["Conv1D"]).format(reader=reader)
    return _RECURRENT_REASON.format(reader=reader, now=_ENDS_NOW[used], then=_ENDS[trained])


def _length_fixed(model: Model) -> bool:
    """Whether another length fails rather than passing silently: a Flatten (the next layer's weights have one
    size), or a functional model with a fixed input length (Keras 3 checks a functional model's input shape, but not
    a Sequential model's, and ignores an Embedding's input_length=; checked on 3.15.1).  Unknown layers count as
    failing (silent)."""
    if not model.structure_known or any(layer.is_unknown or layer.kind == "Flatten" for layer in model.all_layers()):
        return True
    shape = model_input_shape(model)
    return model.kind == "functional" and bool(shape) and isinstance(shape[0], int)
