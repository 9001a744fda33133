"""KS219 normalization-never-adapted: a Keras ``Normalization`` layer given no ``mean=``/``variance=`` and never
adapted, in a model the script trains (or called on an array).

``Normalization()`` learns its mean and variance from ``adapt(data)``.  Without it, Keras 3 and tf.keras 2 alike
build the layer with a mean of 0 and a variance of 1 and raise nothing: the layer passes the raw features through,
and the model trains on unscaled inputs while the script looks as if it standardised them.  A layer adapted under
another name (``normalizer.adapt(x)`` beside ``Sequential([Normalization(), ...])``) is the same bug.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.dataflow import DataValue
from kerassniff.semantic.keras_values import LayerValue, ModelValue
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.pyvalues import FunctionValue, Instance, Seq
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
    for call in script.calls:  # those adapted (or given weights), also through their model
        if call.method in _STATE_METHODS and isinstance(call.receiver, (LayerValue, ModelValue)):
            for layer in [layer for layer in candidates if _may_be_one_of(script, call, {layer: layer.node})]:
                del candidates[layer]
    if not candidates or _state_reached(script, candidates):
        return
    for layer, used in candidates.items():
        other = _adapted_elsewhere(script, layer)
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
            f"a mean of 0 and a variance of 1 and raises nothing: the layer used at {{used}} returns its input "
            f"unchanged and the network trains on the raw features (checked on Keras 3.15.1 and tf_keras 2.21).")


def _unadapted_layers(script: Script) -> dict[Layer, cst.CSTNode]:
    """The script's Normalization layers without given statistics that a trained model holds (-> its fit() call)
    or that are called on an array (-> that call)."""
    found: dict[Layer, cst.CSTNode] = {}
    for model in script.models:
        if not model.fits:
            continue
        for layer in model.all_layers():
            if _without_statistics(layer):
                found.setdefault(layer, model.fits[0].node)
    for call in script.calls:
        receiver = call.receiver
        if isinstance(receiver, LayerValue) and call.method is None and _without_statistics(receiver.layer) and \
                call.args.positional and isinstance(call.args.positional[0], DataValue):
            found.setdefault(receiver.layer, call.node)
    return found


def _without_statistics(layer: Layer) -> bool:
    if layer.qualname not in _NORMALIZATION or layer.node is None:
        return False
    args = layer.args
    return not (args.has("mean") or args.has("variance") or len(args.positional) > 1 or
                any(arg.star for arg in args.nodes))


def _state_reached(script: Script, layers: dict[Layer, cst.CSTNode]) -> bool:
    """Whether anything may give one of the layers its statistics in a way not told apart: a state method called
    on something that may be one of them (``model.layers[1].adapt(x)``, ``model.get_layer("norm").adapt(x)``,
    ``model.load_weights(path)``, ``holder.norm.adapt(x)`` once a layer was stored in an attribute), a layer handed
    to a function kerassniff does not read, or an ``adapt`` the interpreter did not meet as a call
    (``map(norm.adapt, parts)``, code it never ran).  Another known layer, or an object of a class of the script
    that was never given one of the layers, is not one of them."""
    met: set[int] = set()
    for call in script.calls:
        if call.method in _STATE_METHODS:
            if call.method == "adapt":
                met.add(id(call.node))
            if not isinstance(call.receiver, (LayerValue, ModelValue)) and _may_be_one_of(script, call, layers):
                return True
        elif _hands_on(call, layers):
            return True
    text = script.text if script.text is not None else script.module.code
    return text.count(".adapt") > len(met)


def _may_be_one_of(script: Script, call: CallSite, layers: dict[Layer, cst.CSTNode]) -> bool:
    receiver = call.receiver
    if isinstance(receiver, LayerValue):
        return receiver.layer in layers
    if isinstance(receiver, ModelValue):
        return call.method != "adapt" and any(layer in layers for layer in receiver.model.all_layers())
    if isinstance(receiver, Instance):
        return receiver.local_class is None or _holds(receiver, layers)
    # an unknown receiver: one of the layers only when reached through a model (``layers[0]``, ``get_layer()``),
    # or through an attribute when a layer was stored in one (or was made as one: ``self.norm = Normalization()``)
    written = call.node.func.value  # type: ignore[attr-defined]
    while type(written) is cst.Attribute and written.attr.value != "layers":
        written = written.value
    if type(written) is not cst.Name:
        return True
    stored = _stored_names(script)
    return any("." in (_bound_name(script, layer.node) or "") or (_bound_name(script, layer.node) or "") in stored
               for layer in layers)


def _holds(instance: Instance, layers: dict[Layer, cst.CSTNode]) -> bool:
    return any(isinstance(value, LayerValue) and value.layer in layers for value in instance.attrs.values())


def _hands_on(call: CallSite, layers: dict[Layer, cst.CSTNode]) -> bool:
    """A call that is given one of the layers (or a list holding one) and is not Keras's nor a function of the
    script the interpreter follows into."""
    if (call.callee or "").startswith("keras.") or call.method == "add" or isinstance(call.receiver, FunctionValue):
        return False
    for value in (*call.args.positional, *(value for _, value in call.args.keywords)):
        items = value.items if isinstance(value, Seq) else (value,)
        if any(isinstance(item, LayerValue) and item.layer in layers for item in items):
            return True
    return False


def _adapted_elsewhere(script: Script, layer: Layer) -> tuple[str, cst.CSTNode] | None:
    """Another Normalization layer the script adapts and then neither puts in a model nor calls (the one it meant
    to use): (its name, the adapt() call)."""
    used = script.derived("ks219_used_layers", lambda: _used_layers(script))
    for call in script.calls:
        receiver = call.receiver
        if call.method == "adapt" and isinstance(receiver, LayerValue) and receiver.layer is not layer and \
                receiver.layer.qualname in _NORMALIZATION and id(receiver.layer) not in used:
            return script.code_of(call.node.func.value), call.node  # type: ignore[attr-defined]
    return None


def _used_layers(script: Script) -> set[int]:
    used = {id(layer) for model in script.models for layer in model.all_layers()}
    used.update(id(call.receiver.layer) for call in script.calls
                if isinstance(call.receiver, LayerValue) and call.method is None)
    return used


def _bound_name(script: Script, node: cst.CSTNode) -> str | None:
    """The name the layer is bound to where it is made (``normalizer = Normalization()``), if any."""
    return _assignments(script)[0].get(id(node))


def _stored_names(script: Script) -> frozenset[str]:
    """The plain names whose value the script stores in an attribute (``self.norm = norm``) or hands to
    ``setattr()``: an object that may be reached through an attribute afterwards."""
    return _assignments(script)[1]


def _assignments(script: Script) -> tuple[dict[int, str], frozenset[str]]:
    def read() -> tuple[dict[int, str], frozenset[str]]:
        finder = _Assignments()
        script.module.visit(finder)
        return finder.names, frozenset(finder.stored)
    return script.derived("ks219_assignments", read)


class _Assignments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.stored: set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        targets = [target.target for target in node.targets]
        if len(targets) == 1 and isinstance(targets[0], (cst.Name, cst.Attribute)):
            self.names[id(node.value)] = cst.Module([]).code_for_node(targets[0])
        if type(node.value) is cst.Name and any(type(target) is not cst.Name for target in targets):
            self.stored.add(node.value.value)

    def visit_Call(self, node: cst.Call) -> None:
        if type(node.func) is cst.Name and node.func.value == "setattr" and len(node.args) == 3 and \
                type(node.args[2].value) is cst.Name:
            self.stored.add(node.args[2].value.value)
