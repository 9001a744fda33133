"""KS303 missing-activation: two affine layers in a row collapse into one."""
from __future__ import annotations

import libcst as cst

from kerassniff.checks._shared import kernel_layer, layer_chains
from kerassniff.evidence import Measurements, Verdict
from kerassniff.findings import Finding, Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.architecture import (
    AFFINE_LAYERS,
    LINEAR_TRANSPARENT,
    MAX_POOLING_LAYERS,
    Neighbours,
    affine_neighbours,
    exact_chains,
    is_activation_layer,
    layer_text,
)
from kerassniff.semantic.knowledge.layers import RECURRENT_LAYERS
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import LOSS_ALIASES, REGRESSION_LOSSES
from kerassniff.semantic.names import is_keras, keras_relative, short
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.values import ModelValue


def verdict(finding: Finding, run: Measurements) -> Verdict | None:
    _, _, _, probe = run.fit_parts(finding.line)
    layers = probe.get("layers")
    if not layers:
        return None
    linear = [(a, b) for a, b in layer_chains(layers) if kernel_layer(a) and kernel_layer(b)
              and a.get("activation") == "linear"]
    if linear:
        a, b = linear[0]
        return Verdict(True, (f"the built model feeds {a['class']} '{a['name']}' (linear) straight into {b['class']} "
                              f"'{b['name']}': two affine maps in a row are one"))
    return Verdict(False, "every Dense/Conv layer of the built model that feeds another has a non-linear activation")


@rule("KS303", "missing-activation", Severity.WARNING,
      "a hidden Dense/Conv layer with no activation feeding another Dense/Conv layer",
      "give the hidden layer a non-linearity: activation='relu', or an Activation/LeakyReLU layer after it",
      verdict=verdict)
def check(script: Script):
    reported: set[int] = set()
    for model in script.models:
        if _linear_regression(script, model):
            continue
        for pair in affine_neighbours(model):
            layer = pair.layer
            if layer.activation != "linear" or id(layer.node) in reported:
                continue
            if _bottleneck(pair) or _factorised(pair) or _projection(pair) or _regression_head(script, model, pair):
                continue
            reported.add(id(layer.node))
            yield _report(pair)


def _report(pair: Neighbours) -> Report:
    layer, following = pair.layer, pair.following
    if any(b.kind in MAX_POOLING_LAYERS for b in pair.between):
        # Max pooling is non-linear: the pair does not collapse, but the window's max is all the non-linearity left.
        return Report(layer.node, (
            f"'{layer_text(layer)}' has no activation: only max pooling separates it from "
            f"'{layer_text(following)}' ({{following}})"),
            explanation=(
                "Without an activation, the max over each pooling window is the only non-linearity between the two "
                "layers: the first layer's responses are otherwise combined linearly by the next. Hidden layers "
                "usually need activation='relu' (Dense and Conv layers default to no activation); the pooling "
                "does not replace it."),
            mentions={"following": following.node})
    between = ", ".join(sorted({b.kind for b in pair.between}))
    through = f"Only {between} lies between them. " if between else ""
    return Report(layer.node, (
        f"'{layer_text(layer)}' has no activation and feeds '{layer_text(following)}' "
        f"({{following}}): the two act as one linear layer"),
        explanation=(
            f"{through}Without a non-linearity in between, W2·(W1·x + b1) + b2 is itself a single affine "
            "map, so the first layer adds parameters but no capacity and the network is shallower than it "
            "looks. "
            "Dropout, reshaping, average pooling and BatchNormalization (affine at inference) in between do not "
            "change that. Hidden layers usually need activation='relu' (Dense and Conv layers default to no "
            "activation)."),
        mentions={"following": following.node})


def _bottleneck(pair: Neighbours) -> bool:
    """A linear layer narrower than what it reads and what it feeds: a deliberate low-rank code (autoencoders).

    Unknown widths count as a bottleneck: rules stay silent on what they cannot see.
    """
    units, following = pair.layer.units, pair.following.units
    if units is None or following is None:
        return True
    return units < following and (pair.input_width is None or units < pair.input_width)


def _factorised(pair: Neighbours) -> bool:
    """Conv (1, k) then Conv (k, 1): a spatially factorised convolution, linear on purpose."""
    first, second = pair.layer.kernel_size, pair.following.kernel_size
    if not (pair.layer.is_conv and pair.following.is_conv) or first is None or second is None:
        return False
    return first != second and 1 in first and any(k > 1 for k in first)


def _projection(pair: Neighbours) -> bool:
    """Dense -> Reshape -> Conv: a vector projected into a feature map (generators), linear by design."""
    return pair.layer.kind == "Dense" and pair.following.is_conv and any(b.kind == "Reshape" for b in pair.between)


