"""Which files to analyse: walk folders like git would.

Folders are walked without following symbolic links (so a link loop cannot
trap us), skipping the default excludes, virtual environments (any folder
holding ``pyvenv.cfg``) and whatever ``.gitignore`` files ignore.  Files named
on the command line are always analysed, like ruff does.  A path that cannot
be checked at all (missing, a dangling symbolic link, or one into a loop)
is a :class:`PathProblem`: reported on one line, the other files still
checked, exit 2.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

import pathspec

from kerassniff.config import Config

SOURCE_SUFFIXES = (".py", ".pyw", ".pyi", ".ipynb")


@dataclass(frozen=True)
class Target:
    path: Path
    explicit: bool  # named on the command line (never skipped by the Keras pre-filter)


@dataclass(frozen=True)
class PathProblem:
    """A path that names no file kerassniff can check; ``reason`` completes 'PATH: ...'."""

    path: Path
    reason: str = "no such file or directory"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _identity(path: Path) -> Path | PathProblem:
    """The real file a path names (symbolic links followed), or why there is none (a link loop)."""
    try:
        return path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return PathProblem(path, "symbolic link loop; skipped")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return PathProblem(path, "symbolic link loop; skipped")
        if os.path.islink(path):  # its target is missing: like a missing path, not a file that cannot be read
            return PathProblem(path, f"dangling symbolic link (to {_link_target(path)}); skipped")
        return PathProblem(path, f"{error.strerror or error}; skipped")


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _gitignore(folder: Path) -> pathspec.GitIgnoreSpec | None:
    file = folder / ".gitignore"
    if not file.is_file():
        return None
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ignored(path: Path, is_dir: bool, specs: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
    for base, spec in specs:
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(relative + ("/" if is_dir else "")):
            return True
    return False


def collect(paths: list[str], config: Config) -> tuple[list[Target], list[PathProblem]]:
    targets: list[Target] = []
    problems: list[PathProblem] = []
    seen: set[Path] = set()

    def add(file: Path, explicit: bool) -> None:
        key = _identity(file)
        if isinstance(key, PathProblem):
            if not explicit and file.name.startswith(".#") and os.path.islink(file):
                return  # an editor's lock file (Emacs links .#train.py to user@host.pid): not a script
            problems.append(key)
        elif key not in seen:
            seen.add(key)
            targets.append(Target(file, explicit))

    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            problems.append(PathProblem(path))
            continue
        if path.is_dir():
            for file in walk(path, config):
                add(file, explicit=False)
        elif not (config.force_exclude and _explicitly_excluded(path, config)):
            add(path, explicit=True)
    return targets, problems


def _explicitly_excluded(path: Path, config: Config) -> bool:
    """A file named on the command line that an exclude pattern (or a default-excluded folder) covers."""
    base = config.root or Path.cwd()
    try:
        relative = path.resolve().relative_to(base.resolve())
    except (ValueError, OSError, RuntimeError):
        return config.is_excluded(path)
    current = base
    for part in relative.parts:
        current = current / part
        if config.is_excluded(current, base):
            return True
    return False


def walk(root: Path, config: Config):
    specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        spec = _gitignore(here)
        if spec is not None:
            specs.append((here, spec))
        kept = []
        for name in sorted(dirnames):
            child = here / name
            if child.is_symlink() or config.is_excluded(child, root) or (child / "pyvenv.cfg").exists():
                continue
            if _ignored(child, True, specs):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            file = here / name
            if config.is_excluded(file, root) or _ignored(file, False, specs):
                continue
            yield file
