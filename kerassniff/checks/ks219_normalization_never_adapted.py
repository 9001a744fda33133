"""KS219 normalization-never-adapted: a Keras ``Normalization`` layer given no ``mean=``/``variance=`` and never
adapted, in a model the script trains (or called on an array).

``Normalization()`` learns its mean and variance from ``adapt(data)``.  Without it, Keras 3 and tf.keras 2 alike
build the layer with a mean of 0 and a variance of 1 and raise nothing: the layer passes the raw features through,
and the model trains on unscaled inputs while the script looks as if it standardised them.  A layer adapted under
another name (``normalizer.adapt(x)`` beside ``Sequential([Normalization(), ...])``) is the same bug.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataValue
from kerassniff.semantic.keras_values import LayerValue, ModelValue
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.pyvalues import FunctionValue, Instance, Seq
from kerassniff.semantic.syntax import rendered
from kerassniff.semantic.training import CallSite

# The layer's own ways to get its statistics: adapt(), and the weights it holds (set by hand, or read back with the
# model's, since the mean and variance are weights: checked on Keras 3.15.1, load_weights() restores them).
_STATE_METHODS = frozenset({"adapt", "set_weights", "load_weights", "restore", "load_own_variables"})
_NORMALIZATION = ("keras.layers.Normalization", "keras.layers.experimental.preprocessing.Normalization")


@rule("KS219", "normalization-never-adapted", Severity.ERROR,
      "a Normalization layer with no mean=/variance= that nothing adapts: it passes the features through unscaled",
      "call layer.adapt(training_features) before fit() (on the training split only), or give it mean= and "
      "variance=")
def check(script: Script):
    candidates = _unadapted_layers(script)
    if not candidates or _state_reached(script, candidates):
        return
    for made, (layer, used) in candidates.items():
        other = _adapted_elsewhere(script, made)
        name = _bound_name(script, layer.node)
        label = f"'{name}'" if name else "Normalization()"
        consequence = "passes the features through unscaled"
        if other is not None:
            yield Report(layer.node, f"{label} is never adapted ('{other[0]}' is): it {consequence}",
                         explanation=_explanation(label, used, f"The layer adapted at {{adapted}} is another "
                                                                f"Normalization object; this one, the one the model "
                                                                f"holds, keeps its initial statistics. "),
                         facts={"layer": name or "Normalization()", "adapted": other[0]},
                         mentions={"used": used, "adapted": other[1]})
        else:
            yield Report(layer.node, f"{label} is never adapted: it {consequence}",
                         explanation=_explanation(label, used, ""),
                         facts={"layer": name or "Normalization()"}, mentions={"used": used})


def _explanation(label: str, used: cst.CSTNode, lead: str) -> str:
    return (f"{lead}{label} is given no mean= and variance= and no adapt() call fills them, so Keras builds it with "
            f"a mean of 0 and a variance of 1 and raises nothing: the model trained at {{used}} gets its input "
            f"unchanged from it, the raw features (checked on Keras 3.15.1 and tf_keras 2.21).")


def _unadapted_layers(script: Script) -> dict[int, tuple[Layer, cst.CSTNode]]:
    """The script's Normalization layers without given statistics that a trained model holds (-> its fit() call)
    or that are called on an array (-> that call), by the node that makes them (a function that builds its model
    runs once per call, each run a new layer object from the same code), less those the script adapts or gives
    weights: directly, or through their model (``load_weights``)."""
    found: dict[int, tuple[Layer, cst.CSTNode]] = {}
    for model in script.models:
        if not model.fits:
            continue
        for layer in model.all_layers():
            if _without_statistics(layer):
                found.setdefault(id(layer.node), (layer, model.fits[0].node))
    for call in script.calls:
        receiver = call.receiver
        if isinstance(receiver, LayerValue) and call.method is None and _without_statistics(receiver.layer) and \
                call.args.positional and isinstance(call.args.positional[0], DataValue):
            found.setdefault(id(receiver.layer.node), (receiver.layer, call.node))
    for call in script.calls:
        if call.method not in _STATE_METHODS:
            continue
        receiver = call.receiver
        if isinstance(receiver, LayerValue):
            found.pop(id(receiver.layer.node), None)
        elif isinstance(receiver, ModelValue) and call.method != "adapt":
            for layer in receiver.model.all_layers():
                found.pop(id(layer.node), None)
    return found


def _without_statistics(layer: Layer) -> bool:
    if layer.qualname not in _NORMALIZATION or layer.node is None:
        return False
    args = layer.args
    return not (args.has("mean") or args.has("variance") or len(args.positional) > 1 or
                any(arg.star for arg in args.nodes))


def _state_reached(script: Script, layers: dict[int, tuple[Layer, cst.CSTNode]]) -> bool:
    """Whether anything may give one of the layers its statistics in a way not told apart: a state method called
    on something that may be one of them (``model.layers[1].adapt(x)``, ``scale = model.get_layer("s");
    scale.adapt(x)``, a loop's variable, ``holder.norm.adapt(x)`` once a layer was stored in an attribute), a layer
    handed to a function kerassniff does not read, or an ``adapt`` attribute written where the interpreter met no
    call of it (``map(norm.adapt, parts)``, code it never ran).  Another known layer, or an object of a class of
    the script that was never given one of the layers, is not one of them; comments and strings are not code."""
    met: set[int] = set()
    for call in script.calls:
        if call.method in _STATE_METHODS:
            if call.method == "adapt":
                met.add(id(call.node.func))
            if _may_be_one_of(script, call, layers):
                return True
        elif _hands_on(call, layers):
            return True
    return bool(_assignments(script).adapt_attributes - met)


def _may_be_one_of(script: Script, call: CallSite, layers: dict[int, tuple[Layer, cst.CSTNode]]) -> bool:
    receiver = call.receiver
    if isinstance(receiver, (LayerValue, ModelValue)):
        return False  # a known object: told apart in _unadapted_layers
    if isinstance(receiver, Instance):
        return receiver.local_class is None or any(
            isinstance(value, LayerValue) and id(value.layer.node) in layers for value in receiver.attrs.values())
    # An unknown receiver: one of the layers unless it is an attribute of an object (``model.norm_wide``) and no
    # layer was stored in an attribute (or made as one: ``self.norm = Normalization()``), or an item of a
    # container (``lookups[name]``) and no layer was put in one.
    written = call.node.func.value  # type: ignore[attr-defined]
    item = type(written) is cst.Subscript
    if item:
        written = written.value
    elif type(written) is not cst.Attribute:
        return True
    while type(written) is cst.Attribute and written.attr.value != "layers":
        written = written.value
    if type(written) is not cst.Name:
        return True
    code = _assignments(script)
    names = [_bound_name(script, layer.node) or "" for layer, _ in layers.values()]
    if item:
        return any(name in code.contained for name in names) or \
            any(id(layer.node) in code.contained_made for layer, _ in layers.values())
    return any("." in name or name in code.stored for name in names)


def _hands_on(call: CallSite, layers: dict[int, tuple[Layer, cst.CSTNode]]) -> bool:
    """A call that is given one of the layers (or a list holding one) and is not Keras's nor a function of the
    script the interpreter follows into."""
    if (call.callee or "").startswith("keras.") or call.method == "add" or isinstance(call.receiver, FunctionValue):
        return False
    for value in (*call.args.positional, *(value for _, value in call.args.keywords)):
        items = value.items if isinstance(value, Seq) else (value,)
        if any(isinstance(item, LayerValue) and id(item.layer.node) in layers for item in items):
            return True
    return False


def _adapted_elsewhere(script: Script, made: int) -> tuple[str, cst.CSTNode] | None:
    """Another Normalization layer the script adapts and then neither puts in a model nor calls (the one it meant
    to use): (its name, the adapt() call)."""
    used = script.derived("ks219_used_layers", lambda: _used_layers(script))
    for call in script.calls:
        receiver = call.receiver
        if call.method == "adapt" and isinstance(receiver, LayerValue) and id(receiver.layer.node) != made and \
                receiver.layer.qualname in _NORMALIZATION and id(receiver.layer.node) not in used:
            return script.code_of(call.node.func.value), call.node  # type: ignore[attr-defined]
    return None


def _used_layers(script: Script) -> set[int]:
    used = {id(layer.node) for model in script.models for layer in model.all_layers()}
    used.update(id(call.receiver.layer.node) for call in script.calls
                if isinstance(call.receiver, LayerValue) and call.method is None)
    return used


def _bound_name(script: Script, node: cst.CSTNode) -> str | None:
    """The name the layer is bound to where it is made (``normalizer = Normalization()``), if any."""
    return _assignments(script).names.get(id(node))


@dataclass(frozen=True)
class _Written:
    """What the rule reads from the code as written, in one walk: the name each made object is bound to, the plain
    names whose value is stored in an attribute (``self.norm = norm``, ``setattr(obj, "n", norm)``), and every
    ``.adapt`` attribute (by node)."""

    names: dict[int, str]
    stored: frozenset[str]
    adapt_attributes: frozenset[int]
    contained: frozenset[str]  # plain names put in a list, tuple, set or dict (a display, d[k] = n, .append(n))
    contained_made: frozenset[int]  # calls made inside such a container ({c: Normalization() for c in cols})


def _assignments(script: Script) -> _Written:
    def read() -> _Written:
        finder = _Assignments()
        script.module.visit(finder)
        return _Written(finder.names, frozenset(finder.stored), frozenset(finder.adapts),
                        frozenset(finder.contained), frozenset(finder.contained_made))
    return script.derived("ks219_written", read)


_FILLING_METHODS = frozenset({"append", "insert", "extend", "add", "update", "setdefault"})


class _Assignments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.stored: set[str] = set()
        self.adapts: set[int] = set()
        self.contained: set[str] = set()
        self.contained_made: set[int] = set()
        self._arguments: set[int] = set()  # displays written as a call's argument

    def visit_Assign(self, node: cst.Assign) -> None:
        targets = [target.target for target in node.targets]
        if len(targets) == 1 and isinstance(targets[0], (cst.Name, cst.Attribute)):
            self.names[id(node.value)] = rendered(targets[0])
        if any(type(target) is cst.Subscript for target in targets):
            self._put(node.value)
        if type(node.value) is cst.Name and any(type(target) is not cst.Name for target in targets):
            self.stored.add(node.value.value)

    def visit_Call(self, node: cst.Call) -> None:
        self._arguments.update(id(arg.value) for arg in node.args)
        func = node.func
        if type(func) is cst.Name and func.value == "setattr" and len(node.args) == 3 and \
                type(node.args[2].value) is cst.Name:
            self.stored.add(node.args[2].value.value)
        elif type(func) is cst.Attribute and func.attr.value in _FILLING_METHODS:
            for arg in node.args:
                self._put(arg.value)

    def _put(self, value: cst.BaseExpression) -> None:
        if type(value) is cst.Name:
            self.contained.add(value.value)
        elif type(value) is cst.Call:
            self.contained_made.add(id(value))

    def _display(self, node: cst.CSTNode, values: list[cst.BaseExpression]) -> None:
        if id(node) not in self._arguments:
            for value in values:
                self._put(value)

    def visit_List(self, node: cst.List) -> None:
        self._display(node, [element.value for element in node.elements])

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self._display(node, [element.value for element in node.elements])

    def visit_Set(self, node: cst.Set) -> None:
        self._display(node, [element.value for element in node.elements])

    def visit_Dict(self, node: cst.Dict) -> None:
        self._display(node, [element.value for element in node.elements if isinstance(element, cst.DictElement)])

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._display(node, [node.elt])

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._display(node, [node.value])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "adapt":
            self.adapts.add(id(node))
