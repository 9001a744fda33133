"""Abstract values of plain Python: what the interpreter knows about an expression.

Constants, containers, imported names, functions, classes, instances and call arguments.  Anything the
interpreter cannot follow is :data:`UNKNOWN`, and rules treat unknown as "stay silent".  This module is the
bottom of the model's data types: it refers to no array, layer or model (the values that hold those live
beside their data, in :mod:`~kerassniff.semantic.dataflow` and :mod:`~kerassniff.semantic.models`;
:mod:`~kerassniff.semantic.values` names them all).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from kerassniff.semantic.names import canonical


class Value:
    """Base class of every abstract value.

    A value is never changed once made (a change makes a new one, ``dataclasses.replace``), and those compared by
    their fields hash by them (``unsafe_hash=True``).  The dataclasses of the semantic model are not declared frozen
    all the same: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, three times the
    cost of a plain one for a value of five fields, and the model makes some 300,000 of them on the clean corpus
    (an array's ``Data`` has over thirty fields and is copied at each step)."""

    __slots__ = ()

    def ordered_against(self) -> None:
        """The value was compared with ``<``, ``<=``, ``>`` or ``>=``: most values note nothing (a word id notes that
        the script bounds its index's ids, :class:`~kerassniff.semantic.vocabulary.WordId`)."""

    def stands_for(self, item: "Value") -> bool:
        """Whether a list of items like this one may also hold ``item`` and still be such a list (``[1] + [ids]``:
        a start marker among word ids); a value stands for itself."""
        return item == self

    def present_only(self) -> "Value":
        """This value where a membership test keeps only what the index holds (``[word_index[w] + 3 for w in words if
        w in word_index]``): itself, unless it says what an absent key would give (a word id's unknown-word id)."""
        return self

    def or_else(self, item: "Value", passes=None) -> "Value":
        """This value where an if-expression gives it or ``item``, which it stands for (``word_index[w] + 3 if w in
        word_index else 2``): itself, unless ``item`` changes what it says."""
        return self


@dataclass(unsafe_hash=True)
class Unknown(Value):
    # A float made by a true division (a / b) of unknown numbers, or by NumPy's rounding (np.ceil(n / b)): the
    # expression, which KS403 wants to know.
    division: cst.BaseExpression | None = None


UNKNOWN = Unknown()


@dataclass(unsafe_hash=True)
class FolderListing(Unknown):
    """The entries of a folder (``os.listdir(root)``, ``glob.glob(pattern)``, ``sorted(...)`` of one): unknown names,
    known to be a folder's (a loop over them walks folders or files, not the rows of a table)."""

    lister: str = ""  # the function that listed them, by canonical name ("os.listdir")
    # False: in the file system's order, as listed; True: sorted (``sorted(os.listdir(root))``, ``names.sort()``);
    # None: in another order, or one not known (``set(...)``, ``reverse=True``, a function of the script given them)
    ordered: bool | None = False
    # which listing this is, so that two can be told apart: the folder or pattern listed as far as it is known (a
    # constant, the known text of a joined path), else the name the folder was given in (a listing of an unknown
    # folder under another name, or at another call, is another listing); None when not known
    folder: object = None
    call: cst.CSTNode | None = field(default=None, compare=False, repr=False)  # the call that listed them

    def reordered(self, ordered: bool | None) -> "FolderListing":
        return self if self.ordered is ordered else replace(self, ordered=ordered)


@dataclass(unsafe_hash=True)
class TextFile(Unknown):
    """A file opened to read text (``open(path)``, ``open(path, "r", encoding="utf-8")``): its contents unknown, its
    ``read()`` one string (:class:`UnknownText`)."""


@dataclass(unsafe_hash=True)
class UnknownText(Unknown):
    """One string whose content is not known: a whole file's text (``f.read()``), cleaned (``.lower()``,
    ``.replace(...)``).  Not a list of texts: iterating it gives its characters.  ``typed``: text a person typed or
    posted (``input()``, a form field, a command-line argument), kept through its string methods (``.strip()``)."""

    typed: bool = False


@dataclass(unsafe_hash=True)
class WordsOfOneText(Unknown):
    """The words of one string, a list of strings (``text.split()``, ``word_tokenize(text)``): each item is one word
    of the same text, not a text of its own.  Unknown to every reader but one that asks whether a list of texts is
    one text's words (a tokenizer given it encodes each word as a text: KS230)."""


@dataclass(unsafe_hash=True)
class FlatArray(Unknown):
    """An array the analysis does not follow, flattened to one axis (``batch.flatten()``, ``labels.ravel()``,
    ``y.reshape(-1)``): its values not known, its shape one axis.  Unknown to every reader but one that asks whether
    what it is given was flattened (a categorical accuracy's argmax then runs over the whole batch)."""


@dataclass(unsafe_hash=True)
class CharacterRows(Unknown):
    """``tokenizer.texts_to_sequences(text)`` of one string, by a tokenizer whose settings are not known (read back
    with ``pickle.load``): one row of ids per character of the text, not one row for the text; or, by any Keras
    tokenizer, of the words of one text (:class:`WordsOfOneText`): one row per word.  Unknown to every reader but the
    one that asks whether the rows are padded for a model (KS230); ``call`` is the encoding call."""

    call: cst.Call | None = field(default=None, compare=False)


@dataclass(unsafe_hash=True)
class VersionFlag(Unknown):
    """A flag computed from a library's version (``keras_2 = int(keras.__version__[0]) > 1``).

    Its value is unknown, and a condition on it chooses between the spellings of different library
    versions: both branches are interpreted, as guarded code, like a version check written inline.
    """


@dataclass(unsafe_hash=True)
class Strings(Unknown):
    """One of a few constant strings: a name bound to another string in each branch of an ``if`` (``path =
    "best-a.hdf5"`` or ``"best-b.hdf5"``).  Unknown to every reader but the one that asks whether all of them
    share a fact (every name ending in ``.hdf5``)."""

    options: tuple[str, ...] = ()


MAX_STRINGS = 8  # more alternatives than this: simply unknown
MAX_LABEL_STRINGS = 64  # a dict of more constant strings is not read as a map of class names


@dataclass(unsafe_hash=True)
class UnknownFloat(Unknown):
    """A float whose value is not known: ``float()`` of a value that is not a constant (a form field, a request
    argument).  Unknown to every reader but one that asks whether a value is a plain number, or whether a person
    typed it (``typed``: ``float(request.form["age"])``, ``st.number_input("Age")``, in the units the person knows,
    never a scaler's)."""

    typed: bool = False


@dataclass(unsafe_hash=True)
class UnknownInteger(Unknown):
    """An integer whose value is not known: ``len()`` of a collection the analysis cannot count, ``int()`` of an
    unknown number, a dimension of an array's shape after the first (``x.shape[1]``).  Unknown to every reader but
    one that asks whether a value is a plain integer rather than a tuple of them, or whether a person typed it
    (``typed``: ``int(input("Rooms: "))``)."""

    typed: bool = False


@dataclass(unsafe_hash=True)
class Const(Value):
    """A Python literal: int, float, str, bool, None, or a tuple of those."""

    value: Any


@dataclass(unsafe_hash=True)
class KnobConst(Const):
    """A configuration knob's value: a module-level boolean flag (``data_augmentation = True``) or a
    command-line option's default (``add_argument("--mode", default="train")``).  Known, but the
    author changes it from run to run, so a condition on it keeps both branches."""


@dataclass(unsafe_hash=True)
class Seq(Value):
    """A list or tuple display whose items are themselves values."""

    items: tuple[Value, ...]
    kind: str = "list"


@dataclass(unsafe_hash=True)
class DictValue(Value):
    items: tuple[tuple[Value, Value], ...]
    # every entry is among the items (False: ``{**defaults, "lr": 0.1}``, whose spread entries are not known)
    complete: bool = True

    def get(self, key: Any) -> Value | None:
        for k, v in self.items:
            if isinstance(k, Const) and k.value == key:
                return v
        return None

    def one_of_values(self) -> "Strings | None":
        """What ``d[key]`` is for a key not known: one of the dict's values, when they are all constant strings (a
        map of file-name codes to class names); None otherwise."""
        values = [v.value if type(v) is Const else None for _, v in self.items]
        if not self.complete or not values or not all(isinstance(v, str) for v in values) or len(values) > MAX_LABEL_STRINGS:
            return None
        return Strings(options=tuple(dict.fromkeys(values)))  # type: ignore[arg-type]


class _CanonicalName:
    """A symbol's canonical name, kept in the symbol once asked for: the interpreter asks it of every call and
    name it evaluates (a property would look it up in :func:`canonical`'s cache each time).  A non-data
    descriptor: the value stored in the instance shadows it from then on."""

    def __get__(self, symbol: "Symbol | None", owner: type) -> Any:
        if symbol is None:
            return self
        name = symbol.__dict__["name"] = canonical(symbol.raw)
        return name


# Symbol and CallArgs, like every value (see Value), hash by their fields.
@dataclass(unsafe_hash=True)
class Symbol(Value):
    """An imported module, class or function, by its raw dotted name."""

    raw: str
    local: bool = False  # from a relative import or a sibling module of the project

    name = _CanonicalName()  # (the canonical spelling of ``raw``, worked out on first use and kept)

    def attr(self, attribute: str) -> "Symbol":
        """``np.zeros`` of ``np``: one symbol per attribute, kept in this one (a script names ``np.array`` or
        ``layers.Dense`` tens of times, each asking its canonical name)."""
        known = self.__dict__.get("_attributes")
        if known is None:
            known = self.__dict__["_attributes"] = {}
        found = known.get(attribute)
        if found is None:
            found = known[attribute] = Symbol(f"{self.raw}.{attribute}", self.local)
        return found


@dataclass(eq=False)
class FunctionValue(Value):
    node: cst.FunctionDef | cst.Lambda
    scope: Any  # the defining Scope
    is_method: bool = False  # defined in a class body (the class is not kept here: it holds its methods)
    top: int | None = None  # the module-level statement that defines it (None: a helper module's)
    # parameters given a default by a decorator (``@click.option("--model", default=...)``)
    option_defaults: dict[str, "Value"] = field(default_factory=dict)


@dataclass(eq=False)
class ModuleValue(Value):
    """A helper module beside the script, interpreted: its names are real values."""

    path: str
    scope: Any  # the module's Scope

    def member(self, name: str) -> "Value | None":
        return self.scope.lookup(name)


@dataclass(eq=False)
class ClassValue(Value):
    node: cst.ClassDef
    bases: tuple[str, ...]  # canonical names of bases that resolved
    methods: dict[str, FunctionValue] = field(default_factory=dict)
    local_bases: tuple["ClassValue", ...] = ()  # bases the script defines

    def method_names(self) -> frozenset[str]:
        """The methods the script defines for this class, in it or in a base class of its own."""
        return frozenset(self.methods).union(*(base.method_names() for base in self.local_bases))

    @property
    def is_keras_model(self) -> bool:
        return any(b in ("keras.models.Model", "keras.models.Sequential") for b in self.bases)


@dataclass(eq=False)
class Instance(Value):
    """An object of a known class: a loss, a metric, an ImageDataGenerator,
    a scikit-learn encoder, or an instance of a class defined in the script."""

    cls: str  # canonical class name, or the script's class name
    args: "CallArgs"
    node: cst.CSTNode | None = None
    attrs: dict[str, Value] = field(default_factory=dict)
    local_class: ClassValue | None = None
    # what a library object learned its state from: the first argument of each ``fit_on_texts()`` of a Keras
    # Tokenizer (each evaluation adds one, also in a helper called for each split), as (its value, the expression
    # written for it); rules read it once the script is interpreted, so a fit anywhere in the file counts
    fitted_on: list[tuple[Value, cst.CSTNode | None]] = field(default_factory=list)
    # a Keras Tokenizer's :class:`~kerassniff.semantic.vocabulary.IdBounds`, made when its word index is first read:
    # whether the script compares the ids it reads from that index with a number
    id_bounds: Any = None


@dataclass(unsafe_hash=True)  # never changed once made: see Symbol
class CallArgs:
    positional: tuple[Value, ...] = ()
    keywords: tuple[tuple[str, Value], ...] = ()
    nodes: tuple[cst.Arg, ...] = field(default=(), repr=False, compare=False)
    # a ``**`` spread whose entries are not all known (``**settings`` read from a file): a keyword not among
    # ``keywords`` may still have been given
    open_keywords: bool = False

    def get(self, name: str, position: int | None = None) -> Value | None:
        for key, value in self.keywords:
            if key == name:
                return value
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return None

    def node_of(self, name: str, position: int | None = None) -> cst.Arg | None:
        for arg in self.nodes:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        if position is not None:
            positional = [a for a in self.nodes if a.keyword is None and not a.star]
            if position < len(positional):
                return positional[position]
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.keywords)

    @property
    def keyword_names(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.keywords)


