"""Arrays and labels: where they come from and what was done to them.

Every array the interpreter can follow is a :class:`Data`: its :class:`Source`
(a dataset loader, an image reader, a file, a literal), the ordered
:class:`Step` s applied to it (scaling, ``preprocess_input``, one-hot
encoding, slicing ...), and what is known of its samples.  Values are
immutable: ``x = x / 255`` binds a new ``Data`` with one more step, so each
call site (``fit``, ``evaluate``, ``predict``) sees exactly the history of the
array that reached it.
"""
from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass, field, fields, replace
from typing import Hashable

import libcst as cst

from kerassniff.semantic.knowledge.datasets import DATASETS, HELD_OUT_SPLITS
from kerassniff.semantic.knowledge.tokenizers import TEXT_ENCODERS
from kerassniff.semantic.pyvalues import Const, Unknown, Value, const_value

__all__ = ["DATASETS", "NOT_KNOWN", "Data", "DataEvent", "DataValue", "IndexOf", "KnownLen", "LenValue", "RangeValue",
           "ShapeValue", "Source", "Step", "data_of", "text_encoding", "later_rows_cut_here", "new_group", "size_text"]

_group_ids = itertools.count(1)


def new_group() -> int:
    return next(_group_ids)  # (a number per array read: its splits and copies share it)


@dataclass(unsafe_hash=True)
class Source:
    kind: str  # dataset | image | directory | file | literal | generated | unknown
    description: str  # for messages: "cifar100.load_data()", "cv2.imread(...)"
    node: cst.CSTNode = field(repr=False)
    pixels: bool = False  # 0-255 image data
    as_stored: bool = False  # an image at its file's or frame's size (cv2.imread, Image.open, a decoder, a frame)
    # channels as read, where the reader says (cv2.imread's flags, load_img's color_mode, a decoder's channels=); a
    # colour conversion's step says its own (data_queries.values_before reads both)
    channels: int | None = None
    # pixels a reader may give as floats in 0-1 instead (matplotlib's imread of a PNG file): scaling them up is right
    may_be_unit_range: bool = False
    color: str | None = None  # rgb | bgr | gray
    value_range: tuple[float, float] | None = None
    path: str | None = None  # the file a "file" source reads, or the folder a "directory" source, when constant
    last_part: str | None = None  # that path's last component, when only it is known (os.path.join(root, "test"))
    table: bool = False  # read as a table (pd.read_csv, np.loadtxt, a DataFrame): its columns hold values, not pixels
    option_default: bool = False  # the path is a command-line option's default: runs may pass another
    # a folder read that takes part of the folder: its subset= ('training', 'validation', 'both'), or 'split' when its
    # ImageDataGenerator has validation_split= (None: every image in the folder); a TFDS read: its split ("train[:80%]")
    subset: str | None = None
    # a folder read's class_names= (classes= for flow_from_directory): the constant list, "?" when given but not
    # known; None: the default, the sub-folders in alphanumeric order
    class_names: tuple[str, ...] | str | None = None
    # one sample's shape when the reader fixes it (a folder read's target_size=/image_size= and color_mode=)
    sample_shape: tuple[int, ...] | None = None

    @property
    def normal_path(self) -> str | None:
        """The path, normalised as :func:`normal_path` does."""
        return normal_path(self.path) if self.path is not None else None

    @property
    def base_name(self) -> str | None:
        """The name of the file or folder read (``test`` for ``data/test/`` and ``os.path.join(root, "test")``)."""
        return posixpath.basename(normal_path(self.path)) if self.path is not None else self.last_part


def normal_path(text: str) -> str:
    """A path as written, compared by its meaning: backslashes as slashes, ``.`` and a trailing slash dropped
    (``data\\train\\`` and ``./data/train`` are ``data/train``)."""
    return posixpath.normpath(text.replace("\\", "/"))


class _NotKnown:
    """The value of a step's setting that is not a constant (never an argument's folded value: None, a string or a
    number may all be real settings)."""

    def __repr__(self) -> str:
        return "NOT_KNOWN"


NOT_KNOWN = _NotKnown()


