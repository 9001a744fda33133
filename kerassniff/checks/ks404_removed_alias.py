"""KS404 removed-alias (seeds 001 and 003).

The versions were checked: NumPy 2.4 raises AttributeError for every NumPy name here (the 1.24 ones with "was a
deprecated alias", the 2.0 ones with "was removed in the NumPy 2.0 release"); NumPy 1.24's release notes expire
exactly np.object, np.bool, np.float, np.complex, np.str and np.int (np.unicode went in 2.0); NumPy 1.26.4 still has
every 2.0 name here and 2.0.2 none of them (NumPy 2.4.6 has the warnings and errors only in numpy.exceptions); 2.3.5 has trapz and in1d, 2.4.6 not; Pillow 10.0.0 removed ANTIALIAS,
LINEAR and CUBIC.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.fixes import safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script

REMOVED = {
    "numpy.int": ("int", "NumPy 1.24"), "numpy.float": ("float", "NumPy 1.24"),
    # np.bool (removed in 1.24) and np.long are names again in NumPy 2.0, so they are not flagged.
    "numpy.object": ("object", "NumPy 1.24"),
    "numpy.complex": ("complex", "NumPy 1.24"), "numpy.str": ("str", "NumPy 1.24"),
    "numpy.unicode": ("str", "NumPy 2.0"),
    "numpy.float_": ("np.float64", "NumPy 2.0"), "numpy.complex_": ("np.complex128", "NumPy 2.0"),
    "numpy.unicode_": ("np.str_", "NumPy 2.0"), "numpy.string_": ("np.bytes_", "NumPy 2.0"),
    "numpy.NaN": ("np.nan", "NumPy 2.0"), "numpy.Inf": ("np.inf", "NumPy 2.0"),
    "numpy.PINF": ("np.inf", "NumPy 2.0"), "numpy.infty": ("np.inf", "NumPy 2.0"),
    "numpy.Infinity": ("np.inf", "NumPy 2.0"), "numpy.round_": ("np.round", "NumPy 2.0"),
    "numpy.product": ("np.prod", "NumPy 2.0"), "numpy.cumproduct": ("np.cumprod", "NumPy 2.0"),
    "numpy.sometrue": ("np.any", "NumPy 2.0"), "numpy.alltrue": ("np.all", "NumPy 2.0"),
    "numpy.mat": ("np.asmatrix", "NumPy 2.0"), "numpy.math": ("math", "NumPy 2.0"),
    # NumPy's warnings and errors, moved to numpy.exceptions (NumPy 1.25) and gone from numpy itself in NumPy 2.0
    **{f"numpy.{name}": (f"np.exceptions.{name}", "NumPy 2.0") for name in (
        "VisibleDeprecationWarning", "ComplexWarning", "ModuleDeprecationWarning", "RankWarning", "TooHardError",
        "AxisError")},
    "numpy.trapz": ("np.trapezoid", "NumPy 2.4"), "numpy.in1d": ("np.isin", "NumPy 2.4"),
    "PIL.Image.ANTIALIAS": ("Image.LANCZOS", "Pillow 10"), "PIL.Image.LINEAR": ("Image.BILINEAR", "Pillow 10"),
    "PIL.Image.CUBIC": ("Image.BICUBIC", "Pillow 10"),
}


# The names scripts use in definitions (dtypes, constants, image filters), not as functions called later: a
# function (np.trapz on the predictions) fails only when the script reaches it, maybe after training.
_DEFINITIONS = frozenset(name for name in REMOVED if name.rsplit(".", 1)[1] not in {
    "round_", "product", "cumproduct", "sometrue", "alltrue", "mat", "trapz", "in1d", "math"})


@rule("KS404", "removed-alias", Severity.ERROR,
      "NumPy and Pillow aliases that were removed but training scripts still use",
      "use the replacement named in the message")
def check(script: Script):
    found = [(reference, name) for reference in script.references
             if (name := _public_name(reference.canonical)) in REMOVED and not reference.guarded]
    # ``from numpy import NaN`` fails at the import: the later uses of that name are not failures of their own
    imported_names = {name for reference, name in found if id(reference.node) in script.import_nodes}
    trains = any(True for _ in script.fits())
    for reference, name in found:
        removed = REMOVED[name]
        if name in imported_names and isinstance(reference.node, cst.Name) and \
                id(reference.node) not in script.import_nodes:
            continue
        replacement, version = removed
        shown = script.code_of(reference.node.name if isinstance(reference.node, cst.ImportAlias) else reference.node)
        imported = id(reference.node) in script.import_nodes
        if imported:
            when = "before training starts" if trains else "when the script starts"
        else:  # (a script that trains nothing, a serving app's, reaches it when its code runs)
            when = "before training starts" if trains and name in _DEFINITIONS else "where the script reaches it"
        error = "ImportError" if imported else "AttributeError"
        yield Report(reference.node, f"{shown} was removed in {version}: {error} {when}",
                     f"use {replacement} instead of {shown}", _replacement_fix(reference.node, replacement),
                     explanation=(f"{shown} is gone from {version} on, so the script only runs on the older "
                                  f"library it was written for; {replacement} is the same thing."),
                     facts={"name": name, "removed_in": version, "replacement": replacement})


# NumPy 1's modules that re-exported these names (``from numpy.core.numeric import NaN``): numpy.core is a shim over
# numpy._core, which lost them too, except the names listed (checked on NumPy 2.4.6: numpy._core.numeric still has
# PINF and math, so importing them from there works).
_NUMPY_1_MODULES = {"numpy.core.numeric.": frozenset({"PINF", "math"}), "numpy.core.": frozenset()}


def _public_name(name: str) -> str:
    """``numpy.core.numeric.NaN`` -> ``numpy.NaN``: the public name of an alias imported from NumPy 1's modules,
    when NumPy 2 removed it there too."""
    if not name.startswith("numpy.core."):
        return name
    for module, kept in _NUMPY_1_MODULES.items():
        alias = name[len(module):]
        if name.startswith(module) and "." not in alias:
            return name if alias in kept else "numpy." + alias
    return name


def _replacement_fix(node, replacement: str):
    """``np.int`` -> ``int``, ``np.float_`` -> ``np.float64``, ``Image.ANTIALIAS`` -> ``Image.LANCZOS``; none for
    ``np.math`` (``math`` may be another name where it is used: a parameter, a local)."""
    if not isinstance(node, cst.Attribute) or replacement == "math":
        return None
    if "." not in replacement:
        return safe_fix(f"replace with {replacement}", node, cst.Name(replacement))
    # np.exceptions.AxisError: the script's own module name (np, numpy, Image), then the replacement's attributes
    new: cst.BaseExpression = node.value
    for part in replacement.split(".")[1:]:
        new = cst.Attribute(new, cst.Name(part))
    return safe_fix(f"replace with {replacement}", node, new)
