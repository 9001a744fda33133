"""Python's builtins and a few standard-library functions on abstract values, as tables.

``len``, ``range``, ``zip``, ``int``... called with known values give known values; anything else
is UNKNOWN.  Binary operators fold in :mod:`kerassniff.semantic.operators`; the pure helpers
on values they share with the interpreter (unpacking, list items, truth) are in
:mod:`kerassniff.semantic.folding`.
"""
from __future__ import annotations

import posixpath
import string
from typing import Callable

from kerassniff.semantic.cli_args import namespace_dict
from kerassniff.semantic.folding import range_value
from kerassniff.semantic.knowledge.datasets import FOLDER_LISTINGS, PROGRESS_BARS, PROGRESS_RANGES
from kerassniff.semantic.knowledge.text_inputs import NUMBER_INPUT_FUNCTIONS, TEXT_FIELD_MAPPINGS, TEXT_INPUT_FUNCTIONS
from kerassniff.semantic.knowledge.tokenizers import WORD_SPLITTERS
from kerassniff.semantic.operators import MAX_FOLDED_STRING
from kerassniff.semantic.values import (
    UNKNOWN,
    CallArgs,
    ComprehensionValue,
    Const,
    DataValue,
    DictValue,
    FolderListing,
    FormattedValue,
    ItemsOf,
    KnownLen,
    LayerList,
    LenValue,
    PartialValue,
    Seq,
    Symbol,
    TextFile,
    TokenizerIndex,
    UnknownFloat,
    UnknownInteger,
    UnknownText,
    WordsOfOneText,
    Value,
    ZipValue,
    const_value,
    is_one_string,
    string_ending,
    typed_number,
)



def call_builtin(name: str, args: CallArgs) -> Value:
    """``builtins.<name>(...)``: its value when the arguments are known."""
    function = BUILTIN_CALLS.get(name)
    return function(name, args) if function is not None else UNKNOWN


def _first(args: CallArgs) -> Value:
    return args.positional[0] if args.positional else UNKNOWN


def _len(name: str, args: CallArgs) -> Value:
    first = _first(args)
    if isinstance(first, Seq):
        return Const(len(first.items))
    if isinstance(first, ComprehensionValue):
        return UnknownInteger() if first.length is None else Const(first.length)
    if isinstance(first, Const) and isinstance(first.value, (tuple, str)):
        return Const(len(first.value))
    if isinstance(first, DataValue):
        n = first.data.n_samples
        return LenValue(first.data) if n is None else KnownLen(n, first.data)
    if type(first) is TokenizerIndex:
        return first.size()  # len(tokenizer.word_index): the vocabulary's size, still not a known number
    return UnknownInteger()


def _range(name: str, args: CallArgs) -> Value:
    return range_value(args)


def _zip(name: str, args: CallArgs) -> Value:
    return ZipValue(tuple(args.positional), enumerate=name == "enumerate")


def _integer(name: str, args: CallArgs) -> Value:
    value = _first(args)
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        try:
            return Const(int(round(value.value)) if name == "round" else int(value.value))
        except (OverflowError, ValueError):  # int(float('inf')), round(nan)
            return UNKNOWN
    whole = name == "int" or (name == "round" and len(args.positional) == 1 and not args.keywords)
    return UnknownInteger(typed=_typed(value)) if whole else UNKNOWN  # (round(x, 2) is a float)


def _typed(value: Value | None) -> bool:
    """Whether a number converted from ``value`` is one a person typed: the text of a prompt or a form field
    (``int(input("Rooms: "))``, ``float(request.form["age"])``), or such a number converted again; not a file's text
    or a string built by the script."""
    return (type(value) is UnknownText and value.typed) or typed_number(value)


def _float(name: str, args: CallArgs) -> Value:
    first = _first(args)
    if isinstance(first, Const) and isinstance(first.value, (int, float, str)):
        try:
            return Const(float(first.value))
        except ValueError:
            return UNKNOWN
    return UnknownFloat(typed=_typed(first)) if len(args.positional) == 1 and not args.keywords else UNKNOWN


