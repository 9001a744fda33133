"""The semantic model of one script: plain data every rule reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Hashable, Iterator, NamedTuple, TypeVar

import libcst as cst
from libcst.metadata import CodeRange

from kerassniff.semantic.dataflow import Data, DataEvent
from kerassniff.semantic.keras_values import Predictions
from kerassniff.semantic.models import Model
from kerassniff.semantic.positions import NodePositions
from kerassniff.semantic.pyvalues import FolderListing, Value
from kerassniff.semantic.syntax import code_children, single_bindings
from kerassniff.semantic.unread_values import UnreadValues, results_bound_to_names
from kerassniff.semantic.training import (
    CallSite,
    CompileCall,
    FitCall,
    InferenceCall,
    Reference,
    SaveCall,
    shuffled_in_place,
)

Fact = TypeVar("Fact")


class NamedPrediction(NamedTuple):
    """A folder listing indexed by a model's class decisions (``classes[np.argmax(pred)]``)."""

    node: cst.Subscript
    listing: FolderListing
    predictions: Predictions


# What Script.enclosing_function answers for a node the build did not record.
NOT_RECORDED = object()


class ListedPrediction(NamedTuple):
    """A list of constant strings indexed by a model's class decisions (``["cat", "dog"][np.argmax(pred)]``)."""

    node: cst.Subscript
    names: tuple[str, ...]
    predictions: Predictions


class RepeatedTarget(NamedTuple):
    """A name bound twice by one unpacking (``X_train, X_train, y_train, y_test = train_test_split(X, y)``): it
    keeps the later value, and the earlier is lost."""

    name: str
    first: cst.Name  # the occurrence whose value is lost
    last: cst.Name  # the occurrence whose value the name keeps
    lost: Value
    kept: Value


class AttributeRead(NamedTuple):
    """An attribute read of a library's object (``optimizer.lr``, ``layer.output_shape``): which attributes the
    object has is the library's business, so the rules' tables judge it."""

    node: cst.Attribute
    value: Value  # the object read (an Instance, a layer)
    attribute: str
    guarded: bool  # every interpretation of the read was guarded (hasattr, try/except AttributeError)
    top: int | None  # the module-level statement that holds it (None: in a helper module)


