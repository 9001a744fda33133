"""KS402's checks over the names a script imports and reads: Keras 1/2 module paths, Keras 2 backend functions and
``keras.utils.np_utils`` that Keras 3 does not have (the rule, :mod:`ks402_legacy_keras_api`, checks calls).

Every name was checked: Keras 3.15.1 and TensorFlow 2.21 by importing it (tests/test_library_claims.py for the
backend functions), the Keras 3.0-3.14 wheels for ``keras.api``.
"""
from __future__ import annotations

import functools

import libcst as cst

from kerassniff.checks._shared import keras_2_only
from kerassniff.fixes import Edit, Fix, safe_fix
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.reach import unreached_definitions
from kerassniff.semantic.syntax import walk_code
from kerassniff.semantic.knowledge.keras3_removals import (
    BACKEND_FUNCTIONS_ELSEWHERE,
    BACKEND_FUNCTIONS_IN_OPS,
    BACKEND_FUNCTIONS_IN_RANDOM,
    BACKEND_SPELLINGS,
    PRIVATE_COPY,
    KERAS_1_REGULARIZERS,
    LOWERCASE_OPTIMIZERS,
    PRIVATE_COPY_NAMES,
    PRIVATE_COPY_REMOVED,
    REMOVED_ALIASES,
    REMOVED_BACKEND_MODULES,
    REMOVED_FUNCTIONS,
    REMOVED_FROM_KERAS,
    REMOVED_FROM_TENSORFLOW,
    REMOVED_FROM_TENSORFLOW_2,
    REMOVED_IN_KERAS_3,
    REMOVED_MODULES,
    REMOVED_NAME_HINTS,
    MISSING_FROM_TF_KERAS,
    TF_KERAS_ROOTS,
)

_KERAS_ROOT_REMOVED = {**REMOVED_MODULES, **REMOVED_FROM_KERAS}
_BACKEND_FUNCTIONS = BACKEND_FUNCTIONS_IN_OPS | BACKEND_FUNCTIONS_IN_RANDOM | BACKEND_FUNCTIONS_ELSEWHERE
_REMOVED_PREFIXES = tuple(f"{module}." for module in REMOVED_MODULES)
_KERAS_ROOT_PREFIXES = tuple(f"{module}." for module in _KERAS_ROOT_REMOVED)
_PRIVATE_PREFIX = PRIVATE_COPY + "."
_TENSORFLOW_2_REMOVED = {f"tensorflow.{module}.{name}": (module, name) for module, name in REMOVED_FROM_TENSORFLOW_2}
_LOWERCASE_OPTIMIZER_ALIASES = frozenset(f"optimizers.{alias}" for alias in LOWERCASE_OPTIMIZERS)
KERAS_1_MODULES = ("objectives", "initializations", "utils.visualize_util", *KERAS_1_REGULARIZERS)  # others: Keras 2's


def removed_names(script: Script):
    """The reports on the names the script reads that Keras 3 does not have."""
    yield from _np_utils(script)
    yield from _removed_modules(script)


def _name_hints(script: Script, raw: str, module: str, relative: str) -> str | None:
    """The hints for the names the script reads from a removed module, when each has one of its own
    (``tf.keras.experimental.export_saved_model``: not the module's hint about learning-rate schedules)."""
    names = _names_taken(script, raw[:len(raw) - len(relative)] + module)
    hints = [REMOVED_NAME_HINTS.get((module, name)) for name in sorted(names)]
    return "; ".join(dict.fromkeys(hints)) if hints and all(hints) else None  # type: ignore[arg-type]


def _example(script: Script, module: str) -> str:
    """``: 'from keras.layers import Embedding'`` for the first class the script takes from ``module``."""
    prefix = module + "."
    for reference in script.references:
        name = reference.raw[len(prefix):].rsplit(".", 1)[-1]
        if reference.raw.startswith(prefix) and name[:1].isupper():
            return f": 'from keras.layers import {name}'"
    return ""