# The setting of a scaling step written into part of an array (``df[cols] = scaler.fit_transform(df[cols])``, one
# channel after another): the other columns may hold raw values.
PART_SETTING = "written_into_part"
# The part a step was written into when it is one constant index along one axis (``x[..., 0] /= 65.8``: "..., 0"):
# the same operation written into another such part scales another channel, not the array again.
PART_INDEX_SETTING = "part_index"
# The setting of a reshape step that flattens the array to one axis (``y.reshape(-1)``; ``flatten()`` and
# ``ravel()`` say so by their name).
FLAT_SETTING = "flat"
FLATTENING = frozenset({"flatten", "ravel"})
# The setting of the order step an over-sampler's fit_resample() takes (``SMOTE().fit_resample(x, y)``): the class
# that made the extra rows, each made from (or a copy of) rows the array already held.
OVERSAMPLER_SETTING = "oversampler"
# The setting of the unknown scale step an element-wise product with a model's predictions takes (``model.predict(s)
# * actions_onehot``, a policy-gradient surrogate): the values are those predictions, masked. Its value: the
# predictions (a keras_values.Predictions: which model's, and whether decided or mapped since).
PREDICTIONS_SETTING = "times_predictions"


@dataclass(unsafe_hash=True)
class Step:
    kind: str  # scale | shift | preprocess | standardize | minmax | cast | reshape | resize | color | encode | slice | model
    # | order (by-class: class blocks; shuffled/indexed: that order is gone)
    detail: str
    node: cst.CSTNode = field(repr=False)
    # standardised or min-max scaled with statistics measured on the array itself: over its samples ("split": the
    # split's own statistics) or within each sample ("sample": per-sample scaling, every split alike); None: another
    # array's statistics, or not known
    measured_on: str | None = None
    # the arguments of the call that made the step which rules compare between splits, folded when the step was
    # taken (``pad_sequences``: maxlen, padding, truncating), each as (name, value); the value is NOT_KNOWN when it
    # is not a constant
    settings: tuple[tuple[str, object], ...] = ()

    def setting(self, name: str) -> object:
        """One of :attr:`settings`; NOT_KNOWN when the step has no such setting."""
        return next((value for key, value in self.settings if key == name), NOT_KNOWN)

    @property
    def is_padding(self) -> bool:
        """A ``pad_sequences`` step (its settings: maxlen, padding, truncating), or ``np.pad`` of one id sequence
        (its padding only)."""
        return self.kind == "reshape" and self.detail in ("pad_sequences", "np.pad")

    @property
    def is_text_encoding(self) -> bool:
        """A Tokenizer's texts-to-ids step (its settings: the tokenizer, the texts and the expression written for
        them)."""
        return self.kind == "encode" and self.detail in TEXT_ENCODERS

    @property
    def flattens(self) -> bool:
        """A reshape to one axis: ``y.flatten()``, ``y.ravel()``, ``np.ravel(y)``, ``y.reshape(-1)``."""
        return self.kind == "reshape" and (self.detail in FLATTENING or self.setting(FLAT_SETTING) is True)

    @property
    def is_scaling(self) -> bool:
        return self.kind in ("scale", "shift", "preprocess", "standardize", "minmax", "normalize")


