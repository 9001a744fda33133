"""Walking LibCST trees over their code only, fast.

LibCST's ``children`` and its visitors rebuild or walk every whitespace and punctuation node too, at several
times the cost; the interpreter's scans (the names a loop assigns, the names a function reads) and the lookup
of the module-level statement that holds a node read only the fields that can hold code.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import enum
import io
import re
import tokenize
import typing
from typing import Callable, Iterator, Sequence

import libcst as cst

# Fields that hold only whitespace, punctuation or operators: never a binding.
_LAYOUT_FIELDS = ("whitespace", "leading_lines", "lines_after", "lpar", "rpar", "comma", "semicolon", "trailing",
                  "header", "footer", "equal", "colon", "operator", "asynchronous", "dot", "newline", "lbracket",
                  "rbracket", "lbrace", "rbrace", "relative")
_fields_of: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a LibCST node type that can hold code (not whitespace or punctuation, nor text such
    as a name's ``value`` or an argument's ``star``)."""
    found = _fields_of.get(kind)
    if found is None:
        try:
            hints = typing.get_type_hints(kind)
        except Exception:  # noqa: BLE001 - a type whose annotations do not resolve: look at every field
            hints = {}
        found = _fields_of[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                         if not f.name.startswith(_LAYOUT_FIELDS)
                                         and _can_hold_node(hints.get(f.name, cst.CSTNode)))
    return found


def _can_hold_node(hint: object) -> bool:
    """Whether a field annotated ``hint`` can hold a LibCST node (``str``, ``Literal["*"]`` and
    ``Optional[str]`` cannot; anything not understood is assumed to)."""
    if isinstance(hint, type):
        return issubclass(hint, cst.CSTNode) or not issubclass(hint, (str, int, float, bytes, type(None), enum.Enum))
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return False
    arguments = typing.get_args(hint)
    return not arguments or any(_can_hold_node(argument) for argument in arguments)


def code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes of ``node`` that can hold code, read from its own fields (LibCST's ``children`` and its
    visitors rebuild or walk the whitespace and punctuation too, at several times the cost)."""
    kind = type(node)
    read = _readers.get(kind) or _reader(kind)
    return read(node)


_readers: dict[type, Callable[[cst.CSTNode], list[cst.CSTNode]]] = {}


def walk_code(root: cst.CSTNode, skip: tuple[type, ...] = ()):
    """``root`` and every code node under it (no whitespace or punctuation), depth first; not the nodes under a node
    of a ``skip`` kind (a nested function or loop), which is itself visited."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is root or type(node) not in skip:
            stack.extend(code_children(node))


def _reader(kind: type) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """A function that reads a node type's code fields, written for that type from its annotations: a field
    that always holds a node is read as is, a sequence field is unpacked, and only the other fields (optional,
    or a node or a sequence) are looked at (``If.orelse``, ``ImportFrom.names``).  The walks call it for every
    node, so it is one Python call with no loop over the fields."""
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 - a type whose annotations do not resolve: every field is looked at
        hints = {}
    always: list[str] = []
    checked: list[str] = []
    for name in child_fields(kind):
        hint = hints.get(name)
        if typing.get_origin(hint) in _SEQUENCES:
            always.append(f"*node.{name}")
        elif isinstance(hint, type) and issubclass(hint, cst.CSTNode):
            always.append(f"node.{name}")
        else:
            checked.append(name)
    lines = ["def read(node):", f"    found = [{', '.join(always)}]"]
    for name in checked:
        lines += [f"    value = node.{name}",
                  "    if type(value) is list or type(value) is tuple:",
                  "        found.extend(value)",  # a LibCST sequence field holds nodes only
                  "    elif value is not None and is_node(value):",
                  "        found.append(value)"]
    lines.append("    return found")
    namespace: dict[str, object] = {"is_node": is_node}
    exec("\n".join(lines), namespace)  # noqa: S102 - code built above from field names, nothing else
    read = _readers[kind] = namespace["read"]  # type: ignore[assignment]
    return read  # type: ignore[return-value]


_SEQUENCES = (collections.abc.Sequence, list, tuple)


_IS_NODE: dict[type, bool] = {}


def is_node(value: object) -> bool:
    """``isinstance(value, cst.CSTNode)`` remembered per type (LibCST's node classes are ABCs, whose
    ``isinstance`` is a Python call; the walks above ask it for every field of every node)."""
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = isinstance(value, cst.CSTNode)
    return known


