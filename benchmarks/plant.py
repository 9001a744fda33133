"""Planted bugs in real code: one known bug at a time, where it would really be a bug.

    python benchmarks/realworld.py CORPUS_DIR --plant      (or: python benchmarks/plant.py CLEAN_DIR)

For every correct file, each kind in :data:`KINDS` looks for a place whose precondition holds
*syntactically* (conservatively: a planted "bug" that is not a bug would be a false measurement)
and rewrites the file with LibCST so that the result is valid Python.  Notebooks are rewritten
through their code cells: the cells are joined as kerassniff joins them, the joined script is
mutated, and the changed lines go back into the one cell they came from (the notebook stays a
valid notebook).  kerassniff then analyses each mutant in memory under the original path (so
helper modules beside it still resolve); a kind is *found* when a finding of its expected rule
appears that the unmutated file did not have.  A miss is a fact the semantic model does not
follow through real code: fix the model, not the mutant.

A new rule adds its kind in one place: a mutator (module -> mutants) and a row of ``KINDS``.
"""
from __future__ import annotations

import ast
import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kerassniff.api import lint_source  # noqa: E402
from kerassniff.config import Config  # noqa: E402
from kerassniff.notebook import NotebookError, notebook_source  # noqa: E402
from kerassniff.checks.ks212_model_reused_across_folds import held_out_names  # noqa: E402
from kerassniff.semantic.cells import starts_a_cell  # noqa: E402
from kerassniff.semantic.knowledge.datasets import (  # noqa: E402
    CLASS_NAME_SPELLINGS, FOLD_SPLITTERS, KERAS_DATASETS, SINGLE_SPLIT_SPLITTERS, class_name_key)


@dataclass(frozen=True)
class Mutant:
    """One planted bug: what was done (with the line in the joined script) and the new script text."""

    description: str
    code: str


# --- reading the script -----------------------------------------------------------------------


class Script:
    """A parsed script with what the mutators ask of it: calls in source order, positions, enclosing nodes.

    Mutants are made by splicing new text over a node's exact source range (LibCST positions), so a
    mutant costs no tree rewrite; every mutant is parsed again before it counts.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.module = cst.parse_module(text)
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self.positions = wrapper.resolve(PositionProvider)
        collector = _Collector()
        self.module.visit(collector)
        self._ancestors = collector.ancestors
        self.calls: list[cst.Call] = sorted(collector.calls, key=self.order)
        self.assigns: list[cst.Assign] = collector.assigns
        self.augassigns: list[cst.AugAssign] = collector.augassigns
        self._line_starts = [0]
        for line in text.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))

    def order(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.positions[node].start
        return start.line, start.column

    def line(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """Innermost first (known for calls, assignments and augmented assignments)."""
        return reversed(self._ancestors.get(id(node), ()))

    def scope(self, node: cst.CSTNode) -> cst.CSTNode:
        for parent in self.ancestors(node):
            if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                return parent
        return self.module

    def in_loop(self, node: cst.CSTNode) -> bool:
        return any(isinstance(p, (cst.For, cst.While, cst.ListComp, cst.GeneratorExp)) for p in self.ancestors(node))

    def statement(self, node: cst.CSTNode) -> cst.SimpleStatementLine | None:
        for parent in self.ancestors(node):
            if isinstance(parent, cst.SimpleStatementLine):
                return parent
        return None

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def indent(self, node: cst.CSTNode) -> str:
        start = self.positions[node].start
        line = self.text[self._line_starts[start.line - 1]:]
        return line[:start.column]

    def offset(self, node: cst.CSTNode, end: bool = False) -> int:
        """The character offset where the node starts (or ends) in the text."""
        where = self.positions[node].end if end else self.positions[node].start
        return self._line_starts[where.line - 1] + where.column

    def splice(self, edits: dict[cst.CSTNode, str], spans: list[tuple[int, int, str]] | None = None) -> str:
        """The script text with each node's source range (and each (start, end) offset span) replaced."""
        spans = list(spans or [])
        for node, replacement in edits.items():
            spans.append((self.offset(node), self.offset(node, end=True), replacement))
        text = self.text
        for start, end, replacement in sorted(spans, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text

    def latest_value(self, name: str, before: cst.CSTNode) -> cst.BaseExpression | None:
        """The value of the last assignment to a plain name that starts before this node (source order)."""
        latest: tuple[tuple[int, int], cst.BaseExpression] | None = None
        for assign in self.assigns:
            if self.order(assign) >= self.order(before):
                continue
            for target in assign.targets:
                for value in _paired(target.target, assign.value, name):
                    if latest is None or self.order(assign) >= latest[0]:
                        latest = (self.order(assign), value)
        return latest[1] if latest is not None else None

    def assigned_values(self, name: str) -> list[cst.BaseExpression]:
        """Every value assigned to a plain name (tuple targets pair up with tuple values when they can)."""
        values: list[cst.BaseExpression] = []
        for assign in self.assigns:
            for target in assign.targets:
                values.extend(_paired(target.target, assign.value, name))
        return values


class _Collector(cst.CSTVisitor):
    """Calls and assignments, each with its chain of enclosing nodes (outermost first)."""

    def __init__(self) -> None:
        self.calls: list[cst.Call] = []
        self.assigns: list[cst.Assign] = []
        self.augassigns: list[cst.AugAssign] = []
        self.ancestors: dict[int, tuple[cst.CSTNode, ...]] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Call, cst.Assign, cst.AugAssign)):
            self.ancestors[id(node)] = tuple(self._stack)
            {cst.Call: self.calls, cst.Assign: self.assigns, cst.AugAssign: self.augassigns}[type(node)].append(node)
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()


def _paired(target: cst.BaseExpression, value: cst.BaseExpression, name: str) -> list[cst.BaseExpression]:
    if isinstance(target, cst.Name):
        return [value] if target.value == name else []
    if isinstance(target, (cst.Tuple, cst.List)):
        found: list[cst.BaseExpression] = []
        values = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
        for index, element in enumerate(target.elements):
            if values is not None and len(values) == len(target.elements):
                found.extend(_paired(element.value, values[index].value, name))
            elif _names_in(element.value) & {name}:
                found.append(value)  # unpacked from a call: the value is the whole right-hand side
        return found
    return []


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            names.add(n.value)

    node.visit(_Names())
    return names


def dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else node.attr.value
    if isinstance(node, cst.Call):
        return dotted(node.func) + "()"
    return ""


def last_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def receiver(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.value.value
    return None


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def int_value(script: Script, node: cst.BaseExpression | None) -> int | None:
    """A literal int, or a name assigned exactly one literal int in the file."""
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.Name):
        values = script.assigned_values(node.value)
        if len(values) == 1 and isinstance(values[0], cst.Integer):
            return int(values[0].value)
    return None


def _layer_arg(call: cst.Call, keyword: str, index: int = 0) -> cst.BaseExpression | None:
    arg = kwarg(call, keyword)
    if arg is not None:
        return arg.value
    args = positional(call)
    return args[index].value if len(args) > index else None


# --- the kinds --------------------------------------------------------------------------------

CATEGORICAL_LOSS_NAMES = {"categorical_crossentropy", "CategoricalCrossentropy"}
SPARSE_LOSS_NAMES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}
OUTPUT_LAYERS = {"Dense"}
MODEL_CALLS = {"fit", "evaluate", "predict", "fit_generator", "evaluate_generator", "predict_generator",
               "train_on_batch", "test_on_batch", "predict_on_batch"}


def _loss_name(node: cst.BaseExpression) -> str | None:
    """'categorical_crossentropy' for the string, the function or the class (without from_logits=True)."""
    text = string_value(node)
    if text is not None:
        return text
    if isinstance(node, cst.Call):
        logits = kwarg(node, "from_logits")
        if logits is not None and not (isinstance(logits.value, cst.Name) and logits.value.value == "False"):
            return None
        return dotted(node.func).rsplit(".", 1)[-1]
    if isinstance(node, (cst.Name, cst.Attribute)):
        return dotted(node).rsplit(".", 1)[-1]
    return None


def _compile_losses(script: Script) -> Iterator[tuple[cst.Call, cst.Arg, str]]:
    for call in script.calls:
        if last_name(call) != "compile" or not isinstance(call.func, cst.Attribute):
            continue
        arg = kwarg(call, "loss")
        if arg is None:
            continue
        name = _loss_name(arg.value)
        if name is not None:
            yield call, arg, name


def _output_head(script: Script, call: cst.Call) -> tuple[cst.Call, str | None] | None:
    """The last Dense layer written before this call and its effective activation: its own, or that of the
    Activation/Softmax layers right after it (the last non-linear one)."""
    before = [c for c in script.calls if script.order(c) < script.order(call) and last_name(c) != "add"]
    activation: str | None = None
    for candidate in reversed(before):
        name = last_name(candidate)
        if name in ("Activation", "Softmax"):
            text = "softmax" if name == "Softmax" else string_value(_layer_arg(candidate, "activation"))
            if text is None:
                return None
            if activation is None and text != "linear":
                activation = text
            continue
        if name in ("TimeDistributed", "Bidirectional", "Lambda"):
            return None
        if name in OUTPUT_LAYERS:
            own = string_value(_layer_arg(candidate, "activation", 1))
            return candidate, activation or own
    return None


def _preceding_output(script: Script, call: cst.Call) -> cst.Call | None:
    """The output Dense layer just above this call when it is a softmax."""
    head = _output_head(script, call)
    return head[0] if head is not None and head[1] == "softmax" else None


def _quoted(original: cst.BaseExpression, text: str) -> str:
    quote = '"'
    if isinstance(original, cst.SimpleString) and original.value.lstrip("rbuRBU")[:1] == "'":
        quote = "'"
    return f"{quote}{text}{quote}"


