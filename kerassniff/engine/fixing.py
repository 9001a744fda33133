"""The ``--fix`` driver: apply the fixes rules attach, re-lint between rounds, write the result atomically.

Edits replace whole LibCST nodes (:mod:`kerassniff.fixes` holds them as data),
so the user's formatting and comments elsewhere are kept; the new text is
written atomically (see :func:`write_fixed`).
"""
from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from kerassniff.config import Config
from kerassniff.engine.lint_file import is_notebook, lint_source
from kerassniff.fixes import Fix
from kerassniff.sources import SourceText, read_source


class _Replace(cst.CSTTransformer):
    def __init__(self, edits: dict[cst.CSTNode, cst.CSTNode]) -> None:
        self.edits = edits

    def on_leave(self, original_node, updated_node):
        replacement = self.edits.get(original_node)
        return replacement if replacement is not None else updated_node


def apply_fixes(module: cst.Module, fixes: list[Fix]) -> str:
    """The module's code with every edit applied (an edit inside another edit's node is dropped)."""
    edits: dict[cst.CSTNode, cst.CSTNode] = {}
    for fix in fixes:
        for edit in fix.edits:
            edits.setdefault(edit.node, edit.replacement)
    return module.visit(_Replace(edits)).code


class FixWriteError(OSError):
    """A fix could not be written; the message is one line for the user."""


class ReadOnlyFile(FixWriteError):
    """The file is read-only: the user protected it, so it is left as it is."""


def write_fixed(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write fixed code into the file a path names, and return that file.

    A symbolic link is written through (the link stays a link, its target gets
    the fix, as ruff does).  The new content goes to a temporary file in the
    same folder first and is read back; a file with one name then replaces the
    old one in one step (readers see the old file or the new one, never half),
    while a hard-linked file is rewritten in place from the verified copy, so
    every name keeps seeing the same inode.  A read-only file (its mode bits
    give this user no write permission: the user protected it) raises
    :class:`ReadOnlyFile`; a file whose mode allows writing but that cannot be
    written (immutable, a read-only mount), and any other failure, raise
    :class:`FixWriteError` with one line saying what failed.
    """
    target = Path(os.path.realpath(path))
    data = text.encode(encoding)
    try:
        status = target.stat()
    except OSError as error:
        raise FixWriteError(f"cannot read {path}: {error.strerror or error}") from None
    if not _mode_allows_writing(status):
        raise ReadOnlyFile(f"{path}: read-only file, not fixed")
    if not os.access(target, os.W_OK):
        # the mode allows it, yet the system refuses: an immutable file (chattr +i), a read-only mount, an ACL
        raise FixWriteError(f"cannot fix {path}: the file cannot be written although its mode allows it "
                            f"(immutable, or on a read-only file system)")
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".kerassniff")
    except OSError as error:
        raise FixWriteError(f"cannot fix {path}: no temporary file can be created in {target.parent} "
                            f"({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if Path(temporary).read_bytes() != data:
            raise FixWriteError(f"cannot fix {path}: the new content did not read back intact; the file is unchanged")
        if status.st_nlink > 1:
            with open(target, "r+b") as stream:  # the same inode: every hard link sees the fix
                stream.write(data)
                stream.truncate()
                stream.flush()
                os.fsync(stream.fileno())
            os.unlink(temporary)
        else:
            os.chmod(temporary, stat.S_IMODE(status.st_mode))
            os.replace(temporary, target)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if isinstance(error, FixWriteError):
            raise
        if isinstance(error, OSError):
            raise FixWriteError(f"cannot fix {path}: {error.strerror or error}") from None
        raise
    return target


def _mode_allows_writing(status: os.stat_result) -> bool:
    """Whether the permission bits give this user write access (root: whether any write bit is set, so a 0444
    file is left alone even though root could write it)."""
    if not hasattr(os, "geteuid"):
        return bool(status.st_mode & stat.S_IWUSR)
    uid = os.geteuid()
    if uid == 0:
        return bool(status.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    if status.st_uid == uid:
        return bool(status.st_mode & stat.S_IWUSR)
    if status.st_gid == os.getegid() or status.st_gid in os.getgroups():
        return bool(status.st_mode & stat.S_IWGRP)
    return bool(status.st_mode & stat.S_IWOTH)


@dataclass
class FixedFile:
    path: Path
    original: str
    fixed: str
    encoding: str
    applied: int  # findings fixed

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True), self.fixed.splitlines(keepends=True),
                                            fromfile=self._label("a"), tofile=self._label("b")))

    def _label(self, side: str) -> str:
        return self.path.as_posix() if self.path.is_absolute() else f"{side}/{self.path.as_posix()}"


MAX_FIX_ROUNDS = 4  # a fix inside another fix's node is applied in the next round


def fix_file(path: Path, config: Config, unsafe: bool) -> FixedFile | None:
    """Apply every applicable fix to one file, re-linting between rounds; None when nothing changes.

    Notebooks are not rewritten (their JSON would have to be re-serialised); their fixes are only reported.
    """
    if is_notebook(str(path)):
        return None
    source = read_source(path)
    if not isinstance(source, SourceText):
        return None
    text, applied = fix_text(source.text, str(path), config, unsafe)
    if text == source.text:
        return None
    return FixedFile(path, source.text, text, source.encoding, applied)


def fix_text(text: str, path: str, config: Config, unsafe: bool) -> tuple[str, int]:
    """The text with every applicable fix applied, and how many findings that fixed (standard input, files)."""
    if is_notebook(path):
        return text, 0
    original = text
    fixable_at_start: int | None = None
    fixes: list[Fix] = []
    for _ in range(MAX_FIX_ROUNDS + 1):
        result = lint_source(text, path, config)
        fixes = [f.fix for f in result.findings if isinstance(f.fix, Fix) and (f.fix.safe or unsafe)]
        if fixable_at_start is None:
            fixable_at_start = len(fixes)
        if not fixes or result.script is None:
            break
        new_text = apply_fixes(result.script.module, fixes)
        if new_text == text:
            break
        text = new_text
    if text == original:
        return text, 0
    return text, max((fixable_at_start or 0) - len(fixes), 1)
