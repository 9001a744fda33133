"""KS404 removed-alias (seeds 001 and 003)."""
from __future__ import annotations

import libcst as cst

from kerassniff.findings import Severity
from kerassniff.fixes import safe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script

REMOVED = {
    "numpy.int": ("int", "NumPy 1.24"), "numpy.float": ("float", "NumPy 1.24"),
    # np.bool and np.long were removed in 1.24 but are back in NumPy 2.0, so they are not flagged.
    "numpy.object": ("object", "NumPy 1.24"),
    "numpy.complex": ("complex", "NumPy 1.24"), "numpy.str": ("str", "NumPy 1.24"),
    "numpy.unicode": ("str", "NumPy 1.24"),
    "numpy.float_": ("np.float64", "NumPy 2.0"), "numpy.complex_": ("np.complex128", "NumPy 2.0"),
    "numpy.unicode_": ("np.str_", "NumPy 2.0"), "numpy.string_": ("np.bytes_", "NumPy 2.0"),
    "numpy.NaN": ("np.nan", "NumPy 2.0"), "numpy.Inf": ("np.inf", "NumPy 2.0"),
    "PIL.Image.ANTIALIAS": ("Image.LANCZOS", "Pillow 10"), "PIL.Image.LINEAR": ("Image.BILINEAR", "Pillow 10"),
    "PIL.Image.CUBIC": ("Image.BICUBIC", "Pillow 10"),
}


@rule("KS404", "removed-alias", Severity.ERROR,
      "NumPy and Pillow aliases that were removed but training scripts still use",
      "use the replacement named in the message")
def check(script: Script):
    for reference in script.references:
        removed = REMOVED.get(reference.canonical)
        if removed is None or reference.guarded:
            continue
        replacement, version = removed
        shown = script.code_of(reference.node)
        yield Report(reference.node, (
            f"{shown} was removed in {version}: the script stops with AttributeError before training starts "
            f"(it only runs on the old library it was written for)"), f"use {replacement} instead of {shown}",
            _replacement_fix(reference.node, replacement))


def _replacement_fix(node, replacement: str):
    """``np.int`` -> ``int``, ``np.float_`` -> ``np.float64``, ``Image.ANTIALIAS`` -> ``Image.LANCZOS``."""
    if not isinstance(node, cst.Attribute):
        return None
    if "." not in replacement:
        new = cst.Name(replacement)
    else:
        new = node.with_changes(attr=cst.Name(replacement.split(".")[-1]))
    return safe_fix(f"replace with {replacement}", node, new)
