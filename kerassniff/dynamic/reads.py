"""Data reads in the sandbox: the script's own data when it is there, a stand-in when it is not.

The harness runs in a scratch folder so that nothing the script writes lands in
the user's tree.  Relative paths the script *reads* (``np.load("x.npy")``,
``pd.read_csv``, ``Image.open``, ``cv2.imread``, ``os.listdir``, ``glob``,
``flow_from_directory``) are looked up in the script's own folder first, so
its data is used; nothing is ever written there.

A ``.npy`` file that is missing gets a synthetic array when the static
analysis knows what it feeds: the model's input shape for features, the number
of output units and the loss for labels (the ``hints`` the parent passes).
Its values are random, so verdicts that compare value ranges say they cannot
tell (the report lists it under ``synthetic_ranges``).
"""
from __future__ import annotations

import functools
import glob as glob_module
import os
from typing import Any, Callable

SYNTHETIC_ROWS = 256


class ReadResolver:
    def __init__(self, script_folder: str, hints: dict[str, dict], report: dict[str, Any]) -> None:
        self.folder = script_folder
        self.hints = {os.path.normpath(path): hint for path, hint in hints.items()}
        self.report = report

    def resolve(self, path: Any) -> Any:
        """A relative path that exists beside the script (and not here) is read from there."""
        if not isinstance(path, (str, os.PathLike)):
            return path
        text = os.fspath(path)
        if isinstance(text, bytes) or os.path.isabs(text) or os.path.exists(text):
            return path
        beside = os.path.join(self.folder, text)
        return beside if os.path.exists(beside) else path

    def install(self) -> None:
        self._wrap_first_argument(os, "listdir")
        self._wrap_first_argument(os, "scandir")
        self._wrap_first_argument(glob_module, "glob", pattern=True)
        self._wrap_first_argument(glob_module, "iglob", pattern=True)
        try:
            import numpy

            self._wrap_numpy_load(numpy)
        except ImportError:
            pass
        for module_name, function in (("pandas", "read_csv"), ("pandas", "read_parquet"), ("pandas", "read_excel"),
                                      ("PIL.Image", "open"), ("cv2", "imread")):
            try:
                module = __import__(module_name, fromlist=["_"])
            except Exception:  # noqa: BLE001 - not installed, or broken: the script will say so itself
                continue
            self._wrap_first_argument(module, function)

    def _wrap_first_argument(self, module, name: str, pattern: bool = False) -> None:
        original: Callable | None = getattr(module, name, None)
        if original is None or getattr(original, "_kerassniff", False):
            return
        resolver = self

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            if args:
                first = args[0]
                if pattern and isinstance(first, str) and not os.path.isabs(first) and not original(first):
                    beside = os.path.join(resolver.folder, first)
                    prefix = resolver.folder + os.sep
                    return [p[len(prefix):] if p.startswith(prefix) else p for p in original(beside, *args[1:], **kwargs)]
                args = (resolver.resolve(first), *args[1:])
            return original(*args, **kwargs)

        wrapper._kerassniff = True  # type: ignore[attr-defined]
        setattr(module, name, wrapper)

    def _wrap_numpy_load(self, numpy) -> None:
        original = numpy.load
        resolver = self

        @functools.wraps(original)
        def load(file, *args, **kwargs):
            resolved = resolver.resolve(file)
            if isinstance(resolved, (str, os.PathLike)) and not os.path.exists(resolved):
                stand_in = resolver.stand_in(os.fspath(file), numpy)
                if stand_in is not None:
                    return stand_in
            return original(resolved, *args, **kwargs)

        load._kerassniff = True  # type: ignore[attr-defined]
        numpy.load = load

    def stand_in(self, path: str, numpy):
        hint = self.hints.get(os.path.normpath(path))
        if hint is None:
            return None
        rng = numpy.random.default_rng(len(path))
        shape = [SYNTHETIC_ROWS, *hint.get("shape", [])]
        kind = hint["kind"]
        if kind == "features":
            array = rng.random(shape).astype(numpy.float32)
        elif kind == "onehot":
            array = numpy.eye(hint["classes"], dtype=numpy.float32)[rng.integers(0, hint["classes"], SYNTHETIC_ROWS)]
        elif kind == "classes":
            array = rng.integers(0, hint["classes"], SYNTHETIC_ROWS).astype(numpy.int64)
        elif kind == "binary":
            array = rng.integers(0, 2, (SYNTHETIC_ROWS, 1)).astype(numpy.float32)
        else:
            array = rng.normal(size=(SYNTHETIC_ROWS, hint.get("units", 1))).astype(numpy.float32)
        self.report.setdefault("synthetic", []).append(f"np.load({path!r})")
        self.report.setdefault("synthetic_ranges", []).append(path)
        return array