def _sequence(name: str, args: CallArgs) -> Value:
    if not args.positional and not args.keywords:
        return Const(())  # list(), tuple(): empty, as [] and () are
    first = _first(args)
    return first if isinstance(first, (Seq, DataValue, FolderListing)) else UNKNOWN


def _reordered(name: str, args: CallArgs) -> Value:
    """``sorted(os.listdir(root))``: still a folder's entries, sorted (other orders of other values are not
    followed; ``set()`` and ``reversed()`` of them are in another order).  ``reversed(model.layers)``: still the
    model's layers, in an order not followed (as a slice of them is)."""
    first = _first(args)
    if type(first) is LayerList and name == "reversed":
        return LayerList(model=first.model, whole=False)
    if not isinstance(first, FolderListing):
        return UNKNOWN
    return first.reordered(sorted_order(args) if name == "sorted" else None)


def sorted_order(args: CallArgs) -> bool | None:
    """The order ``sorted(names, ...)`` or ``names.sort(...)`` gives a folder's names: sorted (True), also with a
    ``key=`` (``str.lower`` is the folder readers' order for names in one case); another (None) with reverse=True or
    a reverse= not known."""
    reverse = args.get("reverse")
    return True if reverse is None or (type(reverse) is Const and reverse.value is False) else None


def _extreme(name: str, args: CallArgs) -> Value:
    if args.positional and all(isinstance(a, Const) for a in args.positional):
        try:
            return Const((min if name == "min" else max)(a.value for a in args.positional))  # type: ignore[union-attr]
        except (TypeError, ValueError):
            return UNKNOWN
    return UNKNOWN


def _dict(name: str, args: CallArgs) -> Value:
    """``dict(rotation_range=20, zoom_range=0.2)``: a dict of the keywords (over the entries of a dict given first, which
    they override); a ``**`` of something else, or any other argument (pairs, ``zip(...)``): unknown entries."""
    if len(args.positional) > 1 or (args.positional and not isinstance(args.positional[0], DictValue)):
        return UNKNOWN
    items = list(args.positional[0].items) if args.positional else []  # type: ignore[union-attr]
    complete = not args.positional or args.positional[0].complete  # type: ignore[union-attr]
    if args.open_keywords:
        complete = False  # (a ``**`` of entries not all known: the spread's entries are not all among the keywords)
    for key, value in args.keywords:
        items = [(k, v) for k, v in items if not (isinstance(k, Const) and k.value == key)]
        items.append((Const(key), value))
    return DictValue(tuple(items), complete)


BUILTIN_CALLS: dict[str, Callable[[str, CallArgs], Value]] = {
    "dict": _dict,
    "len": _len, "range": _range, "zip": _zip, "enumerate": _zip, "int": _integer, "round": _integer,
    "float": _float, "list": _sequence, "tuple": _sequence, "min": _extreme, "max": _extreme,
    "sorted": _reordered, "reversed": _reordered, "set": _reordered,
    "vars": lambda name, args: namespace_dict(args) or UNKNOWN,  # vars(parser.parse_args()): the options by name
    "open": lambda name, args: _opened(args),
    "str": lambda name, args: _string(args),
    **{name: lambda name, args: UnknownText(typed=True) for name in TEXT_INPUT_FUNCTIONS if "." not in name},  # input()
}


def _string(args: CallArgs) -> Value:
    """``str(x)``: a constant number, string, bool or None written as Python writes it; anything else, a string whose
    text is not known (``str(b, "utf-8")`` too)."""
    if len(args.positional) == 1 and not args.keywords and type(args.positional[0]) is Const and \
            isinstance(args.positional[0].value, (int, float, str, type(None))):
        return Const(str(args.positional[0].value))
    return UnknownText()


def _opened(args: CallArgs) -> Value:
    """``open(path)``, ``open(path, "r")``: a file read as text (a mode that writes, appends or reads bytes, or is
    not known, is not followed)."""
    mode = args.positional[1] if len(args.positional) > 1 else args.get("mode")
    written = "r" if mode is None else const_value(mode)
    return TextFile() if isinstance(written, str) and set(written) <= {"r", "t"} else UNKNOWN