# Code whose yields are not those of the function around it.
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def names_read(node: cst.CSTNode, generator: list[bool] | None = None) -> set[str]:
    """Every name code may look up anywhere in it: for a function (its parameters' defaults included), the names
    whose values around it can change what a call of it does; for a loop's condition, the names it reads.  An
    attribute's name (``x.shape``), a keyword's (``f(units=3)``) and a parameter's own name are never looked up,
    so they are left out.

    With ``generator`` (a one-item list), the same walk notes whether the function's own body holds a ``yield`` (not
    one of a function or class nested in it): calling it makes a generator, whichever branch would run."""
    names: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if generator is not None:
            if kind is cst.Yield:
                generator[0] = True
            elif kind in _NESTED_SCOPES and current is not node:
                names |= names_read(current)  # its names count, its yields are its own
                continue
        if kind is cst.Name:
            names.add(current.value)  # type: ignore[attr-defined]
        elif kind is cst.Attribute:
            stack.append(current.value)  # type: ignore[attr-defined]
        elif kind is cst.Arg:
            stack.append(current.value)  # type: ignore[attr-defined]
        elif kind is cst.Param:
            stack.extend(part for part in (current.default, current.annotation)  # type: ignore[attr-defined]
                         if part is not None)
        else:
            stack.extend(code_children(current))
    return names


def _targets(node: cst.BaseExpression, names: set[str]) -> None:
    """The names a target binds or changes: ``x``, ``a, b``, ``*rest``, ``x[i]`` and ``self.n`` (``x``, ``self``)."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    if isinstance(node, cst.Name):
        names.add(node.value)
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            _targets(element.value, names)
    elif isinstance(node, cst.StarredElement):
        _targets(node.value, names)


def _bind_target(node, names: set[str]) -> bool:
    _targets(node.target, names)
    return True  # look inside too: ``x[(i := 0)] = ...``


def _bind_as(node: cst.AsName, names: set[str]) -> bool:
    _targets(node.name, names)  # type: ignore[arg-type]
    return True


def _bind_definition(node: cst.FunctionDef | cst.ClassDef, names: set[str]) -> bool:
    names.add(node.name.value)
    return False  # a nested function's or class's own names are not the block's


# Nodes that bind names; each returns whether to look inside the node too.
_BINDERS = {
    cst.AssignTarget: _bind_target, cst.AugAssign: _bind_target, cst.AnnAssign: _bind_target, cst.For: _bind_target,
    cst.NamedExpr: _bind_target, cst.AsName: _bind_as, cst.FunctionDef: _bind_definition,
    cst.ClassDef: _bind_definition,
}
def assigned_names(block: cst.CSTNode) -> frozenset[str]:
    """The names a block binds or changes (``x = ...``, ``x += 1``, ``for x in``, ``x[i] = ...``,
    ``self.n = ...`` changes ``self``), not looking into nested functions and classes.

    A walk over the nodes' own fields (:func:`code_children`: this runs once per loop body interpreted).
    """
    names: set[str] = set()
    stack: list[cst.CSTNode] = [block]
    while stack:
        node = stack.pop()
        kind = type(node)
        binder = _BINDERS.get(kind)
        if binder is not None and not binder(node, names):
            continue
        stack.extend(code_children(node))
    return frozenset(names)


def bound_anywhere(function: cst.FunctionDef) -> frozenset[str]:
    """Every name the function binds at any depth: its parameters and assignments, and those of the lambdas,
    functions and comprehensions inside it (a name they read may be their own, whatever the code around holds)."""
    names: set[str] = set()
    for node in walk_code(function):
        kind = type(node)
        if kind is cst.Param:
            names.add(node.name.value)
        elif kind is cst.CompFor:
            _targets(node.target, names)
        else:
            binder = _BINDERS.get(kind)
            if binder is not None:
                binder(node, names)
    names.discard(function.name.value)
    return frozenset(names)


def sole_assignment(function: cst.FunctionDef, name: str) -> cst.BaseExpression | None:
    """The value of a function's local ``name`` wherever it is read: the function binds it exactly once, by a plain
    ``name = value``, and nothing else in it binds the name (not a parameter, a loop or ``with`` target, an augmented
    or unpacking assignment, a nested definition); None otherwise, since which binding reaches a read is then a
    question of control flow."""
    params = {param.name.value for param in (*function.params.posonly_params, *function.params.params,
                                             *function.params.kwonly_params)}
    params.update(star.name.value for star in (function.params.star_arg, function.params.star_kwarg)
                  if isinstance(star, cst.Param))
    if name in params:
        return None
    return _single_values(function.body, skip=(cst.FunctionDef, cst.ClassDef, cst.Lambda)).get(name)


def single_bindings(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Each name the file binds exactly once, by a plain ``name = value``, with no other binding of the name anywhere
    in the file (no parameter, loop or ``with`` target, import, definition or local of that name, in any function or
    class): its value, wherever the file reads it.  One walk for every name (rules ask it for a few names each,
    where the reader's scope is not at hand; a stricter question than :func:`sole_assignment`)."""
    return _single_values(module, skip=())