def mutate_bce_on_softmax(script: Script) -> Iterator[Mutant]:
    """(a) categorical loss -> binary_crossentropy, where the output is a Dense(n > 2, softmax) just above."""
    for call, arg, name in _compile_losses(script):
        if name not in CATEGORICAL_LOSS_NAMES | SPARSE_LOSS_NAMES:
            continue
        output = _preceding_output(script, call)
        if output is None:
            continue
        units = int_value(script, _layer_arg(output, "units"))
        if units is None or units <= 2:
            continue
        new = script.splice({arg.value: _quoted(arg.value, "binary_crossentropy")})
        yield Mutant(f"line {script.line(arg)}: loss {name} -> 'binary_crossentropy' on the {units}-unit softmax "
                     f"(line {script.line(output)})", new)


def _is_255(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 255.0


@dataclass
class Scaling:
    """One '<split> = <expr> / 255' or '<split> /= 255' in the script, and how to undo it."""

    target: str
    node: cst.CSTNode
    undo: str  # the text that replaces the node
    line: int
    statement: cst.CSTNode | None = None  # the one-statement line it is (None: a line of several statements)


def scalings(script: Script) -> list[Scaling]:
    found: list[Scaling] = []
    for aug in script.augassigns:
        if (isinstance(aug.operator, cst.DivideAssign) and isinstance(aug.target, cst.Name) and _is_255(aug.value)
                and script.statement(aug) is not None and len(script.statement(aug).body) == 1):
            found.append(Scaling(aug.target.value, aug, aug.target.value, script.line(aug), aug))
    for assign in script.assigns:
        if len(assign.targets) != 1:
            continue
        target, value = assign.targets[0].target, assign.value
        pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = [(target, value)]
        if isinstance(target, cst.Tuple) and isinstance(value, cst.Tuple) and len(target.elements) == len(value.elements):
            pairs = [(t.value, v.value) for t, v in zip(target.elements, value.elements)]
        for t, v in pairs:
            if (isinstance(t, cst.Name) and isinstance(v, cst.BinaryOperation) and isinstance(v.operator, cst.Divide)
                    and _is_255(v.right) and _names_in(v.left)):
                line = script.statement(assign)
                single = line is not None and len(line.body) == 1
                found.append(Scaling(t.value, v, script.code(v.left), script.line(v), assign if single else None))
    return sorted(found, key=lambda s: s.line)


def _fed_names(script: Script) -> set[str]:
    """Names passed (directly, or in a tuple) to fit/evaluate/predict."""
    names: set[str] = set()
    for call in script.calls:
        if last_name(call) in MODEL_CALLS and isinstance(call.func, cst.Attribute):
            for arg in call.args:
                value = arg.value
                elements = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
                for item in ([e.value for e in elements] if elements is not None else [value]):
                    if isinstance(item, cst.Name):
                        names.add(item.value)
    return names


_SPLIT_NOT_TRAIN = re.compile(r"test|val", re.IGNORECASE)


def mutate_unscale_one_split(script: Script) -> Iterator[Mutant]:
    """(b) '/ 255' removed from one split, while another split fed to the model stays scaled."""
    found = scalings(script)
    fed = _fed_names(script)
    per_target = Counter(s.target for s in found)
    scaled_fed = {s.target for s in found if s.target in fed}
    for scaling in found:
        if (per_target[scaling.target] == 1 and scaling.target in fed and _SPLIT_NOT_TRAIN.search(scaling.target)
                and scaled_fed - {scaling.target}):
            new = script.splice({scaling.node: scaling.undo})
            yield Mutant(f"line {scaling.line}: '/ 255' removed from {scaling.target} only", new)
            return


_PIXEL_DATASET = re.compile(r"\b(?:fashion_mnist|mnist|cifar10|cifar100)\s*\.\s*load_data\s*\(")
_OTHER_SCALING = re.compile(r"Rescaling|rescale\s*=|preprocess_input|(?<!Batch)Normalization\s*\(")


def mutate_unscale_all(script: Script) -> Iterator[Mutant]:
    """(c) every '/ 255' removed, where the pixels come from a Keras image dataset and nothing else scales."""
    found = scalings(script)
    if not found or not _PIXEL_DATASET.search(script.text) or _OTHER_SCALING.search(script.text):
        return
    if len(found) != len(re.findall(r"/=?\s*255\b", script.text)):
        return  # some '/ 255' this mutator cannot undo: removing the others would not remove all
    if not {s.target for s in found} & _fed_names(script):
        return
    new = script.splice({s.node: s.undo for s in found})
    lines = ", ".join(str(s.line) for s in found)
    yield Mutant(f"lines {lines}: every '/ 255' removed ({', '.join(sorted({s.target for s in found}))})", new)


def _names_of(call: cst.Call) -> list[str] | None:
    """The Name arguments of an evaluate() call (x, y), or None when they are not plain names."""
    args = positional(call)[:2]
    for key in ("x", "y"):
        arg = kwarg(call, key)
        if arg is not None:
            args.append(arg)
    if not args or not all(isinstance(a.value, cst.Name) for a in args):
        return None
    return [a.value.value for a in args]  # type: ignore[union-attr]


def mutate_test_as_validation(script: Script) -> Iterator[Mutant]:
    """(d) the test split passed as validation_data to the last fit() before the final evaluate() on it."""
    evaluates = [c for c in script.calls if last_name(c) == "evaluate" and receiver(c)]
    if not evaluates:
        return
    final = evaluates[-1]
    names = _names_of(final)
    if not names or not all(re.search("test", n, re.IGNORECASE) for n in names):
        return
    fits = [c for c in script.calls if last_name(c) in ("fit", "fit_generator") and receiver(c) == receiver(final)
            and script.order(c) < script.order(final)]
    if not fits:
        return
    fit = fits[-1]
    test = names[0] if len(names) == 1 else f"({', '.join(names)})"
    current = kwarg(fit, "validation_data")
    split = kwarg(fit, "validation_split")
    if current is not None:
        shape = len(current.value.elements) if isinstance(current.value, cst.Tuple) else 1
        if shape != len(names) or set(_names_in(current.value)) == set(names):
            return
        if isinstance(current.value, cst.Tuple) and current.value.lpar and len(names) > 1:
            test = ", ".join(names)  # the node's position range excludes its own parentheses
        new = script.splice({current.value: test})
    elif split is not None and len(names) == 2:
        new = script.splice({split.keyword: "validation_data", split.value: test})
    else:
        return
    yield Mutant(f"line {script.line(fit)}: fit() validates on {', '.join(names)} (the final evaluate, line "
                 f"{script.line(final)})", new)


def _one_hot(script: Script, name: str, before: cst.CSTNode, depth: int = 0) -> bool:
    """The last value assigned to the name before this node is to_categorical(...) (or a slice of such a name)."""
    value = script.latest_value(name, before)
    if value is None or depth > 3:
        return False
    if isinstance(value, cst.Call) and last_name(value) == "to_categorical":
        return True
    return (isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name)
            and _one_hot(script, value.value.value, value, depth + 1))


def mutate_sparse_on_one_hot(script: Script) -> Iterator[Mutant]:
    """(e) categorical_crossentropy -> sparse_categorical_crossentropy where fit()'s labels are to_categorical."""
    for call, arg, name in _compile_losses(script):
        if name not in CATEGORICAL_LOSS_NAMES:
            continue
        later = [c for c in script.calls if last_name(c) == "fit" and receiver(c) == receiver(call)
                 and script.order(c) > script.order(call)]
        if not later:
            continue
        fit = later[0]
        labels = _layer_arg(fit, "y", 1)
        if not isinstance(labels, cst.Name) or not _one_hot(script, labels.value, fit):
            continue
        value = arg.value
        if isinstance(value, cst.SimpleString):
            replacement = _quoted(value, "sparse_categorical_crossentropy")
            target: cst.CSTNode = value
        else:
            target = value.func if isinstance(value, cst.Call) else value
            leaf = target.attr if isinstance(target, cst.Attribute) else target
            if not isinstance(leaf, cst.Name):
                continue
            sparse = "Sparse" + leaf.value if leaf.value[0].isupper() else "sparse_" + leaf.value
            replacement, target = sparse, leaf
        new = script.splice({target: replacement})
        yield Mutant(f"line {script.line(arg)}: loss {name} -> sparse on one-hot labels '{labels.value}' "
                     f"(fit line {script.line(fit)})", new)
        return


CONV_LAYERS = {"Conv2D", "Convolution2D", "Conv3D", "Convolution3D", "SeparableConv2D"}
POOLING = re.compile(r"^(?:Max|Average|Avg)Pool(?:ing)?[23]D$")
FLATTENING = re.compile(r"^(?:Flatten|Global(?:Average|Avg|Max)Pool(?:ing)?[23]D)$")
BOUNDARIES = {"compile", "Sequential", "Model", "fit"}
_DECODER = re.compile(r"Conv[23]DTranspose|UpSampling[23]D|Deconvolution")


def mutate_shrinking_filters(script: Script) -> Iterator[Mutant]:
    """(f) the increasing filter counts of a classifier's conv trunk reversed (all literal, one scope)."""
    if _DECODER.search(script.text):
        return
    by_scope: dict[int, list[cst.Call]] = {}
    for call in script.calls:
        by_scope.setdefault(id(script.scope(call)), []).append(call)
    for calls in by_scope.values():
        group: list[cst.Call] = []
        for index, call in enumerate(calls + [None]):  # type: ignore[operator]
            name = last_name(call) if call is not None else "compile"
            if name in CONV_LAYERS:
                group.append(call)
                continue
            if name not in BOUNDARIES or not group:
                continue
            mutant = _reverse_group(script, group, calls)
            group = []
            if mutant is not None:
                yield mutant
                return


