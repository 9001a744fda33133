"""Which files to analyse: walk folders like git would.

Folders are walked without following symbolic links (so a link loop cannot
trap us), skipping the default excludes, virtual environments (any folder
holding ``pyvenv.cfg``) and whatever ``.gitignore`` files ignore.  Files named
on the command line are always analysed, like ruff does.
"""
from __future__ import annotations

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
class MissingPath:
    path: Path


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


def collect(paths: list[str], config: Config) -> tuple[list[Target], list[MissingPath]]:
    targets: list[Target] = []
    missing: list[MissingPath] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            missing.append(MissingPath(path))
            continue
        if path.is_dir():
            for file in walk(path, config):
                key = file.resolve()
                if key not in seen:
                    seen.add(key)
                    targets.append(Target(file, explicit=False))
        else:
            if config.force_exclude and _explicitly_excluded(path, config):
                continue
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                targets.append(Target(path, explicit=True))
    return targets, missing


def _explicitly_excluded(path: Path, config: Config) -> bool:
    """A file named on the command line that an exclude pattern (or a default-excluded folder) covers."""
    base = config.root or Path.cwd()
    try:
        relative = path.resolve().relative_to(base.resolve())
    except ValueError:
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
