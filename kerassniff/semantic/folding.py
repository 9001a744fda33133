"""Operations on abstract values: constant folding, comparisons, truth, lists and branch merges.

Pure functions of :mod:`kerassniff.semantic.values`; the interpreter (:mod:`interpreter`) and the
expression evaluators (:mod:`expressions`) share them.
"""
from __future__ import annotations

import operator
from typing import Callable
from dataclasses import replace

import libcst as cst

from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ClassValue,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FolderListing,
    FunctionValue,
    Instance,
    KnownLen,
    LenValue,
    ModelValue,
    RangeValue,
    Seq,
    ShapeValue,
    StoredObject,
    Strings,
    Symbol,
    TextFile,
    Unknown,
    UnknownInteger,
    Value,
    const_value,
    str_value,
)
from kerassniff.semantic.class_blocks import merged_blocks
from kerassniff.semantic.dataflow import Arm
from kerassniff.semantic.pyvalues import MAX_STRINGS

MAX_UNROLL = 16  # loops over literal ranges/lists up to this length are unrolled

BINOPS = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv, cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}



def truth(value: Value) -> bool | None:
    """The truth of a value when it is known: a constant, or a list display of known length."""
    if isinstance(value, Const):
        try:
            return bool(value.value)
        except Exception:  # noqa: BLE001
            return None
    if isinstance(value, Seq):
        return bool(value.items)
    return None



MAX_FOLDED_BITS = 4096
MAX_FOLDED_LENGTH = 10_000


def cheap_to_fold(op: str, left: object, right: object) -> bool:
    """Refuse constant folding that would allocate or compute without bound ('x' * 2**31, 10 ** 10**9)."""
    if op == "Power" and isinstance(left, int) and isinstance(right, int):
        return right <= 256 and max(abs(left), 2).bit_length() * max(right, 0) <= MAX_FOLDED_BITS
    if op == "Multiply":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, (str, bytes, tuple, list)) and isinstance(count, int):
                return len(sequence) * max(count, 0) <= MAX_FOLDED_LENGTH
        if isinstance(left, int) and isinstance(right, int):
            return abs(left).bit_length() + abs(right).bit_length() <= MAX_FOLDED_BITS
    return True


def range_value(args: CallArgs) -> Value:
    bounds = args.positional
    if len(bounds) == 1 and isinstance(bounds[0], LenValue):
        return RangeValue(None, bounds[0].data)  # range(len(x)), range(len(x) - window)
    if len(bounds) == 2 and isinstance(bounds[1], LenValue) and is_offset(bounds[0]):
        return RangeValue(None, bounds[1].data)  # range(window, len(x)): from the first full window on
    if len(bounds) == 3 and isinstance(bounds[1], LenValue) and is_offset(bounds[0]) and type(bounds[2]) is Const and \
            type(bounds[2].value) is int and bounds[2].value >= 1:
        return RangeValue(None, bounds[1].data, stride=bounds[2].value)  # range(0, len(x) - window, step)
    if len(bounds) == 1 and isinstance(bounds[0], KnownLen) and bounds[0].data is not None:
        return RangeValue(None, bounds[0].data, count=bounds[0].value)  # walks x's samples
    numbers = [b.value for b in bounds if isinstance(b, Const) and isinstance(b.value, int) and not isinstance(b.value, bool)]
    if len(numbers) == len(bounds) and 1 <= len(numbers) <= 3:
        try:
            r = range(*numbers)
            count = len(r)
        except (ValueError, OverflowError):
            return RangeValue(None)
        return RangeValue(tuple(r) if count <= MAX_UNROLL else None, count=count)
    return RangeValue(None)


def is_offset(value: Value) -> bool:
    """An integer constant, or a number the analysis does not know (a window length given as a parameter)."""
    return (isinstance(value, Const) and type(value.value) is int) or type(value) is Unknown or \
        isinstance(value, UnknownInteger)


def range_count(value: Value) -> int | None:
    if isinstance(value, RangeValue):
        return value.count
    if isinstance(value, (Seq,)):
        return len(value.items)
    return None


def seq_items(value: Value) -> tuple[Value, ...]:
    if isinstance(value, Seq):
        return value.items
    if isinstance(value, Const) and isinstance(value.value, tuple):
        return tuple(Const(v) for v in value.value)
    return (UNKNOWN,)


def is_list(value: Value) -> bool:
    return isinstance(value, (Seq, ComprehensionValue)) or isinstance(value, Const) and isinstance(value.value, tuple)


