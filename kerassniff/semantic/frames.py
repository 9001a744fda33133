"""The interpreter's scopes and frames, and how control leaves a statement."""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerassniff.semantic.values import Value


class Scope:
    __slots__ = ("vars", "parent", "global_names")

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.vars: dict[str, Value] = {}
        self.parent = parent
        self.global_names: set[str] = set()

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def owner(self, name: str) -> "Scope | None":
        """The scope that binds ``name``."""
        scope: Scope | None = self
        while scope is not None and name not in scope.vars:
            scope = scope.parent
        return scope

    def root(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def bind(self, name: str, value: Value) -> None:
        target = self.root() if name in self.global_names else self
        target.vars[name] = value


@dataclass
class Frame:
    scope: Scope
    returns: list[Value] = field(default_factory=list)
    self_value: Value | None = None
    open_loops: int = 0  # loops of this frame, interpreted once for all their iterations, around the code now
    # names the bodies of those loops assign: they may differ from one iteration to the next
    loop_assigned: frozenset[str] = frozenset()


# How control leaves a statement: None (falls through to the next), or one of these.  Code after a
# statement that leaves is unreachable and is not interpreted.
Flow = "str | None"
EXIT = "exit"  # return, raise, sys.exit(): the function (or the script) ends here
BREAK = "break"
CONTINUE = "continue"
FLOW_RANK = {CONTINUE: 0, BREAK: 1, EXIT: 2}


def weakest(flows: list[Flow]) -> Flow:
    """How control leaves a statement with several ways through: None when any falls through."""
    if any(flow is None for flow in flows):
        return None
    return min(flows, key=lambda flow: FLOW_RANK[flow])  # type: ignore[index]


class _Assigned(cst.CSTVisitor):
    """The names a block binds or changes (``x = ...``, ``x += 1``, ``for x in``, ``x[i] = ...``,
    ``self.n = ...`` changes ``self``), not looking into nested functions and classes."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _target(self, node: cst.BaseExpression) -> None:
        while isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        if isinstance(node, cst.Name):
            self.names.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._target(node.name)  # type: ignore[arg-type]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False


def assigned_names(block: cst.CSTNode) -> frozenset[str]:
    visitor = _Assigned()
    block.visit(visitor)
    return frozenset(visitor.names)


def read_names(node: cst.CSTNode) -> set[str]:
    """The names an expression reads (``args.mode == x`` reads ``args`` and ``x``)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            names.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        else:
            stack.extend(current.children)
    return names


def dotted(node: cst.BaseExpression | None) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def by_type(table: dict, value: object):
    """The entry of a table keyed by class for ``value``'s class or its nearest base class; None if none."""
    found = table.get(type(value))
    if found is None:
        for cls in type(value).__mro__[1:]:
            found = table.get(cls)
            if found is not None:
                break
    return found
