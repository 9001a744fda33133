"""The Keras handlers the interpreter calls, by the names it has always used.

The handlers live in :mod:`kerassniff.semantic.library.keras` (models, tensors; layers in ``keras_layers``) and
:mod:`kerassniff.semantic.library.keras_training` (what a model's methods record); they see the interpreter
only through :class:`kerassniff.semantic.effects.Effects`.
"""
import libcst as cst

from kerassniff.semantic.effects import Effects
from kerassniff.semantic.knowledge.keras3_removals import KERAS_2_PACKAGES, PRIVATE_COPY
from kerassniff.semantic.knowledge.model_api import MODEL_FILE_WRITERS, is_keras_tuner
from kerassniff.semantic.library import keras
from kerassniff.semantic.library.keras import inner_layer_output, model_attribute, subclassed_model
from kerassniff.semantic.library.keras_training import call_object, model_method, set_attribute, set_weights, tuner
from kerassniff.semantic.syntax import code_children
from kerassniff.semantic.values import CallArgs, ModelValue, Value


def call_keras(effects: Effects, name: str, args: CallArgs, node, raw: str = "") -> Value | None:
    """A Keras function or class called (a keras-tuner tuner too, which stands for its hypermodel's model);
    ``raw``: the name as imported, which says whether a Keras 2 package (KERAS_2_PACKAGES) builds a model here."""
    if is_keras_tuner(name):
        return tuner(effects, name, args, node)
    result = keras.call_keras(effects, name, args, node)
    if type(result) is ModelValue and result.model.node is node and \
            any(raw.startswith(package + ".") for package in KERAS_2_PACKAGES):
        result.model.keras_2 = True
        result.model.private_copy = raw.startswith(PRIVATE_COPY + ".")
    return result


def may_handle(name: str) -> bool:
    return is_keras_tuner(name) or keras.may_handle(name)


__all__ = ["call_keras", "call_object", "inner_layer_output", "may_handle", "model_attribute", "model_method",
           "set_attribute", "set_weights", "subclassed_model"]


def model_files_written(module: cst.Module) -> frozenset[str]:
    """The constant file names a module writes models to anywhere in its text (``model.save("net.keras")``,
    ``ModelCheckpoint("best.h5")``), read by syntax: whether a file the script loads is one it writes itself."""
    names = set()
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        stack.extend(code_children(node))
        if type(node) is not cst.Call:
            continue
        func = node.func
        called = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else None
        position = MODEL_FILE_WRITERS.get(called)  # type: ignore[arg-type]
        if position is None:
            continue
        keyword = [a.value for a in node.args if a.keyword is not None and a.keyword.value == "filepath"]
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        path = keyword[0] if keyword else positional[position] if len(positional) > position else None
        if type(path) is cst.SimpleString:
            value = path.evaluated_value
            if isinstance(value, str):
                names.add(value)
    return frozenset(names)
