"""A content-hash cache of per-file results, so an unchanged re-run is near-instant.

One JSON file per (file content, path, configuration, kerassniff build) key under
``.kerassniff_cache/`` beside the pyproject.toml (or in the current folder).
An entry also records the content hash of every helper module the analysis
read (``from common import prepare``), and is only used while those are
unchanged too.  Cross-script findings are never cached: they depend on other
files and are recomputed on each run.  Every cache failure (read-only disk,
corrupt entry) just means a cache miss.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from kerassniff import __version__
from kerassniff.config import Config, RuleSet
from kerassniff.engine.lint_file import rule_set
from kerassniff.engine.results import FileResult, Status
from kerassniff.findings import Finding, Severity
from kerassniff.semantic.links import LinkKeys

CACHE_DIR_NAME = ".kerassniff_cache"
_FORMAT = "3"  # 3: "skipped" is a reason, not a flag


@lru_cache(maxsize=1)
def _build_fingerprint() -> str:
    """kerassniff's version plus the size and mtime of its own modules (so a development edit invalidates)."""
    package = Path(__file__).resolve().parent.parent  # the kerassniff package
    digest = hashlib.sha256(f"{_FORMAT}:{__version__}".encode())
    for module in sorted(package.rglob("*.py")):
        try:
            stat = module.stat()
        except OSError:
            continue
        digest.update(f"{module.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _selection_fingerprint(rules: RuleSet) -> str:
    return hashlib.sha256(rules.fingerprint().encode()).hexdigest()[:16]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_hash(path: str) -> str | None:
    try:
        return content_hash(Path(path).read_bytes())
    except OSError:
        return None


class Cache:
    """Durable per-file results (findings, skip reason, links) keyed by content, path, selection and build."""

    def __init__(self, folder: Path, rules: RuleSet) -> None:
        self.folder = folder
        self.prefix = f"{_build_fingerprint()}:{_selection_fingerprint(rules)}"
        self._prepared = False

    @classmethod
    def for_config(cls, config: Config, rules: RuleSet | None = None) -> "Cache":
        return cls((config.root or Path.cwd()) / CACHE_DIR_NAME, rules if rules is not None else rule_set(config))

    def key(self, path: str, data: bytes) -> str:
        return hashlib.sha256(f"{self.prefix}:{path}:".encode() + data).hexdigest()

    def _entry_path(self, key: str) -> Path:
        return self.folder / _FORMAT / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> FileResult | None:
        """The stored result of the file at ``path`` (``cached`` set), or None: a miss, or a helper changed."""
        try:
            entry = json.loads(self._entry_path(key).read_text(encoding="utf-8"))
            if any(_file_hash(helper) != digest for helper, digest in entry["helpers"].items()):
                return None
            findings = [_finding_from_json(item) for item in entry["findings"]]
            links = LinkKeys(tuple(entry["links"]["saves"]), tuple(entry["links"]["loads"]))
            status = Status(entry["skipped"]) if entry["skipped"] else Status.CHECKED
            return FileResult(path, findings, status, links, cached=True)
        except (OSError, ValueError, KeyError, TypeError):  # ValueError: also a status this build does not know
            return None

    def put(self, key: str, result: FileResult) -> None:
        """Store a finished result (not one that timed out or hit an internal error: those are retried)."""
        helper_hashes = {helper: _file_hash(helper) for helper in result.helpers}
        links = result.links
        entry = {"findings": [_finding_to_json(f) for f in result.findings], "skipped": result.skipped,
                 "links": {"saves": list(links.saves), "loads": list(links.loads)},
                 "helpers": helper_hashes}
        target = self._entry_path(key)
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, target)
        except OSError:
            return  # a cache that cannot be written is only slower

    def _prepare(self) -> None:
        if self._prepared:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Automatically created by kerassniff.\n*\n", encoding="utf-8")
        tag = self.folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache directory tag created by kerassniff.\n", encoding="utf-8")
        self._prepared = True


def _finding_to_json(finding: Finding) -> dict:
    return {"path": finding.path, "line": finding.line, "column": finding.column, "end_line": finding.end_line,
            "end_column": finding.end_column, "code": finding.code, "name": finding.name,
            "severity": finding.severity.value, "message": finding.message, "fix_hint": finding.fix_hint,
            "extra": finding.extra, "fix_applicability": finding.fix_applicability,
            "fix_message": finding.fix_message, "explanation": finding.explanation}


def _finding_from_json(item: dict) -> Finding:
    return Finding(item["path"], item["line"], item["column"], item["end_line"], item["end_column"], item["code"],
                   item["name"], Severity(item["severity"]), item["message"], item["fix_hint"], item["extra"],
                   item.get("fix_applicability"), item.get("fix_message"), explanation=item.get("explanation", ""))