def text_file_method(method: str, args: CallArgs) -> Value:
    """``f.read()`` of a file read as text: one string."""
    return UnknownText() if method == "read" and not args.positional and not args.keywords else UNKNOWN


def unknown_text_method(text: UnknownText, method: str, args: CallArgs) -> Value:
    """``text.lower()``, ``text.replace("\n", " ")``: still one string of unknown content, typed by a person if the
    text was; ``split()`` gives its words."""
    if method == "split":  # (split("\n"), split(","), split(maxsplit=1): lines, fields or parts, maybe texts)
        separator = args.positional[0] if len(args.positional) == 1 else None
        words = not args.keywords and (not args.positional or (type(separator) is Const and
                                                               separator.value in (None, " ")))
        return WordsOfOneText() if words else UNKNOWN
    return UnknownText(typed=text.typed) if method in _TEXT_METHODS else UNKNOWN


def dict_method(receiver: DictValue, method: str, args: CallArgs) -> Value:
    """``d.items()``, ``d.values()``, ``d.keys()`` of a dict whose entries are known: the list of them, in the order
    written (a loop over it binds each in turn); ``d.get(key)`` of a constant key among them, that entry's value, of
    a key not known one of the values when they are constant strings."""
    if args.positional and method != "get" or args.keywords:
        return UNKNOWN
    if method in ("items", "values", "keys") and not receiver.complete:
        return UNKNOWN  # ({**defaults, ...}: more entries than the items)
    if method == "items":
        return Seq(tuple(Seq((key, value), "tuple") for key, value in receiver.items), "list")
    if method == "values":
        return Seq(tuple(value for _, value in receiver.items), "list")
    if method == "keys":
        return Seq(tuple(key for key, _ in receiver.items), "list")
    if method == "get" and len(args.positional) in (1, 2) and type(args.positional[0]) is Const and \
            all(type(key) is Const for key, _ in receiver.items):
        # a key among the items: its value; another key: not known (the dict may hold more than the interpretation
        # saw: a spread, an entry a helper wrote), so not the default
        found = receiver.get(args.positional[0].value)
        return found if found is not None else UNKNOWN
    if method == "get" and len(args.positional) == 1 and type(args.positional[0]) is not Const:
        # emotions.get(code) of a code not known: one of the values (or None, which a script tests before using it)
        return receiver.one_of_values() or UNKNOWN
    return UNKNOWN


def string_method(receiver: Const, method: str, args: CallArgs) -> Value:
    """``"cp-{epoch:04d}.ckpt".format(epoch=0)``: the string Python makes when every argument is a constant; the
    template's text after its last field when one is not (what a file name's extension is read from)."""
    template = receiver.value
    if method == "join" and isinstance(template, str) and len(args.positional) == 1 and not args.keywords:
        return _joined(template, args.positional[0])
    if method in _TEXT_METHODS and isinstance(template, str):
        return _text_method(template, method, args)
    if method != "format" or not isinstance(template, str):
        return UNKNOWN
    values = [*args.positional, *(value for _, value in args.keywords)]
    if all(isinstance(value, Const) for value in values) and not any(a.star for a in args.nodes):
        try:
            return Const(template.format(*(v.value for v in args.positional),  # type: ignore[union-attr]
                                         **{k: v.value for k, v in args.keywords}))  # type: ignore[union-attr]
        except (IndexError, KeyError, ValueError, AttributeError, TypeError):
            return UNKNOWN
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return UNKNOWN
    fields = [index for index, (_, field, _, _) in enumerate(parts) if field is not None]
    if not fields:
        return receiver
    ending = "".join(literal for literal, *_ in parts[fields[-1] + 1:])
    return FormattedValue("".join(literal for literal, *_ in parts), ending)


