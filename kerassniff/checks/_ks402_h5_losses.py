"""KS402's check of model files Keras 3 writes but cannot read back: a model compiled with ``loss="mse"`` (or another
short loss name of ``H5_UNREADABLE_LOSSES``) and saved to an ``.h5``/``.hdf5`` file, by ``model.save()`` or by a
``ModelCheckpoint`` given to its ``fit()``.  Keras 3 stores the loss by the name given, and its ``load_model()``
(``compile=True``, the default) fails to deserialize ``keras.metrics.mse``: every script that loads the file stops
there with ValueError.  The full names (``"mean_squared_error"``), a ``.keras`` file, ``compile=False``, or a
``custom_objects=`` that names the short loss (``{"mse": MeanSquaredError()}``, checked on Keras 3.15.1) avoid it.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import NamedTuple

import libcst as cst

from kerassniff.checks._ks402_methods import SAVE_FUNCTIONS
from kerassniff.registry import Report, Withdrawal
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.keras3_removals import (CHECKPOINT_HDF5_SUFFIX, H5_UNREADABLE_LOSSES, HDF5_SUFFIXES,
                                                         LOAD_FUNCTIONS)
from kerassniff.semantic.dataflow import normal_path
from kerassniff.semantic.links import model_links, same_file
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CallSite, file_path, file_writes
from kerassniff.semantic.values import Const, DictValue, Value, const_value

def unreadable_h5_saves(script: Script, keras_3_model: Callable[[Script, CallSite], bool],
                        only: frozenset[str] | None = None) -> list[Report]:
    """One report per model file written (at its first write): a save() or a whole-model checkpoint to an HDF5 name,
    of a Keras 3 model (``keras_3_model(script, call)``) compiled, when it writes, with a loss named by a short name
    Keras 3 cannot read back from that file.  With ``only``: those files alone, read back as weights by the script
    or not (another script loads them as a model: :func:`h5_saves_loaded_elsewhere`)."""
    reports: list[Report] = []
    # (files the script reads back with compile=False, or only as weights: it knows, or never compiles from them)
    seen: set[str] = set(_loaded_without_compiling(script))
    if only is None:
        seen |= read_only_as_weights(script)
    for model in script.models:
        if model.kind == "external" or not model.compiles or not model.keras_runs("compile"):
            continue
        for node, call_node, order, where, path in _hdf5_writes(model):
            call = script.call_at(call_node)  # the save() itself, or the fit() a checkpoint writes in
            if path in seen or (only is not None and path not in only) or call is None or call.guarded or \
                    not keras_3_model(script, call):
                continue
            if call.args.has("include_optimizer") and \
                    const_value(call.args.get("include_optimizer"), True) is False:
                continue  # (no compile configuration stored: the file loads)
            if call.callee in SAVE_FUNCTIONS:
                where = "save_model()"
            loss = _short_loss(model, order)
            if loss is None or _loaded_knowing(script, path, loss):
                continue
            seen.add(path)
            reports.append(_report(node, where, path, loss))
    return reports


class _Read(NamedTuple):
    """A model file a script reads back: its path as written, whether by ``load_model()`` (else ``load_weights()``),
    whether that load compiles the model (no ``compile=False``), and the names its ``custom_objects=`` gives (None:
    none given; "?" among them: a dict or names not known)."""

    path: str
    as_model: bool
    compiling: bool
    custom_names: frozenset[str] | None = None


def _reads(script: Script) -> list[_Read]:
    """Every model file the script reads back, read off its calls once per script."""
    def read() -> list[_Read]:
        found = []
        for call in script.calls:
            as_model = call.callee in LOAD_FUNCTIONS
            if not as_model and call.method != "load_weights":
                continue
            path = file_path(call.args.get("filepath", 0))
            if path is not None:
                compiling = as_model and const_value(call.args.get("compile", 2), True) is not False
                found.append(_Read(path, as_model, compiling, _names_given(call.args.get("custom_objects", 1))
                                   if as_model else None))
        return found
    return script.derived("ks402_model_file_reads", read)


def _names_given(objects: Value | None) -> frozenset[str] | None:
    """The keys of a ``custom_objects=`` dict (None when none is given; "?" among them when any is not known)."""
    if objects is None or (isinstance(objects, Const) and objects.value is None):
        return None
    if not isinstance(objects, DictValue):
        return frozenset({"?"})
    names = {key.value if isinstance(key, Const) and isinstance(key.value, str) else "?" for key, _ in objects.items}
    return frozenset(names | (set() if objects.complete else {"?"}))


def _loaded_knowing(script: Script, path: str, loss: str) -> bool:
    """Whether the script loads the file it wrote with a ``custom_objects=`` that may name the short loss (Keras 3
    then reads it back: ``load_model("m.h5", custom_objects={"mse": MeanSquaredError()})``, checked on 3.15.1)."""
    return any(read.path == path and read.custom_names is not None and
               (loss in read.custom_names or "?" in read.custom_names) for read in _reads(script))


def _loaded_without_compiling(script: Script) -> list[str]:
    """The files the script itself reads back with ``load_model(path, compile=False)``."""
    return [read.path for read in _reads(script) if read.as_model and not read.compiling]


def h5_saves_loaded_elsewhere(scripts: list[Script], keras_3_model: Callable[[Script, CallSite], bool]
                              ) -> Iterator[tuple[Script, Report]]:
    """Across scripts: a file its own script reads back only as weights (not reported there) that another script of
    the run loads with ``load_model()``, compiling it (a DQN trainer restoring with ``load_weights()``, its play
    script loading the model): the report is the saving script's."""
    for link in model_links(scripts):
        if link.user is link.trainer or not _loaded_compiling(link.user, link.path):
            continue
        exempted = frozenset(path for path in read_only_as_weights(link.trainer) if normal_path(path) == link.path)
        if exempted:
            for report in unreadable_h5_saves(link.trainer, keras_3_model, only=exempted):
                yield link.trainer, report