def _removed_modules(script: Script):
    """One report per Keras 1/2 module or name of REMOVED_MODULES the script names, at its first mention (the
    import).  Every reference is looked at: the tests are C-level string prefixes."""
    reported: set[str] = set()
    keras_2 = keras_2_only(script)  # tf_keras, or TF_USE_LEGACY_KERAS: what Keras 3 removed is still there
    backend_used: list = []  # keras.backend.<Keras 2 function> references, reported once per script
    for reference in script.references:
        raw = reference.raw
        if not _may_be_removed(raw):
            continue
        if keras_2 and (raw.startswith("keras.") or raw.startswith("tensorflow.keras.")):
            continue
        if raw.startswith("keras.backend.") and not reference.guarded and \
                raw.split(".")[2] in _BACKEND_FUNCTIONS:
            backend_used.append(reference)
            continue
        if raw.startswith("keras.api.") or raw == "keras.api":
            if "api" not in reported and not reference.guarded:
                reported.add("api")
                yield _removed_in_keras_3(script, reference, "api")
            continue
        if raw.startswith(_PRIVATE_PREFIX):
            part = raw[len(_PRIVATE_PREFIX):].split(".", 1)[0]
            if part in PRIVATE_COPY_REMOVED and part not in reported and not reference.guarded:
                reported.add(part)
                yield _private_copy_part(script, reference, part)
            missing = _missing_private_name(raw)
            if missing is not None and missing not in reported and not reference.guarded:
                reported.add(missing)
                yield _private_copy_name(script, reference, missing)
            continue
        if _tensorflow_2_name(raw) is not None:
            removed = _tensorflow_2_name(raw)
            if removed not in reported and not reference.guarded:
                reported.add(removed)  # type: ignore[arg-type]
                yield _removed_from_tensorflow_2(script, reference, removed)  # type: ignore[arg-type]
            continue
        if _tensorflow_1_package(raw) is not None:
            part = _tensorflow_1_package(raw)
            if f"tensorflow.{part}" not in reported and not reference.guarded:
                reported.add(f"tensorflow.{part}")
                failure = _failure(script, reference.node)
                yield Report(reference.node, f"tensorflow.{part} does not exist in TensorFlow 2: {failure}",
                             REMOVED_FROM_TENSORFLOW[part],  # type: ignore[index]
                             explanation=(f"tensorflow.{part} was part of TensorFlow 1; TensorFlow 2's package does "
                                          f"not have it, so the script stops here with {failure}."),
                             facts={"module": f"tensorflow.{part}"})
            continue
        missing = _missing_from_tf_keras(raw)
        if missing is not None:
            if not keras_2 and missing not in reported and not reference.guarded:
                reported.add(missing)
                yield _tf_keras_long_name(script, reference, missing)
            continue
        if raw.startswith("keras."):
            relative, table, prefixes = raw[6:], _KERAS_ROOT_REMOVED, _KERAS_ROOT_PREFIXES
        elif raw.startswith("tensorflow.keras."):
            relative, table, prefixes = raw[17:], REMOVED_MODULES, _REMOVED_PREFIXES
        else:
            continue  # tf_keras, keras.src, TensorFlow's copies: other Kerases
        if not (relative in table or relative.startswith(prefixes)) or reference.guarded:
            continue
        module = next(m for m in table if relative == m or relative.startswith(m + "."))
        if module in reported:
            continue
        failure = _failure(script, reference.node)
        if failure != "ImportError" and module in _LOWERCASE_OPTIMIZER_ALIASES:
            continue  # a lowercase optimizer alias used in code: the call's own report (KS402's check of the call)
        reported.add(module)
        hint = _name_hints(script, reference.raw, module, relative) or \
            table[module].format(example=_example(script, reference.raw))
        # set_image_dim_ordering, set_learning_phase, get_session, ...; model_from_yaml, keras.losses.mse, ...
        function = (module.startswith("backend.") and module not in REMOVED_BACKEND_MODULES) or \
            module in REMOVED_FUNCTIONS
        keras = 1 if module in KERAS_1_MODULES or module.endswith("dim_ordering") else 2
        kind = ("alias" if module in REMOVED_ALIASES else "function" if function else
                "class" if module.rsplit(".", 1)[-1][:1].isupper() else "module")
        yield Report(reference.node, f"keras.{module} does not exist in Keras 3: {failure}", hint,
                     explanation=(f"keras.{module} is a Keras {keras} {kind}; Keras 3 "
                                  + ("(and tensorflow.keras on TensorFlow 2.16+, which is Keras 3) "
                                     if module in REMOVED_MODULES and keras == 2 else "")
                                  + f"has no such {kind}, so the script stops here with {failure}."),
                     facts={"module": f"keras.{module}"})
    backend_used = _entered(script, backend_used)
    if backend_used:
        yield _backend_functions(script, backend_used)