def _reverse_group(script: Script, group: list[cst.Call], calls: list[cst.Call]) -> Mutant | None:
    if len(group) < 2 or any(script.in_loop(c) for c in group):
        return None
    filters = [_layer_arg(c, "filters") for c in group]
    if not all(isinstance(f, cst.Integer) for f in filters):
        return None
    values = [int(f.value) for f in filters]  # type: ignore[union-attr]
    if any(b < a for a, b in zip(values, values[1:])) or values[0] >= values[-1]:
        return None
    start, end = script.order(group[0]), script.order(group[-1])
    between = [last_name(c) for c in calls if start < script.order(c) < end]
    after = []
    for c in calls:
        if script.order(c) <= end:
            continue
        if last_name(c) in BOUNDARIES:
            break
        after.append(c)
    pooled = any(POOLING.match(n) for n in between) or any(kwarg(c, "strides") is not None for c in group)
    flattened = any(FLATTENING.match(last_name(c)) for c in after)
    head = [c for c in after if last_name(c) == "Dense"]
    if not (pooled and flattened and head):
        return None
    if string_value(_layer_arg(head[-1], "activation", 1)) not in ("softmax", "sigmoid"):
        return None
    if any(last_name(c) in CONV_LAYERS for c in after):
        return None
    new = script.splice({f: str(v) for f, v in zip(filters, reversed(values))})  # type: ignore[misc]
    return Mutant(f"lines {script.line(group[0])}-{script.line(group[-1])}: conv filters {values} -> "
                  f"{list(reversed(values))}", new)


# What a predict() input must not be to plant (g): a pipeline (one call per batch is right for it) or a
# single sample (a loop over one row is no bug).
_NOT_AN_ARRAY = re.compile(r"tf\.data|Dataset|dataset_from|_ds\b|flow|generator|Generator|from_tensor|\.batch\("
                           r"|dataset\s*\(|ragged|tfds|load\(|Sequence"
                           r"|next\(|expand_dims|newaxis|\[None|img_to_array|load_img|reshape\(\s*\(?\s*1\s*,")
# ... and must be a split of a data set: named as one, or sliced from an array.
_SPLIT_NAME = re.compile(r"test|val|holdout|train", re.IGNORECASE)
_PREDICT_KEYWORDS = {"batch_size", "verbose"}


def _is_split(name: str, values: list[cst.BaseExpression]) -> bool:
    """Named as a split, and not a handful of rows sliced off one (x_test[:10])."""
    return bool(_SPLIT_NAME.search(name)) and not any(_few_rows(v) for v in values)


def _few_rows(value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Subscript) or not isinstance(value.slice[0].slice, cst.Slice):
        return False
    upper = value.slice[0].slice.upper
    return isinstance(upper, cst.Integer) and int(upper.value) < 1000


def _keras_model(script: Script, name: str) -> bool:
    """Compiled in the file, or made by Sequential/Model/load_model/clone_model."""
    if any(last_name(c) == "compile" and receiver(c) == name for c in script.calls):
        return True
    return any(isinstance(v, cst.Call) and re.search(r"Sequential|Model|load_model|clone_model", last_name(v))
               for v in script.assigned_values(name))


def mutate_predict_in_loop(script: Script) -> Iterator[Mutant]:
    """(g) 'y = model.predict(x_split)' over an array -> one predict() per sample in a for loop."""
    if not re.search(r"^\s*import numpy as np\b", script.text, re.MULTILINE):
        return
    for call in script.calls:
        if last_name(call) != "predict" or receiver(call) is None or script.in_loop(call):
            continue
        args = positional(call)
        if len(args) != 1 or not isinstance(args[0].value, cst.Name):
            continue
        if any(a.keyword is None or a.keyword.value not in _PREDICT_KEYWORDS for a in call.args if a is not args[0]):
            continue
        data = args[0].value.value
        values = script.assigned_values(data)
        if not values or any(_NOT_AN_ARRAY.search(script.code(v)) for v in values):
            continue
        if re.search(r"_ds$|dataset", data, re.IGNORECASE):
            continue
        if not _is_split(data, values) or not _keras_model(script, receiver(call) or ""):
            continue
        line = script.statement(call)
        if line is None or len(line.body) != 1 or not isinstance(line.body[0], cst.Assign):
            continue
        assign = line.body[0]
        if assign.value is not call or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            continue
        out = assign.targets[0].target.value
        model = receiver(call)
        extra = "".join(f", {script.code(a).rstrip().rstrip(',')}" for a in call.args if a is not args[0])
        pad = script.indent(assign)
        loop = (f"{out} = []\n"
                f"{pad}for i_sample in range(len({data})):\n"
                f"{pad}    {out}.append({model}.predict({data}[i_sample:i_sample + 1]{extra}))\n"
                f"{pad}{out} = np.concatenate({out})")
        new = script.splice({assign: loop})
        yield Mutant(f"line {script.line(call)}: {model}.predict({data}) -> one predict per sample in a loop", new)
        return


def mutate_double_scaling(script: Script) -> Iterator[Mutant]:
    """(h) the training split of a Keras image dataset divided by 255 a second time, right after the first."""
    if not _PIXEL_DATASET.search(script.text) or _OTHER_SCALING.search(script.text):
        return
    fed = _fed_names(script)
    for scaling in scalings(script):
        if scaling.target not in fed or not re.search("train", scaling.target, re.IGNORECASE):
            continue
        statement = scaling.statement
        if statement is None:
            continue
        end = script.offset(statement, end=True)
        again = f"\n{script.indent(statement)}{scaling.target} = {scaling.target} / 255.0"
        yield Mutant(f"line {scaling.line}: {scaling.target} divided by 255 a second time", script.splice({}, [
            (end, end, again)]))
        return


def mutate_labels_divided(script: Script) -> Iterator[Mutant]:
    """(ag) the class ids divided by 255 just before the to_categorical() whose one-hot rows a fit() trains on."""
    fed = _fed_names(script)
    for call in script.calls:
        if last_name(call) != "to_categorical" or not call.args or not isinstance(call.args[0].value, cst.Name):
            continue
        statement = script.statement(call)
        assign = statement.body[0] if statement is not None and len(statement.body) == 1 else None
        if not isinstance(assign, cst.Assign) or assign.value is not call or script.in_loop(call) or not any(
                isinstance(t.target, cst.Name) and t.target.value in fed for t in assign.targets):
            continue
        labels = call.args[0].value.value
        start = script.offset(statement)
        divided = f"{labels} = {labels} / 255.0\n{script.indent(statement)}"
        yield Mutant(f"line {script.line(call)}: {labels} divided by 255 before to_categorical()",
                     script.splice({}, [(start, start, divided)]))
        return


def _labels_classes(script: Script, fit: cst.Call) -> int | None:
    """The class count of fit()'s labels when they were last assigned to_categorical(y, N) with a known N."""
    labels = _layer_arg(fit, "y", 1)
    if not isinstance(labels, cst.Name) or not _one_hot(script, labels.value, fit):
        return None
    value = script.latest_value(labels.value, fit)
    while isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name):
        value = script.latest_value(value.value.value, value)
    if not isinstance(value, cst.Call):
        return None
    return int_value(script, _layer_arg(value, "num_classes", 1))


def mutate_units_vs_classes(script: Script) -> Iterator[Mutant]:
    """(i) the softmax output of a model fitted on to_categorical(y, N) labels given N - 1 units (a literal)."""
    for call, arg, name in _compile_losses(script):
        if name not in CATEGORICAL_LOSS_NAMES:
            continue
        output = _preceding_output(script, call)
        if output is None:
            continue
        units = _layer_arg(output, "units")
        count = int_value(script, units)
        if units is None or count is None or count <= 2:
            continue
        fits = [c for c in script.calls if last_name(c) == "fit" and receiver(c) == receiver(call)
                and script.order(c) > script.order(call)]
        if not fits or _labels_classes(script, fits[0]) != count:
            continue
        yield Mutant(f"line {script.line(output)}: softmax output of {count} units -> {count - 1} "
                     f"(labels to_categorical with {count} classes)", script.splice({units: str(count - 1)}))
        return


def _classifier_head(layers: list[cst.Call]) -> bool:
    """The last Dense of these layers (up to the model's end: compile/fit/Model) is a softmax or sigmoid."""
    until = []
    for layer in layers:
        if last_name(layer) in BOUNDARIES:
            break
        until.append(layer)
    dense = [i for i, c in enumerate(until) if last_name(c) == "Dense"]
    if not dense:
        return False
    activation = string_value(_layer_arg(until[dense[-1]], "activation", 1))
    for later in until[dense[-1] + 1:]:
        if last_name(later) == "Activation":
            activation = string_value(_layer_arg(later, "activation"))
        elif last_name(later) == "Softmax":
            activation = "softmax"
    return activation in ("softmax", "sigmoid")


def mutate_unflattened(script: Script) -> Iterator[Mutant]:
    """(j) the Flatten() between a classifier's conv trunk and its Dense head removed (Sequential list or add)."""
    if _DECODER.search(script.text) or "input_shape" not in script.text and "Input(" not in script.text:
        return
    for call in script.calls:
        if last_name(call) != "Flatten" or call.args or script.in_loop(call):
            continue
        layers = [c for c in script.calls if last_name(c) != "add" and script.scope(c) is script.scope(call)]
        before = [c for c in layers if script.order(c) < script.order(call)]
        after = [c for c in layers if script.order(c) > script.order(call)]
        if not before or last_name(before[-1]) not in CONV_LAYERS | {"MaxPooling2D", "MaxPool2D", "AveragePooling2D",
                                                                       "AvgPool2D", "Dropout", "Activation"}:
            continue
        if not any(last_name(c) in CONV_LAYERS for c in before):
            continue
        head = next((c for c in after if last_name(c) != "Dropout"), None)
        if head is None or last_name(head) != "Dense" or not _classifier_head(after):
            continue
        chain = list(script.ancestors(call))  # innermost first
        if len(chain) < 2:
            continue
        parent, holder = chain[0], chain[1]
        if isinstance(parent, cst.Element) and isinstance(holder, (cst.List, cst.Tuple)):
            elements = list(holder.elements)
            index = next(i for i, e in enumerate(elements) if e is parent)
            if index + 1 >= len(elements):
                continue
            new = script.splice({}, [(script.offset(parent), script.offset(elements[index + 1]), "")])
        elif isinstance(parent, cst.Arg) and isinstance(holder, cst.Call) and last_name(holder) == "add":
            statement = script.statement(call)
            if statement is None or len(statement.body) != 1:
                continue
            new = script.splice({statement.body[0]: "pass"})
        else:
            continue
        yield Mutant(f"line {script.line(call)}: Flatten() before the Dense head removed", new)
        return


