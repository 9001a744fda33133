"""KS402's check of hand-written callbacks that read what only standalone Keras 2.0-2.2 gave them:
``self.validation_data``, the validation arrays fit() received.

tf.keras 2 (TensorFlow 2.0 and later) left the attribute ``None`` (``self.validation_data[0]`` is a TypeError) and
Keras 3's Callback has no such attribute (AttributeError when Keras first calls the hook; both checked, on Keras
3.15.1 and TensorFlow 2.21's private copy).  Hand-written ROC-AUC and F1 callbacks of 2017-2019 read it.

Only a class whose base is Keras's own Callback is judged, and only where the script never sets the attribute
itself, on the class (``self.validation_data = validation`` in ``__init__``) or from outside
(``callback.validation_data = (x, y)``, ``setattr``): the read is then the callback's own data.  Reads under
``hasattr()`` tests or ``try``/``except AttributeError`` are the script's fallback.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.guards import unguarded_attributes
from kerassniff.semantic.knowledge.keras3_removals import PRIVATE_COPY, REMOVED_CALLBACK_ATTRIBUTES
from kerassniff.semantic.knowledge.model_api import CALLBACK_BASES
from kerassniff.semantic.syntax import walk_code

_SPELLINGS = tuple(f"self.{name}" for name in REMOVED_CALLBACK_ATTRIBUTES)  # the text gate (substring tests)


def callback_attributes(script: Script) -> Iterator[Report]:
    """The first read of ``self.validation_data`` in each Keras callback class of the script."""
    text = script.text if script.text is not None else script.module.code
    if not any(spelling in text for spelling in _SPELLINGS):
        return
    uses = list(unguarded_attributes(script.module, REMOVED_CALLBACK_ATTRIBUTES))
    # set by a class on itself (self.validation_data = ... in its __init__), or on an object from outside
    # (callback.validation_data = (x, y), setattr(callback, "validation_data", ...)): then it is the script's own data
    set_by_class = {(id(use.cls), use.node.attr.value) for use in uses if use.assigned and _on_self(use.node)}
    set_outside = {use.node.attr.value for use in uses if use.assigned and not _on_self(use.node)}
    if "setattr(" in text:
        set_outside.update(name for name in REMOVED_CALLBACK_ATTRIBUTES if f"'{name}'" in text or f'"{name}"' in text)
    reported: set[tuple[int, str]] = set()
    for use in uses:
        name = use.node.attr.value
        if use.assigned or not _on_self(use.node) or use.cls is None or name in set_outside or \
                (id(use.cls), name) in set_by_class or (id(use.cls), name) in reported or \
                not _keras_callback(script, use.cls) or _defines(use.cls, name):
            continue
        reported.add((id(use.cls), name))
        yield Report(use.node, f"self.{name} does not exist in a Keras 3 callback: AttributeError",
                     REMOVED_CALLBACK_ATTRIBUTES[name],
                     explanation=(f"Standalone Keras 2.0-2.2 set Callback.{name} to the validation arrays fit() "
                                  f"received. tf.keras 2 (TensorFlow 2.0 and later) leaves it None, so indexing it "
                                  f"is a TypeError, and Keras 3's Callback has no such attribute: AttributeError "
                                  f"when Keras first calls this hook (checked on 3.15.1)."),
                     facts={"attribute": name, "callback": use.cls.name.value})


# ``self.model = m``, ``self.model: keras.Model = m``, ``self.model, self.data = m, d`` (the text gate)
_MODEL_SET = re.compile(r"self\.model\s*(?:=(?!=)|:|,)")


def callback_model_set(script: Script) -> Iterator[Report]:
    """``self.model = model`` in a Keras callback class (a Kaggle kernel's callback handed its model in ``__init__``,
    or a ``set_model()`` override): Keras 3's Callback.model is a read-only property, so the assignment raises
    AttributeError where it runs (checked on 3.15.1; tf.keras 2 took it)."""
    text = script.text if script.text is not None else script.module.code
    if _MODEL_SET.search(text) is None:
        return
    for value in script.classes:
        cls = value.node
        if not _keras_callback(script, cls, value) or _defines(cls, "model"):
            continue
        for use in unguarded_attributes(script.module, frozenset({"model"}), root=cls):
            if use.assigned and _on_self(use.node) and use.cls is cls:
                yield Report(use.node, "assigning self.model in a Keras 3 callback raises AttributeError: model is "
                                       "read-only",
                             "keep the model under another name (self.target = model), or use self.model, which "
                             "fit() sets",
                             explanation=("Keras 3's Callback.model is a property without a setter (fit() gives the "
                                          "callback its model through set_model()), so assigning it raises "
                                          "AttributeError: property 'model' has no setter (checked on 3.15.1); "
                                          "tf.keras 2 stored the attribute."),
                             facts={"attribute": "model", "callback": cls.name.value})
                break


def _defines(cls: cst.ClassDef, name: str) -> bool:
    """Whether the class provides the attribute itself: a method or property of that name, a class attribute, or
    its instance dictionary filled wholesale (``self.__dict__.update(kwargs)``)."""
    for statement in cls.body.body:
        if type(statement) is cst.FunctionDef and statement.name.value == name:
            return True
        if type(statement) is cst.SimpleStatementLine:
            for small in statement.body:
                targets = [t.target for t in small.targets] if type(small) is cst.Assign else \
                    [small.target] if type(small) is cst.AnnAssign else []
                if any(type(target) is cst.Name and target.value == name for target in targets):
                    return True
    return any(type(node) is cst.Attribute and node.attr.value == "__dict__" for node in walk_code(cls))


def _on_self(node: cst.Attribute) -> bool:
    return type(node.value) is cst.Name and node.value.value == "self"


def _keras_callback(script: Script, cls: cst.ClassDef, value=None) -> bool:
    """Whether one of the class's bases is Keras's Callback (the interpreter's resolution of its bases, ``value``
    when the caller has it), not TensorFlow's private Keras 2 copy's."""
    value = value if value is not None else script.class_at(cls)
    if value is None or not any(base in CALLBACK_BASES for base in value.bases):
        return False
    return not script.imports_from(PRIVATE_COPY) or not any(
        (script.raw_name(base.value) or "").startswith(PRIVATE_COPY + ".") for base in cls.bases)