def _entered(script: Script, used: list) -> list:
    """The references a run of the script may reach: not those inside a module-level function or class that a
    script training at module level never calls (:func:`~kerassniff.semantic.reach.unreached_definitions`)."""
    unreached = unreached_definitions(script, {reference.top for reference in used})
    return [reference for reference in used if reference.top not in unreached] if unreached else used


def _backend_functions(script: Script, used: list) -> Report:
    """The Keras 2 backend functions (K.exp, K.int_shape, ...) a script reads from Keras 3's keras.backend: one
    report, at the first in the file, naming them all with their Keras 3 spellings where they have one."""
    # (references are recorded in the order the code ran, which puts a helper's body, called early, before code
    # written above it)
    used = script.in_source_order(used, lambda reference: reference.node)
    names = list(dict.fromkeys(reference.raw.split(".")[2] for reference in used))
    first = used[0]
    failure = _failure(script, first.node)
    in_lambda = _in_a_lambda_layer_without_output_shape(script, first.node)
    if in_lambda:
        failure = "NotImplementedError"  # (the Lambda's function, run to infer its output shape, raises first)
    spellings = [f"K.{n} -> {_backend_spelling(n)}" for n in names if _backend_spelling(n) is not None]
    shown = ", ".join(spellings[:4]) + (", ..." if len(spellings) > 4 else "")
    subject = (f"keras.backend.{names[0]} and {len(names) - 1} more Keras 2 function{'s' if len(names) > 2 else ''} "
               f"do not" if len(names) > 1 else f"keras.backend.{names[0]} does not")
    return Report(first.node, f"{subject} exist in Keras 3: {failure}",
                  (f"rewrite them for Keras 3 ({shown})" if shown else "rewrite them with keras.ops / keras.random")
                  + ", or import backend from tensorflow.keras, whose tf.keras.backend keeps them for real tensors "
                    "(not for a functional model's symbolic ones: those need keras.ops or a layer)",
                  explanation=(f"Keras 3's keras.backend keeps only configuration (floatx, epsilon, image_data_format, "
                               f"clear_session, ...), so {', '.join('keras.backend.' + n for n in names)} "
                               f"{'stops' if len(names) == 1 else 'stop'} the script with {failure}"
                               f"{_LAMBDA_STORY if in_lambda else ''}. Most Keras 2 tensor functions have a keras.ops or keras.random "
                               f"counterpart, some with other defaults (K.argmax's axis=-1 is keras.ops.argmax's "
                               f"axis=None); TensorFlow's tf.keras.backend (TensorFlow 2.21) still has them all."),
                  facts={"functions": names})


# Why a backend function inside a Lambda layer's function stops Keras 3 with NotImplementedError (checked on 3.15.1).
_LAMBDA_STORY = (" where the model is built: Keras 3 runs a Lambda layer's function to infer its output shape and, "
                 "when that raises, asks for output_shape= (\"We could not automatically infer the shape of the Lambda's "
                 "output\"); given output_shape=, the AttributeError comes at the first training step")


