"""KS402's check of attributes Keras 3's optimizers no longer have: ``model.optimizer.lr``.

Keras 2 optimizers kept ``lr`` beside ``learning_rate`` (tf.keras up to 2.15 as an alias property); Keras 3's have
only ``learning_rate`` (checked on 3.15.1): reading ``optimizer.lr`` raises AttributeError, and assigning it sets a
plain Python attribute that nothing reads, so the learning rate stays what it was built with, silently.  Hand-written
learning-rate callbacks do both (``K.set_value(self.model.optimizer.lr, rate)``, ``self.model.optimizer.lr = rate``).

The receiver is read from the spelling ``<anything>.optimizer.lr``: a model's optimizer is reached through its
``optimizer`` attribute, which no other object in a Keras script names so.  The walk runs only on scripts whose
text holds that spelling; uses under ``try: ... except AttributeError`` or ``if hasattr(...)`` are the script's own
fallback and not reported.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from kerassniff.fixes import safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.guards import catches_missing_names, is_version_check
from kerassniff.semantic.names import keras_relative
from kerassniff.semantic.syntax import code_children

# Keras 2 optimizer attribute -> Keras 3's name for it.
REMOVED_OPTIMIZER_ATTRIBUTES = {"lr": "learning_rate"}
_SPELLING = re.compile(r"\.\s*optimizer\s*\.\s*(" + "|".join(REMOVED_OPTIMIZER_ATTRIBUTES) + r")\b")


def optimizer_attributes(script: Script) -> Iterator[Report]:
    """One report per ``<model>.optimizer.lr`` read or assignment outside the script's own fallbacks."""
    text = script.text if script.text is not None else script.module.code
    if not _SPELLING.search(text) or not _uses_keras(script):
        return
    for node, assigned in _uses(script.module):
        old, new = node.attr.value, REMOVED_OPTIMIZER_ATTRIBUTES[node.attr.value]
        holder = script.code_of(node.value)
        fix = safe_fix(f"rename .{old} to .{new}", node, node.with_changes(attr=cst.Name(new)))
        if assigned:
            yield Report(node, f"setting {holder}.{old} is ignored by Keras 3: the learning rate stays as built",
                         f"assign {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                         explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'. Keras 3's have "
                                      f"only '{new}': assigning '{old}' stores a Python attribute that the "
                                      f"optimizer never reads, so training goes on at the rate it was built with "
                                      f"and nothing warns (checked on Keras 3.15.1)."),
                         facts={"attribute": old, "modern": new, "assigned": True})
        else:
            yield Report(node, f"{holder}.{old} does not exist in Keras 3: AttributeError",
                         f"read {holder}.{new} (a Keras 3 optimizer has no '{old}')", fix,
                         explanation=(f"Keras 2 optimizers had '{old}' as another name of '{new}'; Keras 3's have "
                                      f"only '{new}', so this read stops the script with AttributeError (in a "
                                      f"callback: at the end of the first epoch). Keras 3's '{new}' is a variable: "
                                      f"read it with float(...) or .numpy(), set it with .assign(value) or by "
                                      f"assigning the attribute."),
                         facts={"attribute": old, "modern": new, "assigned": False})


def _uses_keras(script: Script) -> bool:
    """Whether the script imports Keras or TensorFlow (another library's ``trainer.optimizer.lr`` is not judged)."""
    return any(keras_relative(raw) is not None or raw.split(".", 1)[0] == "tensorflow"
               for raw in script.imports.values())


def _uses(module: cst.Module) -> Iterator[tuple[cst.Attribute, bool]]:
    """(``x.optimizer.lr`` node, whether it is assigned) outside try/except AttributeError and hasattr() checks."""
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    assigned: set[int] = set()
    while stack:
        node, guarded = stack.pop()
        kind = type(node)
        if kind is cst.Attribute and node.attr.value in REMOVED_OPTIMIZER_ATTRIBUTES and \
                type(node.value) is cst.Attribute and node.value.attr.value == "optimizer" and not guarded:
            yield node, id(node) in assigned
        if kind is cst.Try:
            caught = any(catches_missing_names(module, handler) for handler in node.handlers)
            stack.append((node.body, guarded or caught))
            stack.extend((part, guarded) for part in (*node.handlers, node.orelse, node.finalbody) if part is not None)
            continue
        if kind is cst.If:
            checked = guarded or bool(is_version_check(module, node.test))
            stack.extend([(node.test, guarded), (node.body, checked)] +
                         ([(node.orelse, checked)] if node.orelse is not None else []))
            continue
        if kind is cst.Assign:
            assigned.update(id(target.target) for target in node.targets)
        elif kind in (cst.AugAssign, cst.AnnAssign):
            assigned.add(id(node.target))
        stack.extend((child, guarded) for child in code_children(node))