def mutate_batchnorm_single_sample(script: Script) -> Iterator[Mutant]:
    """(k) fit()'s literal batch_size set to 1 on a model with BatchNormalization right after Dense/Flatten."""
    calls = [c for c in script.calls if last_name(c) != "add"]
    dense_bn = any(last_name(a) in ("Dense", "Flatten") and last_name(b) == "BatchNormalization"
                   for a, b in zip(calls, calls[1:]))
    if not dense_bn:
        return
    for call in calls:
        if last_name(call) != "fit" or receiver(call) is None:
            continue
        size = kwarg(call, "batch_size")
        if size is None or not isinstance(size.value, cst.Integer) or int(size.value.value) <= 1:
            continue
        yield Mutant(f"line {script.line(call)}: fit(batch_size={size.value.value}) -> batch_size=1",
                     script.splice({size.value: "1"}))
        return


_TRANSPARENT = {"Dropout", "BatchNormalization", "GaussianNoise", "GaussianDropout"}


def mutate_missing_activation(script: Script) -> Iterator[Mutant]:
    """(l) a hidden Dense(relu) feeding another Dense with an activation (through dropout/normalisation only) made
    linear; not a bottleneck (at least as wide as the next layer)."""
    if re.search(r"\b(?:Add|Concatenate|concatenate|add|Attention|MultiHeadAttention)\(", script.text):
        return
    layers = [c for c in script.calls if last_name(c) != "add"]
    for index, call in enumerate(layers):
        if last_name(call) != "Dense" or script.in_loop(call):
            continue
        activation = _layer_arg(call, "activation", 1)
        if string_value(activation) != "relu":
            continue
        following = [c for c in layers[index + 1:] if script.scope(c) is script.scope(call)]
        nxt = next((c for c in following if last_name(c) not in _TRANSPARENT), None)
        if nxt is None or last_name(nxt) != "Dense" or string_value(_layer_arg(nxt, "activation", 1)) in (None, "linear"):
            continue  # (into a linear Dense, often a regression output: a linear read-out KS303 leaves alone)
        width, next_width = int_value(script, _layer_arg(call, "units")), int_value(script, _layer_arg(nxt, "units"))
        if width is None or next_width is None or width < next_width:
            continue
        yield Mutant(f"line {script.line(call)}: Dense({width}) activation relu -> linear (feeds Dense({next_width}), "
                     f"line {script.line(nxt)})", script.splice({activation: _quoted(activation, "linear")}))
        return


OPTIMIZERS = {"Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "SGD"}


def _optimizer_of(script: Script, compile_call: cst.Call) -> cst.Call | None:
    value = _layer_arg(compile_call, "optimizer")
    if isinstance(value, cst.Name):
        value = script.latest_value(value.value, compile_call)
    return value if isinstance(value, cst.Call) and last_name(value) in OPTIMIZERS else None


def mutate_negative_learning_rate(script: Script) -> Iterator[Mutant]:
    """(m) the constant learning rate of a compiled optimizer made negative (a sign slip)."""
    for call in script.calls:
        if last_name(call) != "compile" or receiver(call) is None:
            continue
        optimizer = _optimizer_of(script, call)
        if optimizer is None:
            continue
        rate = kwarg(optimizer, "learning_rate") or kwarg(optimizer, "lr")
        value = rate.value if rate is not None else (positional(optimizer)[0].value if positional(optimizer) else None)
        if not isinstance(value, (cst.Float, cst.Integer)) or float(value.value) <= 0:
            continue
        yield Mutant(f"line {script.line(value)}: {last_name(optimizer)} learning rate {value.value} -> "
                     f"-{value.value}", script.splice({value: f"-{value.value}"}))
        return


def mutate_keep_prob_dropout(script: Script) -> Iterator[Mutant]:
    """(n) Dropout(p) with a small literal rate written as the keep probability 1 - p (TF1's keep_prob)."""
    for call in script.calls:
        if last_name(call) not in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
            continue
        rate = _layer_arg(call, "rate")
        if not isinstance(rate, cst.Float) or not 0 < float(rate.value) <= 0.25:
            continue
        keep = round(1 - float(rate.value), 2)
        yield Mutant(f"line {script.line(call)}: {last_name(call)}({rate.value}) -> {keep} (a keep probability)",
                     script.splice({rate: str(keep)}))
        return


def mutate_training_as_validation(script: Script) -> Iterator[Mutant]:
    """(o) fit()'s validation_data replaced by the first 1000 rows of its own training arrays."""
    for fit in script.calls:
        if last_name(fit) != "fit" or receiver(fit) is None:
            continue
        x, y = _layer_arg(fit, "x"), _layer_arg(fit, "y", 1)
        current = kwarg(fit, "validation_data")
        if not (isinstance(x, cst.Name) and isinstance(y, cst.Name) and current is not None
                and isinstance(current.value, cst.Tuple) and len(current.value.elements) == 2):
            continue
        if {x.value, y.value} & _names_in(current.value):
            continue
        inner = f"{x.value}[:1000], {y.value}[:1000]"
        yield Mutant(f"line {script.line(fit)}: validation_data -> ({inner})",
                     script.splice({current.value: inner if current.value.lpar else f"({inner})"}))
        return


def mutate_regression_loss_on_one_hot(script: Script) -> Iterator[Mutant]:
    """(p) categorical_crossentropy -> mean_squared_error on a softmax head whose fit() labels are one-hot."""
    for call, arg, name in _compile_losses(script):
        if name not in CATEGORICAL_LOSS_NAMES or _preceding_output(script, call) is None:
            continue
        fits = [c for c in script.calls if last_name(c) == "fit" and receiver(c) == receiver(call)
                and script.order(c) > script.order(call)]
        labels = _layer_arg(fits[0], "y", 1) if fits else None
        if not isinstance(labels, cst.Name) or not _one_hot(script, labels.value, fits[0]):
            continue
        yield Mutant(f"line {script.line(arg)}: loss {name} -> 'mean_squared_error' on one-hot labels "
                     f"'{labels.value}'", script.splice({arg.value: _quoted(arg.value, "mean_squared_error")}))
        return


def mutate_bce_on_relu(script: Script) -> Iterator[Mutant]:
    """(q) the 1-unit sigmoid output of a model trained with binary_crossentropy made relu."""
    for call, arg, name in _compile_losses(script):
        if name not in ("binary_crossentropy", "BinaryCrossentropy"):
            continue
        head = _output_head(script, call)
        if head is None or head[1] != "sigmoid" or int_value(script, _layer_arg(head[0], "units")) != 1:
            continue
        activation = _layer_arg(head[0], "activation", 1)
        if string_value(activation) != "sigmoid":
            continue  # the sigmoid is a separate Activation layer: leave it
        if not any(last_name(c) == "fit" and receiver(c) == receiver(call) for c in script.calls):
            continue
        yield Mutant(f"line {script.line(head[0])}: 1-unit output sigmoid -> relu under binary_crossentropy",
                     script.splice({activation: _quoted(activation, "relu")}))
        return


def mutate_adapt_removed(script: Script) -> Iterator[Mutant]:
    """(y) ``norm.adapt(features)``, a statement of its own, of a ``Normalization()`` made in the file without
    ``mean=``/``variance=`` and adapted nowhere else: the call removed (``None`` left in its place)."""
    made = {assign.targets[0].target.value for assign in script.assigns
            if len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name) and
            isinstance(assign.value, cst.Call) and last_name(assign.value) == "Normalization" and
            not any(arg.star or (arg.keyword is not None and arg.keyword.value in ("mean", "variance"))
                    for arg in assign.value.args) and len(positional(assign.value)) <= 1}
    adapts = [call for call in script.calls if last_name(call) == "adapt"]
    for call in adapts:
        name = receiver(call)
        statement = script.statement(call)
        if name not in made or statement is None or len(statement.body) != 1 or \
                not isinstance(statement.body[0], cst.Expr) or statement.body[0].value is not call or \
                sum(receiver(other) == name for other in adapts) != 1 or script.text.count(".adapt") != len(adapts):
            continue
        yield Mutant(f"line {script.line(call)}: {script.code(call)} removed", script.splice({call: "None"}))
        return


@dataclass(frozen=True)
class Kind:
    key: str
    name: str
    code: str  # the rule that should find it
    mutate: Callable[[Script], Iterator[Mutant]]


def mutate_trainable_after_fit(script: Script) -> Iterator[Mutant]:
    """(r) after a fit() of a compiled Keras model: freeze its first layer and fit again, without compile()."""
    for fit in script.calls:
        model = receiver(fit)
        if last_name(fit) != "fit" or model is None or script.in_loop(fit) or not _keras_model(script, model):
            continue
        compiled = any(last_name(c) == "compile" and receiver(c) == model and script.order(c) < script.order(fit)
                       for c in script.calls)
        line = script.statement(fit)
        if not compiled or line is None or len(line.body) != 1 or script.scope(fit) is not script.module:
            continue
        pad = script.indent(line.body[0])
        again = script.code(fit).strip()
        text = script.splice({line.body[0]: f"{script.code(line.body[0]).strip()}\n{pad}{model}.layers[0].trainable = "
                                            f"False\n{pad}{again}"})
        yield Mutant(f"line {script.line(fit)}: {model}.layers[0].trainable = False, then fit() again", text)
        return