def _in_a_lambda_layer_without_output_shape(script: Script, node: cst.CSTNode) -> bool:
    """Whether ``node`` is inside the ``lambda`` given to a ``keras.layers.Lambda`` without ``output_shape=``."""
    for call in script.calls:
        if call.callee != "keras.layers.Lambda" or call.args.has("output_shape") or not call.node.args:
            continue
        function = call.node.args[0].value
        if type(function) is cst.Lambda and any(inner is node for inner in walk_code(function)):
            return True
    return False


def _backend_spelling(name: str) -> str | None:
    if name in BACKEND_SPELLINGS:
        return BACKEND_SPELLINGS[name]
    if name in BACKEND_FUNCTIONS_IN_OPS:
        return f"keras.ops.{name}"
    if name in BACKEND_FUNCTIONS_IN_RANDOM:
        return f"keras.random.{name.removeprefix('random_')}"
    return None


def _removed_in_keras_3(script: Script, reference, module: str) -> Report:
    """A module of Keras 3 itself that a later Keras 3 release removed (keras.api, from 3.10)."""
    release, hint = REMOVED_IN_KERAS_3[module]
    failure = _failure(script, reference.node)
    return Report(reference.node, f"keras.{module} does not exist in Keras {release}+: {failure}", hint,
                  explanation=(f"Keras 3 releases before {release} had keras.{module}; Keras {release} and later do "
                               f"not (checked on the released wheels), so the script stops here with {failure}."),
                  facts={"module": f"keras.{module}"})


def _tensorflow_1_package(raw: str) -> str | None:
    """``examples`` for ``tensorflow.examples.tutorials.mnist``: a TensorFlow 1 package TensorFlow 2 lacks."""
    if not raw.startswith("tensorflow."):
        return None
    part = raw[11:].split(".", 1)[0]
    return part if part in REMOVED_FROM_TENSORFLOW else None


def _tensorflow_2_name(raw: str) -> tuple[str, str] | None:
    """(module, name) for ``tensorflow.train.experimental.enable_mixed_precision_graph_rewrite``: a name TensorFlow
    2.21 has only under tf.compat.v1 (REMOVED_FROM_TENSORFLOW_2)."""
    return _TENSORFLOW_2_REMOVED.get(raw)


def _removed_from_tensorflow_2(script: Script, reference, removed: tuple[str, str]) -> Report:
    module, name = removed
    failure = _failure(script, reference.node)
    return Report(reference.node, f"TensorFlow 2.21's tf.{module} has no {name}: {failure}",
                  REMOVED_FROM_TENSORFLOW_2[removed],
                  explanation=(f"tensorflow.{module}.{name} is gone from current TensorFlow (2.21 keeps it only as "
                               f"tf.compat.v1.{module}.{name}, for TensorFlow 1 graph code), so the script stops here "
                               f"with {failure}."),
                  facts={"module": f"tensorflow.{module}.{name}"})


@functools.lru_cache(maxsize=8192)
def _may_be_removed(raw: str) -> bool:
    """Whether a raw dotted name is one :func:`_removed_modules` may report (the same tests, without the reference's
    own facts): a Keras 2 backend function, keras.api, a removed part of the private copy, a removed module.  A pure
    function of the name and the tables, remembered across scripts (every script names np.array and Dense)."""
    if raw.startswith("keras.backend.") and raw.split(".")[2] in _BACKEND_FUNCTIONS:
        return True
    if raw.startswith("keras.api.") or raw == "keras.api":
        return True
    if raw.startswith(_PRIVATE_PREFIX):
        return raw[len(_PRIVATE_PREFIX):].split(".", 1)[0] in PRIVATE_COPY_REMOVED or \
            _missing_private_name(raw) is not None
    if _tensorflow_1_package(raw) is not None or _tensorflow_2_name(raw) is not None or \
            _missing_from_tf_keras(raw) is not None:
        return True
    if raw.startswith("keras."):
        relative, table, prefixes = raw[6:], _KERAS_ROOT_REMOVED, _KERAS_ROOT_PREFIXES
    elif raw.startswith("tensorflow.keras."):
        relative, table, prefixes = raw[17:], REMOVED_MODULES, _REMOVED_PREFIXES
    else:
        return False
    return relative in table or relative.startswith(prefixes)


