"""Cross-script facts: which script saves the model another script loads.

Scripts are linked by the paths they pass to ``model.save``/``save_weights``
and ``load_model``/``load_weights`` (string constants, constant f-strings,
``os.path.join`` of constants).  Project rules (KS203) and dynamic mode read
these links; one script alone yields no link.  The engine pairs the files of
a run with :func:`link_keys` and :func:`files_in_links` before it keeps any
model in memory.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from kerassniff.semantic.dataflow import DataValue, normal_path
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.models import Model
from kerassniff.semantic.script import Script
from kerassniff.semantic.training import file_path, written_paths
from kerassniff.semantic.values import Const, Seq, Value


@dataclass(unsafe_hash=True)
class ModelLink:
    """``trained`` (saved by ``trainer``) is what ``loaded`` (in ``user``) reads back."""

    trainer: Script
    trained: Model
    user: Script
    loaded: Model
    path: str


def path_key(value: Value | None) -> str | None:
    """A read model file's key: its constant path, or its file name when only that is known (:func:`file_path`)."""
    path = file_path(value)
    return normal_path(path) if path else None


@dataclass(unsafe_hash=True)
class LinkKeys:
    """The model file paths a script saves (after training) and loads: enough to tell which scripts link."""

    saves: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.saves or self.loads)


def saved_keys(model: Model) -> list[str]:
    """The files a trained model is saved to: by save()/save_weights()/export(), and by the ModelCheckpoint given
    to its fit() (a name with fields, ``model-{epoch:03d}.h5``, is kept as the template it is)."""
    if not model.fits:
        return []
    return sorted(normal_path(path) for path in written_paths(model))


# A checkpoint name's fields ({epoch:03d}, {val_loss:.2f}): ModelCheckpoint fills each with a number (the epoch or
# batch, or a logged metric), so a file name it writes holds a number there (``model-007.h5``, ``w-0.4213.h5``), not
# any text (``model-final.h5`` is not one of ``model-{epoch}.h5``'s).
_FIELD = re.compile(r"\{[^{}]*\}")
_FIELD_TEXT = r" *[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|nan|inf)%?"  # (" 7" of {epoch:3d}, "85.00%" of {acc:.2%})


def same_file(saved: str, loaded: str) -> bool:
    """Whether the file a script loads is one a trainer saves: the same path, the same file name, or a name the
    trainer's checkpoint template makes (``model-{epoch:03d}.h5`` writes ``model-007.h5``)."""
    if saved == loaded or posixpath.basename(saved) == posixpath.basename(loaded):
        return True
    parts = _FIELD.split(posixpath.basename(saved))
    if len(parts) < 2 or not parts[0]:
        return False  # no field, or a name that starts with one ("{epoch}.h5" would match any .h5 file)
    pattern = _FIELD_TEXT.join(re.escape(part) for part in parts)
    return re.fullmatch(pattern, posixpath.basename(loaded)) is not None


def loaded_keys(model: Model) -> list[str]:
    """The files a model is loaded from (load_model, load_weights)."""
    keys = [path_key(model.load_path)] if model.kind == "loaded" else []
    keys += [path_key(s.path) for s in model.saves if s.method == "load_weights"]
    return [key for key in keys if key]


def link_keys(script: Script) -> LinkKeys:
    saves = [key for model in script.models for key in saved_keys(model)]
    loads = [key for model in script.models for key in loaded_keys(model)]
    return LinkKeys(tuple(saves), tuple(loads))


def files_in_links(keys: dict[str, LinkKeys]) -> set[str]:
    """The files (by path) that take part in at least one save/load link (a loader and the one trainer that makes
    its file, as :func:`model_links` will pair them, or the scripts beside it that may, :func:`possible_makers`): the
    only ones cross-script rules read, so the only analyses kept."""
    needed: set[str] = set()
    for path, found in keys.items():
        for key in found.loads:
            exact = [other for other, theirs in keys.items() if key in theirs.saves]
            savers = exact or [other for other, theirs in keys.items()
                               if any(same_file(saved, key) for saved in theirs.saves)]
            maker = _maker(savers, path, _trainers_beside(path, [other for other, theirs in keys.items() if theirs.saves]))
            if maker is not None:
                needed |= {maker, path}
            else:
                # several scripts beside it save the file: each may be its maker; or it saves the file itself and
                # another script beside it does too (an app that trains when the file is missing, beside the
                # trainer): the trainer's file is the one it reads when present
                beside = {saver for saver in savers if _folder(saver) == _folder(path)}
                if len(beside - {path}) > (0 if path in savers else 1):
                    needed |= beside | {path}
    return needed


