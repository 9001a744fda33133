"""KS238 callback-never-passed: an EarlyStopping, ModelCheckpoint, ReduceLROnPlateau or LearningRateScheduler built
and never given to fit().

A callback acts only through ``fit(..., callbacks=[...])``.  One built and left in a name (or a list) that no code
reads changes nothing: training runs every epoch and keeps the last weights, no best model is written, the learning
rate never moves, while the script reads as if it did.  The check asks the syntax whether any code reads the object
(a name, a list holding it); any read at all (passing it to a function kerassniff does not follow, printing it)
keeps it silent.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.model_api import TRAINING_CALLBACKS
from kerassniff.semantic.names import short
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.values import Instance, const_value

# What fit() does without each callback, as the message ends.
_WITHOUT = {
    "EarlyStopping": "training never stops early",
    "ModelCheckpoint": "no checkpoint is written",
    "ReduceLROnPlateau": "the learning rate never drops",
    "LearningRateScheduler": "the schedule is never applied",
}
_WHY = {
    "EarlyStopping": ("fit() never stops early: it runs every epoch asked for, and with restore_best_weights it "
                      "would have gone back to the best epoch's weights; the model the script then evaluates or "
                      "saves is the last epoch's, overfitted or not."),
    "ModelCheckpoint": ("no file is written at the best (or any) epoch: a later load of that file reads whatever an "
                        "earlier run left there, or fails."),
    "ReduceLROnPlateau": "the optimizer keeps its first learning rate through the plateaus this callback was for.",
    "LearningRateScheduler": "the optimizer keeps its first learning rate: the schedule written here is never used.",
}


@rule("KS238", "callback-never-passed", Severity.WARNING,
      "an EarlyStopping, ModelCheckpoint, ReduceLROnPlateau or LearningRateScheduler built but never given to "
      "fit() (nothing reads it): training runs without it",
      "pass it to fit(): model.fit(..., callbacks=[callback])")
def check(script: Script):
    if not _trains(script):
        return  # (a fragment or a notebook whose training is elsewhere: the callback may be for it)
    for call in script.calls:
        if call.callee not in TRAINING_CALLBACKS or call.guarded or call.top is None or \
                _listed_as_callbacks(script, call) or not script.value_never_read(call.node):
            continue
        if _named_in_a_comment(script, call):
            continue  # (``# callbacks=[early_stop]``: the author turned it off on purpose)
        if _saves_what_the_checkpoint_would(script, call) or _one_of_its_kind_given(script, call):
            continue
        kind = short(call.callee)
        name = script.name_bound_to(call.node)
        what = f"'{name}' ({kind})" if name is not None else f"this {kind}"
        other = any(isinstance(callback, Instance) and callback.cls == call.callee and callback.node is not call.node
                    for fit in script.fits() for callback in fit.callbacks)
        ending = f"fit() gets another {kind}, not this one's settings" if other else _WITHOUT[kind]
        yield Report(call.node, f"{what} is never given to fit(): {ending}",
                     explanation=(f"The {kind} built here is kept in a name (or a list) that no code reads, so no "
                                  f"fit() call receives it in callbacks=[...]: {_WHY[kind]}"),
                     facts={"callback": kind})


_SAVING_METHODS = frozenset({"save", "save_weights"})
_LOADING = frozenset({"load_model", "load_weights"})


def _saves_what_the_checkpoint_would(script: Script, call) -> bool:
    """A ModelCheckpoint that would save every epoch over one file (no ``save_best_only=True``, a constant name with
    no ``{epoch}`` field: the last epoch's file is the trained model), in a script that saves the trained model itself
    and loads no model file: the callback would only have written what ``model.save()`` writes."""
    path = const_value(call.args.get("filepath", 0))
    if short(call.callee) != "ModelCheckpoint" or const_value(call.args.get("save_best_only", 3)) is True or \
            not isinstance(path, str) or "{" in path:
        return False  # (a best-only checkpoint, or one file per epoch, ``weights-{epoch:02d}.h5``: not the final save)
    return any((site.method in _SAVING_METHODS and site.on_model is not None) or
               (site.callee or "").endswith(".save_model") for site in script.calls) and \
        not any(site.method in _LOADING or short(site.callee or "") in _LOADING for site in script.calls)


def _one_of_its_kind_given(script: Script, call) -> bool:
    """Whether a fit() gets another callback of the same class written out in its own call
    (``callbacks=[EarlyStopping(...)]`` beside a leftover ``early_stopping = EarlyStopping(...)``): training does stop
    early, the object left unread is a copy.  Not one built elsewhere and passed by name (a second EarlyStopping
    watching something else)."""
    for fit in script.fits():
        inline = [callback for callback in fit.callbacks if isinstance(callback, Instance) and
                  callback.cls == call.callee and callback.node is not None]
        if inline and any(node is callback.node for node in walk_code(fit.node) for callback in inline):
            return True
    return False


def _trains(script: Script) -> bool:
    """Whether the script calls fit(): of a model it follows, or a ``fit(..., epochs=...)`` of one it does not (a
    model built in a distribution strategy's scope the analysis lost)."""
    return any(True for _ in script.fits()) or any(
        call.method in ("fit", "fit_generator") and call.args.has("epochs") for call in script.calls)


def _listed_as_callbacks(script: Script, call) -> bool:
    """``stop = EarlyStopping(...)`` at the top level and ``callbacks=[..., stop]`` written somewhere: given to a
    call, read (the common case, told from the text before the syntax is walked for reads)."""
    statement = script.module.body[call.top] if call.top < len(script.module.body) else None
    if type(statement) is not cst.SimpleStatementLine or len(statement.body) != 1 or \
            type(statement.body[0]) is not cst.Assign:
        return False
    assign = statement.body[0]
    if assign.value is not call.node or len(assign.targets) != 1 or type(assign.targets[0].target) is not cst.Name:
        return False
    return assign.targets[0].target.value in script.derived("names_listed_as_callbacks", lambda: _names_listed(
        script.text if script.text is not None else script.module.code))


_CALLBACK_LISTS = re.compile(r"\bcallbacks\s*=\s*[\[(]([^\])]*)")
_IDENTIFIERS = re.compile(r"[A-Za-z_]\w*")


def _names_listed(text: str) -> frozenset[str]:
    """The names written inside any ``callbacks=[...]`` (or a tuple) of the text, one pass."""
    return frozenset(name for listed in _CALLBACK_LISTS.finditer(text) for name in _IDENTIFIERS.findall(listed[1]))


def _named_in_a_comment(script: Script, call) -> bool:
    """Whether the name the callback is bound to appears in a comment (a ``callbacks=[...]`` commented out)."""
    name = script.name_bound_to(call.node)
    if name is None:
        return False
    text = script.text if script.text is not None else script.module.code
    return re.search(rf"#[^\n]*\b{re.escape(name)}\b", text) is not None
