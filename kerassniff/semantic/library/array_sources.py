"""Arrays a call makes anew: from Python collections (``np.array(rows)``), from files (``np.load``,
``pd.read_csv``, ``pickle.load``, ``h5py.File``, market data), from generators (``np.random.*``, ``np.zeros``), and
sequences of token ids padded to one length (``pad_sequences``, ``np.pad``).

Handlers of the table of :mod:`.array_table`, beside those of :mod:`.arrays`, whose helpers they use.
"""
from __future__ import annotations

from dataclasses import replace

import libcst as cst

from kerassniff.semantic import loaders
from kerassniff.semantic.dataflow import (
    Data,
    DataValue,
    LenValue,
    NOT_KNOWN,
    Source,
    StoredObject,
    data_of,
    new_group,
)
from kerassniff.semantic.knowledge.arrays import RANDOM_MODULE
from kerassniff.semantic.pyvalues import (UNKNOWN, ComprehensionValue, Const, Seq, Symbol, Value, const_value, int_value,
                                          path_last_part, str_value)
from kerassniff.semantic.library.arrays import (
    LibraryCall, from_collection, literal, make, shape_samples, word_ids_array,
)


def as_array(call: LibraryCall) -> Value:
    """np.array(x), tf.constant(x), np.stack(x): the same array; from a literal or a list, a new one."""
    data, first = call.data, call.first
    if data is not None:
        if call.last == "stack" and data.encoding == "column":  # np.stack(df["vectors"]): rows of the cells
            return DataValue(replace(data, encoding=None, node=call.node))
        return DataValue(replace(data, node=call.node))
    if isinstance(first, Const) and isinstance(first.value, tuple):
        return literal(first.value, call.node)
    return from_collection(first, call.node)


def eye(call: LibraryCall) -> Value:
    return loaders.identity(call.last, call.args, call.node)


def same_array(call: LibraryCall) -> Value:
    return DataValue(replace(call.data, node=call.node))  # type: ignore[arg-type]


def data_frame(call: LibraryCall) -> Value:
    """``pd.DataFrame(x)`` or ``pd.DataFrame(data=x, columns=names)``: the same array, as a table."""
    data = call.data if call.args.positional else data_of(call.args.get("data", 0))
    if data is not None:
        return DataValue(replace(data, table=True, node=call.node))
    return loaders.table("literal", "pd.DataFrame(...)", None, call.node)


def numpy_file(call: LibraryCall) -> Value:
    description = f"np.{call.last}(...)"
    if call.last in loaders.TEXT_TABLE_READERS:
        return loaders.table("file", description, str_value(call.first), call.node, path_last_part(call.first))
    return make(Source("file", description, call.node, path=str_value(call.first)), call.node)


def unpickled(call: LibraryCall) -> Value:
    """``pickle.load(handle)``: an object of unknown kind, the file's array wherever it is used as one."""
    data = Data(source=Source("file", "pickle.load(...)", call.node), group=new_group(), node=call.node)
    return StoredObject(data=data)


def hdf5_file(call: LibraryCall) -> Value:
    """``h5py.File(path)`` opened for reading (its default mode): the arrays stored under its keys, read as an
    ``.npz`` archive's are (``f["train_set_x"][:]``: the file's data, of unknown range); opened to write, nothing."""
    mode = call.args.get("mode", 1)
    if mode is not None and str_value(mode) not in ("r",):
        return UNKNOWN
    return make(Source("file", "h5py.File(...)", call.node, path=str_value(call.first)), call.node)


def market_data(call: LibraryCall) -> Value:
    """``yf.download("AAPL", ...)``, ``web.DataReader(...)``: a table of prices by date, of unknown range, as a file's."""
    return loaders.table("file", f"{_MARKET_ALIASES.get(call.parts[0], call.parts[0])}.{call.last}(...)", None,
                         call.node)


# How market-data packages are usually imported (for messages).
_MARKET_ALIASES = {"yfinance": "yf", "pandas_datareader": "web"}


def pandas_table(call: LibraryCall) -> Value:
    return loaders.table("file", f"pd.{call.last}(...)", str_value(call.first), call.node, path_last_part(call.first))


def random_generator(call: LibraryCall) -> Value:
    """``np.random.default_rng(seed)``, ``np.random.RandomState(seed)``: an object whose methods draw as NumPy's
    random functions do, read as the np.random module (``rng.permutation(len(x))`` is np.random.permutation's)."""
    return Symbol(RANDOM_MODULE)


def random_integers(call: LibraryCall) -> Value:
    return loaders.random_integers(call.args, call.node)