def _flat_width(script: Script, node: cst.BaseExpression) -> int | None:
    """A literal feature count: ``784``, ``28 * 28``, or a name assigned one literal int."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        left, right = _flat_width(script, node.left), _flat_width(script, node.right)
        return left * right if left and right else None
    return int_value(script, node)


def _declares_flat_input(script: Script, width: int) -> bool:
    """The script declares a model input of ``(width,)``: ``input_shape=(784,)``, ``Input(shape=(784,))``,
    ``input_dim=784``."""
    for call in script.calls:
        for keyword in ("input_shape", "shape", "input_dim"):
            arg = kwarg(call, keyword)
            if arg is None:
                continue
            value = arg.value
            if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == 1:
                value = value.elements[0].value
            if _flat_width(script, value) == width:
                return True
    return False


def mutate_reshape_removed(script: Script) -> Iterator[Mutant]:
    """(s) ``x = x.reshape(n, 784)`` (flattening images for a model declared with a flat input of 784) undone."""
    for call in script.calls:
        if last_name(call) != "reshape" or receiver(call) is None or script.in_loop(call):
            continue
        dims = positional(call)
        if len(dims) != 2 or dims[0].value.deep_equals(dims[1].value):
            continue
        width = _flat_width(script, dims[1].value)
        if width is None or width < 2 or not _declares_flat_input(script, width):
            continue
        statement = script.statement(call)
        if statement is None or not isinstance(statement.body[0], cst.Assign):
            continue
        yield Mutant(f"line {script.line(call)}: {script.code(call)} -> {receiver(call)}",
                     script.splice({call: receiver(call) or ""}))
        return


# Which mode a monitored quantity does NOT go with: (t) writes it.  The planter's own small table, not kerassniff's.
_WRONG_MODE = {"loss": "max", "acc": "min", "accuracy": "min"}


def mutate_inverted_monitor_mode(script: Script) -> Iterator[Mutant]:
    """(t) An EarlyStopping / ReduceLROnPlateau / ModelCheckpoint(save_best_only=True) watching a loss or an accuracy
    told the other direction: mode='max' for a loss, mode='min' for an accuracy (mode= replaced or added)."""
    for call in script.calls:
        name = last_name(call)
        if name not in ("EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"):
            continue
        if name == "ModelCheckpoint":
            best = kwarg(call, "save_best_only")
            if best is None or not (isinstance(best.value, cst.Name) and best.value.value == "True"):
                continue
        monitor = kwarg(call, "monitor")
        key = string_value(monitor.value) if monitor is not None else "val_loss"
        if key is None or (key[4:] if key.startswith("val_") else key) not in _WRONG_MODE:
            continue
        wrong = _WRONG_MODE[key[4:] if key.startswith("val_") else key]
        mode = kwarg(call, "mode")
        if mode is not None:
            if string_value(mode.value) == wrong:
                continue
            yield Mutant(f"line {script.line(call)}: {name} mode -> {wrong!r} on {key!r}",
                         script.splice({mode.value: repr(wrong)}))
            return
        if call.args and call.args[-1].star:
            continue  # **options: another mode may come from them
        last = call.args[-1] if call.args else None
        edit = ({last: f"{script.code(last).rstrip().rstrip(',')}, mode={wrong!r}"} if last is not None else
                {call: f"{script.code(call)[:-1]}mode={wrong!r})"})
        yield Mutant(f"line {script.line(call)}: {name} mode={wrong!r} added on {key!r}", script.splice(edit))
        return


def mutate_flow_shuffled(script: Script) -> Iterator[Mutant]:
    """(v) An ImageDataGenerator flow built with shuffle=False, whose .classes the script reads, made to shuffle
    (shuffle=True): where the script predicts on that flow and reads its .classes, the two are now out of order."""
    if ".classes" not in script.text:
        return
    for call in script.calls:
        if last_name(call) not in ("flow_from_directory", "flow_from_dataframe"):
            continue
        bound = next((node for node in script.ancestors(call) if isinstance(node, cst.Assign)), None)
        target = bound.targets[0].target if bound is not None and len(bound.targets) == 1 else None
        if not isinstance(target, cst.Name) or f"{target.value}.classes" not in script.text or \
                not re.search(rf"predict\w*\(\s*{re.escape(target.value)}\b", script.text):
            continue
        shuffle = kwarg(call, "shuffle")
        if shuffle is None or not (isinstance(shuffle.value, cst.Name) and shuffle.value.value == "False"):
            continue
        yield Mutant(f"line {script.line(call)}: {last_name(call)} shuffle=False -> True",
                     script.splice({shuffle.value: "True"}))
        return


# KS212's cross-validators (its table), by their class names, without the ones that may make a single split (the
# mutator does not read n_splits=).
_CROSS_VALIDATORS = frozenset(name.rsplit(".", 1)[1] for name in FOLD_SPLITTERS - SINGLE_SPLIT_SPLITTERS)


# Self-updates whose assignment a script may forget: ``x = x.astype(...)`` -> ``x.astype(...)`` (methods), and
# ``x = np.expand_dims(x, ...)`` -> ``np.expand_dims(x, ...)`` (functions of the first argument).
_SELF_UPDATE_METHODS = frozenset({"astype", "reshape", "dropna", "fillna", "shuffle", "batch", "map", "prefetch",
                                  "cache"})
_SELF_UPDATE_FUNCTIONS = frozenset({"np.expand_dims", "np.reshape", "numpy.expand_dims", "cv2.resize", "cv2.cvtColor",
                                    "to_categorical", "keras.utils.to_categorical", "tf.cast"})


def mutate_result_dropped(script: Script) -> Iterator[Mutant]:
    """(w) ``x = x.astype("float32")`` (or another self-update) written as ``x.astype("float32")``: the result is
    dropped.  Not the last statement of a notebook cell, whose value Jupyter would show."""
    for assign in script.assigns:
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
            continue
        name, call = assign.targets[0].target.value, assign.value
        if not isinstance(call, cst.Call) or any(arg.star for arg in call.args):
            continue
        func = call.func
        updates = (isinstance(func, cst.Attribute) and func.attr.value in _SELF_UPDATE_METHODS and
                   isinstance(func.value, cst.Name) and func.value.value == name) or (
            dotted(func) in _SELF_UPDATE_FUNCTIONS and call.args and call.args[0].keyword is None and
            isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == name)
        statement = script.statement(assign)
        if not updates or statement is None or len(statement.body) != 1 or \
                not _followed_in_its_cell(script, assign, statement) or \
                (_float_conversion(call) and not any(isinstance(aug.target, cst.Name) and aug.target.value == name
                                                     for aug in script.augassigns)):
            continue  # (a dropped conversion to floats changes nothing unless the name is then changed in place)
        yield Mutant(f"line {script.line(assign)}: '{name} = ' removed before {script.code(func)}()",
                     script.splice({assign: script.code(call)}))
        return


def _float_conversion(call: cst.Call) -> bool:
    """``x.astype("float32")``, ``astype(float)``, ``tf.cast(x, tf.float32)``, ``np.float32(x)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "astype":
        written = call.args[0].value if call.args else None
    elif dotted(func) == "tf.cast":
        written = call.args[1].value if len(call.args) > 1 else None
    else:
        return dotted(func) in ("np.float32", "numpy.float32")
    name = string_value(written) if isinstance(written, cst.SimpleString) else \
        written.value if isinstance(written, cst.Name) else written.attr.value if isinstance(written, cst.Attribute) \
        else None
    return name is not None and name.startswith(("float", "double", "single", "half"))


def _followed_in_its_cell(script: Script, assign: cst.Assign, statement: cst.SimpleStatementLine) -> bool:
    """Whether another statement of the same block comes after the assignment's, in the same notebook cell."""
    parent = next((p for p in script.ancestors(assign) if isinstance(p, (cst.Module, cst.IndentedBlock))), None)
    body = list(getattr(parent, "body", ()))
    if statement not in body or body.index(statement) + 1 >= len(body):
        return False
    following = body[body.index(statement) + 1]
    cells = getattr(script, "cell_of_line", None)
    if not cells:  # a script: written as cells (``# %%``, ``# In[3]:``, Colab's text) the next may open another
        return not starts_a_cell(following)
    return cells[script.line(statement) - 1][0] == cells[min(script.line(following), len(cells)) - 1][0]


def _fold_loop(script: Script, loop: cst.For) -> bool:
    """``for train, test in kf.split(x)`` (also through enumerate()), kf a scikit-learn cross-validator."""
    iterable = loop.iter
    if isinstance(iterable, cst.Call) and last_name(iterable) == "enumerate" and iterable.args:
        iterable = iterable.args[0].value
    if not isinstance(iterable, cst.Call) or last_name(iterable) != "split":
        return False
    splitter = iterable.func.value if isinstance(iterable.func, cst.Attribute) else None
    if isinstance(splitter, cst.Call):
        return last_name(splitter) in _CROSS_VALIDATORS
    values = script.assigned_values(splitter.value) if isinstance(splitter, cst.Name) else []
    return any(isinstance(v, cst.Call) and last_name(v) in _CROSS_VALIDATORS for v in values)


