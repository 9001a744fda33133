"""KS235 word-ids-from-python-hash: words encoded with Keras's ``one_hot()``/``hashing_trick()`` and Python's
``hash()``, for a model trained in another process.

``one_hot(text, n)`` gives each word the id ``hash(word) % (n - 1) + 1`` with Python's built-in ``hash()``, which is
salted afresh in every process (hash randomisation, on by default since Python 3.3).  A model trained on those ids
and saved, then served by an app that encodes its input the same way, sees other ids for the same words: every
prediction reads scrambled text.  Keras says so itself: 'hash' is not a stable hashing function, so it is not
consistent across different runs, while 'md5' is.
"""
from __future__ import annotations

from kerassniff.checks._shared import events
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import Data, Step
from kerassniff.semantic.knowledge.tokenizers import PYTHON_HASH_SETTING
from kerassniff.semantic.training import written_paths


@rule("KS235", "word-ids-from-python-hash", Severity.ERROR,
      "words encoded by one_hot()/hashing_trick() with Python's hash(), which changes per process, for a model "
      "trained in another process (or saved for one)",
      "pass hash_function='md5' (stable across runs), or encode with a Tokenizer or TextVectorization saved with "
      "the model")
def check(script: Script):
    if "PYTHONHASHSEED" in (script.text or ""):
        return  # (a seed given to the interpreter makes hash() repeatable: the script knows)
    reported: set[int] = set()
    for model in script.models:
        if model.kind == "loaded":
            for event in events(script, model, "x", ("predict", "evaluate")):
                step = _python_hash(event.data)
                if step is not None and id(step.node) not in reported:
                    reported.add(id(step.node))
                    yield _report(step, model.label, loaded=True)
        elif model.fits and written_paths(model):
            for event in events(script, model, "x", ("fit",)):
                step = _python_hash(event.data)
                if step is not None and id(step.node) not in reported:
                    reported.add(id(step.node))
                    yield _report(step, model.label, loaded=False)


def _python_hash(data: Data) -> Step | None:
    """The array's hashing-encoder step that used Python's salted hash(), if any."""
    return next((step for step in data.steps if step.kind == "encode" and step.setting(PYTHON_HASH_SETTING) is True),
                None)


def _report(step: Step, model: str, loaded: bool) -> Report:
    """The finding on the encoder's call: for a model loaded from a file (trained in another process), or for one
    trained here and saved (any other process that encodes text for it gets other ids)."""
    consequence = f"not the ids {model} was trained on" if loaded else f"{model}, saved, cannot get them again"
    story = (f"{model} was loaded from a file, so it was trained in another process, on other ids for the same words: "
             f"every prediction here reads scrambled text." if loaded else
             f"{model} is trained on this process's ids and saved; any script that loads it and encodes new text with "
             f"{step.detail}() gets other ids for the same words, and its predictions read scrambled text.")
    return Report(step.node, f"{step.detail}() ids come from Python's hash(), salted per process: {consequence}",
                  explanation=(f"{step.detail}() gives each word hash(word) % (n - 1) + 1, and Python's hash() of a "
                               f"string changes from one process to the next (hash randomisation). {story}"),
                  facts={"encoder": step.detail, "loaded": loaded})