def written_strings(value: Value | None) -> tuple[str, ...] | None:
    """The strings a value holds when they are written in the script: a string, or a list or tuple of strings (a
    list of constants folds to one constant tuple); None for anything else, or an empty list."""
    if isinstance(value, Seq):
        texts = tuple(const_value(item) for item in value.items)
    elif isinstance(value, Const):
        texts = value.value if isinstance(value.value, tuple) else (value.value,)
    else:
        return None
    return texts if texts and all(isinstance(text, str) for text in texts) else None


def const_value(value: Value | None, default: Any = None) -> Any:
    """The Python value of a constant, else ``default``."""
    if isinstance(value, Const):
        return value.value
    return default


def int_value(value: Value | None) -> int | None:
    v = const_value(value)
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def str_value(value: Value | None) -> str | None:
    v = const_value(value)
    return v if isinstance(v, str) else None


# -- values the interpreter produces for Python builtins and syntax ---------------------


@dataclass(eq=False)
class BoundMethod(Value):
    function: FunctionValue
    self_value: Value


@dataclass(eq=False)
class PartialValue(Value):
    """``functools.partial(func, *args, **keywords)``: calling it calls ``func`` with these arguments first."""

    func: Value
    args: CallArgs

    def applied(self, args: CallArgs) -> CallArgs:
        """The arguments ``func`` receives: the stored positionals, then the call's; a call's keyword wins."""
        given = set(args.keyword_names)
        return CallArgs(self.args.positional + args.positional,
                        args.keywords + tuple((k, v) for k, v in self.args.keywords if k not in given),
                        args.nodes + tuple(a for a in self.args.nodes
                                           if a.keyword is None or a.keyword.value not in given))