def model_links(scripts: list[Script]) -> list[ModelLink]:
    """Every (trainer, user) pair of scripts where one saves a model file the other loads."""
    saved = _saved_by(scripts)
    return [ModelLink(trainer, trained, script, model, key)
            for script in scripts for model in script.models for key in loaded_keys(model)
            for trainer, trained in _trainers(saved, key, script) if loaded_may_be_trained(trained, model)]


def loaded_may_be_trained(trained: Model, loaded: Model) -> bool:
    """Whether the model a script loads may be the one a trainer saved to that file name: not a Sequential model (one
    input) when the loading script feeds its model two or more inputs (``predict([photo, sequence])``): that script
    was written for a model of two inputs (given a Sequential one, Keras 3.15.1 would only warn and read the first
    array), so the file it reads is another model's of the same name (``model.h5`` of another project in a sibling
    folder).  Only links are dropped here: a wrong guess silences a check, never makes a finding."""
    return trained.kind != "sequential" or (inputs_fed(loaded) or 1) == 1


def inputs_fed(model: Model) -> int | None:
    """How many inputs a script feeds a model, when a call says: a list or tuple of two or more values, one of them
    an array, none a constant, given as x (``predict([photo, sequence])``) is one per input; None when no call says
    (a list of numbers is one sample)."""
    for call in (*model.fits, *model.inferences):
        x = call.x
        if isinstance(x, Seq) and len(x.items) >= 2 and not any(isinstance(item, Const) for item in x.items) and \
                any(isinstance(item, (DataValue, Predictions)) for item in x.items):
            return len(x.items)
    return None


@dataclass(unsafe_hash=True)
class Makers:
    """A model file ``loaded`` (in ``user``) reads that two or more scripts beside ``user`` save: which one made it,
    whichever ran last, is not known, so a check across scripts holds only when it holds for each of ``links``."""

    user: Script
    loaded: Model
    path: str
    links: tuple[ModelLink, ...]


def possible_makers(scripts: list[Script]) -> list[Makers]:
    """Each model file a script loads whose maker is one of several scripts beside it (:func:`model_links` links
    none of them), with a link to each; not when a script beside it that does not parse may have saved it too."""
    saved = _saved_by(scripts)
    found = []
    for user in scripts:
        for model in user.models:
            for key in loaded_keys(model):
                candidates = _savers_of(saved, key)
                savers = sorted({script.path for script, _ in candidates})
                beside = [path for path in savers if _folder(path) == _folder(user.path)]
                if len(beside) < 2 or user.path in savers or any(
                        name == posixpath.basename(key) for _, name in user.unread_savers):
                    continue
                made = [_last_written([c for c in candidates if c[0].path == path], key) for path in beside]
                if all(len(one) == 1 and loaded_may_be_trained(one[0][1], model) for one in made):
                    found.append(Makers(user, model, key, tuple(ModelLink(one[0][0], one[0][1], user, model, key)
                                                                for one in made)))
    return found


def _savers_of(saved: dict[str, list[tuple[Script, Model]]], key: str) -> list[tuple[Script, Model]]:
    """The (script, model) pairs that save the file a script loads as ``key``: by its exact key, else by
    :func:`same_file`."""
    return saved.get(key) or [pair for written, pairs in saved.items() for pair in pairs if same_file(written, key)]


def _saved_by(scripts: list[Script]) -> dict[str, list[tuple[Script, Model]]]:
    """The (script, model) pairs that save each model file, by its key."""
    saved: dict[str, list[tuple[Script, Model]]] = {}
    for script in scripts:
        for model in script.models:
            for key in saved_keys(model):
                saved.setdefault(key, []).append((script, model))
    return saved


