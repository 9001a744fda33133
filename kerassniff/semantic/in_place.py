"""How code changes an object in place rather than rebinding its name: ``x += 1``, ``x[i] = v``, a function writing
into an array given as its output (``out=``, ``dst=``), a dict's or list's method (``settings.update()``,
``names.append()``); and which parameters a script's function changes so (its caller's arguments are those objects).
Read from the syntax alone, once per block or function."""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerassniff.semantic.syntax import walk_code

LIST_GROWERS = frozenset({"append", "extend", "insert"})
GROWING_WAYS = LIST_GROWERS | {"operator"}  # how a list parameter is grown in place (``+=`` grows a list)


def grown_parameters(changed: dict[str, frozenset[str]]) -> frozenset[str]:
    """The parameters a function grows in place (``names.append(x)``, ``names.extend(xs)``, ``names += xs``), from
    :func:`changed_parameters`: a list passed for one of them has another length after the call."""
    return frozenset(name for name, ways in changed.items() if ways & GROWING_WAYS)


# Keywords through which a function writes its result into an array it is given (NumPy's out=, OpenCV's dst=).
_OUTPUT_KEYWORDS = frozenset({"out", "dst"})


def changed_in_place(block: cst.CSTNode, name: str) -> frozenset[str]:
    """How a block changes the object ``name`` holds rather than rebinding the name: "operator" for ``name += 1``
    (an array's in-place operator), "item" for ``name[...] = v``, and the last name of each function that writes
    into it (``np.clip(x, 0, 1, out=name)``, ``cv2.normalize(name, name, 0, 1, ...)``: the same name given twice,
    source and destination); empty when it does not."""
    changed: dict[str, set[str]] = {}
    for node in walk_code(block, skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        _note_change(node, {name}, changed, dropped=True, methods=False)
    return frozenset(changed.get(name, ()))


DICT_CHANGING_METHODS = frozenset({"update", "pop", "popitem", "setdefault", "clear", "__setitem__"})


def changed_parameters(function: cst.FunctionDef | cst.Lambda) -> dict[str, frozenset[str]]:
    """The parameters whose object the function changes in place, each with how (:func:`changed_in_place`'s ways,
    and the name of a dict method that edits it, ``settings.update(...)``, or a list method that grows it,
    ``names.append(x)``): the caller's argument is that object.  Read from the function's statements (an augmented
    assignment, a subscript assigned, a call made as a statement or assigned), not from calls nested deeper in
    expressions: one pass over the statements, for every parameter.  A parameter the function binds anew
    (``x = x.astype("float32")``, ``opts = dict(opts)``) is left out: what it changes may be a copy."""
    if type(function) is not cst.FunctionDef:
        return {}
    params = {p.name.value for p in (*function.params.posonly_params, *function.params.params,
                                     *function.params.kwonly_params)}
    changed: dict[str, set[str]] = {}
    rebound: set[str] = set()  # ``x = x.astype(...)``: a new object, maybe a copy, under the parameter's name
    for small in _small_statements(function.body):
        kind = type(small)
        if kind is cst.Assign:
            rebound.update(target.target.value for target in small.targets if type(target.target) is cst.Name)
        _note_change(small, params, changed, dropped=False, methods=True)
        if kind in (cst.Expr, cst.Assign) and type(small.value) is cst.Call:
            _note_change(small.value, params, changed, dropped=kind is cst.Expr, methods=True)
    return {name: frozenset(ways) for name, ways in changed.items() if name not in rebound}


@dataclass(unsafe_hash=True)
class OuterWrites:
    """What a function does to names it does not own: ``rebound_globals``, the names it declares ``global`` and
    binds or resizes (``global batch; batch = []``), ``rebound_nonlocals`` those it declares ``nonlocal``;
    ``grown``, the names of an enclosing scope whose list or dict it grows or edits by a method
    (``frames.append(img)``, ``settings.update(...)``), neither its parameters nor its own names; ``called``, the
    names it calls as functions (``refill(paths)``: what they change, it changes too)."""

    rebound_globals: frozenset[str] = frozenset()
    rebound_nonlocals: frozenset[str] = frozenset()
    grown: frozenset[str] = frozenset()
    called: frozenset[str] = frozenset()


# The methods by which a function changes how many items a list or dict of an enclosing scope holds.
_RESIZING_WAYS = LIST_GROWERS | DICT_CHANGING_METHODS


def outer_writes(function: cst.FunctionDef | cst.Lambda) -> OuterWrites:
    """:class:`OuterWrites` of a function or a lambda, read from its body (not from the functions defined in it).
    An item written (``x[i] = flipped``) or an array given as an output (``out=x``) is not counted: the object keeps
    its length and kind."""
    params = function.params
    own = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    own.update(star.name.value for star in (params.star_arg, params.star_kwarg) if type(star) is cst.Param)
    globals_: set[str] = set()
    nonlocals: set[str] = set()
    bound: set[str] = set()
    called: set[str] = set()
    changed: dict[str, set[str]] = {}
    for node in walk_code(function.body, skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        kind = type(node)
        if kind is cst.Global:
            globals_.update(name.name.value for name in node.names)  # type: ignore[attr-defined]
        elif kind is cst.Nonlocal:
            nonlocals.update(name.name.value for name in node.names)  # type: ignore[attr-defined]
        elif kind is cst.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                bound.update(_bound_names(target.target))
        elif kind in (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr):
            bound.update(_bound_names(node.target))  # type: ignore[attr-defined]
        elif kind is cst.AsName:
            bound.update(_bound_names(node.name))  # type: ignore[attr-defined]
        elif kind is cst.Call:
            if type(node.func) is cst.Name:  # type: ignore[attr-defined]
                called.add(node.func.value)  # type: ignore[attr-defined]
            _note_change(node, _ANY_NAME, changed, dropped=False, methods=True)
    grown = {name for name, ways in changed.items() if ways & _RESIZING_WAYS}
    return OuterWrites(frozenset(globals_ & (bound | grown)), frozenset(nonlocals & (bound | grown)),
                       frozenset(grown - own - bound - globals_ - nonlocals), frozenset(called))


class _AnyName:
    """A set that holds every name: :func:`_note_change` then reports the changes made to any name's object."""

    def __contains__(self, name: object) -> bool:
        return True


_ANY_NAME = _AnyName()


def _bound_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds (``x``, ``x, (y, z)``, ``[*rest]``), not attributes or subscripts."""
    kind = type(target)
    if kind is cst.Name:
        return [target.value]  # type: ignore[attr-defined]
    if kind in (cst.Tuple, cst.List):
        return [name for element in target.elements for name in _bound_names(element.value)]  # type: ignore
    if kind is cst.StarredElement:
        return _bound_names(target.value)  # type: ignore[attr-defined]
    return []


def _note_change(node: cst.CSTNode, names: set[str], changed: dict[str, set[str]], dropped: bool,
                 methods: bool) -> None:
    """How one node changes the objects some names hold, in place: "operator" (``x += 1``), "item" (``x[...] = v``),
    the function that writes into one given as its output (``out=``/``dst=``, or twice by a call whose result is
    dropped: ``cv2.normalize(img, img, ...)``; ``y = np.multiply(a, a)`` writes nothing into ``a``), and with
    ``methods`` a dict's or list's method called on one (``settings.update(...)``, ``names.append(x)``)."""
    kind = type(node)
    if kind is cst.AugAssign:
        if type(node.target) is cst.Name and node.target.value in names:
            changed.setdefault(node.target.value, set()).add("operator")
        return
    if kind is cst.Assign:
        for target in node.targets:
            if type(target.target) is cst.Subscript and type(target.target.value) is cst.Name and \
                    target.target.value.value in names:
                changed.setdefault(target.target.value.value, set()).add("item")
        return
    if kind is not cst.Call:
        return
    func = node.func
    if methods and type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in names and \
            (func.attr.value in DICT_CHANGING_METHODS or func.attr.value in LIST_GROWERS):
        changed.setdefault(func.value.value, set()).add(func.attr.value)
    given = [arg for arg in node.args if type(arg.value) is cst.Name and arg.value.value in names]
    for name in {arg.value.value for arg in given}:  # type: ignore[attr-defined]
        mine = [arg for arg in given if arg.value.value == name]  # type: ignore[attr-defined]
        if (len(mine) > 1 and dropped) or any(arg.keyword is not None and arg.keyword.value in _OUTPUT_KEYWORDS
                                             for arg in mine):
            changed.setdefault(name, set()).add(
                func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else "?")


def _small_statements(block: cst.BaseSuite):
    """The small statements of a block and of the blocks inside its compound statements (if, for, while, with, try),
    not those of functions and classes defined in it."""
    stack: list[cst.CSTNode] = [block]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
            yield from node.body  # type: ignore[attr-defined]
        elif kind is cst.IndentedBlock:
            stack.extend(node.body)  # type: ignore[attr-defined]
        elif kind in (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Else, cst.Finally,
                      cst.ExceptHandler, cst.ExceptStarHandler):
            for name in ("body", "orelse", "handlers", "finalbody"):
                part = getattr(node, name, None)
                if part is None:
                    continue
                if isinstance(part, (tuple, list)):
                    stack.extend(part)
                else:
                    stack.append(part)


def output_argument(node: cst.Call, position: int | None, keyword: str | None) -> cst.BaseExpression | None:
    """The array a call is given to write its result into (NumPy's ``out=``, OpenCV's ``dst``), by ``keyword`` or at
    ``position`` among the positional arguments; None when none is given or it is the literal ``None``."""
    given = next((arg.value for arg in node.args if arg.keyword is not None and arg.keyword.value == keyword), None)
    if given is None and position is not None:
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        given = positional[position].value if len(positional) > position else None
    return None if type(given) is cst.Name and given.value == "None" else given
