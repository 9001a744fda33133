"""KS220 preprocess-input-of-another-network: images prepared with one keras.applications network's
``preprocess_input`` and fed to another pretrained network that expects a different preparation.

Each family's ImageNet weights were trained on what its own ``preprocess_input`` makes of 0-255 pixels: VGG and
ResNet subtract the channel means from BGR pixels ("caffe"), MobileNet, Inception and Xception scale to -1..1
("tf"), DenseNet standardises 0-1 pixels ("torch").  ``from keras.applications.mobilenet import preprocess_input``
left over from another notebook, in front of a VGG16 base, gives the frozen features inputs a hundred times smaller
than, and centred unlike, those they learned from.
"""
from __future__ import annotations

from kerassniff.checks._shared import events, pretrained_network
from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.layers import PREPROCESSING_MODES
from kerassniff.semantic.models import Model

# The preparation each keras.applications module's preprocess_input makes (the modules of PREPROCESSING_MODES).
_MODULE_MODES = {module: mode for mode, module in PREPROCESSING_MODES.values()}
_MODE_WORDS = {"caffe": "BGR pixels less the ImageNet channel means", "tf": "pixels scaled to -1..1",
               "torch": "0-1 pixels standardised by the ImageNet means and deviations"}
_LAYERS_BEFORE_THE_NETWORK = frozenset({"InputLayer"})


@rule("KS220", "preprocess-input-of-another-network", Severity.ERROR,
      "images prepared by one keras.applications network's preprocess_input, fed to another pretrained network "
      "that expects a different preparation",
      "import preprocess_input from the module of the network you use (keras.applications.vgg16 for VGG16)")
def check(script: Script):
    for model in script.models:
        network = pretrained_network(model)
        if network is None or len(list(model.applications())) != 1 or not _fed_directly(model):
            continue
        expected, own_module = PREPROCESSING_MODES[network]
        for event in events(script, model, "x"):
            prepared = [step for step in event.data.steps if step.kind == "preprocess"]
            if len(prepared) != 1:
                continue  # none (KS202's), or several (KS207's)
            module = prepared[0].detail
            mode = _MODULE_MODES.get(module)
            if mode is None or mode == expected:
                continue  # an unknown module, or one that prepares the pixels the same way (vgg16's for ResNet50)
            yield Report(prepared[0].node, f"{module}.preprocess_input prepares {event.data.label} for {network}, "
                                           f"which expects {own_module}'s",
                         explanation=(f"{network}'s ImageNet weights were trained on {_MODE_WORDS[expected]} (what "
                                      f"keras.applications.{own_module}.preprocess_input makes of 0-255 pixels), but "
                                      f"these images go through {module}.preprocess_input, which gives "
                                      f"{_MODE_WORDS[mode]}, before {{fed}}: the pretrained features are computed "
                                      f"on inputs unlike those they were learned from, so they transfer worse and "
                                      f"the head learns from distorted features (checked on Keras 3.15.1's "
                                      f"keras.applications)."),
                         facts={"network": network, "module": module, "mode": mode, "expected": expected},
                         mentions={"fed": event.call_node})
            break


def _fed_directly(model: Model) -> bool:
    """The model's inputs reach the pretrained network before any layer of the script's (Sequential([base, ...]),
    ``base(inputs)``), or the model is the network itself: nothing in the model changes the prepared pixels first."""
    if model.application is not None:
        return True
    paths = model.output_paths()
    if not paths:
        return False
    for path in paths:
        first = next((layer for layer in path if layer.kind not in _LAYERS_BEFORE_THE_NETWORK), None)
        if first is None or first.nested is None or first.nested.application is None:
            return False
    return True