def _regression_head(script: Script, model: Model, pair: Neighbours) -> bool:
    """Linear Dense layers that end in the model's linear output, trained with a regression loss, after a body with
    something non-linear in it (``LSTM(50) -> Dense(25) -> Dense(1)`` with mse, the forecasting tutorials' head; a
    Conv2D and ReLU body; a ``Dense(64, activation="relu")`` one): together they are one linear read-out of the body's
    features, the function class of ``Dense(1)`` itself. Harmless, and nothing a user would change: not reported."""
    if pair.layer.kind != "Dense":
        return False
    chains = [chain for chain in exact_chains(model) if pair.layer in chain]
    if not chains:
        return False  # the graph is not known exactly
    losses = _losses(script, model)
    if not losses or any(name not in REGRESSION_LOSSES for name in losses):
        return False
    for chain in chains:
        at = chain.index(pair.layer)
        if not all(_linear_read_out(layer) for layer in chain[at:]) or chain[-1].kind != "Dense":
            return False  # something after it is not linear, or the output is not a Dense
        if not any(_nonlinear(layer) for layer in chain[:at]):
            return False  # a linear model from the input: the linear regression case, or a forgotten activation
    return True


def _linear_read_out(layer) -> bool:
    """A layer of a linear read-out: a Dense with no activation, or one that adds no non-linearity (Dropout)."""
    return (layer.kind == "Dense" and layer.activation == "linear") or layer.kind in LINEAR_TRANSPARENT


def _nonlinear(layer) -> bool:
    """A layer that computes something non-linear: a recurrent layer, a Dense or convolution with an activation,
    an activation layer (``Activation("relu")``, ``LeakyReLU``)."""
    if layer.kind in RECURRENT_LAYERS:  # (also wrapped: Bidirectional(LSTM(...)) is the LSTM, its wrapper noted)
        return True
    if layer.kind in AFFINE_LAYERS or is_activation_layer(layer):
        return layer.activation not in (None, "linear")
    return False


def _losses(script: Script, model: Model) -> list[str | None]:
    """The model's losses by name: compiled, or (compiled without one) the Keras losses it adds itself."""
    return [loss.name for call in model.compiles for loss in call.losses] or _added_losses(script, model)


# Transposed convolutions: affine maps too (a linear autoencoder's decoder).
_TRANSPOSED = frozenset({"Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D", "Deconv2D"})


def _added_losses(script: Script, model: Model) -> list[str | None]:
    """The Keras losses called inside ``model.add_loss(...)`` (``K.mean(mse(y_in, out))``), by canonical name: the
    loss of a model compiled without one (None for a call of another library, which may be anything)."""
    names: list[str | None] = []
    for call in script.calls:
        if call.method != "add_loss" or not isinstance(call.receiver, ModelValue) or call.receiver.model is not model:
            continue
        for node in _loss_expressions(script, call):
            for inner in walk_code(node):
                site = script.call_at(inner) if type(inner) is cst.Call else None
                if site is not None and site.callee is not None and is_keras(site.callee) and \
                        ".losses." in f".{keras_relative(site.callee)}":
                    names.append(LOSS_ALIASES.get(short(site.callee).lower()))
    return names


def _loss_expressions(script: Script, call) -> list[cst.BaseExpression]:
    """The code of what ``add_loss`` is given: its argument, and for a name, what the script's top level last bound
    the name to before the call (``loss = K.mean(mse(out, y_in))``, then ``model.add_loss(loss)``)."""
    found: list[cst.BaseExpression] = []
    for arg in call.node.args:
        found.append(arg.value)
        if type(arg.value) is cst.Name and call.top is not None:
            bound = [small.value for statement in script.module.body[:call.top]
                     if type(statement) is cst.SimpleStatementLine for small in statement.body
                     if type(small) is cst.Assign and any(type(target.target) is cst.Name and
                                                          target.target.value == arg.value.value
                                                          for target in small.targets)]
            found.extend(bound[-1:])
    return found


def _linear_regression(script: Script, model: Model) -> bool:
    """A model with no non-linearity at all, trained with a regression loss: a linear regression on purpose."""
    chains = exact_chains(model)
    losses = _losses(script, model)
    if not chains or not losses or any(name not in REGRESSION_LOSSES for name in losses):
        return False
    for chain in chains:
        for layer in chain:
            if layer.kind in AFFINE_LAYERS or layer.kind in _TRANSPOSED or is_activation_layer(layer):
                if layer.activation != "linear":
                    return False
            elif layer.kind not in LINEAR_TRANSPARENT:
                return False
    return True