def _private_copy_part(script: Script, reference, part: str) -> Report:
    """``from tensorflow.python.keras.datasets import imdb``: a part of TensorFlow's private Keras 2 copy that current
    TensorFlow no longer ships (the copy itself remains, so its other parts are not reported)."""
    failure = _failure(script, reference.node)
    module = f"{PRIVATE_COPY}.{part}"
    return Report(reference.node, f"{module} does not exist in current TensorFlow: {failure}",
                  PRIVATE_COPY_REMOVED[part],
                  explanation=(f"{PRIVATE_COPY} is TensorFlow's private copy of Keras 2, never a public API; "
                               f"TensorFlow 2.21 still ships part of it but not {module}, so the script stops here "
                               f"with {failure} (checked on TensorFlow 2.21)."),
                  facts={"module": module})


def _missing_private_name(raw: str) -> str | None:
    """``tensorflow.python.keras.layers.LSTM``: a name one of the private copy's modules no longer holds
    (PRIVATE_COPY_NAMES), as the dotted name up to it; None otherwise."""
    parts = raw[len(_PRIVATE_PREFIX):].split(".")
    if len(parts) < 2 or parts[0] not in PRIVATE_COPY_NAMES or parts[1] in PRIVATE_COPY_NAMES[parts[0]]:
        return None
    return f"{PRIVATE_COPY}.{parts[0]}.{parts[1]}"


def _private_copy_name(script: Script, reference, name: str) -> Report:
    """``from tensorflow.python.keras.layers import LSTM``: a name the private copy's module lost (its LSTM, GRU,
    BatchNormalization, its optimizer classes, its utils' functions)."""
    failure = _failure(script, reference.node)
    module, _, attribute = name.rpartition(".")
    public = f"keras.{module[len(_PRIVATE_PREFIX):]}"
    gone = _KERAS_ROOT_REMOVED.get(f"{public[len('keras.'):]}.{attribute}")  # (CuDNNGRU: not in Keras 3 either)
    hint = gone.format(example="") if gone is not None else \
        f"import it from {public} ({public}.{attribute}): the private copy is not an API"
    return Report(reference.node, f"{module} has no {attribute} in current TensorFlow: {failure}", hint,
                  explanation=(f"{PRIVATE_COPY} is TensorFlow's private copy of Keras 2, never a public API; "
                               f"TensorFlow 2.21 still ships {module} but without {attribute}, so the script stops "
                               f"here with {failure} (checked on TensorFlow 2.21)."),
                  facts={"module": module, "name": attribute})


def _missing_from_tf_keras(raw: str) -> str | None:
    """``tf.keras.losses.mean_squared_error``, ``tf.losses.mean_absolute_error``: the module-relative name
    (``losses.mean_squared_error``) of a loss or metric function tf.keras 2.16+ has only under its short alias."""
    for root in TF_KERAS_ROOTS:
        if raw.startswith(root):
            relative = raw[len(root):] if root == "tensorflow.keras." else raw[len("tensorflow."):]
            return relative if relative in MISSING_FROM_TF_KERAS else None
    return None


def _tf_keras_long_name(script: Script, reference, relative: str) -> Report:
    module, name = relative.split(".")
    alias = MISSING_FROM_TF_KERAS[relative]
    failure = _failure(script, reference.node)
    return Report(reference.node, f"tf.keras.{relative} does not exist on TensorFlow 2.16+: {failure}",
                  f"write tf.keras.{module}.{alias} (its name there), or import keras and use keras.{relative}",
                  explanation=(f"TensorFlow 2.16+ serves Keras 3 as tf.keras, and its tf.keras.{module} (also "
                               f"tf.{module}) keeps Keras 2's short aliases ({alias}) but not the full function "
                               f"names standalone Keras 3 has, so the script stops here with {failure}."),
                  facts={"name": relative, "alias": alias})