@dataclass(unsafe_hash=True)
class SliceValue(Value):
    lower: Value
    upper: Value


@dataclass(unsafe_hash=True)
class ZipValue(Value):
    parts: tuple[Value, ...]
    enumerate: bool = False


@dataclass(unsafe_hash=True)
class ItemsOf(Value):
    """An iterator whose every item is like ``item`` (how many there are is not known): a loop over it binds
    ``item`` (a cross-validator's ``split(X)`` yields a pair of index arrays, fold after fold)."""

    item: Value


@dataclass(unsafe_hash=True)
class FormattedValue(Value):
    """A string with non-constant parts (an f-string, ``os.path.join(folder, "model.h5")``, ``folder + "/w.h5"``):
    only its constant text is known, and ``ending``, the constant text after its last unknown part ('' when it ends
    on one): what a file name's extension is read from."""

    text: str
    ending: str = ""
    # the ending is the path's whole last component (``os.path.join(root, "test")``), not the end of a longer name
    whole_part: bool = False


def typed_number(value: Value | None) -> bool:
    """Whether a value is a number a person typed or posted (``float(request.form["age"])``)."""
    return isinstance(value, (UnknownFloat, UnknownInteger)) and value.typed


def is_one_string(value: Value | None) -> bool:
    """Whether a value is one ``str`` (iterating it walks its characters): written in the code, one of a few
    written strings, an f-string or a joined path, or a text whose content is not known (a file's, a user's)."""
    if type(value) is Const:
        return isinstance(value.value, str)
    return isinstance(value, (Strings, FormattedValue, UnknownText))


