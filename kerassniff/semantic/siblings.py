"""Helper modules that sit beside a script: ``from common import prepare``.

Training and evaluation scripts often share a data-loading module.  To know
what ``prepare(x_test)`` does, the interpreter interprets that module too.  Only
modules found as files next to the script (or below it, for dotted and
relative imports, or in the package the script is in, named from the project's
root, or in a package beside the script's folder, named from the folder above it)
are followed, never installed packages; each file is parsed
once per process (keyed by path, size and modification time), each folder is
listed once per process until it changes (most imports name no file; a folder
changed in the last seconds is listed again each time), and a helper
that cannot be read or parsed is simply unknown, never an error.
"""
from __future__ import annotations

import os
import re
import stat
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Callable

import libcst as cst

from kerassniff.parsing import parse_module
from kerassniff.semantic.knowledge.names import LIBRARY_ROOTS
from kerassniff.sources import SourceText, read_source

MAX_HELPER_BYTES = 300_000
# Installed packages are libraries, not a project's helpers, even when a script sits beside them.
_INSTALLED_FOLDERS = frozenset({"site-packages", "dist-packages"})
# Top-level names that are always installed libraries, even if a file of the same name happens to sit beside the
# script: knowledge.names.LIBRARY_ROOTS.

# Parsed helpers, most recently used last; bounded so that a long run does not keep every module alive.
_parsed: "OrderedDict[tuple[str, int, int], cst.Module | None]" = OrderedDict()
MAX_CACHED_HELPERS = 32


class HelperFinder:
    """The helpers one script's imports name, looked up once per build: each lookup asks the file system
    (the script's real path, the folder's names, a candidate file or two when one is named as the import
    is), and scripts repeat imports in every cell."""

    def __init__(self, script_path: str) -> None:
        self.script_path = script_path
        self._script: Path | None | bool = False  # the script's real path; False: not asked yet
        self._found: dict[tuple[str, int], tuple[str, Callable[[], cst.Module | None]] | None] = {}
        self._listed: dict[str, frozenset[str] | None] = {}  # folder -> its names, asked once per build

    def find(self, module: str, level: int) -> tuple[str, Callable[[], cst.Module | None]] | None:
        """:func:`find_helper` for this script, remembered per import."""
        key = (module, level)
        if key not in self._found:
            self._found[key] = find_helper(self.script_path, module, level, self._real_script, self._listing)
        return self._found[key]

    def _listing(self, folder: str) -> frozenset[str] | None:
        """:func:`_entries`, asked once per folder in one build (a build takes a moment; the listing kept for the
        process is checked against the folder's time on each ask)."""
        if folder not in self._listed:
            self._listed[folder] = _entries(folder)
        return self._listed[folder]

    def _real_script(self) -> Path | None:
        if self._script is False:
            self._script = _resolved(self.script_path)
        return self._script  # type: ignore[return-value]


def find_helper(script_path: str, module: str, level: int, real_script: Callable[[], Path | None],
                listed: Callable[[str], frozenset[str] | None] | None = None,
                ) -> tuple[str, Callable[[], cst.Module | None]] | None:
    """The helper a script's import names: its key (the file's path) and how to parse it; None when the
    import names no file beside the script, or names the script itself.  All of the interpreter's file
    access goes through here; ``real_script`` gives the script's resolved path (asked only for imports that
    could be a helper's), ``listed`` a folder's names (:func:`_entries` unless given)."""
    path = resolve(module, level, real_script, listed or _entries)
    if path is None or path.resolve() == real_script():
        return None
    return str(path), lambda: load(path)


def resolve(module: str, level: int, real_script: Callable[[], Path | None],
            listed: Callable[[str], frozenset[str] | None] | None = None) -> Path | None:
    """The file a ``from <module> import`` (with ``level`` leading dots) names, if it sits beside the script, below
    it (``pkg.module``), or, for a script inside a package, in that package named from the project's root
    (``from src.config import`` in src/predict.py); ``listed`` gives a folder's names (:func:`_entries`)."""
    listed = listed or _entries
    parts = module.split(".") if module else []
    if (not parts and level == 0) or (level == 0 and parts[0] in LIBRARY_ROOTS):
        return None
    script = real_script()
    if script is None:
        return None
    folders = _folders_above(str(script.parent))
    if level - 1 >= len(folders):
        folders = folders[-1:]  # dots past the file system's root stay at the root, as Path.parent does
    else:
        folders = folders[max(level - 1, 0):]
    base = folders[0]
    if _in_installed_folder(base):
        return None
    entries = listed(base)
    if entries is not None and parts and parts[0] not in entries and parts[0] + ".py" not in entries:
        # no file or folder of that name beside the script (most imports: numpy, seaborn, os); but a script in a
        # project's package may name a module of that package from the project's root, where it is run from
        # (src/predict.py: ``from src.config import MODEL_PATH``, run as ``python -m src.predict``)
        root = _package_root(folders, parts[0]) if level == 0 else None
        if root is None and level == 0 and len(parts) > 1:
            root = _root_beside_package(folders, parts[0], listed)
        return _module_file(os.path.join(root, *parts), True) if root is not None else None
    return _module_file(os.path.join(base, *parts) if parts else base, bool(parts))


# How many folders up a script's own package is looked for (src/app/api/predict.py: ``from src.config import``).
_MAX_PACKAGE_DEPTH = 4


@lru_cache(maxsize=256)
def _folders_above(folder: str) -> tuple[str, ...]:
    """A folder and every folder above it, nearest first, as strings: the lookups below walk them for each import,
    and a run asks the same few folders again and again (only the path's text is read, never the file system)."""
    found = [folder]
    while True:
        parent = os.path.dirname(found[-1])
        if parent == found[-1]:
            return tuple(found)
        found.append(parent)


