"""Source positions, computed only for the nodes that need them.

LibCST's ``PositionProvider`` records a range for every node of a module, and
through ``MetadataWrapper`` that costs about twice as much as parsing.  A file
needs positions for a handful of nodes: the ones findings are reported on and
the ones their messages mention ("the softmax output (line 14)").  So:

* :class:`NodePositions` renders only the statements that hold the wanted nodes
  (the innermost one in a block, else the module-level one), placed where their
  code stands in the text, recording ranges only for the wanted nodes and what
  their ranges are taken from (the ranges are identical to ``PositionProvider``'s,
  see the tests); the whole module only when that cannot be done safely.  The
  interpreter tells which module-level statement holds each call and name it
  recorded, so those are not looked for.
* The engine asks (:meth:`NodePositions.want`) for every node a file's findings
  point at or mention before it asks for any position, so one pass finds them all.
"""
from __future__ import annotations

import ast
from collections.abc import Sequence
from contextlib import nullcontext

import libcst as cst
from libcst.metadata import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from kerassniff.semantic.syntax import code_children

_NULL_CONTEXT = nullcontext()


class _Ranges:
    """Stands in for the metadata provider the codegen state writes into."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


# Wanted nodes whose range needs no range below them: an expression, a small statement (but ``from m import (a,
# b)``) or a part of one never takes its range from a child (statements, blocks and the import do:
# ``end_node=self.body``, ``end_node=names[-1]``), so below them only the wanted nodes are recorded.  Any other node
# records every node below it, as LibCST's provider does.
_NO_HOISTING = (cst.BaseExpression, cst.BaseSmallStatement, cst.Arg, cst.Param, cst.Parameters, cst.Index, cst.Slice,
                cst.SubscriptElement, cst.BaseElement, cst.BaseDictElement, cst.CompFor, cst.CompIf,
                cst.ComparisonTarget, cst.ImportAlias, cst.AsName, cst.Decorator, cst.WithItem)
_HOISTING_SMALL = tuple(kind for kind in (cst.ImportFrom, getattr(cst, "LazyImportFrom", None)) if kind is not None)


def _flat(node: cst.CSTNode) -> bool:
    return isinstance(node, _NO_HOISTING) and not isinstance(node, _HOISTING_SMALL)


class _TargetedState(PositionProvidingCodegenState):
    """Tracks line/column for every token but records ranges only for the wanted nodes (and, below a wanted
    statement or block, for every node: a statement's range ends where its body's does)."""

    def __init__(self, wanted: set[cst.CSTNode], **kwargs) -> None:
        super().__init__(**kwargs)
        self.wanted = {id(node) for node in wanted}
        self.inside = 0  # nodes being recorded, open now
        self.flat = 0  # wanted nodes of a _NO_HOISTING kind open now: below them only wanted nodes are recorded

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self.inside += 1
            if _flat(node):
                self.flat += 1
            self._stack.append(CodePosition(self.line, self.column))
        elif self.inside and not self.flat:
            self.inside += 1
            self._stack.append(CodePosition(self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            if _flat(node):
                self.flat -= 1
        elif not self.inside or self.flat:
            return
        start = self._stack.pop()
        computed = self.provider._computed
        if node not in computed:
            computed[node] = CodeRange(start, CodePosition(self.line, self.column))
        self.inside -= 1

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if id(node) in self.wanted or (self.inside and not self.flat):
            return super().record_syntactic_position(node, start_node=start_node, end_node=end_node)
        return _NULL_CONTEXT


# Statement types, matched by type (LibCST's base classes are ABCs, whose isinstance is a Python call per node).
_STATEMENTS = frozenset({cst.SimpleStatementLine, cst.If, cst.Else, cst.For, cst.While, cst.With, cst.Try,
                         cst.ExceptHandler, cst.Finally, cst.FunctionDef, cst.ClassDef, cst.Match, cst.MatchCase,
                         *(kind for kind in (getattr(cst, "TryStar", None), getattr(cst, "ExceptStarHandler", None))
                           if kind is not None)})


class _StartsState(_TargetedState):
    """A :class:`_TargetedState` that also notes the line where each statement's rendering begins (its leading
    lines included) and the indentation it is rendered with, by the statement's id: a whole compound statement
    rendered once tells where every line of its blocks is, so a node asked for later in it renders one nested
    statement from there."""

    def __init__(self, wanted: set[cst.CSTNode], **kwargs) -> None:
        super().__init__(wanted, **kwargs)
        self.starts: dict[int, tuple[int, tuple[str, ...]]] = {}  # id(statement) -> (line, indentation)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _STATEMENTS:
            self.starts[id(node)] = (self.line, tuple(self.indent_tokens))
        super().before_codegen(node)


# How many code nodes of a statement its shape reads (:func:`_shape`).
_SHAPE_NODES = 8


def _shape(statement: cst.CSTNode) -> tuple:
    """The kinds and the names, words and numbers of a statement's first code nodes, breadth first: two statements
    LibCST finds deep-equal have the same shape, and most statements that differ differ in it, at a fraction of the
    cost of comparing them node by node (``deep_equals`` reads every field of both)."""
    shape: list = []
    queue = [statement]
    for node in queue:  # (the queue grows as it is read: breadth first)
        value = getattr(node, "value", None)
        shape.append(value if type(value) is str else type(node))
        if len(shape) == _SHAPE_NODES:
            break
        queue.extend(code_children(node))
    return tuple(shape)


class NodePositions:
    """Positions of the nodes of one module, computed on demand and in batches.

    Only the statements that hold the wanted nodes are rendered: the innermost one in a block
    (:meth:`_render_nested`), else the module-level one (:class:`_Statements` finds it), each placed where its code
    stands in the text (:meth:`locate` gives it) or, when that code occurs twice, at the line CPython's ``ast``
    gives a module-level statement, or a whole render noted for a nested one; when anything does not add up the
    whole module is rendered.
    """

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.known: dict[cst.CSTNode, CodeRange] = {}
        self.absent: set[cst.CSTNode] = set()  # asked for, not in this module
        self.pending: set[cst.CSTNode] = set()
        self._statements = _Statements(module.body)
        self._text: str | None = None
        self._searched: str | None = None  # the text, ending with a newline (see locate)
        self._starts: list[int] | None | bool = False  # False: not computed yet; None: not available
        # id(statement in a block) -> the line its rendering begins at and its indentation, noted when a whole
        # compound statement was rendered (its nested statements' code repeats in the text): later nodes in it
        # render one statement
        self._nested_starts: dict[int, tuple[int, tuple[str, ...]]] = {}
        self._holder_walks: dict[int, _NestedHolders] = {}  # id(module-level statement) -> its walk so far
        self._shapes: dict[int, tuple] = {}  # id(module-level statement) -> its shape (_shape), found as asked
        self._holders: dict[int, int] = {}  # id(node) -> the module-level statement that holds it, as positioned

    def locate(self, text: str | None) -> None:
        """The source text the module was parsed from: statements rendered alone are found in it."""
        self._text = text
        # A statement rendered alone ends its last line; the text's last line may have no newline (LibCST's module
        # drops it): searched with one, the last statement is found, and a last line repeating an earlier one is
        # seen as repeated, not placed at the earlier one.
        self._searched = text if text is None or text.endswith(("\n", "\r")) else text + "\n"

    def know(self, statements: dict[int, int]) -> None:
        """Which module-level statement holds some nodes (id -> index), as the interpreter recorded it: those
        are not looked for.  A wrong index costs time, never a wrong position (the node is then not found in
        that statement's rendering, and the whole module is rendered)."""
        self._statements.know(statements)

    def holder(self, node: cst.CSTNode) -> int | None:
        """The index of the module-level statement that holds a node whose position was found (None when it was not
        asked for, or was found by rendering the whole module)."""
        return self._holders.get(id(node))

    def want(self, node: cst.CSTNode) -> None:
        if node not in self.known and node not in self.absent:
            self.pending.add(node)

    def get(self, node: cst.CSTNode) -> CodeRange | None:
        if node in self.known:
            return self.known[node]
        if node in self.absent:
            return None
        self.pending.add(node)
        self._compute()
        return self.known.get(node)

    def _compute(self) -> None:
        if not self._compute_statements():
            ranges = _Ranges()
            state = _TargetedState(set(self.pending), default_indent=self.module.default_indent,
                                   default_newline=self.module.default_newline, provider=ranges)
            self.module._codegen(state)
            self.known.update(ranges._computed)
            self.absent.update(node for node in self.pending if node not in ranges._computed)
        self.pending.clear()

    def _compute_statements(self) -> bool:
        """Render only the statements that hold the pending nodes; False when that cannot be done safely."""
        if self._text is None:
            return False
        holding = self._statements.holding(self.pending)
        if holding is None:
            return False
        self._holders.update(holding)
        groups: dict[int, set[cst.CSTNode]] = {}
        for node in self.pending:
            groups.setdefault(holding[id(node)], set()).add(node)
        found: dict[cst.CSTNode, CodeRange] = {}
        body = self.module.body
        for index, nodes in groups.items():
            if index >= len(body):
                return False
            ranges = self._render_nested(body[index], nodes)
            if ranges is None:
                ranges = self._render_found(body[index], nodes)
            if ranges is None:
                ranges = self._render_at_start(index, nodes)
            if ranges is None:
                return False
            found.update(ranges)
        if any(node not in found for node in self.pending):
            return False
        self.known.update(found)
        return True

    def _render_nested(self, statement: cst.CSTNode, nodes: set[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange] | None:
        """Ranges within the statements nested in a module-level one (a line of a function's body) that hold the
        nodes, each rendered alone with the indentation of the blocks around it and placed where its code stands
        in the text (or, when that code repeats, at the line a whole render of the module-level statement noted
        for it): a finding in a long function renders one line of it, not the whole function.  None when a node is
        in the module-level statement's own line (a header, a decorator) or a nested statement's code is absent or
        repeated in the text and no start was noted (the caller then renders the whole module-level statement)."""
        if type(statement) is cst.SimpleStatementLine:
            return None  # one line: nothing nested to render instead
        walk = self._holder_walks.get(id(statement))
        if walk is None:
            walk = self._holder_walks[id(statement)] = _NestedHolders(statement, self.module.default_indent)
        holders = walk.holders(nodes)
        if holders is None:
            return None
        found: dict[cst.CSTNode, CodeRange] = {}
        for holder, indents, held in holders.values():
            ranges = self._render_found(holder, held, indents)
            if ranges is None:
                start = self._nested_starts.get(id(holder))
                if start is None:
                    return None
                line, noted_indents = start  # the indentation the whole render gave it (a match adds its own)
                ranges = self._render(holder, held, line=line, indents=noted_indents)[0]._computed
            found.update(ranges)
        return found

    def _render_found(self, statement: cst.CSTNode, nodes: set[cst.CSTNode],
                      indents: tuple[str, ...] = ()) -> dict[cst.CSTNode, CodeRange] | None:
        """Ranges within a statement rendered alone (with ``indents``, the indentation of the blocks around it),
        placed where its code stands in the text.

        LibCST renders a module back to its exact text, so a statement's rendering (its leading comments and
        blank lines included) is a piece of the text starting a line; when it occurs exactly once (or once per
        module-level statement equal to it: :meth:`_among_equal_statements`), its first line is the number of
        newlines before it plus one.  None when the text is unknown or the piece is absent or repeated otherwise
        (the caller then asks CPython's ``ast`` where statements start)."""
        text = self._searched
        if text is None or "\r" in text:  # lines ended by a lone CR count differently: let ast say
            return None
        ranges, state = self._render(statement, nodes, line=1, indents=indents)
        code = "".join(state.tokens)
        at = text.find(code)
        if at < 0 or (at and text[at - 1] != "\n"):
            return None
        if text.find(code, at + 1) >= 0:
            at = self._among_equal_statements(statement, code, text) if not indents else None
            if at is None:
                return None
        shift = text.count("\n", 0, at)
        self._note_starts(state, shift)
        return {node: CodeRange(CodePosition(r.start.line + shift, r.start.column),
                                CodePosition(r.end.line + shift, r.end.column))
                for node, r in ranges._computed.items()}

    def _among_equal_statements(self, statement: cst.CSTNode, code: str, text: str) -> int | None:
        """Where a module-level statement whose code occurs more than once starts (``model.summary()`` in two cells):
        the module's statements equal to it (same code, comments and blank lines included) render to that code
        each, in order; when the text holds exactly as many occurrences of it at line starts, the statement's
        rank among them is its occurrence.  None when the counts differ (the code also occurs inside a string or
        another statement: the caller asks ``ast``)."""
        shape = self._shape_of(statement)
        equal = [other for other in self.module.body if type(other) is type(statement) and
                 (other is statement or (self._shape_of(other) == shape and other.deep_equals(statement)))]
        rank = next((index for index, other in enumerate(equal) if other is statement), None)
        occurrences = []
        at = text.find(code)
        while at >= 0:
            if at == 0 or text[at - 1] == "\n":
                occurrences.append(at)
                if len(occurrences) > len(equal):
                    return None
            at = text.find(code, at + 1)
        return occurrences[rank] if rank is not None and len(occurrences) == len(equal) else None

    def _shape_of(self, statement: cst.CSTNode) -> tuple:
        shape = self._shapes.get(id(statement))
        if shape is None:
            shape = self._shapes[id(statement)] = _shape(statement)
        return shape

    def _render_at_start(self, index: int, nodes: set[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange] | None:
        """Ranges within module-level statement ``index``, rendered from the line ``ast`` says it starts at."""
        starts = self._statement_starts()
        if starts is None:
            return None
        ranges, state = self._render(self.module.body[index], nodes, line=starts[index])
        if state.line != starts[index + 1]:
            return None  # the statement did not end where the next one starts: trust nothing
        self._note_starts(state, 0)
        return ranges._computed

    def _note_starts(self, state: _TargetedState, shift: int) -> None:
        """Keep where a whole compound statement's nested statements begin, once it is placed."""
        if type(state) is _StartsState:
            nested = self._nested_starts
            for key, (line, indents) in state.starts.items():
                nested[key] = (line + shift, indents)

    def _render(self, statement: cst.CSTNode, nodes: set[cst.CSTNode], line: int,
                indents: tuple[str, ...] = ()) -> tuple[_Ranges, _TargetedState]:
        """One statement rendered from ``line`` (with the indentation of the blocks around it), recording the
        ranges of ``nodes`` and inside them."""
        ranges = _Ranges()
        # a module-level compound statement rendered whole notes where its nested statements begin
        kind = _StartsState if not indents and type(statement) in _STATEMENTS \
            and type(statement) is not cst.SimpleStatementLine else _TargetedState
        state = kind(nodes, default_indent=self.module.default_indent,
                     default_newline=self.module.default_newline, provider=ranges)
        state.line = line
        state.indent_tokens = list(indents)
        statement._codegen(state)
        return ranges, state

    def _statement_starts(self) -> list[int] | None:
        """The line where each module-level statement's rendering begins (leading comments included), and
        one past the last statement's end; from CPython's ``ast`` (far cheaper than rendering). None when
        the text is not known or ``ast`` and LibCST disagree on the statements."""
        if self._starts is False:
            self._starts = _statement_starts(self.module, self._text) if self._text is not None else None
        return self._starts  # type: ignore[return-value]


class _Statements:
    """Which module-level statement holds a node: the statements' code is walked in source order only as far as
    the nodes asked for (a finding near the top of a file walks little of it), and the walk is resumed, not
    repeated, when more nodes are asked for."""

    def __init__(self, body: Sequence[cst.CSTNode]) -> None:
        self._body = body
        self._next = 0  # the next statement to walk
        self._stack: list[cst.CSTNode] = []  # what is left to walk of statement self._next - 1
        self._index_of: dict[int, int] = {}  # id(node) -> index of its module-level statement, for nodes walked

    def know(self, statements: dict[int, int]) -> None:
        """Statements already known for some nodes (they are not looked for)."""
        self._index_of.update(statements)

    def holding(self, nodes: set[cst.CSTNode]) -> dict[int, int] | None:
        """id(node) -> index of the statement that holds it, for each of ``nodes``; None when one is in no
        statement's code (a helper module's node, or punctuation)."""
        index_of, stack = self._index_of, self._stack
        missing = {id(node) for node in nodes if id(node) not in index_of}
        while missing:
            if not stack:
                if self._next == len(self._body):
                    return None
                stack.append(self._body[self._next])
                self._next += 1
            node = stack.pop()
            key = id(node)
            index_of[key] = self._next - 1
            missing.discard(key)
            children = code_children(node)
            children.reverse()  # the first child is walked first: the walk goes in source order
            stack.extend(children)
        return index_of


class _NestedHolders:
    """For a module-level statement: the innermost statement of an indented block in it that holds each node
    asked for, with the indentation its lines start with (the blocks' indents, outermost first).  The statement
    is walked only as far as the nodes asked for, and the walk is resumed, not repeated, when more are asked
    (a tool asking for the layers of a 400-line function one by one walks it once)."""

    def __init__(self, statement: cst.CSTNode, default_indent: str) -> None:
        self._default_indent = default_indent
        self._stack: list[tuple[cst.CSTNode, cst.CSTNode | None, tuple[str, ...]]] = [(statement, None, ())]
        self._seen: dict[int, tuple[cst.CSTNode, cst.CSTNode | None, tuple[str, ...]]] = {}  # id(node) -> walked

    def holders(self, nodes: set[cst.CSTNode],
                ) -> dict[int, tuple[cst.CSTNode, tuple[str, ...], set[cst.CSTNode]]] | None:
        """The holders of ``nodes`` by their id: each with its indentation and the nodes it holds; None when a
        node is not in a nested statement (a header, a decorator) or not in the statement at all."""
        seen, stack = self._seen, self._stack
        missing = {id(node) for node in nodes if id(node) not in seen}
        while stack and missing:
            entry = stack.pop()
            node, holder, indents = entry
            seen[id(node)] = entry
            missing.discard(id(node))
            if type(node) is cst.IndentedBlock:
                inner = (*indents, self._default_indent if node.indent is None else node.indent)
                stack.extend((child, child, inner) for child in node.body)
            else:
                stack.extend((child, holder, indents) for child in code_children(node))
        if missing:
            return None
        holders: dict[int, tuple[cst.CSTNode, tuple[str, ...], set[cst.CSTNode]]] = {}
        for node in nodes:
            _, holder, indents = seen[id(node)]
            if holder is None:
                return None
            holders.setdefault(id(holder), (holder, indents, set()))[2].add(node)
        return holders


def _statement_starts(module: cst.Module, text: str) -> list[int] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    statements = tree.body
    starts: list[int] = []
    position = 0
    for statement in module.body:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if position + count > len(statements):
            return None
        starts.append(_first_line(statement, statements[position]))
        position += count
    if position != len(statements):
        return None
    end = _end_line(module, statements)
    if end is None:
        return None
    starts.append(end)
    return starts


def _first_line(statement: cst.CSTNode, first: ast.stmt) -> int:
    """The line LibCST's rendering of ``statement`` starts at: ``ast``'s first line (decorators included),
    less the blank and comment lines LibCST counts as part of the statement."""
    line = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", ())])
    lead = len(statement.leading_lines)  # type: ignore[attr-defined]
    decorators = getattr(statement, "decorators", ())
    if decorators:
        lead += len(decorators[0].leading_lines)
    return line - lead


def _end_line(module: cst.Module, statements: list) -> int | None:
    """The line after the module's last statement; None when the last line has no newline."""
    if not module.body:
        return 1
    if isinstance(module.body[-1], cst.SimpleStatementLine) and not module.has_trailing_newline:
        return None  # the last line has no newline: its end line is not a new line
    return max(getattr(s, "end_lineno", 0) or 0 for s in statements[-1:]) + 1