def listed(value: Value) -> tuple[Value, ...] | None:
    """The items ``extend``/``+=`` add, or None when their number is not known."""
    if isinstance(value, (Seq, Const)) and is_list(value):
        return seq_items(value)
    return None


def class_names_written(value: Value) -> tuple[str, ...] | None:
    """Names written in the script, in the order of the ids that index them: a list or tuple of constant strings, an
    array made of one (``np.array(["cat", "dog"])``), or a dict of them keyed 0, 1, 2, ... (``{0: "cat", 1: "dog"}``);
    None otherwise."""
    if isinstance(value, DataValue):
        literal = value.data.source.kind == "literal" and not value.data.steps
        return _strings_only(value.data.values or ()) if literal else None
    if type(value) is DictValue:
        keys = [key.value for key, _ in value.items if type(key) is Const and type(key.value) is int]
        if not value.complete or len(keys) != len(value.items) or sorted(keys) != list(range(len(keys))):
            return None
        by_id = dict(zip(keys, (item for _, item in value.items)))
        return _strings_only(tuple(const_value(by_id[i], None) for i in range(len(keys))))
    if not (isinstance(value, (Seq, Const)) and is_list(value)):
        return None
    return _strings_only(tuple(const_value(item, None) for item in seq_items(value)))


def _strings_only(items: tuple) -> tuple[str, ...] | None:
    return items if items and all(type(item) is str for item in items) else None


def sample_of_list(value: Value) -> DataValue | None:
    """The one array sample every item of a list stands for, when the list is one of samples read one by one
    (``[cv2.imread(p) for p in paths]``, appended in a loop, no class runs): what ``images[i]`` and a walk over the
    list give."""
    if type(value) is ComprehensionValue and not value.blocks and isinstance(value.element, DataValue) and \
            value.element.data.is_sample:
        return value.element
    return None


def representative(items: list[Value]) -> Value:
    """One value standing for every item of a list whose items are not enumerated; for pairs (tuples or lists of
    one length, ``[image, label]``), the pair of each part's representative."""
    if not items:
        return UNKNOWN
    first = items[0]
    if type(first) is Seq and len(items) > 1 and all(
            type(item) is Seq and item.kind == first.kind and len(item.items) == len(first.items) for item in items):
        return Seq(tuple(representative([item.items[index] for item in items])  # type: ignore[attr-defined]
                         for index in range(len(first.items))), first.kind)
    result = first
    for item in items[1:]:
        if item != result:
            absorbed = absorbing(result, item)
            if absorbed is not None:
                result = absorbed
                continue
            if not (isinstance(item, DataValue) or isinstance(result, DataValue)):
                return UNKNOWN
            result = merge(result, item)
    return result


def absorbing(a: Value, b: Value) -> Value | None:
    """The one of two values that stands for both, when a value says it absorbs the other (a list of word ids
    with a start marker ``1`` in it is a list of word ids: :meth:`~kerassniff.semantic.dataflow.WordId.absorbs`);
    None otherwise."""
    for one, other in ((a, b), (b, a)):
        absorbs = getattr(one, "absorbs", None)
        if absorbs is not None and absorbs(other):
            return one
    return None


