"""KS306 constant-initializer: hidden layers that start with identical (or zero) weights."""
from __future__ import annotations

from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.architecture import AFFINE_LAYERS, exact_chains, is_activation_layer, layer_text
from kerassniff.semantic.layer_facts import Layer
from kerassniff.semantic.names import is_keras, short
from kerassniff.semantic.values import Const, Instance, Symbol, Value, const_value

ZERO_NAMES = {"zeros", "zero"}
CONSTANT_NAMES = ZERO_NAMES | {"ones", "one", "constant"}
# Layers between two constant layers that keep every unit of the first one identical
# (Dropout is not here: its random masks differ per unit and break the symmetry).
SYMMETRIC_LINKS = {
    "Flatten", "Reshape", "BatchNormalization", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool2D", "MaxPool1D",
}


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, checks, _, probe = run.fit_parts(finding.line)
    kernels = probe.get("kernels")
    if not kernels or len(kernels) < 2:
        return None
    hidden = kernels[:-1]
    symmetric = [k for k in hidden if k["identical_units"]]
    updates = checks.get("updates")
    if symmetric:
        k = symmetric[0]
        state = "all zero" if k["all_zero"] else "identical"
        return Verdict(True,
                       f"after {updates} updates the {k['units']} units of '{k['name']}' still have {state} weights")
    return Verdict(False, f"after {updates} updates every hidden layer's units have distinct weights")


@rule("KS306", "constant-initializer", Severity.ERROR,
      "a hidden layer whose weights start all equal in a way training cannot undo",
      "drop kernel_initializer (the default glorot_uniform is random) or use 'he_normal' for relu layers",
      verdict=verdict)
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        for chain in exact_chains(model):
            for index, layer in enumerate(chain):
                kind = _constant_kind(layer)
                if kind is None or id(layer.node) in reported:
                    continue
                report = None
                if kind == "zero" and layer.activation == "relu" and _zero_bias(layer):
                    report = Report(layer.node, (
                        f"'{layer_text(layer)}' starts with zero weights and relu: it outputs 0 and never trains"),
                        explanation=(
                            "With a zero kernel and a zero bias every pre-activation is 0; relu(0) is 0 and "
                            "TensorFlow's relu gradient at 0 is 0, so no gradient ever reaches the kernel or the "
                            "bias: the layer stays dead and the model's output does not depend on its input."))
                else:
                    following = _next_constant(chain, index)
                    if following is not None:
                        report = Report(layer.node, (
                            f"'{layer_text(layer)}' and the '{layer_text(following)}' it feeds "
                            f"({{following}}) start constant: its units stay identical"),
                            explanation=(
                                "When a layer's kernel is constant, all its units compute the same value; when the "
                                "layer it feeds is constant too, they also receive the same gradient, so every "
                                "update keeps them equal and the layer behaves like a single unit. Random "
                                "initialisers (Keras's default glorot_uniform) exist to break this symmetry."),
                            mentions={"following": following.node})
                if report is not None:
                    reported.add(id(layer.node))
                    yield report


def _constant_kind(layer: Layer) -> str | None:
    """'zero' or 'constant' for a Dense/Conv kernel initialised to a constant; None otherwise."""
    if layer.kind not in AFFINE_LAYERS:
        return None
    value = layer.args.get("kernel_initializer") or layer.args.get("init")
    if value is None:
        return None
    name = _initializer_name(value)
    if name is None or name not in CONSTANT_NAMES:
        return None
    if name in ZERO_NAMES:
        return "zero"
    if name == "constant" and isinstance(value, Instance):
        given = const_value(value.args.get("value", 0), 0)
        return "zero" if given == 0 else "constant"
    return "constant"


def _initializer_name(value: Value) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value.lower()
    if isinstance(value, Instance) and is_keras(value.cls):
        return short(value.cls).lower()
    if isinstance(value, Symbol) and is_keras(value.name):
        return short(value.name).lower()
    return None


def _zero_bias(layer: Layer) -> bool:
    if layer.args.get("use_bias") is not None and const_value(layer.args.get("use_bias")) is False:
        return True
    bias = layer.args.get("bias_initializer")
    return bias is None or _initializer_name(bias) in ZERO_NAMES


def _next_constant(chain: tuple[Layer, ...], index: int) -> Layer | None:
    """The next Dense/Conv layer when it is constant-initialised too and nothing in between breaks symmetry."""
    for layer in chain[index + 1:]:
        if layer.kind in AFFINE_LAYERS:
            return layer if _constant_kind(layer) is not None else None
        if not (layer.kind in SYMMETRIC_LINKS or is_activation_layer(layer)):
            return None
    return None
