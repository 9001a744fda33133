"""The interpreter's scopes and frames, and how control leaves a statement."""
from __future__ import annotations

from dataclasses import dataclass, field

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
