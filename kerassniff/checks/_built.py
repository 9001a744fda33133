"""Where the architecture behind a script's predictions is known: in the script, or in the script that saved the file
it loads.

A predict script's ``load_model("net.h5")`` (or ``model_from_json(...)`` with ``load_weights("net.h5")``) is a model
whose layers are not known there.  When a script beside it built, trained and saved that file
(:func:`~kerassniff.semantic.links.model_links`), that script's model has them.  A rule that reads predictions (a
softmax of them, their argmax, the class names they index) writes its check once, over a :class:`BuiltHere`: the
script itself (:data:`HERE`), or a :class:`BuiltByTrainer` standing the trained model in for a model loaded whole
(``load_model``, ``model_from_json``), whose findings are the loading script's and whose words name the trainer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import libcst as cst

from kerassniff.registry import Elsewhere, Report
from kerassniff.semantic import Script
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.links import model_links
from kerassniff.semantic.models import Model


@dataclass(frozen=True)
class BuiltHere:
    """The predictions' models are the script's own: each stands for itself."""

    def model_of(self, model: Model | None) -> Model | None:
        """The model whose layers and training stand for ``model`` (None: not one this check reads)."""
        return model

    def output_model(self, predictions: Predictions) -> Model | None:
        """The model whose output layers the predictions are of: :meth:`model_of` their model, when a row of them
        (``pred[0]``) is one input's (a loaded model keeps its rows; the saved model must have one output)."""
        model = self.model_of(predictions.model)
        return None if model is None or (predictions.row and len(model.heads()) != 1) else model

    def script_of(self, script: Script) -> Script:
        """The script that trained the models :meth:`model_of` gives."""
        return script

    def mention(self, node: cst.CSTNode) -> cst.CSTNode | Elsewhere:
        """A node of that script, as a report mentions it."""
        return node

    def sentence(self, subject: str) -> str:
        """The start of an explanation about ``subject`` ("model's output"): "The model's output"."""
        return f"The {subject}"

    def preface(self) -> str:
        """What an explanation says first, before its own words: nothing here."""
        return ""

    def facts(self) -> dict[str, str]:
        """The typed facts a finding carries about where the model was built (the trainer's path)."""
        return {}


HERE = BuiltHere()


@dataclass(frozen=True)
class BuiltByTrainer(BuiltHere):
    """A loaded model (by id) stands for the model ``trainer`` built and saved to the file it loads."""

    trained: dict[int, Model]
    trainer: Script

    def model_of(self, model: Model | None) -> Model | None:
        return self.trained.get(id(model)) if model is not None else None

    def script_of(self, script: Script) -> Script:
        return self.trainer

    def mention(self, node: cst.CSTNode) -> cst.CSTNode | Elsewhere:
        return Elsewhere(node, self.trainer.describe)

    def sentence(self, subject: str) -> str:
        return f"{self.preface()}There, the {subject}"

    def preface(self) -> str:
        return f"{self.trainer.path} built and saved the model this script loads. "

    def facts(self) -> dict[str, str]:
        return {"trainer": self.trainer.path}


def reports_elsewhere(scripts: list[Script], check: Callable[[Script, BuiltHere], Iterable[Report]]
                      ) -> Iterator[tuple[Script, Report]]:
    """A script check run across scripts (a rule's ``across_scripts`` check): its reports over each loading script,
    with the trainer's model standing in for the loaded one; the reports are the loading script's."""
    for user, built in built_elsewhere(scripts):
        for report in check(user, built):
            yield user, report


def built_elsewhere(scripts: list[Script]) -> Iterator[tuple[Script, BuiltByTrainer]]:
    """Each script that loads a model another script of the run built and saved, with that model standing in."""
    for link in model_links(scripts):
        if link.loaded.kind == "loaded":  # (a model the script builds itself and fills with load_weights() has its
            # own layers: the script's own check reads them)
            yield link.user, BuiltByTrainer({id(link.loaded): link.trained}, link.trainer)
