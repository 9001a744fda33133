"""Which calls' results no code reads, found from the syntax and the text of one script.

KS405 (a result computed and dropped) and the facts beside it ask, per script, which plain ``name = call(...)``
bindings are never read again; the answer comes from one pass over the module's statements and a count of each
name's occurrences in the text, cheaper than following every read through the interpreter.
"""
from __future__ import annotations

import re
from typing import Iterator, Sequence

import libcst as cst

from kerassniff.semantic.syntax import walk_code


def results_bound_to_names(module: cst.Module, text: str) -> tuple[dict[int, str], dict[str, int]]:
    """id(call) -> the name a plain ``name = call(...)`` binds its result to, and how often each name occurs in the
    module (its binding included); nothing where code reads names as strings (``globals()``, ``locals()``,
    ``vars()``), whose reads the names do not show."""
    bound: dict[int, str] = {}
    counts: dict[str, int] = {}
    if any(way in text for way in ("globals(", "locals(", "vars(")):
        return bound, counts
    for node in walk_code(module):
        kind = type(node)
        if kind is cst.Name:
            counts[node.value] = counts.get(node.value, 0) + 1  # type: ignore[attr-defined]
        elif kind is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name and \
                type(node.value) is cst.Call:  # type: ignore[attr-defined]
            bound[id(node.value)] = node.targets[0].target.value  # type: ignore[attr-defined]
    return bound, counts


class UnreadValues:
    """Which calls' values no code reads: bound by a plain ``name = call(...)``, alone or as an item of a list or
    tuple display bound so (``callbacks = [stop, call(...)]``) or added to a list by a statement of its own
    (``callbacks.append(call(...))``), to a name the text reads nowhere else (its own ``append()`` statements are
    not reads); a name read only as an item of such a display, or added so, to an unread name is unread too.
    Nothing is unread where code reads names as strings (``globals()``, ``locals()``, ``vars()``).

    Reads are counted in the text, name by name as asked (cheaper than a walk of every node): any occurrence of the
    name counts, in a string or a comment too, except an attribute's (``keras.callbacks``) and one followed by a
    single ``=`` (a binding, a keyword argument's name); the bindings are found statement by statement, once."""

    def __init__(self, module: cst.Module, text: str) -> None:
        self._text = text
        # (a notebook cell left out for a syntax error: the reads it held are not in the text)
        self._opaque = any(way in text for way in ("globals(", "locals(", "vars(", "# (cell not analysed"))
        self._bound: list[tuple[str, list[cst.BaseExpression]]] = []
        self._direct: dict[int, str] = {}  # id(value) -> the name of a plain ``name = value``
        self._grown: dict[str, int] = {}  # name -> its ``name.append(...)`` statements (text occurrences, not reads)
        self._fresh: dict[str, int] = {}  # name -> its plain bindings to a new list (``name = []``, ``list()``)
        if not self._opaque:
            for small in _small_statements(module.body):
                if type(small) is cst.Assign:
                    if len(small.targets) == 1 and type(small.targets[0].target) is cst.Name:
                        self._bind(small.targets[0].target.value, small.value)
                    continue
                grown = _list_growth(small)
                if grown is not None:
                    name, items = grown
                    self._grown[name] = self._grown.get(name, 0) + 1
                    self._bound.append((name, items))
        self._reads: dict[str, int] = {}

    def _bind(self, name: str, value: cst.BaseExpression) -> None:
        if type(value) is cst.List or (type(value) is cst.Call and type(value.func) is cst.Name and
                                       value.func.value == "list" and not value.args):
            self._fresh[name] = self._fresh.get(name, 0) + 1
        display = type(value) in (cst.List, cst.Tuple)
        self._bound.append((name, [e.value for e in value.elements] if display else [value]))  # type: ignore[attr-defined]
        if not display:
            self._direct[id(value)] = name

    def never_read(self, call: cst.CSTNode) -> bool:
        holders = [name for name, items in self._bound if any(item is call for item in items)]
        return len(holders) == 1 and self._unread(holders[0], depth=0)

    def name_of(self, call: cst.CSTNode) -> str | None:
        """The name a plain ``name = call(...)`` binds the call's value to (not an item of a display); None else."""
        return self._direct.get(id(call))

    def _unread(self, name: str, depth: int) -> bool:
        """No read of ``name`` but as an item of displays bound to unread names (two levels are plenty)."""
        listed = [holder for holder, items in self._bound
                  for item in items if type(item) is cst.Name and item.value == name]
        grown = self._grown.get(name, 0) if self._only_new_lists(name) else 0
        if self._count(name) - grown != len(listed):
            return False
        return depth < 2 and all(self._unread(holder, depth + 1) for holder in listed)

    def _only_new_lists(self, name: str) -> bool:
        """Whether every binding of ``name`` in the text is a plain ``name = [...]`` (or ``list()``): its
        ``append()`` statements then grow a list no other name holds.  One bound any other way (``hooks =
        settings["callbacks"]``, ``extra = hooks``, ``a = b = []``, a keyword ``hooks=``) may be a list read under
        another name: its growth counts as reads."""
        fresh = self._fresh.get(name, 0)
        if not fresh:
            return False
        bindings = len(re.findall(rf"(?<![\w.]){re.escape(name)}\s*=(?![=])", self._text))
        return bindings == fresh

    def _count(self, name: str) -> int:
        if name not in self._reads:
            # (not followed by "=" alone: a binding or a keyword; f"{name=}" and name == x are reads)
            self._reads[name] = len(re.findall(rf"(?<![\w.]){re.escape(name)}(?!\w)(?!\s*=(?![=}}!:]))", self._text))
        return self._reads[name]


