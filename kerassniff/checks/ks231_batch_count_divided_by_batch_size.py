"""KS231 batch-count-divided-by-batch-size: ``steps_per_epoch=len(flow) // batch_size``.

``len()`` of a Keras flow (``flow_from_directory``, ``flow``) or of a batched dataset (``image_dataset_from_directory``)
is already its number of batches.  Dividing it by the batch size again gives a step count ``batch_size`` times too
small: each "epoch" runs a thirty-second of the batches (a run of 20 epochs makes less than one pass over the data),
and a validation or test score divided the same way describes a sliver of the held-out data.  Nothing fails.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.datasets import BATCHING_READERS, COUNT_KEEPING_DATASET_METHODS
from kerassniff.semantic.names import short
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const, DataValue, ModelValue, Unknown

# The keywords that count batches, per method of a model.
_STEP_KEYWORDS = {"fit": ("steps_per_epoch", "validation_steps"), "fit_generator": ("steps_per_epoch", "validation_steps"),
                  "evaluate": ("steps",), "evaluate_generator": ("steps",)}
# Calls around a step count that keep its size: int(...), math.ceil(...), np.floor(...), round(...).
_ROUNDING = frozenset({"int", "round", "ceil", "floor"})
_MAX_PIPELINE_STEPS = 8  # methods followed back from a dataset to its reader


@rule("KS231", "batch-count-divided-by-batch-size", Severity.ERROR,
      "steps_per_epoch=len(flow) // batch_size: len() of a flow already counts batches, so each epoch sees a fraction",
      "len() of a flow or batched dataset is its number of batches: pass steps_per_epoch=len(flow), or leave it out")
def check(script: Script):
    for call in script.calls:
        keywords = _STEP_KEYWORDS.get(call.method or "")
        if keywords is None or not isinstance(call.receiver, (ModelValue, Unknown)):
            continue
        for keyword in keywords:
            given = call.args.node_of(keyword)
            if given is None:
                continue
            found = _batches_divided(script, call, given.value)
            if found is None:
                continue
            reader, divisor, size = found
            share = f"1/{size}" if size is not None else "a fraction"
            consequence = {"steps_per_epoch": f"each epoch trains on {share} of it",
                           "validation_steps": f"validation sees {share} of it"}.get(keyword, f"the score covers {share} of it")
            yield Report(given, f"len({script.code_of(reader)}) already counts batches; {keyword} divides it by "
                                f"{script.code_of(divisor)}: {consequence}",
                         explanation=(
                             f"len() of '{script.code_of(reader)}' is already its number of batches (a Keras flow "
                             "or batched dataset: len(flow) == ceil(samples / batch_size); checked on Keras 3.15.1, "
                             "a flow of 100 samples at batch_size=32 has len 4). Dividing it by "
                             f"{script.code_of(divisor)} again makes the count about {size or 'batch_size'} times "
                             "too small. Keras runs exactly that many batches per epoch (the next epoch goes on with "
                             "the following batches), so the run makes that many times fewer passes over the "
                             "training data than its epochs say, and early stopping, checkpoints and learning-rate "
                             "schedules act on these short epochs; a validation or evaluation count divided the same "
                             "way scores only that share of the held-out data."),
                         facts={"keyword": keyword, "batch_size": size})


def _batches_divided(script: Script, call: CallSite,
                     expression: cst.BaseExpression) -> tuple[cst.BaseExpression, cst.BaseExpression, int | None] | None:
    """(the reader's expression, the divisor, the batch size when known) when ``expression`` is ``len(reader) //
    divisor`` (or ``/``, rounded) of a batching reader and the divisor is that reader's batch size."""
    expression = _unrounded(script, expression)
    if type(expression) is not cst.BinaryOperation or \
            type(expression.operator) not in (cst.FloorDivide, cst.Divide) or type(expression.left) is not cst.Call:
        return None
    counted = script.call_at(expression.left)
    if counted is None or counted.callee != "builtins.len" or len(counted.args.positional) != 1 or \
            not isinstance(counted.args.positional[0], DataValue):
        return None
    reader = _reader(script, counted.args.positional[0].data.node)
    batch = _batch_size(reader) if reader is not None else None
    if batch is None:
        return None
    size, size_node = batch
    divisor = expression.right
    if not _same_size(script, divisor, size, size_node):
        return None
    return expression.left.args[0].value, divisor, size


def _reader(script: Script, node) -> CallSite | None:
    """The call that made a dataset, through the methods that keep its count (``ds.shuffle(1000).prefetch(2)``)."""
    for _ in range(_MAX_PIPELINE_STEPS):
        call = script.call_at(node)
        if call is None or call.method not in COUNT_KEEPING_DATASET_METHODS or not isinstance(call.receiver, DataValue):
            return call
        node = call.receiver.data.node
    return None


def _unrounded(script: Script, expression: cst.BaseExpression) -> cst.BaseExpression:
    """The count inside the calls that round it and keep its size (``int(...)``, ``math.ceil(...)``,
    ``np.floor(...)``), told by the canonical name the model gave each call (an alias is one too)."""
    while type(expression) is cst.Call and len(expression.args) == 1:
        rounding = script.call_at(expression)
        if rounding is None or rounding.callee is None or short(rounding.callee) not in _ROUNDING:
            break
        expression = expression.args[0].value
    return expression


def _batch_size(reader: CallSite) -> tuple[int | None, cst.BaseExpression | None] | None:
    """A batching reader's batch size: (its value when a constant, the expression written for it); None when the
    call is not such a reader, or reads single samples (``batch_size=None``)."""
    name = reader.method if reader.method is not None else short(reader.callee or "")
    known = BATCHING_READERS.get(name or "")
    if known is None or (reader.method is not None and not _is_image_generator(reader)):
        return None
    position, default = known
    value, node = reader.args.get("batch_size", position), reader.args.node_of("batch_size", position)
    if value is None:
        return default, None
    if type(value) is Const:
        return (value.value, node.value if node else None) if type(value.value) is int else None
    return None, node.value if node else None


def _is_image_generator(reader: CallSite) -> bool:
    cls = getattr(reader.receiver, "cls", None)
    return isinstance(cls, str) and short(cls) == "ImageDataGenerator"


def _same_size(script: Script, divisor: cst.BaseExpression, size: int | None,
               size_node: cst.BaseExpression | None) -> bool:
    """Whether the divisor is the reader's batch size: the expression the reader was given (``BATCH_SIZE``), a
    number equal to the reader's (``// 32`` of the default 32), or a name that says it is a batch size
    (``config.BATCH_SIZE``, ``bs``, a size) and is not known to differ.  A name that only happens to equal it
    (``EPOCH_PARTS = 32``) is not taken for it."""
    code = script.code_of(divisor)
    if size_node is not None and script.code_of(size_node) == code:
        return True
    value = _constant(script, divisor)
    if type(divisor) is cst.Integer:
        return size is not None and value == size and value > 1
    last = code.rsplit(".", 1)[-1].lower()
    names_batch = "batch" in last or last.endswith(("size", "bs"))  # BATCH_SIZE, bs, a typo's butch_size
    return names_batch and (value is None or size is None or value == size)


def _constant(script: Script, expression: cst.BaseExpression) -> int | None:
    if type(expression) is cst.Name:
        bound = script.single_binding(expression.value)
        expression = bound if bound is not None else expression
    if type(expression) is cst.Integer:
        return int(expression.evaluated_value)
    return None