def h5_saves_read_without_compiling(scripts: list[Script], keras_3_model: Callable[[Script, CallSite], bool]
                                    ) -> Iterator[tuple[Script, Withdrawal]]:
    """Across scripts: a file its own script reports that other scripts of the run read back, every one with
    ``load_model(path, compile=False)`` or ``load_weights()`` (a trainer beside the app that serves its model), while
    no script of the run (the trainer included) loads it compiling it: nothing fails on the stored loss, so the
    saving script's report is taken back, because of those readers.  A file is the path a script names, from the
    script's own folder (``../project/model.h5`` of a script in ``other/`` is ``project/model.h5``)."""
    reads = {script.path: [(_file_of(script, read.path), read.compiling) for read in _reads(script)]
             for script in scripts}
    # the files a script of the run links, the way the scripts are linked (names as written, from where the project
    # runs), to a trainer's file and loads compiling it: they fail, whatever folder the path is read from
    linked = {(id(link.trainer), link.path) for link in model_links(scripts)
              if link.user is not link.trainer and _loaded_compiling(link.user, link.path)}
    for trainer in scripts:
        own = read_only_as_weights(trainer) | set(_loaded_without_compiling(trainer))
        written = {path for model in trainer.models for *_, path in _hdf5_writes(model) if path not in own}
        for path in written:
            file = _file_of(trainer, path)
            readers = [script for script in scripts if script is not trainer and
                       any(_reads_file(read, file) for read, _ in reads[script.path])]
            linked_compiling = any(owner == id(trainer) and same_file(normal_path(path), key) for owner, key in linked)
            if not readers or linked_compiling or any(_reads_file(read, file) and compiling
                                                      for script in scripts for read, compiling in reads[script.path]):
                continue
            because = tuple(reader.path for reader in readers)
            for report in unreadable_h5_saves(trainer, keras_3_model, only=frozenset({path})):
                yield trainer, Withdrawal(report.node, because)


def _reads_file(read: str, written: str) -> bool:
    """Whether a file a script reads is one written: the same file, or in the same folder a name a checkpoint's
    template makes (``model_{val_loss:.4f}.h5`` writes ``model_0.6064.h5``)."""
    return read == written or (os.path.dirname(read) == os.path.dirname(written) and same_file(written, read))


def _file_of(script: Script, path: str) -> str:
    """The file a path a script names is, taken from the script's folder."""
    return os.path.normpath(os.path.join(os.path.dirname(script.path), path.replace("\\", "/")))


def _loaded_compiling(script: Script, key: str) -> bool:
    """Whether the script calls ``load_model()`` on the file of that key without ``compile=False``."""
    return any(read.compiling and normal_path(read.path) == key for read in _reads(script))


def read_only_as_weights(script: Script) -> set[str]:
    """The files the script reads back with ``load_weights(path)`` and never with ``load_model()``: a whole-model
    ``.h5`` file gives its weights to ``load_weights()`` whatever loss it stores (a DQN saving its network and
    restoring it that way)."""
    reads = _reads(script)
    return {read.path for read in reads if not read.as_model} - {read.path for read in reads if read.as_model}


def _hdf5_writes(model: Model) -> Iterator[tuple[cst.CSTNode, cst.CSTNode, int, str, str]]:
    """(node to report, call that writes, order, what writes, path) of each whole-model file the model writes to an
    HDF5 name (:func:`~kerassniff.semantic.training.file_writes`): by save(), or by a checkpoint (to '.h5' only: it
    refuses '.hdf5' before training, another report of KS402's)."""
    for write in file_writes(model):
        path = file_path(write.path)
        if path is not None and path.lower().endswith(CHECKPOINT_HDF5_SUFFIX if write.checkpoint else HDF5_SUFFIXES):
            yield write.node, write.call, write.order, "ModelCheckpoint()" if write.checkpoint else "model.save()", path


def _short_loss(model: Model, order: int) -> str | None:
    """The short loss name Keras 3 cannot read back that the compile() in force at ``order`` names, if any."""
    compiled = model.compile_before(order)
    if compiled is None:
        return None
    return next((loss.given for loss in compiled.losses
                 if loss.given is not None and loss.given.lower() in H5_UNREADABLE_LOSSES), None)


def _report(node: cst.CSTNode, where: str, path: str, loss: str) -> Report:
    full = H5_UNREADABLE_LOSSES[loss.lower()]
    name = path.rsplit("/", 1)[-1]
    shown = f"'{name}'" if len(name) <= 20 else "its .h5 file"
    return Report(
        node, f"{where} stores loss '{loss}' in {shown}: Keras 3's load_model() cannot read it (ValueError)",
        f"compile with loss='{full}' (the same loss) or save to a .keras file; a file already written loads with "
        f"load_model(path, compile=False)",
        explanation=(f"Keras 3 stores the compiled loss in an .h5 file by the name it was given ('{loss}'), and its "
                     f"load_model() (compile=True, the default) then fails to deserialize 'keras.metrics.{loss}' "
                     f"(ValueError: not a KerasSaveable subclass; checked on Keras 3.15.1, keras-team/keras#19330). "
                     f"The weights are saved, but every script that loads '{name}' as it is stops there. The full "
                     f"name, '{full}', is the same loss and loads."),
        facts={"loss": loss, "path": path, "writer": where})