def _targets(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """What a small statement binds (assignments only; a compound statement in the loop body binds unknown names,
    which the caller treats as not known to be free)."""
    if isinstance(statement, cst.Assign):
        return [target.target for target in statement.targets]
    if isinstance(statement, (cst.AugAssign, cst.AnnAssign)):
        return [statement.target]
    return []


def mutate_model_built_before_folds(script: Script) -> Iterator[Mutant]:
    """(u) A cross-validation loop that builds and compiles a new model in each fold, scoring the fold's held-out
    part: the statements that build it (``model = ...`` up to its compile()) moved before the loop, when they read
    nothing the loop binds."""
    for fit in script.calls:
        model = receiver(fit)
        loop = next((p for p in script.ancestors(fit) if isinstance(p, cst.For)), None)
        if last_name(fit) != "fit" or model is None or loop is None or not _fold_loop(script, loop) or \
                not isinstance(loop.body, cst.IndentedBlock):
            continue
        body = list(loop.body.body)
        held = held_out_names(loop)  # KS212's own reading of the fold's held-out names
        validation = kwarg(fit, "validation_data")
        scored = (validation is not None and _names_in(validation.value) & held) or any(
            last_name(c) in ("evaluate", "predict") and receiver(c) == model and script.order(c) > script.order(fit)
            and loop in script.ancestors(c) and _names_in(c) & held for c in script.calls)
        if any(isinstance(small, cst.Del) and model in _names_in(small) for s in body if
               isinstance(s, cst.SimpleStatementLine) for small in s.body):
            continue  # del model at the end of each fold: built once, the second fold would fail instead
        first = next((i for i, s in enumerate(body) if isinstance(s, cst.SimpleStatementLine) and
                      isinstance(s.body[0], cst.Assign) and len(s.body[0].targets) == 1 and
                      isinstance(s.body[0].targets[0].target, cst.Name) and
                      s.body[0].targets[0].target.value == model), None)
        last = next((i for i, s in enumerate(body) if first is not None and i >= first and
                     any(last_name(c) == "compile" and receiver(c) == model for c in script.calls
                         if s in script.ancestors(c))), None)
        if not scored or first is None or last is None or any(s in script.ancestors(fit) for s in body[first:last + 1]):
            continue
        bound = _names_in(loop.target) | {name for s in body[:first] for small in getattr(s, "body", ())
                                          for target in _targets(small) for name in _names_in(target)}
        block = body[first:last + 1]
        if any(not isinstance(s, cst.SimpleStatementLine) for s in (*body[:first], *block)) or \
                (set().union(*(_names_in(s) for s in block)) - {model}) & bound:
            continue
        lines = script.text.splitlines(keepends=True)
        start, end = script.line(block[0]), script.positions[block[-1]].end.line
        inner, outer = script.indent(block[0]), script.indent(loop)
        moved = [outer + line[len(inner):] if line.startswith(inner) else line for line in lines[start - 1:end]]
        top = script.line(loop)
        text = "".join(lines[:top - 1] + moved + lines[top - 1:start - 1] + lines[end:])
        yield Mutant(f"line {top}: '{model}' built once before the folds (was lines {start}-{end} in the loop)", text)
        return


# Layers that read where pad_sequences put the zeros (KS215's readers), by the names a script writes.
_POSITION_READERS = ("LSTM(", "GRU(", "SimpleRNN(", "Conv1D(")


def mutate_test_padded_other_side(script: Script) -> Iterator[Mutant]:
    """(x) The held-out sequences padded at the other end: of two ``pad_sequences`` calls bound to a training name
    and to a test or validation name that evaluate(), predict() or validation_data= is given, both with the same
    ``padding=`` (the default), the held-out one is given
    ``padding="post"`` (or 'pre' for 'post').  Only in a file whose model reads positions and masks nothing: an
    LSTM, GRU, SimpleRNN or Conv1D, and no ``mask_zero``/``Masking`` anywhere."""
    if not any(reader in script.text for reader in _POSITION_READERS) or "mask_zero" in script.text or \
            "Masking" in script.text:
        return
    bound: dict[str, cst.Call] = {}
    for call in script.calls:
        if last_name(call) != "pad_sequences" or len(call.args) < 2 or any(arg.star for arg in call.args):
            continue
        assign = next((node for node in script.ancestors(call) if isinstance(node, cst.Assign)), None)
        if assign is None or assign.value is not call or len(assign.targets) != 1 or \
                not isinstance(assign.targets[0].target, cst.Name):
            continue
        target = assign.targets[0].target.value
        name = target.lower()
        role = "train" if "train" in name else "held_out" if ("test" in name or "val" in name) else None
        if role == "held_out" and not re.search(
                rf"(?:evaluate|predict)\w*\(\s*{re.escape(target)}\b|validation_data\s*=\s*[(\[]\s*{re.escape(target)}\b",
                script.text):
            continue  # held-out sequences the model is never given: padding them otherwise is no bug
        if role is not None:
            bound.setdefault(role, call)
    train, held_out = bound.get("train"), bound.get("held_out")
    if train is None or held_out is None:
        return
    sides = [string_value(kwarg(call, "padding").value) if kwarg(call, "padding") is not None else "pre"
             for call in (train, held_out)]
    if sides[0] != sides[1] or sides[1] not in ("pre", "post"):
        return
    other = "post" if sides[1] == "pre" else "pre"
    given = kwarg(held_out, "padding")
    if given is not None:
        yield Mutant(f"line {script.line(held_out)}: pad_sequences padding='{sides[1]}' -> '{other}'",
                     script.splice({given.value: _quoted(given.value, other)}))
        return
    end = script.offset(held_out.args[-1].value, end=True)
    yield Mutant(f"line {script.line(held_out)}: pad_sequences given padding='{other}'",
                 script.splice({}, [(end, end, f", padding='{other}'")]))


_SPLITTING_CALLS = {"train_test_split", "load_data"}


def _target_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The plain names of an unpacking target, nested tuples included, in order."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements if not isinstance(element, cst.StarredElement)
                for name in _target_names(element.value)]
    return []


def mutate_split_name_repeated(script: Script) -> Iterator[Mutant]:
    """(z) A split unpacked into one name twice: in ``X_train, X_test, y_train, y_test = train_test_split(...)`` (or
    ``(x_train, y_train), (x_test, y_test) = load_data()``) the first held-out name is written as the training
    name before it, a typo that keeps the test part in the training name."""
    for assign in script.assigns:
        if len(assign.targets) != 1 or not isinstance(assign.value, cst.Call) or \
                last_name(assign.value) not in _SPLITTING_CALLS:
            continue
        names = _target_names(assign.targets[0].target)
        for index, name in enumerate(names):
            if index and _SPLIT_NOT_TRAIN.search(name.value) and "train" in names[index - 1].value.lower():
                earlier = next((n for n in names[:index] if n.value.lower().replace("train", "") ==
                                name.value.lower().replace("test", "").replace("val", "")), names[index - 1])
                yield Mutant(f"line {script.line(assign)}: unpacked '{name.value}' renamed '{earlier.value}'",
                             script.splice({name: earlier.value}))
                return


_BATCHING_READER_CALLS = {"flow_from_directory", "flow_from_dataframe", "image_dataset_from_directory"}


def mutate_steps_divided_by_batch(script: Script) -> Iterator[Mutant]:
    """(aa) A fit() of a flow or batched dataset bound to a name (``flow_from_directory``, ``flow_from_dataframe``,
    ``image_dataset_from_directory``) with no steps_per_epoch= given ``steps_per_epoch=len(flow) // B``, B the
    reader's batch_size= as written (32 when not given)."""
    for fit in script.calls:
        if last_name(fit) != "fit" or receiver(fit) is None or kwarg(fit, "steps_per_epoch") is not None or \
                any(arg.star for arg in fit.args):
            continue
        x = _layer_arg(fit, "x")
        if not isinstance(x, cst.Name):
            continue
        reader = script.latest_value(x.value, fit)
        if not isinstance(reader, cst.Call) or last_name(reader) not in _BATCHING_READER_CALLS or \
                script.in_loop(fit):
            continue
        batch = kwarg(reader, "batch_size")
        if batch is not None and (not isinstance(batch.value, (cst.Name, cst.Integer)) or
                                  (isinstance(batch.value, cst.Integer) and int(batch.value.value) < 2)):
            continue
        divisor = script.code(batch.value) if batch is not None else "32"
        end = script.offset(fit.args[-1].value, end=True)
        yield Mutant(f"line {script.line(fit)}: fit() given steps_per_epoch=len({x.value}) // {divisor}",
                     script.splice({}, [(end, end, f", steps_per_epoch=len({x.value}) // {divisor}")]))
        return


_GIVES_WEIGHTS = re.compile(r"\.(?:fit|fit_generator|train_on_batch|load_weights|set_weights|apply_gradients|"
                            r"restore|minimize)\s*\(")


def mutate_fit_removed(script: Script) -> Iterator[Mutant]:
    """(ab) The one training call of a script removed: its statement ``model.fit(...)`` (or ``history =
    model.fit(...)``) made ``pass``, in a file with no other call that trains or loads weights, where the model is
    then given to predict() or evaluate()."""
    fits = [call for call in script.calls if last_name(call) in ("fit", "fit_generator")]
    if len(fits) != 1 or len(_GIVES_WEIGHTS.findall(script.text)) != 1 or "load_model" in script.text:
        return
    fit = fits[0]
    model = receiver(fit)
    statement = script.statement(fit)
    if model is None or statement is None or len(statement.body) != 1 or script.in_loop(fit) or \
            not re.search(rf"\b{re.escape(model)}\.(?:predict|evaluate)\s*\(", script.text[script.offset(fit):]):
        return
    yield Mutant(f"line {script.line(fit)}: {model}.fit(...) removed", script.splice({statement.body[0]: "pass"}))