# String methods that give a string (or, split, a list of them) from constant arguments: a sentence typed in the
# script, cleaned and cut into words (``"a fine film".lower().split()``), stays known.
_TEXT_METHODS = frozenset({"lower", "upper", "casefold", "title", "strip", "lstrip", "rstrip", "split", "replace"})
# A split into more words than this is not followed word by word (a long text typed in the script).
MAX_FOLDED_WORDS = 64


def _text_method(text: str, method: str, args: CallArgs) -> Value:
    values = [arg.value if type(arg) is Const else arg for arg in args.positional]
    if args.keywords or len(values) > 2 or not all(value is None or type(value) is str for value in values) or \
            len(text) > MAX_FOLDED_STRING:
        return UNKNOWN
    try:
        result = getattr(text, method)(*values)
    except (TypeError, ValueError):
        return UNKNOWN
    if isinstance(result, list):
        return Const(tuple(result)) if len(result) <= MAX_FOLDED_WORDS else UNKNOWN
    return Const(result) if len(result) <= MAX_FOLDED_STRING else UNKNOWN


def _joined(separator: str, parts: Value) -> Value:
    """``"".join(["runs/", name, ".hdf5"])``: the string when every part is a constant, else one that ends with the
    last part's known end (a list written out; a list of unknown length or order says nothing)."""
    items = parts.items if isinstance(parts, Seq) else tuple(Const(v) for v in parts.value) \
        if isinstance(parts, Const) and isinstance(parts.value, tuple) else None
    if not items:
        return UnknownText()  # " ".join(words): a string, its words not known
    if all(isinstance(item, Const) and isinstance(item.value, str) for item in items):
        return Const(separator.join(item.value for item in items))  # type: ignore[union-attr]
    known = 0  # the written-out strings at the end, joined with the separator before each
    while known < len(items) and isinstance(items[-1 - known], Const) and isinstance(items[-1 - known].value, str):
        known += 1
    if known:  # ".".join([name, "weights", "h5"]) ends with ".weights.h5"
        ending = separator + separator.join(item.value for item in items[-known:])  # type: ignore[union-attr]
    else:
        ending = string_ending(items[-1])
    return FormattedValue(ending, ending) if ending else UnknownText()


def _regex_substituted(args: CallArgs) -> Value | None:
    """``re.sub(r"[^a-z ]", "", text)``: with a pattern written as a string, a string (a bytes pattern gives bytes)."""
    pattern = args.positional[0] if args.positional else args.get("pattern")
    return UnknownText() if isinstance(const_value(pattern), str) else None


def _partial(args: CallArgs) -> Value | None:
    if not args.positional:
        return None
    return PartialValue(args.positional[0], CallArgs(args.positional[1:], args.keywords,
                                                     tuple(a for a in args.nodes[1:] if not a.star)))


def _path_join(args: CallArgs) -> Value | None:
    parts = [a.value for a in args.positional if isinstance(a, Const) and isinstance(a.value, str)]
    if len(parts) == len(args.positional) and parts:
        return Const(posixpath.join(*parts))
    given = list(args.positional)
    while len(given) > 1 and isinstance(given[-1], Const) and given[-1].value == "":
        given.pop()  # os.path.join(root, "test", ""): the folder, with a trailing separator
    last = given[-1] if given and not args.keywords else None
    ending = string_ending(last)
    if ending:  # os.path.join(folder, "model.h5"): whatever the folder, the path ends with the file's name
        whole = isinstance(last, Const) or (isinstance(last, FormattedValue) and last.whole_part)
        return FormattedValue(ending, ending, whole_part=whole)
    return UNKNOWN


def _separator_join(args: CallArgs) -> Value | None:
    if len(args.positional) != 1 or args.keywords:
        return UNKNOWN
    return _joined("/", args.positional[0])