# The list methods whose statement adds its arguments to the list (the value added is the last argument).
_LIST_GROWERS = frozenset({"append", "extend", "insert"})


def _list_growth(small: cst.BaseSmallStatement) -> tuple[str, list[cst.BaseExpression]] | None:
    """``xs.append(v)``, ``xs.insert(0, v)``, ``xs.extend([a, b])`` as a statement: the list's name and the values
    it adds."""
    if type(small) is not cst.Expr or type(small.value) is not cst.Call:
        return None
    call = small.value
    func = call.func
    if type(func) is not cst.Attribute or type(func.value) is not cst.Name or func.attr.value not in _LIST_GROWERS or \
            not call.args or any(arg.star or arg.keyword is not None for arg in call.args):
        return None
    added = call.args[-1].value
    if func.attr.value == "extend":
        if type(added) not in (cst.List, cst.Tuple):
            return None
        return func.value.value, [element.value for element in added.elements]  # type: ignore[attr-defined]
    return func.value.value, [added]


def _small_statements(statements: Sequence[cst.BaseStatement]) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement among ``statements`` and in the blocks inside them (functions, branches, loops, try; not
    classes: a class attribute is read as Cls.name or self.name, which the text count leaves out)."""
    for statement in statements:
        kind = type(statement)
        if kind is cst.SimpleStatementLine:
            yield from statement.body
            continue
        if kind is cst.ClassDef:
            continue  # (a class attribute is read as Cls.name or self.name, which the text count leaves out)
        suites = [getattr(statement, "body", None)]
        orelse = getattr(statement, "orelse", None)
        if type(orelse) is cst.If:
            yield from _small_statements([orelse])  # elif
        elif orelse is not None:
            suites.append(orelse.body)
        suites += [handler.body for handler in getattr(statement, "handlers", ())]
        final = getattr(statement, "finalbody", None)
        if final is not None:
            suites.append(final.body)
        for suite in suites:
            if type(suite) is cst.IndentedBlock:
                yield from _small_statements(suite.body)
            elif type(suite) is cst.SimpleStatementSuite:
                yield from suite.body
