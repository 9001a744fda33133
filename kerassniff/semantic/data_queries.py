"""Queries over one array's history (:class:`~kerassniff.semantic.dataflow.Data`) that several facts combine: how many
values one image holds at a point of it (the last resize to a constant size, times the channels its reader or its last
colour conversion says: KS243 tells a reshape from a scramble), and whether two arrays are one file read twice, in one
script or in two, or a batch drawn from a pipeline (KS205).
"""
from __future__ import annotations

from kerassniff.semantic.dataflow import Data
from kerassniff.semantic.knowledge.arrays import CHANNELS_SETTING

# Step kinds that keep how many values an image holds: value changes, and reshapes other than an index (``x[0]``) or
# np.resize (``expand_dims``, ``reshape``, ``flatten``).
COUNT_KEEPING_KINDS = frozenset({"scale", "shift", "preprocess", "standardize", "minmax", "normalize", "cast", "order",
                                 "reshape"})


def values_before(data: Data, index: int) -> int | None:
    """How many values one image of ``data`` holds just before ``data.steps[index]``; None when a step since the last
    resize may have changed the count (a crop, one channel taken, an augmentation) or a part of it is not known."""
    grid: int | None = None
    channels = data.source.channels
    for step in data.steps[:index]:
        if step.kind == "resize":
            grid = grid_size(step.detail)
        elif step.kind == "color":
            counted = step.setting(CHANNELS_SETTING)
            channels = counted if type(counted) is int else None
        elif step.kind not in COUNT_KEEPING_KINDS or (step.kind == "reshape" and step.detail in ("index", "resize")):
            grid = None
    return grid * channels if grid is not None and channels is not None else None


def grid_size(detail: str) -> int | None:
    """Height x width of a resize step's '28x28' (None for '?' or anything else)."""
    parts = detail.split("x")
    return int(parts[0]) * int(parts[1]) if len(parts) == 2 and all(p.isdigit() for p in parts) else None


def read_again(mine: Data, theirs: Data) -> bool:
    """Both arrays read whole from one constant file by one reader (``np.load("X_test.npy")`` for the validation data,
    and again for the score): the same samples under two names, unless rows were selected on the way."""
    key = whole_file(mine)
    return key is not None and mine.group != theirs.group and key == whole_file(theirs)


def drawn_from(batch: Data, flow: Data) -> bool:
    """Whether ``batch`` is a batch drawn from the pipeline or generator ``flow`` (``imgs, labels = next(test_batches)``):
    some of its samples, as it gives them (the same reader, split and steps), though under another name."""
    return flow.batches and not batch.batches and batch.group == flow.group and flow.source.node is not None and \
        batch.source.node is flow.source.node and batch.split == flow.split and batch.steps == flow.steps and \
        flow.name is not None and batch.drawn_from == flow.name  # (flows made by one comprehension share the rest)


def whole_file(data: Data) -> tuple[str, str, str | None] | None:
    """What tells one whole-file read from another (the file's normalised constant path, the reader, the array's
    role), for an array read whole from a file whose path no command-line option may change: two reads with one key
    hold the same samples, in one script or in two (a trainer's validation data and an evaluate script's test data)."""
    source = data.source
    if source.kind != "file" or source.path is None or source.option_default or data.rows_cut or data.batches:
        return None
    return source.normal_path, source.description, data.role