def generated(call: LibraryCall) -> Value:
    """np.random.*, np.zeros/ones/arange...: a new array of known size, when the size is a constant."""
    last, first, node = call.last, call.first, call.node
    if last == "permutation" and call.data is None:  # indices: x[np.random.permutation(len(x))] reorders x
        if isinstance(first, LenValue) and first.shifted:
            return UNKNOWN  # np.random.permutation(len(x) - 1): indices of another length than x
        n = first.data.n_samples if isinstance(first, LenValue) else int_value(first)
        return make(Source("generated", "np.random.permutation(...)", node), node, n_samples=n)
    if last in ("permutation", "shuffle", "choice", "seed"):
        return UNKNOWN
    sized = first if last not in ("randint", "uniform", "normal", "full") else None
    shape = call.args.get("size") or call.args.get("shape") or sized
    return make(Source("generated", f"np.{last}(...)", node, value_range=_generated_range(call)), node,
                n_samples=shape_samples(shape or UNKNOWN))


# NumPy's generators of values in [0, 1): np.random.rand(n, 3), np.random.random((n, 3)), random_sample, ranf, sample.
_UNIT_GENERATORS = frozenset({"rand", "random", "random_sample", "ranf", "sample"})


def _generated_range(call: LibraryCall) -> tuple[float, float] | None:
    """The values a NumPy random generator draws from, when known: [0, 1) for ``np.random.rand``, ``random`` and the
    like; ``uniform(low, high)`` with constant bounds (0 and 1 by default)."""
    if not call.name.startswith("numpy.random."):
        return None
    if call.last in _UNIT_GENERATORS:
        return (0.0, 1.0)
    if call.last == "uniform":
        low, high = const_value(call.args.get("low", 0), 0.0), const_value(call.args.get("high", 1), 1.0)
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and not isinstance(low, bool) and \
                not isinstance(high, bool):
            return (float(min(low, high)), float(max(low, high)))
    return None


# pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0): the arguments
# that decide where each sequence's zeros go and which end of a longer one is kept, as (name, position, default).
PAD_SETTINGS = (("maxlen", 1, None), ("padding", 3, "pre"), ("truncating", 4, "pre"))


def pad_sequences(call: LibraryCall) -> Value:
    """Same samples, same token ids, padded and cut to one length: a shape step that keeps its folded settings, so
    that the splits of one model can be compared (none is known when the call passes ``*args``/``**kwargs``)."""
    starred = any(arg.star for arg in call.args.nodes)
    settings = tuple((name, NOT_KNOWN if starred else _setting(call.args.get(name, position), default))
                     for name, position, default in PAD_SETTINGS)
    sequences = call.args.get("sequences", 0) or UNKNOWN  # (also given by keyword)
    data = data_of(sequences)
    if data is None and isinstance(sequences, (Seq, ComprehensionValue)):
        # a list of token-id lists built in a loop (n-grams of each line): a new array of unknown content, so that
        # what is taken from it (the last column as labels) keeps the padding's settings; ids read from a dataset's
        # word index say so, and one text's ids each (``[one_hot(t, n) for t in texts]``) keep their encoding
        ids = word_ids_array(sequences, call.node, "a list of word ids") or _encoded_texts(sequences, call.node)
        data = ids.data if ids is not None else make(Source("unknown", "pad_sequences(...)", call.node), call.node).data
    if data is None:
        return UNKNOWN
    return DataValue(data.with_step("reshape", "pad_sequences", call.node, settings=settings))


def _encoded_texts(sequences: Seq | ComprehensionValue, node: cst.Call) -> DataValue | None:
    """A list of one text's encoded ids each (``[one_hot(t, n) for t in texts]``): their array, with the encoding."""
    element = sequences.element if isinstance(sequences, ComprehensionValue) else \
        sequences.items[0] if sequences.items and all(item == sequences.items[0] for item in sequences.items) else None
    data = data_of(element) if element is not None else None
    if data is None or not any(step.kind == "encode" for step in data.steps):
        return None
    collected = from_collection(sequences, node)
    return collected if isinstance(collected, DataValue) else None


def padded_sequence(call: LibraryCall) -> Value | None:
    """``np.pad(ids, (0, width - len(ids)))`` of one sequence (a flat pair of widths): a row padded with zeros at its
    end ("post") or, ``(width - len(ids), 0)``, at its start ("pre"); an array of such rows keeps the step
    (:func:`from_collection`), so that its last column taken as labels is seen to be padding.  Other pads (an
    image's ``((1, 1), (1, 1))``) are not this table's."""
    width = call.args.get("pad_width", 1)
    pair = width.items if isinstance(width, Seq) and len(width.items) == 2 else None
    before, after = (const_value(part) for part in pair) if pair is not None else (None, None)
    padding = "post" if before == 0 and after != 0 else "pre" if after == 0 and before != 0 else None
    if padding is None:
        return None
    row = call.data if call.data is not None else make(Source("unknown", "np.pad(...)", call.node), call.node).data
    return DataValue(row.with_step("reshape", "np.pad", call.node, settings=(("padding", padding),)))


def _setting(value: Value | None, default: object) -> object:
    """An argument's constant (``default`` when it is not given), NOT_KNOWN when it is not a constant."""
    if value is None:
        return default
    return value.value if isinstance(value, Const) else NOT_KNOWN