def mutate_fold_indices_dropped(script: Script) -> Iterator[Mutant]:
    """(ac) A cross-validation loop whose passes select their rows with the fold's indices (``x[train_idx]``): every
    such selection replaced by the whole array, when the indices are read nowhere else in the loop (a pass that
    then trains and scores the same data each fold)."""
    for loop in {p for fit in script.calls if last_name(fit) == "fit" for p in script.ancestors(fit)
                 if isinstance(p, cst.For)}:
        if not _fold_loop(script, loop):
            continue
        target = loop.target
        if isinstance(loop.iter, cst.Call) and last_name(loop.iter) == "enumerate":
            if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != 2:
                continue
            target = target.elements[1].value
        names = _names_in(target) - {"_"}
        selections: list[cst.Subscript] = []

        class _Selections(cst.CSTVisitor):
            def visit_Subscript(self, node: cst.Subscript) -> None:
                if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and \
                        isinstance(node.slice[0].slice.value, cst.Name) and node.slice[0].slice.value.value in names:
                    selections.append(node)

        loop.body.visit(_Selections())
        uses = sum(1 for _ in _name_nodes(loop.body, names))
        if not selections or uses != len(selections) or any(not isinstance(s.value, (cst.Name, cst.Attribute))
                                                            for s in selections):
            continue  # (indices read elsewhere too, or a selection from a computed value)
        yield Mutant(f"line {script.line(loop)}: the fold's selections ({len(selections)}) replaced by whole arrays",
                     script.splice({s: script.code(s.value) for s in selections}))
        return


def _name_nodes(node: cst.CSTNode, names: set[str]) -> Iterator[cst.Name]:
    found: list[cst.Name] = []

    class _Found(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value in names:
                found.append(n)

    node.visit(_Found())
    return iter(found)


_TRAINING_CALLBACK_CLASSES = ("EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler")


def _word_count(script: Script, name: str) -> int:
    """How often a name occurs as a word anywhere in the text (code, strings and comments alike: conservative)."""
    return len(re.findall(rf"\b{re.escape(name)}\b", script.text))


def _training_callbacks_given(script: Script, given: cst.BaseExpression) -> bool:
    """Whether ``callbacks=`` gives only training callbacks, each built by ``name = Callback(...)`` (or a list bound
    once to such names), every name bound once and occurring nowhere else in the text: removing the argument leaves
    them read by no code."""
    names: list[str] = []
    if any(way in script.text for way in ("globals(", "locals(", "vars(")):
        return False  # (code may read the names as strings: whether anything reads them is not decidable)
    if isinstance(given, cst.Name):
        values = script.assigned_values(given.value)
        if len(values) != 1 or not isinstance(values[0], (cst.List, cst.Tuple)) or _word_count(script, given.value) != 2:
            return False
        given = values[0]
    if not isinstance(given, (cst.List, cst.Tuple)) or not given.elements:
        return False
    for element in given.elements:
        if not isinstance(element.value, cst.Name):
            return False
        names.append(element.value.value)
    for name in names:
        values = script.assigned_values(name)
        if len(values) != 1 or not isinstance(values[0], cst.Call) or \
                last_name(values[0]) not in _TRAINING_CALLBACK_CLASSES or _word_count(script, name) != 2:
            return False
    return True


def mutate_callbacks_dropped(script: Script) -> Iterator[Mutant]:
    """(ad) ``fit(..., callbacks=[stop, best])`` with the ``callbacks=`` argument removed, when it gives only training
    callbacks (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler) built by name and read
    nowhere else: they are then built and never given to fit()."""
    for call in script.calls:
        argument = kwarg(call, "callbacks")
        if last_name(call) != "fit" or argument is None or not _training_callbacks_given(script, argument.value):
            continue
        kept = [arg for arg in call.args if arg is not argument]
        if argument is call.args[-1] and kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)  # (the comma before it goes too)
        changed = call.with_changes(args=kept)
        yield Mutant(f"line {script.line(call)}: callbacks= removed from fit()",
                     script.splice({call: script.module.code_for_node(changed)}))
        return


def mutate_oversampled_before_split(script: Script) -> Iterator[Mutant]:
    """(ae) ``x, y = SMOTE().fit_resample(x, y)`` (with its import, on the same line) written before a
    ``train_test_split(x, y, ...)`` of two names, outside loops, when a held-out part it unpacks is then scored
    (``evaluate()``/``predict()`` of it, or it is given as ``validation_data``)."""
    for assign, split, names in _scored_splits(script):
        statement = script.statement(assign)
        if statement is None:
            continue
        x, y = (arg.value.value for arg in split.args[:2])  # type: ignore[attr-defined]
        start = script.offset(statement.body[0])
        line = f"from imblearn.over_sampling import SMOTE; {x}, {y} = SMOTE().fit_resample({x}, {y})"
        yield Mutant(f"line {script.line(assign)}: {x}, {y} over-sampled by SMOTE before the split",
                     script.splice({}, [(start, start, f"{line}\n{script.indent(statement.body[0])}")]))
        return


def mutate_fit_on_unsplit(script: Script) -> Iterator[Mutant]:
    """(af) ``fit(x_train, y_train, ...)`` given the arrays ``train_test_split(x, y, ...)`` divided instead (two names,
    outside loops), when the split's held-out part is scored after it (``evaluate()``/``predict()`` of it, or its
    ``validation_data``)."""
    for assign, split, names in _scored_splits(script):
        for fit in script.calls:
            if last_name(fit) != "fit" or script.order(fit) <= script.order(assign) or len(fit.args) < 2 or \
                    any(arg.keyword is not None or arg.star for arg in fit.args[:2]):
                continue
            given = [arg.value for arg in fit.args[:2]]
            if not all(isinstance(value, cst.Name) for value in given) or \
                    [value.value for value in given] != [names[0], names[2]]:  # type: ignore[attr-defined]
                continue
            whole = [arg.value.value for arg in split.args[:2]]  # type: ignore[attr-defined]
            yield Mutant(f"line {script.line(fit)}: fit() given {whole[0]}, {whole[1]} instead of the training part",
                         script.splice({given[0]: whole[0], given[1]: whole[1]}))
            return


def _scored_splits(script: Script) -> Iterator[tuple[cst.Assign, cst.Call, list[str]]]:
    """``a_train, a_test, b_train, b_test = train_test_split(a, b, ...)`` of two names, outside loops, whose first
    held-out part is scored after it: (the assignment, the split call, the four names)."""
    for assign in script.assigns:
        split = assign.value
        if len(assign.targets) != 1 or not isinstance(split, cst.Call) or last_name(split) != "train_test_split" or \
                len(split.args) < 2 or any(arg.keyword is not None or arg.star for arg in split.args[:2]) or \
                not all(isinstance(arg.value, cst.Name) for arg in split.args[:2]) or script.in_loop(assign):
            continue
        names = [name.value for name in _target_names(assign.targets[0].target)]
        if len(names) == 4 and _scored_after(script, names[1], assign):
            yield assign, split, names


def _scored_after(script: Script, name: str, after: cst.CSTNode) -> bool:
    """Whether a held-out name is scored after a node: its evaluate() or predict(), or validation_data=(name, ...)."""
    for call in script.calls:
        if script.order(call) <= script.order(after):
            continue
        first = call.args[0].value if call.args else None
        if last_name(call) in ("evaluate", "predict") and isinstance(first, cst.Name) and first.value == name:
            return True
        given = kwarg(call, "validation_data")
        if last_name(call) == "fit" and given is not None and isinstance(given.value, cst.Tuple) and \
                given.value.elements and isinstance(given.value.elements[0].value, cst.Name) and \
                given.value.elements[0].value.value == name:
            return True
    return False


def _dataset_listed(names: list[str]) -> str | None:
    """The Keras dataset whose classes a written list names, each in its label-id place (any spelling the table of
    spellings knows)."""
    for dataset, spec in KERAS_DATASETS.items():
        if spec.class_names is None or len(names) != len(spec.class_names):
            continue
        if all(class_name_key(written) in (class_name_key(name), *CLASS_NAME_SPELLINGS.get(class_name_key(name), ()))
               for written, name in zip(names, spec.class_names)):
            return dataset
    return None


class _NameSubscripts(cst.CSTVisitor):
    """The subscript texts of each plain name, also made an array (``names[np.argmax(p)]``,
    ``np.array(names)[y_pred]``: "names" -> "np.argmax(p)", "y_pred")."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.found: dict[str, list[str]] = {}

    def visit_Subscript(self, node: cst.Subscript) -> None:
        value = node.value
        if isinstance(value, cst.Call) and len(value.args) == 1:
            value = value.args[0].value
        if isinstance(value, cst.Name):
            self.found.setdefault(value.value, []).append(self.module.code_for_node(node.slice[0]))


def mutate_dataset_names_swapped(script: Script) -> Iterator[Mutant]:
    """(ah) two names swapped in a written list of a Keras dataset's classes (in its label order) that names the
    predictions of a model trained on that dataset's load_data() labels."""
    subscripts = _NameSubscripts(script.module)
    script.module.visit(subscripts)
    for assign in script.assigns:
        value = assign.value
        if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name) or \
                not isinstance(value, (cst.List, cst.Tuple)):
            continue
        strings = [element.value for element in value.elements]
        if not all(isinstance(string, cst.SimpleString) for string in strings):
            continue
        dataset = _dataset_listed([string.evaluated_value for string in strings])  # type: ignore[union-attr]
        name = assign.targets[0].target.value
        if dataset is None or f"{dataset}.load_data" not in script.text or not any(
                "argmax" in text or "pred" in text for text in subscripts.found.get(name, ())):
            continue
        third, fifth = strings[3], strings[5]
        yield Mutant(f"line {script.line(assign)}: {name}'s classes 3 and 5 swapped ({dataset})",
                     script.splice({third: script.code(fifth), fifth: script.code(third)}))
        return