def merge(a: Value, b: Value, writes: Callable[[str], bool] | None = None, arms: tuple[Arm, Arm] | None = None) -> Value:
    """The value of a name after an if/else that bound it differently in each branch; ``writes`` tells whether the
    script writes a model file of a name (a reload of such a file beside a built model is that model resumed)."""
    if isinstance(a, DataValue) and isinstance(b, DataValue):
        if a.data.scaling == b.data.scaling and a.data.encoding == b.data.encoding:
            if _reshapes(a.data) != _reshapes(b.data):  # the same values, shaped by the branch taken
                return DataValue(b.data.with_step("reshape", "branches", b.data.node))
            return b
        return DataValue(replace(b.data, conditional=True))
    if isinstance(b, DataValue):
        return DataValue(replace(b.data, conditional=True))
    if isinstance(a, DataValue):
        return DataValue(replace(a.data, conditional=True))
    if (isinstance(a, ComprehensionValue) or isinstance(b, ComprehensionValue)) and is_list(a) and is_list(b):
        # a list grown in one branch only (``if ok: images.append(x)`` in a loop): items of that kind, how many
        # not known
        items: list[Value] = []
        for value in (a, b):
            items.extend((value.element,) if isinstance(value, ComprehensionValue) else seq_items(value))
        runs = [value.blocks if isinstance(value, ComprehensionValue) else () for value in (a, b)]
        empty = [not isinstance(value, ComprehensionValue) and not seq_items(value) for value in (a, b)]
        return ComprehensionValue(representative(items), None, merged_blocks(*runs, *empty))
    if isinstance(a, ModelValue) and isinstance(b, ModelValue) and a.model is not b.model and writes is not None:
        # ``if os.path.exists(p): model = load_model(p)`` beside a model the script builds, and the script saves p:
        # the same network resumed, so the built one is the model the script describes (a reload of a file the script
        # never writes, a production model served beside a trainer, is another model: the branch taken decides)
        resumed = [value for value in (a, b) if value.model.kind == "loaded" and value.model.origin is None
                   and str_value(value.model.load_path) is not None and writes(str_value(value.model.load_path))]
        if len(resumed) == 1:
            return b if resumed[0] is a else a
        # a model built in each arm: the else arm's, with the other kept for the calls made later in the same arm of
        # the same condition (``if args.task == "classify":`` tested twice)
        return b.alongside(a, arms)
    if isinstance(a, Strings) or isinstance(b, Strings) or (_strings(a) and _strings(b) and a != b):
        # path = "a.hdf5" in one branch, "b.hdf5" in the other: one of them; with anything else, or too many, unknown
        choices = tuple(dict.fromkeys(_strings(a) + _strings(b)))
        if _strings(a) and _strings(b) and len(choices) <= MAX_STRINGS:
            return Strings(options=choices)
        return UNKNOWN
    if isinstance(a, DictValue) or isinstance(b, DictValue):
        return _merged_dicts(a, b, writes, arms)
    absorbed = absorbing(a, b)
    if absorbed is not None:
        return absorbed  # word_index[w] if w in word_index else 2: a word id either way
    if isinstance(a, Const) or isinstance(b, Const):
        return a if a == b else UNKNOWN  # units = 1 in one branch, num_classes in the other: not known
    if isinstance(b, Unknown):
        return a
    if isinstance(a, Unknown):
        return b
    if type(a) is Symbol and type(b) is Symbol:
        # the same import written two ways (tensorflow.keras.layers.Dense, keras.layers.Dense) is one thing; two
        # library functions (tf.nn.relu, tf.nn.sigmoid) are one of two
        return b if a.name == b.name else UNKNOWN
    if type(a) is not type(b) and (type(a) in _ALTERNATIVES or type(b) in _ALTERNATIVES):
        # loss = losses.binary_crossentropy in one branch, CategoricalCrossentropy() (or a tuple of one loss, a
        # stray comma) in the other: one of two different things, not known
        return UNKNOWN
    return b


def _merged_dicts(a: Value, b: Value, writes: Callable[[str], bool] | None = None,
                  arms: tuple[Arm, Arm] | None = None) -> Value:
    """A dict in one branch, and in the other another dict or anything else.  Two dicts: the keys both hold, each with
    its two values merged (``{"activation": "softmax"}`` and ``{"activation": "sigmoid"}``: the key is there, its value
    one of two); complete only when both are and hold the same keys.  A dict beside anything else (an array, an unknown
    value) is unknown: a complete dict claims to know every entry, and an empty one filled in a loop by keys it does not
    know (``found[key] = []``, which makes the name unknown) is not empty after the loop."""
    if not (isinstance(a, DictValue) and isinstance(b, DictValue)):
        return UNKNOWN
    if a == b:
        return b
    theirs = {k.value: v for k, v in a.items if isinstance(k, Const)}
    mine = [(k, v) for k, v in b.items if isinstance(k, Const)]
    # (each value merged as the branches' names are: two models keep the arms they were made in)
    items = tuple((k, v if v == theirs[k.value] else merge(theirs[k.value], v, writes, arms))
                  for k, v in mine if k.value in theirs)
    complete = a.complete and b.complete and len(items) == len(a.items) == len(b.items)
    return DictValue(items, complete=complete)


# Values a name may hold in one branch of an if that make "which one" matter: a library function, an object of a
# library or of the script, a list or tuple of them.
_ALTERNATIVES = (Symbol, Instance, Seq)


def is_string(value: Value) -> bool:
    """Whether a value is a known string, or one of a few (:class:`Strings`)."""
    return bool(_strings(value))


