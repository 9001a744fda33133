"""Lists filled class by class: labels appended by a loop over class folders, or one constant per loop.

``for i, name in enumerate(classes): for f in os.listdir(os.path.join(root, name)): y.append(i)`` appends one run
of ``i`` per class folder, and ``for f in cats: y.append(0)`` then ``for f in dogs: y.append(1)`` a run of 0s and
then a run of 1s: ``np.array(y)`` is then in class blocks, as ``np.concatenate([np.zeros(n), np.ones(m)])`` is (and
``fit(validation_split=)``, which validates on the last rows, sees the last classes only: KS209).

The interpreter reads a loop body once for all its iterations, so which items vary from one iteration to the next
is read from the loops' code here: the names the loop over classes binds (``i``, ``name``) and those computed from
them are the same for every file of a class; the names an inner loop binds (``f``) and those computed from them
vary.  An append of a per-class value inside a loop over a per-class folder listing
(:data:`~kerassniff.semantic.knowledge.datasets.FOLDER_LISTINGS`) fills one block per class.  When this cannot be
told (the label read from the file name, a loop around the loop over classes, anything else appended to the list)
the list has no known order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from kerassniff.semantic.knowledge.datasets import FOLDER_LISTING_METHODS, FOLDER_LISTINGS
from kerassniff.semantic.loops import LoopContext
from kerassniff.semantic.dataflow import RangeValue
from kerassniff.semantic.pyvalues import Block, Const, DictValue, FolderListing, Seq, Value, ZipValue
from kerassniff.semantic.syntax import names_read, walk_code

FOLDER = "folder"  # a Block's value for a run of one class folder (the class is not a constant)
MAX_BLOCKS = 16  # more runs than this: the order is not followed


def grown_blocks(current: tuple[Block, ...], fresh: bool, block: Block | None) -> tuple[Block, ...]:
    """The runs of a list after one more append: ``fresh`` when the list was empty, ``block`` the run this append
    belongs to (None: not one of a run, and the list's order is no longer known)."""
    if block is None or not (fresh or current):
        return ()
    if not fresh and current[-1] == block:
        return current
    runs = (block,) if fresh else (*current, block)
    return runs if len(runs) <= MAX_BLOCKS else ()


def merged_blocks(a: tuple[Block, ...], b: tuple[Block, ...], a_empty: bool, b_empty: bool) -> tuple[Block, ...]:
    """The runs of a list after an if/else that grew it in one branch (``if img is not None: y.append(i)``): the
    longer when it continues the other (an empty list continues into any)."""
    if a == b:
        return a
    if b_empty or a[:len(b)] == b and b:
        return a
    if a_empty or b[:len(a)] == a and a:
        return b
    return ()


def block_order(blocks: tuple[Block, ...]) -> tuple[str, cst.CSTNode] | None:
    """How a list of these runs is ordered ("by-folder", "by-class") and the code that shows it, if it is in class
    blocks: one loop over class folders, or at least two runs of distinct constants from distinct loops."""
    if not blocks:
        return None
    if all(block.value == FOLDER for block in blocks):
        return ("by-folder", blocks[0].node) if len(blocks) == 1 else None
    if any(block.value == FOLDER for block in blocks) or len(blocks) < 2:
        return None
    places = {(block.loop, block.rounds) for block in blocks}
    values = {block.value for block in blocks}
    if len(places) != len(blocks) or len(values) != len(blocks):
        return None  # a loop that appends two constants in turn, or a class in two runs: not class blocks
    return "by-class", blocks[-1].node


def constant_run(loops: list[LoopContext], value: Value, node: cst.CSTNode) -> Block | None:
    """The run an append of ``value`` makes when it is a constant appended on each pass of one loop (``loops``: the
    frame's loops around the append, innermost first), the loops around it unrolled (each of their passes known)."""
    if not isinstance(value, Const) or not isinstance(value.value, (int, float, str, tuple)) or not loops:
        return None
    innermost = loops[0]
    if innermost.unrolled or type(innermost.node) is not cst.For or any(not loop.unrolled for loop in loops[1:]):
        return None
    return Block(innermost.node, tuple(loop.round for loop in loops[1:]), value.value, node)


class FolderLoops:
    """Reads loops over class folders: which names are per class, which vary per file (one reading per loop)."""

    def __init__(self) -> None:
        self._facts: dict[int, _LoopFacts] = {}

    def folder_run(self, loops: list[LoopContext], appended: cst.BaseExpression | None,
                   canonical: Callable[[cst.BaseExpression], str | None],
                   lookup: Callable[[str], Value | None] = lambda name: None) -> Block | None:
        """The run an append of ``appended`` makes when it is a per-class value appended inside a loop over that
        class's folder listing, in the outermost loop of the frame (``loops``: innermost first)."""
        if appended is None or len(loops) < 2 or type(loops[-1].node) is not cst.For:
            return None
        outer: cst.For = loops[-1].node  # type: ignore[assignment]
        if not _over_classes(loops[-1], canonical, lookup):
            return None
        facts = self._facts.get(id(outer))
        if facts is None:
            facts = self._facts[id(outer)] = _LoopFacts.of(outer, canonical)
        read = names_read(appended)
        if read & facts.varying or not read & facts.per_class or read & facts.mapped \
                or not _one_to_one(appended, facts.per_class, canonical):
            return None
        if not any(type(loop.node) is cst.For and not loop.unrolled and facts.lists_folder(loop.node.iter, canonical)
                   for loop in loops[:-1]):
            return None
        return Block(outer, (), FOLDER, outer.iter)


@dataclass
class _Binding:
    names: tuple[str, ...]
    read: set[str]  # the names its value and the conditions around it read
    inner: bool  # inside a loop nested in the loop over classes
    counter: bool = False  # ``n += 1``: a new value on each pass
    lists: bool = False  # its value lists a folder
    value: cst.BaseExpression | None = None


@dataclass
class _LoopFacts:
    """Of one loop over classes: the names that hold one value per class (its targets, and what is computed from
    them only), the names that vary within a class (an inner loop's targets, and what is computed from them), and
    the per-class names that hold a folder listing."""

    per_class: set[str]
    varying: set[str]
    listing: set[str] = field(default_factory=set)
    mapped: set[str] = field(default_factory=set)  # per-class names that several classes may share

    @classmethod
    def of(cls, loop: cst.For, canonical: Callable[[cst.BaseExpression], str | None]) -> "_LoopFacts":
        bindings: list[_Binding] = []
        varying: set[str] = set()
        _collect(_suite(loop.body), bindings, varying, False, frozenset(), canonical)
        _spread(varying, [b for b in bindings if b.inner], lambda b: b.counter or bool(b.read & varying))
        targets = _bound(loop.target)
        per_class = _per_class(targets, bindings, varying)
        # a name an inner loop sets to something not computed from the class (``label = 0`` for some files)
        unsure = {name for b in bindings if b.inner and not b.read & per_class for name in b.names}
        if unsure & per_class:
            per_class = _per_class(targets, bindings, varying | unsure)
        listing = {name for b in bindings if b.lists for name in b.names if name in per_class}
        # a folder's label looked up in a table or tested (``labels_of[name]``, ``name in positives``) may be shared
        # by several folders (patients, recording sessions): the folders are then not classes
        mapped = {name for b in bindings if b.value is not None and not _one_to_one(b.value, per_class, canonical)
                  for name in b.names if name in per_class}
        _spread(mapped, [b for b in bindings if set(b.names) <= per_class], lambda b: bool(b.read & mapped))
        return cls(per_class, varying, listing, mapped)

    def lists_folder(self, iterable: cst.BaseExpression, canonical: Callable[[cst.BaseExpression], str | None]) -> bool:
        """Whether a loop over ``iterable`` walks one class's folder: a listing of a per-class path, or a per-class
        name that holds one."""
        read = names_read(iterable)
        if read & self.listing:
            return True
        return bool(read & self.per_class) and _lists(iterable, canonical)


def _spread(names: set[str], bindings: list[_Binding], adds: Callable[[_Binding], bool]) -> None:
    """Grow ``names`` with the names of every binding that ``adds`` accepts, until none is added."""
    changed = True
    while changed:
        changed = False
        for binding in bindings:
            if not set(binding.names) <= names and adds(binding):
                names.update(binding.names)
                changed = True


def _per_class(targets: set[str], bindings: list[_Binding], excluded: set[str]) -> set[str]:
    """The loop's targets and the names computed from them only (a counter stepped once per class is one too)."""
    per_class = set(targets) - excluded
    candidates = [b for b in bindings if not set(b.names) & excluded]
    _spread(per_class, candidates, lambda b: bool(b.read & per_class) or (b.counter and not b.inner))
    return per_class


def _suite(body: cst.CSTNode | None) -> list[cst.CSTNode]:
    """The statements of a block (an indented block, a one-line suite, an else or finally, an elif)."""
    if body is None:
        return []
    kind = type(body)
    if kind is cst.IndentedBlock:
        return list(body.body)  # type: ignore[attr-defined]
    if kind in (cst.Else, cst.Finally):
        return _suite(body.body)  # type: ignore[attr-defined]
    return [body]  # a SimpleStatementSuite, or an If (elif)


def _collect(statements: list[cst.CSTNode], bindings: list[_Binding], varying: set[str], inner: bool,
             conditions: frozenset[str], canonical: Callable[[cst.BaseExpression], str | None]) -> None:
    """The bindings of a loop body's statements, in order, not looking into nested functions and classes: inside a
    loop nested in the loop over classes (``inner``), what is bound may change from one file to the next."""
    for statement in statements:
        kind = type(statement)
        if kind in (cst.SimpleStatementLine, cst.SimpleStatementSuite):
            for small in statement.body:  # type: ignore[attr-defined]
                _collect_small(small, bindings, inner, conditions, canonical)
        elif kind is cst.If:
            read = conditions | names_read(statement.test) if inner else conditions  # type: ignore[attr-defined]
            _collect(_suite(statement.body), bindings, varying, inner, read, canonical)  # type: ignore[attr-defined]
            _collect(_suite(statement.orelse), bindings, varying, inner, read, canonical)  # type: ignore[attr-defined]
        elif kind in (cst.For, cst.While):
            if kind is cst.For:
                varying |= _bound(statement.target)  # type: ignore[attr-defined]
                read = conditions
            else:
                read = conditions | names_read(statement.test)  # type: ignore[attr-defined]
            _collect(_suite(statement.body), bindings, varying, True, read, canonical)  # type: ignore[attr-defined]
            _collect(_suite(statement.orelse), bindings, varying, True, read, canonical)  # type: ignore[attr-defined]
        elif kind is cst.With:
            for item in statement.items:  # type: ignore[attr-defined]
                if item.asname is not None:
                    names = tuple(_bound(item.asname.name))
                    bindings.append(_Binding(names, names_read(item.item) | conditions, inner))
            _collect(_suite(statement.body), bindings, varying, inner, conditions, canonical)  # type: ignore
        elif kind is cst.Try:
            parts = [statement.body, *(h.body for h in statement.handlers),  # type: ignore[attr-defined]
                     statement.orelse, statement.finalbody]  # type: ignore[attr-defined]
            for part in parts:
                _collect(_suite(part), bindings, varying, inner, conditions, canonical)
            for handler in statement.handlers:  # type: ignore[attr-defined]
                if handler.name is not None:
                    varying |= _bound(handler.name.name)
        else:  # a nested function or class, match, async for: every name in it is taken to vary
            varying |= {node.value for node in walk_code(statement) if type(node) is cst.Name}  # type: ignore


def _collect_small(small: cst.BaseSmallStatement, bindings: list[_Binding], inner: bool, conditions: frozenset[str],
                   canonical: Callable[[cst.BaseExpression], str | None]) -> None:
    kind = type(small)
    if kind is cst.Assign:
        names = tuple(name for target in small.targets for name in _bound(target.target))  # type: ignore
        value = small.value  # type: ignore[attr-defined]
    elif kind is cst.AnnAssign and small.value is not None:  # type: ignore[attr-defined]
        names, value = tuple(_bound(small.target)), small.value  # type: ignore[attr-defined]
    elif kind is cst.AugAssign:
        names = tuple(_bound(small.target))  # type: ignore[attr-defined]
        read = names_read(small.value) | set(names) | conditions  # type: ignore[attr-defined]
        bindings.append(_Binding(names, read, inner, counter=True))
        return
    else:
        return
    if names:
        bindings.append(_Binding(names, names_read(value) | conditions, inner, lists=_lists(value, canonical),
                                 value=value))


def _bound(target: cst.CSTNode) -> set[str]:
    """The names an assignment target binds (``a``, ``a, (b, c)``, ``*rest``); not ``x[i]`` nor ``obj.attr``."""
    kind = type(target)
    if kind is cst.Name:
        return {target.value}  # type: ignore[attr-defined]
    if kind in (cst.Tuple, cst.List):
        return {name for element in target.elements for name in _bound(element.value)}  # type: ignore[attr-defined]
    if kind is cst.StarredElement:
        return _bound(target.value)  # type: ignore[attr-defined]
    return set()


def _lists(expression: cst.BaseExpression, canonical: Callable[[cst.BaseExpression], str | None]) -> bool:
    """Whether an expression calls a folder listing (``os.listdir(p)``, ``glob(p + "/*.png")``, ``p.iterdir()``)."""
    for node in walk_code(expression):
        if type(node) is cst.Call:
            func = node.func  # type: ignore[attr-defined]
            name = canonical(func)
            if name in FOLDER_LISTINGS:
                return True
            if name is None and type(func) is cst.Attribute and func.attr.value in FOLDER_LISTING_METHODS:
                return True
    return False


# Calls that give each value its own result: a position in a list, a number or string of it, a one-hot row of it.
_ONE_TO_ONE_FUNCTIONS = frozenset({"int", "str", "float", "keras.utils.to_categorical"})
_ONE_TO_ONE_METHODS = frozenset({"index", "lower", "upper", "strip", "title", "capitalize", "casefold"})


def _one_to_one(expression: cst.BaseExpression, per_class: set[str],
                canonical: Callable[[cst.BaseExpression], str | None]) -> bool:
    """Whether an expression gives each class its own value: a per-class name, its attribute (``folder.name``),
    ``classes.index(name)``, ``int(name)``, ``to_categorical(i, n)``, ``i + 1``; not a table lookup, a test or a
    function of the script's own (``labels_of[name]``, ``name in positives``, ``label_for(name)``)."""
    if not names_read(expression) & per_class:
        return True
    kind = type(expression)
    if kind is cst.Name:
        return True
    if kind is cst.Attribute:
        return _one_to_one(expression.value, per_class, canonical)  # type: ignore[attr-defined]
    if kind is cst.Call:
        func = expression.func  # type: ignore[attr-defined]
        args = [arg.value for arg in expression.args]  # type: ignore[attr-defined]
        if type(func) is cst.Attribute and func.attr.value in _ONE_TO_ONE_METHODS:
            return func.attr.value == "index" or (not args and _one_to_one(func.value, per_class, canonical))
        name = func.value if type(func) is cst.Name and canonical(func) is None else canonical(func)
        return name in _ONE_TO_ONE_FUNCTIONS and bool(args) and _one_to_one(args[0], per_class, canonical)
    if kind is cst.BinaryOperation and type(expression.operator) in (cst.Add, cst.Subtract):  # type: ignore
        left, right = expression.left, expression.right  # type: ignore[attr-defined]
        return (_one_to_one(left, per_class, canonical) and not names_read(right) & per_class) or (
            _one_to_one(right, per_class, canonical) and not names_read(left) & per_class)
    return False


def _over_classes(loop: LoopContext, canonical: Callable[[cst.BaseExpression], str | None],
                  lookup: Callable[[str], Value | None]) -> bool:
    """Whether a loop walks folders or class names, not the rows of a table: a folder listing (``os.listdir``,
    ``sorted(glob(...))``, their ``enumerate``), names written out (``["cats", "dogs"]``, a dict's keys or items),
    ``range(10)``, or ``range(len(classes))`` of such names."""
    value = loop.iterable
    if isinstance(value, ZipValue) and value.enumerate and value.parts:
        value = value.parts[0]
    if _names_of_classes(value):
        return True
    if isinstance(value, RangeValue) and value.over is None and (value.values is not None or value.count is not None):
        return True  # range(43)
    iterable = loop.node.iter  # type: ignore[attr-defined]
    if type(iterable) is cst.Call and type(iterable.func) is cst.Name and len(iterable.args) == 1:
        inner = iterable.args[0].value
        if iterable.func.value == "range" and type(inner) is cst.Call and type(inner.func) is cst.Name and \
                inner.func.value == "len" and len(inner.args) == 1 and type(inner.args[0].value) is cst.Name:
            return _names_of_classes(lookup(inner.args[0].value.value))  # range(len(classes))
    if type(iterable) is cst.Call and type(iterable.func) is cst.Attribute and not iterable.args and \
            iterable.func.attr.value in ("items", "keys") and type(iterable.func.value) is cst.Name:
        table = lookup(iterable.func.value.value)  # CLASSES.items() of a dict written out
        return isinstance(table, DictValue) and bool(table.items) and all(
            isinstance(key, Const) and isinstance(key.value, str) for key, _ in table.items)
    return _lists(iterable, canonical)  # Path(root).iterdir(), tqdm(os.listdir(root))


def _names_of_classes(value: Value | None) -> bool:
    """A folder listing, or names (or numbers) written out."""
    if isinstance(value, FolderListing):
        return True
    items = value.items if isinstance(value, Seq) else tuple(Const(v) for v in value.value) \
        if isinstance(value, Const) and isinstance(value.value, tuple) else None
    return bool(items) and all(isinstance(item, Const) and isinstance(item.value, (str, int)) for item in items)