@lru_cache(maxsize=256)
def _in_installed_folder(folder: str) -> bool:
    return not _INSTALLED_FOLDERS.isdisjoint(Path(folder).parts)


def _package_root(folders: tuple[str, ...], package: str) -> str | None:
    """The folder that holds the script's own package named ``package``: the parent of the nearest folder of that
    name among the script's folder and those above it; None when no such folder holds the script."""
    for index, current in enumerate(folders[:_MAX_PACKAGE_DEPTH]):
        if os.path.basename(current) == package:
            return folders[index + 1] if index + 1 < len(folders) else current
    return None


def _root_beside_package(folders: tuple[str, ...], package: str,
                         listed: Callable[[str], frozenset[str] | None]) -> str | None:
    """The nearest folder above the script's that holds a folder named ``package``: a project run from its root whose
    scripts in one folder import modules of a package beside that folder (models/train.py: ``from processing.data
    import load``, processing/ beside models/).  Only for a dotted import (``package.module``): a single name
    (``utils``) found up the tree is too likely another project's."""
    for current in folders[1:_MAX_PACKAGE_DEPTH]:
        entries = listed(current)
        if entries is not None and package in entries and os.path.isdir(os.path.join(current, package)):
            return current
    return None


def _module_file(target: str, named: bool) -> Path | None:
    """``target.py`` (for a named module) or ``target/__init__.py``, whichever exists first."""
    for candidate in (target + ".py" if named else None, os.path.join(target, "__init__.py")):
        if candidate is not None and os.path.isfile(candidate):
            return Path(candidate)
    return None


# Folder -> (its modification time, the names in it): Python's own import system keeps such listings too
# (importlib's FileFinder), checked against the folder's time, which changes when a name is added or removed.
_listings: dict[str, tuple[int, frozenset[str]]] = {}
MAX_CACHED_LISTINGS = 256
# A listing is kept only once its folder's time is this old: some file systems keep times to the second (FAT to
# two), so a file added within that tick leaves the time unchanged.
_SETTLED_NS = 3_000_000_000


def _entries(folder: str) -> frozenset[str] | None:
    """The names in a folder (none when it is not a folder; None when it cannot be listed, so that its files
    are asked for one by one), listed once per change of the folder: a run over a project asks the same folder
    for every import of every script in it."""
    try:
        changed = os.stat(folder).st_mtime_ns
        known = _listings.get(folder)
        if known is not None and known[0] == changed:
            return known[1]
        names = frozenset(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return frozenset()
    except OSError:  # a folder one may enter but not list: its files can still be found
        return None
    if time.time_ns() - changed < _SETTLED_NS:
        return names  # changed just now: a file written in the same tick of a coarse clock would not show
    if len(_listings) >= MAX_CACHED_LISTINGS:
        _listings.clear()
    _listings[folder] = (changed, names)
    return names


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None


def load(path: Path) -> cst.Module | None:
    """The parsed helper module, or None when it is too big, unreadable or not valid Python."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key in _parsed:
        _parsed.move_to_end(key)
        return _parsed[key]
    module: cst.Module | None = None
    if stat.st_size <= MAX_HELPER_BYTES:
        source = read_source(path)
        if isinstance(source, SourceText):
            try:
                module = parse_module(source.text)
            except Exception:  # noqa: BLE001 - a broken helper is just unknown
                module = None
    _parsed[key] = module
    if len(_parsed) > MAX_CACHED_HELPERS:
        _parsed.popitem(last=False)
    return module


# How many of a folder's other Python files are read to learn whether one imports a module beside them, and the
# largest one read (a notebook's outputs can weigh megabytes).
MAX_SIBLINGS_READ = 64
MAX_SIBLING_BYTES = 1_000_000
_importers: dict[tuple, bool] = {}  # (the module's path, its folder's files' names, sizes and times) -> the answer


def imported_beside(script_path: str) -> bool:
    """Whether another Python file in the script's folder imports it by name (``from models import build``,
    ``import models as m``, ``from .models import``, ``from . import models``, ``from src.models import``; notebooks'
    code included): the script is then a module of that project as well as a program.  Asked only of a module that
    trains under ``if __name__ == "__main__":`` (:mod:`kerassniff.semantic.reach`); regular files only, read once
    per change of the folder's files."""
    script = _resolved(script_path)
    if script is None or script.suffix != ".py":
        return False
    files = []
    for name in sorted(_entries(str(script.parent)) or ()):
        if not name.endswith((".py", ".ipynb")) or name == script.name:
            continue
        try:
            status = (script.parent / name).stat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode) and status.st_size <= MAX_SIBLING_BYTES:
            files.append((name, status.st_size, status.st_mtime_ns))
    key = (str(script), tuple(files[:MAX_SIBLINGS_READ]))
    if key not in _importers:
        if len(_importers) >= MAX_CACHED_LISTINGS:
            _importers.clear()
        _importers[key] = _any_imports(script, [name for name, _, _ in files[:MAX_SIBLINGS_READ]])
    return _importers[key]


def _any_imports(script: Path, names: list[str]) -> bool:
    stem = re.escape(script.stem)
    pattern = re.compile(rf"(?:^|[;\n\"])[ \t]*(?:from[ \t]+(?:[\w.]*\.)?{stem}[ \t]+import\b|"
                         rf"from[ \t]+[\w.]*[ \t]+import[ \t]+(?:[\w, \t]*,[ \t]*)?\(?[ \t]*{stem}\b|"
                         rf"import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*(?:[\w.]*\.)?{stem}\b)")
    for name in names:
        source = read_source(script.parent / name)
        if isinstance(source, SourceText) and pattern.search(source.text):
            return True
    return False