def _single_values(root: cst.CSTNode, skip: tuple[type, ...]) -> dict[str, cst.BaseExpression]:
    """The value of each name bound under ``root`` (not under nodes of the ``skip`` kinds) by exactly one plain
    ``name = value`` and nothing else."""
    values: dict[str, list[cst.BaseExpression]] = {}
    named: dict[str, int] = {}  # plain ``name = ...`` targets, chained ones (``a = name = ...``) included
    others: set[str] = set()
    for node in walk_code(root, skip=skip):
        kind = type(node)
        if kind is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            values.setdefault(node.targets[0].target.value, []).append(node.value)
        elif kind is cst.AssignTarget:
            if type(node.target) is cst.Name:
                named[node.target.value] = named.get(node.target.value, 0) + 1
            else:
                _targets(node.target, others)
        elif kind in (cst.FunctionDef, cst.ClassDef):
            others.add(node.name.value)
        elif kind is cst.Param:
            others.add(node.name.value)
        elif kind is cst.CompFor:
            _targets(node.target, others)
        elif kind is cst.Global or kind is cst.Nonlocal:
            others.update(item.name.value for item in node.names)
        else:
            binder = _BINDERS.get(kind)
            if binder is not None:
                binder(node, others)
    return {name: bound[0] for name, bound in values.items()
            if len(bound) == 1 and named.get(name) == 1 and name not in others}


def lambda_scale(node: cst.CSTNode | None) -> float | None:
    """The constant factor, between 0 and 1, of a lambda that only scales its one parameter (``lambda x: x / 255``,
    ``lambda x: x * (1.0 / 255)``); None for any other code."""
    if type(node) is not cst.Lambda or len(node.params.params) != 1 or type(node.body) is not cst.BinaryOperation:
        return None
    body, parameter = node.body, node.params.params[0].name.value
    if type(body.left) is not cst.Name or body.left.value != parameter:
        return None
    number = _written_number(body.right)
    if number is None or number <= 0:
        return None
    factor = 1 / number if type(body.operator) is cst.Divide else number if type(body.operator) is cst.Multiply else None
    return factor if factor is not None and 0 < factor < 1 else None


def _written_number(node: cst.BaseExpression) -> float | None:
    """A number written out: ``255``, ``255.0``, ``1.0 / 255`` (in parentheses or not)."""
    if type(node) in (cst.Integer, cst.Float):
        return float(node.evaluated_value)  # type: ignore[union-attr]
    if type(node) is cst.BinaryOperation and type(node.operator) is cst.Divide:
        top, bottom = _written_number(node.left), _written_number(node.right)
        return top / bottom if top is not None and bottom else None
    return None


def names_in_code(text: str) -> frozenset[str] | None:
    """The names a piece of source text uses as code, not inside its comments or strings (``# pad the sequences``
    names nothing), the expressions of f-strings included (``f"{x.shape}"`` reads ``x`` on every Python: before 3.12
    the tokenizer gives an f-string as one string, whose braces are read here); None when the text does not
    tokenize on its own (a dedent below the first line's indentation, a bracket left open)."""
    names: set[str] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
            elif token.type == tokenize.STRING and "f" in token.string[:3].lower():
                for expression in _FSTRING_FIELD.findall(token.string):
                    names.update(_IDENTIFIER.findall(expression))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return frozenset(names)


# An f-string's replacement fields (``{x.shape[0]:>5}``; ``{{`` is a literal brace) and the names in one.
_FSTRING_FIELD = re.compile(r"(?<!\{)\{([^{}]+)\}")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def constant_index(target: cst.Subscript) -> str | None:
    """``"..., 1"`` for ``x[..., 1]`` or ``x[:, :, 1]``: one constant index (a number or a string) along one axis, every
    other axis whole; None for any other part."""
    constants = 0
    for element in target.slice:
        part = element.slice
        if type(part) is cst.Index:
            value = part.value
            if type(value) is cst.UnaryOperation and type(value.operator) is cst.Minus:
                value = value.expression  # x[..., -1]
            if type(value) in (cst.Integer, cst.SimpleString):
                constants += 1
            elif type(value) is not cst.Ellipsis:
                return None
        elif not (type(part) is cst.Slice and part.lower is None and part.upper is None and part.step is None):
            return None
    return rendered(target.slice[0].slice) if len(target.slice) == 1 and constants == 1 else \
        ", ".join(rendered(element.slice) for element in target.slice) if constants == 1 else None


def accumulates(small: cst.Assign) -> bool:
    """``name = name <op> operand``: one name, read first in the arithmetic that rebinds it."""
    value = small.value
    return len(small.targets) == 1 and type(small.targets[0].target) is cst.Name and \
        type(value) is cst.BinaryOperation and type(value.left) is cst.Name and \
        value.left.value == small.targets[0].target.value  # type: ignore[attr-defined]


_NOWHERE = cst.Module([])  # a module with default indentation and newlines, rendering nodes that have no place


def rendered(node: cst.CSTNode) -> str:
    """A node's code as LibCST writes it, with the default indentation and newlines: for a node a check made (a fix's
    replacement, a hint's expression) or one quoted in a message, where the script's own module is not needed."""
    return _NOWHERE.code_for_node(node)