def _path_normalized(args: CallArgs) -> Value | None:
    """``os.path.abspath(p)``, ``realpath``, ``normpath``, ``expanduser``: another spelling of the same path, which
    still ends with its last component (``abspath("exported_net")`` ends with ``exported_net``)."""
    ending = string_ending(args.positional[0]) if len(args.positional) == 1 and not args.keywords else None
    last = ending.rstrip("/").rsplit("/", 1)[-1] if ending else ""
    if last in ("", ".", "..") or last.startswith("~") or "$" in last:
        return UNKNOWN
    path = args.positional[0]
    whole = isinstance(path, Const) or "/" in ending.rstrip("/") or (  # type: ignore[union-attr]
        isinstance(path, FormattedValue) and path.whole_part)
    return FormattedValue(last, last, whole_part=whole)


def set_environment(environment: dict[str, str], key: Value, value: Value, overwrite: bool = True) -> None:
    """``os.environ[key] = value`` (``overwrite``) or ``os.environ.setdefault(key, value)`` with a constant key: the
    script's ``environment`` notes a constant string value; one set to something unknown is forgotten."""
    if not (isinstance(key, Const) and isinstance(key.value, str)):
        return
    if not overwrite and key.value in environment:
        return
    if isinstance(value, Const) and isinstance(value.value, str):
        environment[key.value] = value.value
    else:
        environment.pop(key.value, None)


def _text_field(args: CallArgs) -> Value | None:
    """``request.form.get("review")``: the field's text (a str); with a default that is not a string, or a
    ``type=`` that converts it (``get("n", type=int)``), not known."""
    default = args.positional[1] if len(args.positional) > 1 else args.get("default")
    converter = args.get("type")
    if converter is not None or len(args.positional) > 2:
        number = _NUMBER_TYPES.get(converter.name) if isinstance(converter, Symbol) else None
        return number(typed=True) if number is not None and len(args.positional) <= 2 else None
    return UnknownText(typed=True) if default is None or isinstance(const_value(default), str) else None


# ``request.form.get("age", type=float)``: the posted field converted to a number
_NUMBER_TYPES = {"builtins.float": UnknownFloat, "builtins.int": UnknownInteger}


# os.environ's methods that set a variable (their arguments: key, value).
ENVIRONMENT_SETTERS = frozenset({"os.environ.setdefault", "os.putenv"})


def _wrapped_iterable(args: CallArgs) -> Value | None:
    """``tqdm(x_test, desc=...)``: a progress bar over an iterable yields its items, in its order."""
    return args.get("iterable", 0)


# Standard-library functions by dotted name; None from one means "not this function's business".
STDLIB_CALLS: dict[str, Callable[[CallArgs], Value | None]] = {
    "functools.partial": _partial, "os.path.join": _path_join, "posixpath.join": _path_join,
    "re.sub": _regex_substituted,
    # os.path.sep.join([folder, "w.hdf5"]): joined with the separator ("/" here; only the known end is read)
    **{f"{module}.sep.join": _separator_join for module in ("os", "os.path", "posixpath")},
    **{f"{module}.{name}": _path_normalized for module in ("os.path", "posixpath")
       for name in ("abspath", "realpath", "normpath", "expanduser")},
    **{name: lambda args, lister=name: FolderListing(lister=lister) for name in FOLDER_LISTINGS},
    **dict.fromkeys(PROGRESS_BARS, _wrapped_iterable),
    **dict.fromkeys(PROGRESS_RANGES, lambda args: _range("range", CallArgs(args.positional))),  # trange(n)
    **{name: lambda args: UnknownText(typed=True) for name in TEXT_INPUT_FUNCTIONS if "." in name},  # st.text_input()
    **{f"{mapping}.get": _text_field for mapping in TEXT_FIELD_MAPPINGS},  # request.form.get("review")
    # request.form.values(): the posted fields' texts, one by one
    **{f"{mapping}.values": lambda args: ItemsOf(UnknownText(typed=True)) for mapping in TEXT_FIELD_MAPPINGS},
    **{name: lambda args: UnknownFloat(typed=True) for name in NUMBER_INPUT_FUNCTIONS},  # st.number_input("Age")
    # word_tokenize(text), simple_preprocess(text) of one string: its words
    **dict.fromkeys(WORD_SPLITTERS, lambda args: WordsOfOneText() if args.positional and
                    is_one_string(args.positional[0]) else None),
}