def _failure(script: Script, node: cst.CSTNode) -> str:
    """What Python raises where a missing module is named: ImportError in an import, AttributeError in code, and
    NameError for a bare name a star import no longer gives (``from keras.layers import *`` then ``CuDNNLSTM(...)``)."""
    if id(node) in script.import_nodes:
        return "ImportError"
    return "NameError" if type(node) is cst.Name else "AttributeError"


# The functions of Keras 2's keras.utils.np_utils that keras.utils itself has (in Keras 2 and Keras 3.15.1 alike).
_NP_UTILS_FUNCTIONS = ("to_categorical", "normalize")


def _np_utils(script: Script):
    for reference in script.references:
        # tensorflow.python.keras (TensorFlow's private copy of Keras 2) still has np_utils
        if reference.raw.endswith(".utils.np_utils") and ".python." not in reference.raw and not reference.guarded:
            names = _np_utils_names(script, reference.raw)
            listed = ", ".join(names)
            others = sorted(_names_taken(script, reference.raw) - set(_NP_UTILS_FUNCTIONS))
            hint = f"import {listed} from keras.utils instead: 'from keras.utils import {listed}'" if not others else \
                f"keras.utils has no {', '.join(others)} (Keras 1's np_utils): compute it with NumPy"
            yield Report(reference.node, f"keras.utils.np_utils does not exist in Keras 3: {_failure(script, reference.node)}",
                         hint,
                         _np_utils_fix(script, reference),
                         explanation=("Keras 3 has no keras.utils.np_utils module (nor tensorflow.keras.utils.np_utils "
                                      f"on TensorFlow 2.16+, which uses Keras 3); {listed} "
                                      f"{'is' if len(names) == 1 else 'are'} in keras.utils itself, in Keras 2 as "
                                      f"well."))
            return


def _np_utils_names(script: Script, module: str) -> list[str]:
    """The functions the script takes from np_utils that keras.utils has (to_categorical when it names none)."""
    taken = _names_taken(script, module)
    return [name for name in _NP_UTILS_FUNCTIONS if name in taken] or ["to_categorical"]


def _np_utils_names_all_in_keras_utils(script: Script, module: str) -> bool:
    return _names_taken(script, module) <= set(_NP_UTILS_FUNCTIONS)


def _names_taken(script: Script, module: str) -> set[str]:
    """The names the script reads from a module (``normalize`` of ``keras.utils.np_utils.normalize``)."""
    prefix = module + "."
    return {reference.raw[len(prefix):].split(".")[0] for reference in script.references
            if reference.raw.startswith(prefix)}


def _np_utils_fix(script: Script, reference):
    """``keras.utils.np_utils`` -> ``keras.utils``; ``from keras.utils import np_utils`` plus its
    ``np_utils.to_categorical(...)`` uses -> ``from keras.utils import to_categorical`` and ``to_categorical(...)``."""
    node = reference.node
    if not _np_utils_names_all_in_keras_utils(script, reference.raw):
        return None  # (a Keras 1 name, probas_to_classes: keras.utils has no such function)
    if isinstance(node, cst.Attribute):  # keras.utils.np_utils.to_categorical, from keras.utils.np_utils import ...
        return safe_fix("drop np_utils: its functions are in keras.utils", node, node.value)
    if not isinstance(node, cst.ImportAlias) or node.asname is not None:
        return None
    uses = [r for r in script.references if r.raw == reference.raw and isinstance(r.node, cst.Name)
            and r.node.value == "np_utils"]
    calls = [r for r in script.references if r.raw == f"{reference.raw}.to_categorical"
             and isinstance(r.node, cst.Attribute) and isinstance(r.node.value, cst.Name)]
    if len(uses) != len(calls):
        return None  # np_utils is used for something else too: a human decides
    edits = [Edit(node, node.with_changes(name=cst.Name("to_categorical")))]
    edits += [Edit(r.node, cst.Name("to_categorical")) for r in calls]
    return Fix("import to_categorical from keras.utils", tuple(edits))
