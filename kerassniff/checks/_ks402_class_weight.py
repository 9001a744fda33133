"""KS402: ``fit(class_weight=...)`` given what Keras 3 cannot read as {class: weight}: a string (standalone Keras 2
ignored it), a list of numbers, or the array scikit-learn's ``compute_class_weight()`` returns."""
from __future__ import annotations

import libcst as cst

from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const


def class_weight_not_a_dict(script: Script, call: CallSite):
    """``model.fit(x, y, class_weight="auto")``, ``class_weight=[1.0, 3.0]``, or the array scikit-learn's
    ``compute_class_weight()`` returns: standalone Keras 2 ignored a class_weight that was not a dict (so 'auto' never
    weighted anything); tf.keras 2 and Keras 3 read it as {class: weight} and fit() raises AttributeError ('str' /
    'list' / 'numpy.ndarray' object has no attribute 'get', checked on Keras 3.15.1) before the first step."""
    arg = call.args.node_of("class_weight")
    value = call.args.get("class_weight")
    if arg is None:
        return
    shown = script.code_of(arg.value)
    if isinstance(value, Const) and isinstance(value.value, str):
        what, fix_hint = repr(value.value), ("drop it (Keras 2 ignored it), or pass {class: weight}, e.g. from "
                                             "scikit-learn's compute_class_weight('balanced', ...)")
        kind = ""
    elif type(value) is Const and type(value.value) is tuple and value.value and \
            all(type(item) in (int, float) for item in value.value):
        what, kind = shown, "a tuple" if type(arg.value) is cst.Tuple else "a list"
        fix_hint = f"pass {{class: weight}}: dict(enumerate({shown}))"  # the weights by class id, as written
    else:
        computed = _class_weights_computed(script, arg.value)
        if computed is None:
            return
        what, kind = shown, "compute_class_weight()'s array"
        classes = computed.args.get("classes", 1)
        classes_node = computed.args.node_of("classes", 1)
        fix_hint = (f"pass {{class: weight}}: dict(zip({script.code_of(classes_node.value)}, {shown})), the "
                    f"classes compute_class_weight() was given" if classes is not None and classes_node is not None
                    else f"pass {{class: weight}}: dict(zip(classes, {shown})) with the classes "
                         f"compute_class_weight() was given")
    yield Report(arg, f"class_weight={what} is {kind + ', ' if kind else ''}not a dict: Keras 3 stops with "
                      f"AttributeError", fix_hint,
                 explanation=("Standalone Keras 2 ignored a class_weight that was not a dict, so it never weighted "
                              "anything; tf.keras 2 and Keras 3 read class_weight as a dict from class index to "
                              "weight, and fit() stops with AttributeError (Keras 3.15.1: 'str' object has no "
                              "attribute 'get', the same for a list or an array) before the first training step."),
                 facts={"keyword": "class_weight", "value": value.value if isinstance(value, Const) else shown})


# scikit-learn's function that returns class weights as an array, one per class (``dict(enumerate(...))`` makes the
# {class: weight} Keras reads).
_CLASS_WEIGHT_ARRAYS = frozenset({"sklearn.utils.class_weight.compute_class_weight",
                                  "sklearn.utils.compute_class_weight"})


def _class_weights_computed(script: Script, node: cst.BaseExpression) -> CallSite | None:
    """The ``compute_class_weight(...)`` call an argument is, written there or bound once to the name it is."""
    if type(node) is cst.Name:
        bound = script.single_binding(node.value)
        node = bound if bound is not None else node
    site = script.call_at(node) if type(node) is cst.Call else None
    return site if site is not None and site.callee in _CLASS_WEIGHT_ARRAYS else None