@dataclass(unsafe_hash=True)
class Data:
    source: Source
    group: int  # arrays split from one load or one array share a group
    role: str | None = None  # "x" | "y" | None
    split: str | None = None  # "train" | "test" | "val" | None
    steps: tuple[Step, ...] = ()
    # int | onehot | multihot | column | None.  "column": one value per sample from a table column
    # (df["label"]): class ids or names, never one-hot rows; what it holds is not known.
    encoding: str | None = None
    n_classes: int | None = None
    n_samples: int | None = None
    values: tuple | None = None  # small literal arrays
    # the distinct strings a list of labels holds, when known though the list is not (each label one of a dict's
    # values: ``emotions[code]`` appended file by file), sorted; what an encoder's class order is learnt from
    categories: tuple[str, ...] | None = None
    # rows gathered as windows of two or more rows at every row of a series (``x[i:i + 30]`` for each i): each
    # window shares all but one of its rows with the next
    overlapping_windows: bool = False
    split_at: cst.CSTNode | None = field(default=None, compare=False, repr=False)  # the train_test_split making it
    # class names by id: an encoder's numbering of known names (sorted), or a Keras dataset's documented classes
    names_by_id: tuple[str, ...] | None = None
    is_sample: bool = False  # one element of an array, from a loop over it
    # the folder listings whose order the rows were read in (files read in a loop over them): semantic.listings
    listed_from: tuple = field(default=(), compare=False, repr=False)
    # some of the rows were selected (``x[:cut]``, ``df.iloc[-1000:]``, ``df.head(n)``, a row mask): not every row of
    # what was read or split
    rows_cut: bool = field(default=False, compare=False, repr=False)
    batches: bool = False  # a generator, flow or tf.data pipeline
    # an ImageDataGenerator flow, Keras's own iterator (not tf.data): Keras 2 has it.next(), Keras 3 next(it) only
    keras_iterator: bool = False
    conditional: bool = False  # differs between branches of an if
    name: str | None = None  # the variable it was last bound to
    node: cst.CSTNode | None = field(default=None, repr=False)
    # the variable this array is all of, unchanged (``val_ds = test_ds.cache()``: "test_ds"): names tell arrays of one
    # source apart (slices add no step), so an alias needs to say whose array it is
    whole_of: str | None = None
    drawn_from: str | None = None  # a batch drawn from a flow with next(): the flow's name (``next(test_batches)``)
    # ``node`` when the array was last bound to a name: unchanged since when they are the same node
    bound_at: cst.CSTNode | None = field(default=None, repr=False, compare=False)
    labels: "Data | None" = None  # the labels a generator or dataset yields with this data
    table: bool = False  # a pandas DataFrame or a 2-D text table: a key or a column index selects one column
    # a tf.data pipeline whose order changes each epoch (shuffle() with reshuffle_each_iteration left True, or
    # image_dataset_from_directory's own shuffle), and the take()/skip()/shard() splits made of it, each as
    # (method, whether the order before it was reshuffled each epoch)
    reshuffles: bool = False
    parts: tuple[tuple[str, bool], ...] = ()
    # a part of a train_test_split: True when its rows were drawn at random (shuffle= left True), False when the
    # split kept the rows' order (shuffle=False); None when not split by it, or shuffle= is not known
    shuffled_split: bool | None = None

    # -- derived facts ----------------------------------------------------
    @property
    def scaling(self) -> tuple[str, ...]:
        """The scaling steps, in order, as comparable strings."""
        return tuple(f"{s.kind}:{s.detail}" for s in self.steps if s.is_scaling)

    @property
    def is_scaled(self) -> bool:
        return bool(self.scaling)

    @property
    def made_from_predictions(self) -> bool:
        """Whether the values were multiplied by a model's predictions (:data:`PREDICTIONS_SETTING`)."""
        return any(step.setting(PREDICTIONS_SETTING) is not NOT_KNOWN for step in self.steps)

    def last_value_step(self) -> "Step | None":
        """The last step that changed the values (a scaling, a shift), if any."""
        return next((step for step in reversed(self.steps) if step.kind in _VALUE_STEP_KINDS), None)

    @property
    def value_range(self) -> tuple[float, float] | None:
        """The values' range when every value step is a known constant shift or scale of a known range (0-255
        pixels, a literal): ``(x - 127.5) / 127.5`` of pixels is -1..1. None as soon as a step is not."""
        if self.conditional:
            return None
        rng = (0.0, 255.0) if self.source.pixels else self.source.value_range
        for step in self.steps:
            if rng is None:
                return None
            if step.kind in RANGE_KEEPING_STEPS:
                continue
            rng = _stepped_range(rng, step)
        return rng

    @property
    def scaled_as_pixels(self) -> bool:
        """Whether its one scaling step takes 0-255 values to 0-1 (``x / 255``, ``x * (1.0 / 255)``): what a script
        does to pixels, so a sign that the array holds them even when its source does not say so."""
        scalings = [step for step in self.steps if step.is_scaling]
        if len(scalings) != 1 or self.conditional:
            return False
        stepped = _stepped_range((0.0, 255.0), scalings[0])
        return stepped is not None and abs(stepped[0]) < 1e-9 and abs(stepped[1] - 1.0) < 1e-6

    @property
    def raw_pixels(self) -> bool:
        return self.source.pixels and not self.is_scaled and not self.conditional

    @property
    def held_out(self) -> bool:
        """A part a split holds out from training (its test or validation part)."""
        return self.split in HELD_OUT_SPLITS

    def with_step(self, kind: str, detail: str, node: cst.CSTNode, measured_on: str | None = None,
                  settings: tuple[tuple[str, object], ...] = (), **changes) -> "Data":
        return self._but(steps=self.steps + (Step(kind, detail, node, measured_on, settings),), node=node, **changes)

    def part_scaled_otherwise(self, part: "Data", node: cst.CSTNode) -> "Data | None":
        """This array after ``self[...] = part`` when ``part`` is scaled by a step this array never took and
        :meth:`rescaled_like` cannot say the whole array took it (``train["acc"] = standardize(df["acc"])``: a column
        scaled by statistics of another frame): the array is now scaled by an unknown amount, in part
        (PART_SETTING), so no rule compares its scaling.  None when ``part`` brings no new scaling step, or scales as
        this array already is."""
        taken = {id(step.node) for step in self.steps}
        if part.scaling == self.scaling or \
                not any(step.is_scaling and id(step.node) not in taken for step in part.steps):
            return None  # (scaled as this array already is, written elsewhere: ``x[:n] = extra / 255.0``)
        return self.with_step("scale", "?", node, settings=((PART_SETTING, True),))

    def rescaled_like(self, part: "Data", index: str | None = None) -> "Data | None":
        """This array after ``self[...] = part``, when ``part`` is a piece of it with more scaling steps: the array
        with those steps (written part by part, a loop over the channels scales all of it); else None.  ``index``: the
        part is one constant index along one axis (``x[..., 1]``), and a step of the same kind and operation that the
        array's last steps wrote into another such index is that channel's (``x[..., 0] /= 65.8`` then ``x[..., 1] /=
        62.3``: each channel divided once), not taken again."""
        if part.group != self.group or len(part.steps) <= len(self.steps) or \
                tuple(part.steps[:len(self.steps)]) != self.steps:
            return None
        # a step already taken at the same node is the same assignment for another part (the next channel); each step
        # says it was written into a part (PART_SETTING): whether every column was scaled is not known
        taken = {id(step.node) for step in self.steps}
        steps = list(self.steps)
        first_by_index = len(steps)  # the array's last steps, written into constant indices, start here
        while first_by_index and steps[first_by_index - 1].setting(PART_INDEX_SETTING) is not NOT_KNOWN:
            first_by_index -= 1
        new = [step for step in part.steps[len(self.steps):] if step.is_scaling and id(step.node) not in taken]
        for step in new:
            shared = next((at for at in reversed(range(first_by_index, len(steps))) if index is not None and
                           steps[at].kind == step.kind and steps[at].detail[:1] == step.detail[:1]), None)
            covered: tuple = steps[shared].setting(PART_INDEX_SETTING) if shared is not None else ()  # type: ignore[assignment]
            if shared is not None and index not in covered:
                # another channel's share of that step: the step now covers this index too
                steps[shared] = replace(steps[shared], settings=tuple(
                    (key, (*covered, index) if key == PART_INDEX_SETTING else value)
                    for key, value in steps[shared].settings))
                continue
            steps.append(replace(step, settings=(*step.settings, (PART_SETTING, True),
                                                 *(((PART_INDEX_SETTING, (index,)),) if index is not None else ()))))
        if not new:
            return None
        return self._but(steps=tuple(steps))

    def renamed(self, name: str) -> "Data":
        """The array bound to ``name``; bound unchanged from another name, it is all of that array (``whole_of``)."""
        unchanged = self.node is self.bound_at
        if self.name == name:  # x = x / 255 is no longer all of what x was all of; val_ds = val_ds.repeat() is
            return self if unchanged else self._but(bound_at=self.node, whole_of=None)
        whole = (self.whole_of or self.name) if unchanged and self.node is not None else None
        return self._but(name=name, bound_at=self.node, whole_of=whole)

    def passed_through(self, node: cst.CSTNode, **changes) -> "Data":
        """The same elements through a method that regroups, caches or repeats them (``ds.cache()``,
        ``ds.batch(32)``): made at ``node``, and still unchanged since it was bound when it was."""
        unchanged = self.node is not None and self.node is self.bound_at
        return self._but(node=node, bound_at=node if unchanged else self.bound_at, **changes)

    def is_same_array(self, other: "Data") -> bool:
        """The same array of the same source (one split, the same steps), by name or as a whole alias of it."""
        if self.group != other.group or self.split != other.split or self.steps != other.steps:
            return False
        return self.name == other.name or (self.whole_of is not None and self.whole_of in (other.name, other.whole_of)) \
            or (other.whole_of is not None and other.whole_of == self.name)

    def _but(self, **changes) -> "Data":
        """``dataclasses.replace`` for the two hot paths (every assignment renames an array): a copy of the
        fields, without ``replace``'s walk over the fields and ``__init__``'s assignment of each."""
        unknown = changes.keys() - _DATA_FIELDS
        if unknown:
            raise TypeError(f"Data has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(Data)
        values = copy.__dict__  # a dataclass's fields live in the instance dict, as here
        values.update(self.__dict__)
        values.update(changes)
        return copy

    @property
    def label(self) -> str:
        if self.name:
            return f"'{self.name}'"
        if self.role == "y" and self.batches:
            return f"the labels of {self.source.description}"  # a folder read's or a flow's, batch by batch
        return f"the array from {self.source.description}"


_DATA_FIELDS = frozenset(f.name for f in fields(Data))


def later_rows_cut_here(data: Data) -> bool:
    """``windows[cut:]`` written where the array is used (not bound to a name since): its rows from some point to
    the end, the period after the rows a ``windows[:cut]`` holds; slices add no step, so the expression says it."""
    node = data.node
    if node is data.bound_at or type(node) is not cst.Subscript or len(node.slice) != 1:
        return False
    index = node.slice[0].slice
    return type(index) is cst.Slice and index.lower is not None and index.upper is None and index.step is None


def text_encoding(data: Data) -> Step | None:
    """The array's last texts-to-ids step (``tokenizer.texts_to_sequences(texts)``), if any."""
    return next((step for step in reversed(data.steps) if step.is_text_encoding), None)


# -- the abstract values that hold arrays ------------------------------------------------
@dataclass(unsafe_hash=True)
class KnownLen(Const):
    """``len(x)`` of an array whose sample count is known: the number, and the array it counts.

    It is a Const for all arithmetic; ``range(len(x))`` still knows that it walks x's samples.
    """

    data: "Data | None" = field(default=None, compare=False, repr=False)


@dataclass(eq=False)
class DataValue(Value):
    data: "Data"


@dataclass(unsafe_hash=True)
class StoredObject(Unknown):
    """An object read back from a file by ``pickle.load``: what it is (an array, a tuple of splits, a tokenizer, a
    model) is not known, so it is unknown to every reader; but wherever it is used as an array (divided by 255,
    given to ``np.array`` or ``fit()``), it is the array ``data`` that file holds, of unknown range, as
    ``np.load`` gives (one Data per read, so that ``X / 255.0`` and ``X[:100]`` are parts of one array)."""

    data: "Data | None" = field(default=None, compare=False)


@dataclass(unsafe_hash=True)
class IndexOf(Value):
    """A loop index that walks the samples of an array one by one (``range(len(x))``), or that index shifted by
    ``offset`` (``i + window``: a constant, None when not known)."""

    data: "Data"
    offset: int | None = 0
    stride: int = 1  # range(0, len(x) - w, 5): every fifth sample

    def shifted(self, by: Value, sign: int) -> "IndexOf":
        step = const_value(by)
        known = self.offset is not None and type(step) is int
        return IndexOf(self.data, self.offset + sign * step if known else None, self.stride)  # type: ignore[operator]


@dataclass(unsafe_hash=True)
class RangeValue(Value):
    values: tuple[int, ...] | None  # known when the bounds are constants
    over: Data | None = None  # range(len(x)): the samples of x
    count: int | None = None
    stride: int = 1  # range(0, len(x) - w, 5): every fifth sample of x


@dataclass(unsafe_hash=True)
class LenValue(Value):
    """``len(x)`` of an array whose sample count is not known; ``shifted``: plus or minus an offset
    (``len(series) - window``), still about as many as x's samples (a loop over its windows)."""

    data: Data
    shifted: bool = False


@dataclass(unsafe_hash=True)
class ShapeValue(Value):
    data: Data


# Steps that change an array's values (the others reshape, reorder or cast it).
_VALUE_STEP_KINDS = frozenset({"scale", "shift", "standardize", "minmax"})
# Steps that keep an array's values (a reshape, a cast, a reorder, a subset of its samples).
RANGE_KEEPING_STEPS = frozenset({"reshape", "cast", "order", "resize", "color"})
_RANGE_STEP = re.compile(r"^(?P<op>[-+/*])(?P<number>-?\d+(?:\.\d*)?(?:e[-+]?\d+)?)$")


def _stepped_range(rng: tuple[float, float], step: Step) -> tuple[float, float] | None:
    """A range after one shift or scale by a constant (the step's detail: '-127.5', '/255', '*2'); None otherwise."""
    match = _RANGE_STEP.match(step.detail or "") if step.kind in ("shift", "scale") else None
    if match is None:
        return None
    number, op = float(match.group("number")), match.group("op")
    if op in "-+":
        delta = -number if op == "-" else number
        return rng[0] + delta, rng[1] + delta
    if op == "/" and number == 0:
        return None
    factor = 1 / number if op == "/" else number
    low, high = rng[0] * factor, rng[1] * factor
    return min(low, high), max(low, high)


def data_of(value: Value) -> Data | None:
    """The Data of an array value (or of an object read from a file, used as one), None for anything else."""
    if isinstance(value, DataValue):
        return value.data
    return value.data if isinstance(value, StoredObject) else None


def size_text(value: Value | None, width_first: bool = False) -> str:
    """'224x224' for a constant image size, '?' otherwise (for resize steps): always height x width, so sizes compare
    across libraries; ``width_first`` for the libraries that take (width, height), cv2.resize and PIL's resize."""
    size = const_value(value)
    if isinstance(size, tuple):
        if width_first and len(size) == 2:
            size = size[::-1]
        return "x".join(str(v) for v in size)
    return "?"


# One arm of a condition whose two arms were both interpreted: (the condition, 0 for the arm taken when it holds, 1 for
# the other). The condition is its If node's id, or the flag it tests when two ifs test one flag
# (:mod:`kerassniff.semantic.conditions`).
Arm = tuple[Hashable, int]


def arms_exclude(one: tuple[Arm, ...], other: tuple[Arm, ...]) -> bool:
    """Whether code run in the arms ``one`` and code run in the arms ``other`` never both run: they took different
    arms of one condition."""
    if not one or not other:
        return False
    arms = dict(one)
    return any(arms.get(condition, arm) != arm for condition, arm in other)


@dataclass
class DataEvent:
    """An array reaching a model: fit x/y, validation, evaluate, predict."""

    kind: str  # fit | validation | evaluate | predict
    role: str  # x | y, or x[0], x[1], ...: one input of a multi-input model's list
    data: Data
    call_node: cst.Call = field(repr=False)
    order: int
    model: object = field(repr=False, default=None)
    # the arms of the if statements it ran in whose two branches were both interpreted (:data:`Arm`), outermost
    # first; two events in different arms of one condition never both run
    branches: tuple[Arm, ...] = ()

    def excludes(self, other: "DataEvent") -> bool:
        """Whether the two calls lie in different branches of one if (``if augment: fit(flow) else: fit(x)``)."""
        return arms_exclude(self.branches, other.branches)