@dataclass(eq=False)
class Script:
    path: str
    module: cst.Module
    models: list[Model] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> raw dotted name
    # ids of the nodes that name a module or a name in an import statement (a Reference's node is there when the
    # script imports it, elsewhere when code names it: ImportError versus AttributeError)
    import_nodes: set[int] = field(default_factory=set, repr=False)
    # ``history.history["acc"]`` after a fit(): (the fit, the key, the subscript node), in evaluation order
    history_reads: list[tuple] = field(default_factory=list, repr=False)
    # ``x._keras_shape`` or ``getattr(x, "_keras_shape")``: a private attribute (one starting with "_") read of a
    # functional-API tensor, by the id of the attribute (or getattr call) node:
    # (the node, the attribute's name, whether every interpretation of it was guarded)
    tensor_attribute_reads: dict[int, tuple] = field(default_factory=dict, repr=False)
    # the script's functions given another name (``recall.__name__ = "recall_1"`` in a metric factory): by id of their
    # definition node; Keras logs such a metric under the new name
    renamed_functions: set[int] = field(default_factory=set, repr=False)
    # ``optimizer.lr`` of ``optimizer = Adam(...)``, ``layer.output_shape`` of ``for layer in model.layers``: an
    # attribute a library object (an Instance of no class of the script's, a layer) does not hold from the script,
    # read, by the id of the attribute node
    library_attribute_reads: dict[int, AttributeRead] = field(default_factory=dict, repr=False)
    # ``logs["acc"]`` / ``logs.get("acc")`` in a callback class's on_epoch_end: (the class, the key, the node)
    callback_log_reads: list[tuple] = field(default_factory=list, repr=False)
    data_events: list[DataEvent] = field(default_factory=list)
    # the classes the script defines, with their bases resolved (ClassValue), in definition order
    classes: list = field(default_factory=list, repr=False)
    # id(call) -> its statement, for the calls a statement of their own makes and drops the value of
    # (``x.astype("float32")`` alone on its line), outside any ``try`` (there a call may be a probe: does it load?)
    dropped_results: dict[int, cst.Expr] = field(default_factory=dict, repr=False)
    # ``img - cv2.GaussianBlur(img, (3, 3), 0)``, ``x_train / 255.0``: arithmetic on an array made as a statement of
    # its own (outside any ``try``), by id, with the module-level statement that holds it
    dropped_arithmetic: dict[int, tuple[cst.BinaryOperation, int | None]] = field(default_factory=dict, repr=False)
    # how many folder listings the interpretation made (os.listdir, glob.glob; a helper module's read too)
    folder_listings: int = 0
    # ``pred[0][0] == 1``, ``x != 0``: the equality tests against a number written in the code, by id
    number_tests: dict[int, cst.Comparison] = field(default_factory=dict, repr=False)
    # the predictions a number test compares (``result[0][0] == 1``), as the interpretation reached it
    compared_predictions: dict[int, Predictions] = field(default_factory=dict, repr=False)
    # ``classes[np.argmax(pred)]``: a folder listing indexed by a model's class decisions, by the subscript's id
    named_predictions: dict[int, NamedPrediction] = field(default_factory=dict, repr=False)
    listed_predictions: dict[int, ListedPrediction] = field(default_factory=dict, repr=False)
    # a name bound twice by one unpacking, with the values lost and kept, in evaluation order
    repeated_targets: list[RepeatedTarget] = field(default_factory=list, repr=False)
    # files beside this one that could not be analysed (they do not parse) and name a model file it loads: (path,
    # the file's name). Set by the engine; one of them may be that file's maker (semantic.links)
    unread_savers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # ``x_scaled = x / 255.0``, ``small = cv2.resize(img, size)``: an array computed into a plain name, by the
    # statement's id (a reader asks whether anything reads the name; KS405 when nothing does)
    named_arrays: dict[int, cst.Assign] = field(default_factory=dict, repr=False)
    # environment variables the script sets to a constant: os.environ["X"] = "1", os.environ.setdefault("X", "1")
    environment: dict[str, str] = field(default_factory=dict, repr=False)
    # helper modules interpreted with the script (path -> module); their nodes are not in this file
    helpers: dict[str, cst.Module] = field(default_factory=dict)
    cells: list[tuple[int, int]] | None = None  # a notebook: script line - 1 -> (code cell, line in cell)
    text: str | None = field(default=None, repr=False)  # the source that was parsed, when the caller has it
    _lines: list[str] | None = field(default=None, init=False, repr=False)
    positions: NodePositions = field(init=False, repr=False)
    _helper_positions: dict[str, NodePositions] = field(default_factory=dict, repr=False)
    _statements_told: bool = field(default=False, init=False, repr=False)
    _derived: dict[Hashable, object] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.positions = NodePositions(self.module)

    def derived(self, key: Hashable, compute: Callable[[], Fact]) -> Fact:
        """A fact computed from the finished model, once per script: several rules ask for the same ones (the
        loss heads of its models, a model's layer shapes), and a rule asks for them once per head or per model.
        Only for after the build (the model no longer changes); what is returned is shared, never changed."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def single_binding(self, name: str) -> cst.BaseExpression | None:
        """The value of ``name`` wherever the file reads it, when the file binds it once by a plain ``name = value``
        and nowhere else (:func:`~kerassniff.semantic.syntax.single_bindings`, found once per script)."""
        return self.derived("single_bindings", lambda: single_bindings(self.module)).get(name)

    def value_never_read(self, call_node: cst.CSTNode) -> bool:
        """Whether no code reads what a call made: bound to a name read nowhere else, or kept in a list bound to
        such a name (:class:`~kerassniff.semantic.syntax.UnreadValues`, the bindings found once per script)."""
        return self._unread_values().never_read(call_node)

    def name_bound_to(self, call_node: cst.CSTNode) -> str | None:
        """The name a plain ``name = call(...)`` binds a call's value to, found with the bindings
        :meth:`value_never_read` reads (no walk of every node)."""
        return self._unread_values().name_of(call_node)

    def _unread_values(self) -> UnreadValues:
        return self.derived("unread_values", lambda: UnreadValues(
            self.module, self.text if self.text is not None else self.module.code))

    def result_never_read(self, call_node: cst.CSTNode) -> bool:
        """Whether a call's result is bound to a name the file never reads (``label = model.predict(image)`` in a
        loop that only plots the images): what the call was given cannot change anything the script shows
        (:func:`~kerassniff.semantic.syntax.results_bound_to_names`, found once per script)."""
        bound, counts = self.derived("results_bound_to_names", lambda: results_bound_to_names(
            self.module, self.text if self.text is not None else ""))
        name = bound.get(id(call_node))
        return name is not None and counts.get(name) == 1

    # -- what the model recorded at a node, for rules that start from a node (a step's, a call's callee) ------
    def class_at(self, node: cst.ClassDef):
        """The script's class defined by this ``class`` statement (a ClassValue: its bases resolved), if interpreted."""
        return next((cls for cls in self.classes if cls.node is node), None)

    def call_at(self, node: cst.CSTNode) -> CallSite | None:
        """The call recorded at ``node`` (which method made a data step: ``fit_transform`` or ``transform``)."""
        calls = self.derived("call_at", lambda: {id(call.node): call for call in self.calls})
        return calls.get(id(node))

    def raw_name(self, node: cst.CSTNode) -> str | None:
        """The raw dotted name a recorded reference gives ``node`` (``tensorflow.python.keras.models.Sequential``
        for a constructor's callee), before canonical resolution folds the module path away."""
        names = self.derived("raw_name", lambda: {id(r.node): r.raw for r in self.references})
        return names.get(id(node))

    def imports_from(self, *roots: str) -> bool:
        """Whether an import of the script names a module under one of ``roots`` (dotted prefixes); read by rules,
        once per script and roots."""
        return self.derived(("imports_from", roots), lambda: any(
            raw == root or raw.startswith(root + ".") for raw in self.imports.values() for root in roots))

    # -- positions are computed lazily, only for the nodes that need them ---------
    def position(self, node: cst.CSTNode) -> CodeRange | None:
        if not self._statements_told:  # the first position asked for: say where the recorded nodes are
            self._statements_told = True
            self.positions.know(self.node_statements())
        return self.positions.get(node)

    def want_positions(self, nodes: list[cst.CSTNode]) -> None:
        """Say which nodes' positions will be asked for next, so that one pass finds them all (asked for one by
        one, each would render its statement again)."""
        for node in nodes:
            self.positions.want(node)

    def in_source_order(self, items: list[Fact], node_of: Callable[[Fact], cst.CSTNode]) -> list[Fact]:
        """``items`` sorted by where their nodes start in the file (those without a position last)."""
        self.want_positions([node_of(item) for item in items])
        return sorted(items, key=lambda item: self._source_start(node_of(item)))

    def _source_start(self, node: cst.CSTNode) -> tuple[int, int]:
        where = self.position(node)
        return (where.start.line, where.start.column) if where is not None else (1 << 30, 0)

    def node_statements(self) -> dict[int, int]:
        """id(node) -> index of the module-level statement that holds it, for the nodes findings are reported on
        most often: every name recorded, every call with its callee and arguments."""
        statements = {id(reference.node): reference.top for reference in self.references if reference.top is not None}
        statements.update((key, read.top) for key, read in self.library_attribute_reads.items() if read.top is not None)
        for call in self.calls:
            top = call.top
            if top is None:
                continue
            node = call.node
            statements[id(node)] = statements[id(node.func)] = top
            for arg in node.args:
                statements[id(arg)] = statements[id(arg.value)] = top
        return statements

    def enclosing_function(self, node: cst.CSTNode) -> cst.CSTNode | None | object:
        """The innermost function (or lambda) that holds a node the build recorded (a call, its callee or an
        argument, a name), None for module-level code, :data:`NOT_RECORDED` for any other node."""
        top = self.derived("node_statements", self.node_statements).get(id(node))
        if top is None:
            return NOT_RECORDED
        stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(self.module.body[top], None)]
        while stack:
            current, function = stack.pop()
            if current is node:
                return function
            inner = current if type(current) in (cst.FunctionDef, cst.Lambda) else function
            stack.extend((child, inner) for child in code_children(current))
        return NOT_RECORDED

    def line_of(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos else 0

    @property
    def file_name(self) -> str:
        """The script's file name without its folders, as a message names another script ('train.py')."""
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]

    def describe(self, node: cst.CSTNode) -> str:
        """Where a node is, as a message tells it: 'line 12', 'cell 3 line 2' in a notebook, or 'common.py line 3'
        for a node of an imported helper module (what a report's ``{name}`` mentions become)."""
        pos = self.position(node)
        if pos is not None and self.cells and pos.start.line <= len(self.cells):
            cell, line = self.cells[pos.start.line - 1]
            return f"cell {cell} line {line}"
        if pos is not None:
            return f"line {pos.start.line}"
        for path, module in self.helpers.items():
            positions = self._helper_positions.setdefault(path, NodePositions(module))
            found = positions.get(node)
            if found is not None:
                return f"{Path(path).name} line {found.start.line}"
        return "line ?"

    def line_text(self, line: int) -> str:
        """Source line ``line`` (1-based) as written, comments included; '' outside the file."""
        if self._lines is None:
            self._lines = (self.text if self.text is not None else self.module.code).splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def code_of(self, node: cst.CSTNode) -> str:
        text = self.module.code_for_node(node).strip()
        text = " ".join(text.split())
        return text if len(text) <= 60 else text[:57] + "..."

    # -- convenient views -------------------------------------------------------
    def compiles(self) -> Iterator[CompileCall]:
        for model in self.models:
            yield from model.compiles

    def fits(self) -> Iterator[FitCall]:
        for model in self.models:
            yield from model.fits

    def inferences(self) -> Iterator[InferenceCall]:
        for model in self.models:
            yield from model.inferences

    def saves(self) -> Iterator[SaveCall]:
        for model in self.models:
            yield from model.saves

    def release(self) -> None:
        """Break the model's cycles (a model and the calls made on it refer to each other) once nothing will read
        this script's facts: see :meth:`Model.release`."""
        for model in self.models:
            model.release()
        self._derived.clear()  # the facts derived from the models refer to them
        self.classes.clear()  # (their methods refer to the scopes they were defined in)

    def inplace_shuffles(self) -> list[tuple[int, CallSite, Data]]:
        """Each in-place shuffle of an array (``np.random.shuffle(x)``): its index in ``calls``, the call, the array."""
        return [(index, call, data) for index, call in enumerate(self.calls)
                for data in [shuffled_in_place(call)] if data is not None]

    def fit_labels(self, model: Model) -> list:
        """The label arrays that reach ``fit`` for this model (known ones only)."""
        return [e.data for e in self.data_events if e.model is model and e.kind == "fit" and e.role == "y"]