def path_last_part(value: Value | None) -> str | None:
    """The last component of a path: a constant path's, or the known end of a partly known one when that end is a
    whole component (``os.path.join(root, "test")``, ``f"{root}/test/"``); None when it is not known."""
    if isinstance(value, Const) and isinstance(value.value, str):
        text, whole = value.value, True
    elif isinstance(value, FormattedValue) and value.ending:
        text, whole = value.ending, value.whole_part
    else:
        return None
    text = text.replace("\\", "/").rstrip("/")
    if "/" not in text and not whole:
        return None  # f"{root}test": the end of a name not known whole
    last = text.rsplit("/", 1)[-1]
    return last if last not in ("", ".", "..") else None


def string_endings(value: Value | None) -> tuple[str, ...] | None:
    """The text each possible string ends with: one ending (:func:`string_ending`), or one per alternative of a
    :class:`Strings`; None when any end is not known."""
    if isinstance(value, Strings):
        return value.options or None
    ending = string_ending(value)
    return None if ending is None else (ending,)


def string_ending(value: Value | None) -> str | None:
    """The text a string value is known to end with: all of a constant string, the constant end of a partly known
    one; None when its end is not known."""
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    if isinstance(value, FormattedValue) and value.ending:
        return value.ending
    return None


@dataclass(unsafe_hash=True)
class Block:
    """One run of equal items in a list grown in loops (see :mod:`kerassniff.semantic.class_blocks`): appended by one
    loop, on the given pass of each unrolled loop around it, all ``value`` (a constant, or one class folder's)."""

    loop: object = field(repr=False)  # the loop's node
    rounds: tuple[int, ...]
    value: object
    node: object = field(repr=False)  # the code that shows the run (the folder loop's iterable, the append)


@dataclass(unsafe_hash=True)
class ComprehensionValue(Value):
    """A list whose items are not enumerated, built by a comprehension or by appending in a loop:
    one representative element, and the length if known; ``blocks``, when every append made runs of equal items
    (labels appended class by class), those runs in order."""

    element: Value
    length: int | None
    blocks: tuple[Block, ...] = ()


def unpack(value: Value, count: int) -> list[Value]:
    """The ``count`` values a tuple or list unpacks into (``a, b = value``); unknown ones where that is not known."""
    if isinstance(value, Seq) and len(value.items) == count:
        return list(value.items)
    if isinstance(value, Const) and isinstance(value.value, tuple) and len(value.value) == count:
        return [Const(v) for v in value.value]
    return [UNKNOWN] * count