KINDS: tuple[Kind, ...] = (
    Kind("a", "binary crossentropy on a many-class softmax", "KS101", mutate_bce_on_softmax),
    Kind("b", "/255 removed from one split", "KS201", mutate_unscale_one_split),
    Kind("c", "/255 removed from all splits", "KS202", mutate_unscale_all),
    Kind("d", "the test split passed as validation_data", "KS205", mutate_test_as_validation),
    Kind("e", "sparse loss on one-hot labels", "KS102", mutate_sparse_on_one_hot),
    Kind("f", "conv filters made to shrink", "KS301", mutate_shrinking_filters),
    Kind("g", "predict moved into a per-sample loop", "KS401", mutate_predict_in_loop),
    Kind("h", "/255 applied twice to the training split", "KS207", mutate_double_scaling),
    Kind("i", "softmax units one fewer than the classes", "KS111", mutate_units_vs_classes),
    Kind("j", "Flatten removed before the Dense head", "KS310", mutate_unflattened),
    Kind("k", "batch_size=1 with BatchNormalization on dense features", "KS311", mutate_batchnorm_single_sample),
    Kind("l", "a hidden Dense(relu) made linear", "KS303", mutate_missing_activation),
    Kind("m", "the learning rate made negative", "KS305", mutate_negative_learning_rate),
    Kind("n", "Dropout rate written as a keep probability", "KS307", mutate_keep_prob_dropout),
    Kind("o", "training rows passed as validation_data", "KS206", mutate_training_as_validation),
    Kind("p", "mse on one-hot labels of a softmax head", "KS108", mutate_regression_loss_on_one_hot),
    Kind("q", "binary crossentropy on a 1-unit relu output", "KS110", mutate_bce_on_relu),
    Kind("r", "a layer frozen between two fits without compile()", "KS312", mutate_trainable_after_fit),
    Kind("s", "the reshape to the model's flat input removed", "KS313", mutate_reshape_removed),
    Kind("t", "a callback's mode made the opposite of its quantity's direction", "KS211", mutate_inverted_monitor_mode),
    Kind("u", "a fold loop's model built once before the loop", "KS212", mutate_model_built_before_folds),
    Kind("v", "an evaluation flow scored against its .classes made to shuffle", "KS213", mutate_flow_shuffled),
    Kind("w", "a self-update's assignment removed (x.astype(...) alone)", "KS405", mutate_result_dropped),
    Kind("x", "the held-out sequences padded at the other end", "KS215", mutate_test_padded_other_side),
    Kind("y", "a Normalization layer's adapt() call removed", "KS219", mutate_adapt_removed),
    Kind("z", "a held-out split unpacked into the training name", "KS232", mutate_split_name_repeated),
    Kind("aa", "steps_per_epoch=len(flow) // batch_size added to a flow's fit()", "KS231",
         mutate_steps_divided_by_batch),
    Kind("ab", "the one fit() removed before predict()/evaluate()", "KS233", mutate_fit_removed),
    Kind("ac", "a fold loop's selections by the fold's indices replaced by the whole arrays", "KS234",
         mutate_fold_indices_dropped),
    Kind("ad", "the callbacks= argument removed from fit()", "KS238", mutate_callbacks_dropped),
    Kind("ae", "the arrays over-sampled by SMOTE before their train_test_split", "KS239", mutate_oversampled_before_split),
    Kind("af", "fit() given the whole arrays a train_test_split divided", "KS241", mutate_fit_on_unsplit),
    Kind("ag", "the class ids divided by 255 before to_categorical()", "KS242", mutate_labels_divided),
    Kind("ah", "two classes swapped in a written list of a Keras dataset's class names", "KS236",
         mutate_dataset_names_swapped),
)


# --- notebooks: the joined script and back --------------------------------------------------


def rebuild_notebook(notebook_text: str, joined: str, mutated: str) -> str | None:
    """The notebook with the mutated script's changed lines put back into their one code cell (None: cannot)."""
    source = notebook_source(notebook_text)
    document = json.loads(notebook_text)
    code_cells = [c for c in document["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    old, new = joined.splitlines(), mutated.splitlines()
    edits: dict[int, list[tuple[int, int, list[str]]]] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        anchor = i1 if i2 > i1 else i1 - 1
        if anchor < 0 or anchor >= len(source.cell_of_line):
            return None
        cell = source.cell_of_line[anchor][0]
        if i2 > i1 and {source.cell_of_line[i][0] for i in range(i1, i2)} != {cell}:
            return None
        start = source.cell_of_line[i1][1] - 1 if i2 > i1 else source.cell_of_line[anchor][1]
        edits.setdefault(cell, []).append((start, start + (i2 - i1), new[j1:j2]))
    if not edits:
        return None
    for cell, changes in edits.items():
        raw = code_cells[cell - 1].get("source", "")
        text = "".join(raw) if isinstance(raw, list) else raw
        lines = text.splitlines()
        for start, end, replacement in sorted(changes, reverse=True):
            lines[start:end] = replacement
        text = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
        code_cells[cell - 1]["source"] = text.splitlines(keepends=True)
    rebuilt = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if notebook_source(rebuilt).text.splitlines() != new:
        return None
    return rebuilt


# --- running -----------------------------------------------------------------------------------


@dataclass
class Planted:
    kind: Kind
    path: str
    description: str
    found: bool
    valid: bool = True


@dataclass
class PlantRun:
    planted: list[Planted] = field(default_factory=list)
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # files that could not be read or parsed


def _normalised(message: str) -> str:
    return re.sub(r"\b(?:cell \d+ )?line \d+|\bcell \d+:\d+", "line ?", message)


def _signature(findings, code: str) -> Counter:
    return Counter(_normalised(f.message) for f in findings if f.code == code)


# At most this many mutants of one kind per file: more sites of one file add time, not facts.
MAX_PER_KIND_PER_FILE = 2


def mutants_of(text: str, path: str, kinds: tuple[Kind, ...] = KINDS) -> Iterator[tuple[Kind, Mutant, str | None]]:
    """Every mutant of one file, with the file text to lint (None: the mutant is not valid Python or could
    not be put back into the notebook, a mutator bug)."""
    notebook = path.lower().endswith(".ipynb")
    source = notebook_source(text) if notebook else None
    joined = source.text if source is not None else text
    script = Script(joined)
    if source is not None:
        script.cell_of_line = source.cell_of_line  # type: ignore[attr-defined]
    for kind in kinds:
        for count, mutant in enumerate(kind.mutate(script)):
            if count >= MAX_PER_KIND_PER_FILE:
                break
            try:
                ast.parse(mutant.code)
            except SyntaxError:
                yield kind, mutant, None
                continue
            yield kind, mutant, (rebuild_notebook(text, joined, mutant.code) if notebook else mutant.code)


def plant_file(path: Path, display: str, config: Config, kinds: tuple[Kind, ...] = KINDS) -> list[Planted]:
    text = path.read_text(encoding="utf-8")
    results: list[Planted] = []
    baseline = None
    for kind, mutant, mutated in mutants_of(text, str(path), kinds):
        if mutated is None:
            results.append(Planted(kind, display, mutant.description, False, valid=False))
            continue
        if baseline is None:
            baseline = lint_source(text, str(path), config).findings
        findings = lint_source(mutated, str(path), config).findings
        if _signature(findings, "KS001") - _signature(baseline, "KS001"):
            results.append(Planted(kind, display, mutant.description, False, valid=False))
            continue
        found = bool(_signature(findings, kind.code) - _signature(baseline, kind.code))
        results.append(Planted(kind, display, mutant.description, found))
    return results


def plant_corpus(clean: Path, corpus: Path | None = None, kinds: tuple[Kind, ...] = KINDS) -> PlantRun:
    run = PlantRun()
    config = Config(cache=False)
    base = corpus or clean
    for path in sorted(p for p in clean.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()):
        display = path.relative_to(base).as_posix()
        run.files += 1
        try:
            run.planted.extend(plant_file(path, display, config, kinds))
        except (cst.ParserSyntaxError, NotebookError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            run.skipped.append(display)
    return run


def plant_summary(run: PlantRun) -> dict:
    kinds = {}
    for kind in KINDS:
        rows = [p for p in run.planted if p.kind is kind and p.valid]
        found = sum(p.found for p in rows)
        kinds[kind.key] = {
            "name": kind.name, "code": kind.code, "planted": len(rows), "found": found, "missed": len(rows) - found,
            "pct": round(100 * found / len(rows), 1) if rows else None,
            "missed_list": [f"{p.path}: {p.description}" for p in rows if not p.found],
        }
    valid = [p for p in run.planted if p.valid]
    return {
        "files": run.files, "unparsable_files": len(run.skipped),
        "invalid_mutants": [f"{p.path}: {p.description}" for p in run.planted if not p.valid],
        "planted": len(valid), "found": sum(p.found for p in valid),
        "pct": round(100 * sum(p.found for p in valid) / len(valid), 1) if valid else None,
        "kinds": kinds,
    }


def print_plant_report(run: PlantRun, out=sys.stdout) -> None:
    s = plant_summary(run)
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"planted bugs: {s['found']} of {s['planted']} found ({s['pct']}%) in {s['files']} clean files "
      f"({s['unparsable_files']} not parsable, so not planted)")
    for key, k in s["kinds"].items():
        pct = "-" if k["pct"] is None else f"{k['pct']:.0f}%"
        p(f"  ({key}) {k['name']:<45} {k['code']}  planted {k['planted']:>3}  found {k['found']:>3}  "
          f"missed {k['missed']:>3}  {pct}")
    for key, k in s["kinds"].items():
        if k["missed_list"]:
            p(f"\nmissed ({key}) {k['name']} [{k['code']}]:")
            for line in k["missed_list"]:
                p(f"  {line}")
    if s["invalid_mutants"]:
        p("\nmutants that were not valid (a mutator bug; not counted):")
        for line in s["invalid_mutants"]:
            p(f"  {line}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        print("usage: python benchmarks/plant.py CLEAN_DIR", file=sys.stderr)
        sys.exit(2)
    print_plant_report(plant_corpus(Path(sys.argv[1])))