def _trainers(saved: dict[str, list[tuple[Script, Model]]], key: str, user: Script) -> list[tuple[Script, Model]]:
    """The (script, model) pairs that save the file ``user`` loads as ``key``, other than ``user`` itself.

    A relative path is usually relative to the scripts' own folder: when a trainer sits beside the loading
    script, trainers elsewhere that happen to use the same file name are not it.  Otherwise the trainers nearest
    the user in the folder tree are kept; a script beside the user that could not be read but names the file
    (``user.unread_savers``) counts as one that may save it.  Either way they must be one script: two scripts that
    save a file of that name (``model.h5`` in two lessons of a course, or two training scripts beside the loader)
    leave the file's maker, whichever ran last, unknown.  A user that saves the file itself
    (``net.save("net.keras")``, then ``load_model("net.keras")``) reads back its own model: no other script is its
    maker.
    """
    candidates = _savers_of(saved, key)
    unread = [path for path, name in user.unread_savers if name == posixpath.basename(key)]
    trainers = [script.path for pairs in saved.values() for script, _ in pairs]
    maker = _maker([script.path for script, _ in candidates] + unread, user.path, _trainers_beside(user.path, trainers))
    return _last_written([c for c in candidates if c[0].path == maker], key)


def _last_written(candidates: list[tuple[Script, Model]], key: str) -> list[tuple[Script, Model]]:
    """Of the models one script writes to the file, the one written last (a notebook that trains a baseline, saves
    it, then trains and saves another model to the same name leaves the second); none when that is not known (a
    checkpoint callback's writes have no one place)."""
    if len(candidates) < 2:
        return candidates
    last: dict[int, int] = {}
    for index, (_, model) in enumerate(candidates):
        orders = [save.order for save in model.saves if save.method != "load_weights" and _writes_to(save.path, key)]
        if not orders:
            return []
        last[index] = max(orders)
    return [candidates[max(last, key=last.__getitem__)]]


def _writes_to(path: Value, key: str) -> bool:
    written = path_key(path)
    return written is not None and same_file(written, key)


def _trainers_beside(user: str, trainers: list[str]) -> bool:
    """Whether a script in ``user``'s folder (not ``user``) trains a model and saves it, to whatever file."""
    return any(path != user and _folder(path) == _folder(user) for path in trainers)


def _maker(savers: list[str], user: str, own_trainer: bool = False) -> str | None:
    """The one script (by path) among those that save a file that made the file ``user`` loads (see
    :func:`_trainers`); None when the user saves it itself or the maker is not known.  A script elsewhere is not
    taken for the maker when ``own_trainer`` (a script beside the user trains and saves a model, under another file
    name): the user's project has its trainer, and another folder's file of the same name (``model.h5``) is more
    likely another project's than this one's, renamed."""
    if user in savers or not savers:
        return None
    beside = [path for path in savers if _folder(path) == _folder(user)]
    if not beside and own_trainer:
        return None
    if not beside:
        nearest = max(_shared_depth(path, user) for path in savers)
        beside = [path for path in savers if _shared_depth(path, user) == nearest]
    return beside[0] if len(set(beside)) == 1 and _near(beside[0], user) else None


def _near(saver: str, user: str) -> bool:
    """Whether a script elsewhere may have written the file a script loads by the same name: its folder is the
    loader's, one above or below it (``model.h5`` saved by ``train.py`` and loaded by ``app/serve.py``), or a sibling
    of it (``src/training/`` and ``src/inference/``).  Farther away, in a folder that shares only an ancestor with
    the loader's, the same name is another project's file (two projects of one collection, each with its
    ``model.h5``)."""
    mine, theirs = _parts(_folder(user)), _parts(_folder(saver))
    shared = _shared_depth(saver, user)
    return len(mine) - shared <= 1 and len(theirs) - shared <= 1 or \
        shared in (len(mine), len(theirs))  # (one folder holds the other, however deep)


def _parts(folder: str) -> list[str]:
    """A folder's names, none for the folder the paths are relative to (``""``: a script named at the lint's root)."""
    return folder.split("/") if folder else []


def _shared_depth(a: str, b: str) -> int:
    """How many leading folders the two scripts' paths share."""
    parts_a, parts_b = _parts(_folder(a)), _parts(_folder(b))
    shared = 0
    for x, y in zip(parts_a, parts_b):
        if x != y:
            break
        shared += 1
    return shared


def _folder(path: str) -> str:
    return posixpath.dirname(path.replace("\\", "/"))
