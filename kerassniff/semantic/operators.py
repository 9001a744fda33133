"""Python's binary operators on abstract values: ``left <op> right`` folded when both sides are known.

Constants fold as Python folds them (within a size: a string longer than :data:`MAX_FOLDED_STRING` is unknown);
a path divided by a file name ends with that name; an unknown integer with an integer stays an integer; lists
joined with ``+`` keep their items; an index shifted by a constant stays the index it was, shifted.  Apart from
the builtins' table (:mod:`kerassniff.semantic.builtins`) because these are the language's operators, not
functions.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.semantic.folding import BINOPS, cheap_to_fold, is_offset, is_string
from kerassniff.semantic.values import (
    UNKNOWN,
    ComprehensionValue,
    Const,
    FormattedValue,
    IndexOf,
    KnobConst,
    LenValue,
    Seq,
    Strings,
    Unknown,
    UnknownInteger,
    UnknownText,
    Value,
    VocabularySize,
    string_ending,
)

MAX_FOLDED_STRING = 10_000


def fold_binary(left: Value, op: str, right: Value, node: cst.CSTNode) -> Value:
    """``left <op> right`` of plain Python values (``op`` a LibCST operator class name: "Add")."""
    if op == "Divide" and not is_string(left) and string_ending(right):
        # folder / "best_model.keras": only a path divides by a string (pathlib's join), so whatever the folder, the
        # path ends with that name
        whole = isinstance(right, Const) or (isinstance(right, FormattedValue) and right.whole_part)
        return FormattedValue(string_ending(right), string_ending(right), whole_part=whole)
    if isinstance(left, Const) and isinstance(right, Const):
        folded = _fold_constants(left.value, op, right.value)
        if type(folded) is Const and (type(left) is KnobConst or type(right) is KnobConst):
            return KnobConst(folded.value)  # options.lr / 10: a knob still, changed from run to run
        return folded
    if op == "Modulo" and type(left) is Const and isinstance(left.value, str):
        return _printf_formatted(left.value)  # "%s_weights.h5" % prefix, of a prefix not known
    if op in ("Add", "Subtract"):
        shifted = _shifted(left, op, right)
        if shifted is not None:
            return shifted
    if op == "Divide":
        return Unknown(division=node if isinstance(node, cst.BinaryOperation) else None)
    if op in _INTEGER_OPERATORS:  # (len(data) / 32) // 2, n / batch - 1: a float with a number is a float still
        for a, b in ((left, right), (right, left)):
            if type(a) is Unknown and a.division is not None and _a_number(b):
                return Unknown(division=a.division)
    if op in _INTEGER_OPERATORS and (isinstance(left, UnknownInteger) or isinstance(right, UnknownInteger)) and \
            _an_integer(left) and _an_integer(right):
        return UnknownInteger()  # len(columns) - 1
    if op == "Add" and isinstance(left, Seq) and isinstance(right, Seq):
        return Seq(left.items + right.items, left.kind)
    if op == "Add" and (isinstance(left, Seq) or isinstance(right, Seq)):
        items, more = _display_items(left), _display_items(right)
        if items is not None and more is not None:  # [1] + [index[w] for w in "a fine film".split()]
            return Seq(items + more, "list")
    if op == "Add":
        joined = _joined_to_comprehension(left, right)
        if joined is not None:
            return joined
    if op == "Add" and type(left) in (Unknown, UnknownText, FormattedValue, Strings) and string_ending(right):
        # folder + "/model.h5", of a folder not known or one of two (set in both branches of a settings flag)
        return FormattedValue(string_ending(right), string_ending(right))
    if op == "Add" and (type(left) is UnknownText or type(right) is UnknownText) and \
            all(type(side) in (UnknownText, FormattedValue) or is_string(side) for side in (left, right)):
        return UnknownText()  # text + " " + other_text: a string still
    return UNKNOWN


# A printf-style conversion (``%s``, ``%(name)s``, ``%05.2f``), or ``%%``, a literal percent sign.
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _printf_formatted(template: str) -> Value:
    """``template % values`` of values not all known: its literal text, and the text after its last conversion (the
    file name's end of ``"./weights/%s_weights.h5" % prefix``); the template itself when it has no conversion."""
    literal, ending, converted = [], [], False
    position = 0
    for match in _PRINTF_FIELD.finditer(template):
        text = template[position:match.start()]
        literal.append(text)
        ending.append(text)
        if match.group() == "%%":
            literal.append("%")
            ending.append("%")
        else:
            ending, converted = [], True
        position = match.end()
    literal.append(template[position:])
    ending.append(template[position:])
    if not converted:
        return UNKNOWN  # (a template without a conversion raises TypeError when given values)
    return FormattedValue("".join(literal), "".join(ending))


def _joined_to_comprehension(left: Value, right: Value) -> Value | None:
    """``[1] + [word_index[w] for w in words]``: a list display joined to a comprehension (either side) is a list of
    the comprehension's items when its element stands for every item of the display; its length is known when the
    comprehension's is."""
    if type(right) is ComprehensionValue:
        items, comprehension = _display_items(left), right
    elif type(left) is ComprehensionValue:
        items, comprehension = _display_items(right), left
    else:
        return None
    if items is None or comprehension.blocks or not all(comprehension.element.stands_for(item) for item in items):
        return None
    length = None if comprehension.length is None else comprehension.length + len(items)
    return ComprehensionValue(comprehension.element, length)


def _display_items(value: Value) -> tuple[Value, ...] | None:
    """The items of a list display (one of constants is folded to a constant tuple)."""
    if isinstance(value, Seq) and value.kind == "list":
        return value.items
    if type(value) is Const and type(value.value) is tuple:
        return tuple(Const(item) for item in value.value)
    return None


# Of two integers these give an integer; of a float and a number, a float (5.0 // 2 is 2.0).
_INTEGER_OPERATORS = frozenset({"Add", "Subtract", "Multiply", "FloorDivide", "Modulo"})


def _a_number(value: Value) -> bool:
    """A number, known or not: a constant int or float, a length, a dimension."""
    if isinstance(value, Const):
        return type(value.value) in (int, float)
    return _an_integer(value)


def _an_integer(value: Value) -> bool:
    """An integer, known or not (a constant, a length, a dimension)."""
    if isinstance(value, Const):
        return type(value.value) is int
    return isinstance(value, (UnknownInteger, LenValue))


def _shifted(left: Value, op: str, right: Value) -> Value | None:
    """``len(x) - window`` and ``i + window`` (i a loop index over x's samples): the count of x's windows, and the
    index of one sample of x, shifted by an offset (a constant or a number not known)."""
    if isinstance(left, LenValue) and is_offset(right):
        return LenValue(left.data, shifted=True)
    if type(left) is VocabularySize and type(right) is Const and type(right.value) is int:
        return left.shifted(right.value if op == "Add" else -right.value)  # len(tokenizer.word_index) + 1
    if op == "Add" and type(right) is VocabularySize and type(left) is Const and type(left.value) is int:
        return right.shifted(left.value)
    if isinstance(left, IndexOf) and is_offset(right):
        return left.shifted(right, 1 if op == "Add" else -1)
    if op == "Add" and isinstance(right, IndexOf) and is_offset(left):
        return right.shifted(left, 1)
    return None


def _fold_constants(left: object, op: str, right: object) -> Value:
    function = BINOPS.get(getattr(cst, op, None))  # type: ignore[arg-type]
    if function is None or not cheap_to_fold(op, left, right):
        return UNKNOWN
    try:
        result = function(left, right)
    except Exception:  # noqa: BLE001 - any failure of constant folding means "unknown"
        return UNKNOWN
    if isinstance(result, (int, float, str, tuple)) and not (isinstance(result, str) and len(result) > MAX_FOLDED_STRING):
        return Const(result)
    return UNKNOWN
