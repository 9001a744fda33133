"""The interpreter's scopes and frames, and how control leaves a statement.

The interpreter tests a node's concrete LibCST type with ``type(node) is cst.Name`` rather than ``isinstance``:
LibCST's node classes are ABCs, whose ``isinstance`` is a call into ``abc`` on every test of every node.
"""
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
    # the bodies of this frame's loops around the code now, each interpreted once for all its iterations: the names
    # they assign may differ from one iteration to the next
    loop_bodies: tuple[cst.BaseSuite, ...] = ()
    # a ``yield`` was met: the function is a generator, and calling it returns a generator object, not its return
    generator: bool = False
    yields: list[Value] = field(default_factory=list)  # the values its ``yield`` statements give, in order met


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
