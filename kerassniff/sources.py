"""Reading source files: bytes to text, with every way that can go wrong named.

Nothing here raises for a bad file: :func:`read_source` returns either the
text or a :class:`SourceError` that the pipeline turns into a KS001 finding.
"""
from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are reported, not parsed
BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class SourceError:
    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str


def decode_source(data: bytes) -> SourceText | SourceError:
    if b"\x00" in data[:BINARY_SNIFF_BYTES] or b"\x00" in data:
        return SourceError("file contains NUL bytes: it looks binary, not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return SourceError(f"unknown or invalid source encoding: {error}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        return SourceError(f"unknown source encoding '{encoding}'")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        declared = "declared" if encoding not in ("utf-8", "utf-8-sig") else "default"
        return SourceError(f"file is not valid {encoding} (the {declared} encoding): byte 0x{data[error.start]:02x} "
                           f"cannot be decoded; save it as UTF-8 or add a '# -*- coding: ... -*-' line", line, column)
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceText(text, encoding)


def read_bytes(path: Path) -> bytes | SourceError:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return SourceError(f"file is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit; not analysed")
        return path.read_bytes()
    except PermissionError:
        return SourceError("file cannot be read: permission denied")
    except IsADirectoryError:
        return SourceError("path is a directory, not a file")
    except OSError as error:
        return SourceError(f"file cannot be read: {error.strerror or error}")


def read_source(path: Path) -> SourceText | SourceError:
    data = read_bytes(path)
    return data if isinstance(data, SourceError) else decode_source(data)