def _strings(value: Value) -> tuple[str, ...]:
    """The constant strings a value may be: one for a string constant, each of a :class:`Strings`; () otherwise."""
    if isinstance(value, Strings):
        return value.options
    return (value.value,) if isinstance(value, Const) and isinstance(value.value, str) else ()


def _reshapes(data) -> list[int]:
    """The steps that changed an array's shape (each branch's own reshape makes the shape branch-dependent: a
    "branches" reshape step says so, and only the sample shape becomes unknown; the scaling and the labels of
    the array are the same in both branches and stay known)."""
    return [id(step.node) for step in data.steps if step.kind == "reshape"]


COMPARISONS = {
    cst.Equal: operator.eq, cst.NotEqual: operator.ne, cst.LessThan: operator.lt, cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt, cst.GreaterThanEqual: operator.ge,
    cst.In: lambda a, b: a in b, cst.NotIn: lambda a, b: a not in b,
}
# Values that are certainly not None (``x is None`` is False for them): also an object read back with pickle.load
# (``def encode(texts, tokenizer=None)`` given the unpickled tokenizer does not fit a new one), an open file and
# a folder's listing.
OBJECTS = (DataValue, ModelValue, Instance, FunctionValue, ClassValue, Seq, DictValue, ComprehensionValue,
           StoredObject, TextFile, FolderListing)


def _singleton(value: Value) -> bool:
    return isinstance(value, Const) and (value.value is None or value.value is True or value.value is False)


def compare(op: cst.BaseCompOp, left: Value, right: Value) -> bool | None:
    """One comparison of known values; None when it cannot be decided."""
    if isinstance(op, (cst.Is, cst.IsNot)):
        result = _identical(left, right)
        return result if result is None or isinstance(op, cst.Is) else not result
    function = COMPARISONS.get(type(op))
    if function is None:
        return None
    if isinstance(right, DictValue) and isinstance(op, (cst.In, cst.NotIn)):
        right = _keys(right)
    if not (isinstance(left, Const) and isinstance(right, Const)):
        return None
    try:
        return bool(function(left.value, right.value))
    except Exception:  # noqa: BLE001 - 1 < "a" and the like: not known
        return None


def _identical(left: Value, right: Value) -> bool | None:
    """``left is right``: known for None, True and False, and for an object against one of them."""
    if isinstance(left, Const) and isinstance(right, Const):
        if left.value is None or right.value is None or isinstance(left.value, bool) and isinstance(right.value, bool):
            return left.value is right.value
        return None
    if isinstance(left, OBJECTS) and _singleton(right) or isinstance(right, OBJECTS) and _singleton(left):
        return False  # a model, an array, a list... is not None, True or False
    return None


def _keys(value: DictValue) -> Value:
    """A dict display's keys as one constant tuple (``x in {...}``), UNKNOWN when a key is not known."""
    keys = [k for k, _ in value.items]
    if not value.complete or not all(isinstance(k, Const) for k in keys):
        return UNKNOWN  # (a dict with entries not among its items may hold any key)
    return Const(tuple(k.value for k in keys))  # type: ignore[union-attr]


def index_value(base: Value, index: Value) -> Value:
    """``base[index]`` for a list display, a constant, a dict display or a shape; UNKNOWN otherwise."""
    if not isinstance(index, Const):
        return UNKNOWN
    indexer = _INDEXERS.get(type(base)) or (_index_const if isinstance(base, Const) else None)
    return indexer(base, index.value) if indexer is not None else UNKNOWN


def _index_seq(base: Seq, index: object) -> Value:
    if not isinstance(index, int):
        return UNKNOWN
    try:
        return base.items[index]
    except IndexError:
        return UNKNOWN


def _index_const(base: Const, index: object) -> Value:
    if not isinstance(base.value, (tuple, str)):
        return UNKNOWN
    try:
        return Const(base.value[index])  # type: ignore[index]
    except (IndexError, TypeError):
        return UNKNOWN


def _index_dict(base: DictValue, index: object) -> Value:
    return base.get(index) or UNKNOWN


def _index_shape(base: ShapeValue, index: object) -> Value:
    """``x.shape[0]`` counts x's samples; any other dimension is an integer the analysis does not know."""
    if index == 0:
        return LenValue(base.data)
    return UnknownInteger() if type(index) is int else UNKNOWN


_INDEXERS = {Seq: _index_seq, Const: _index_const, DictValue: _index_dict, ShapeValue: _index_shape}
