"""``[tool.kerassniff]`` in pyproject.toml, merged with command-line options.

The command line wins: a ``--select`` given on the command line replaces the
configured ``select``, and likewise for ``--ignore``.  Selectors are prefixes
(``KS1``, ``ALL``): they are resolved once, against the rule codes the caller
passes in, into a :class:`RuleSet` (this module imports no rule registry, so
it stays at the bottom of the layers).
"""
from __future__ import annotations

import fnmatch
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KNOWN_KEYS = {"select", "ignore", "exclude", "extend-exclude", "per-file-ignores", "timeout", "jobs", "cache"}
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".kerassniff_cache", "__pycache__", "__pypackages__", "node_modules", "site-packages",
    "build", "dist", ".eggs", ".ipynb_checkpoints",
)


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI exits with code 2."""


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    timeout: float = 10.0
    jobs: int = 0  # 0: one per CPU core (large runs only; a handful of files stays in one process)
    cache: bool = True
    force_exclude: bool = False  # excludes apply to files named on the command line too
    root: Path | None = None  # folder of the pyproject.toml it came from
    source: Path | None = None

    def rule_set(self, codes: Iterable[str]) -> "RuleSet":
        """The selection resolved against the known rule ``codes``: which are enabled, and which each per-file
        pattern turns off.  Prefix matching happens here and nowhere else."""
        known = sorted(codes)
        select, ignore = [s.upper() for s in self.select], [s.upper() for s in self.ignore]
        enabled = frozenset(code for code in known if _selected(code, select, ignore))
        ignores = tuple((pattern, frozenset(code for code in known if any(_prefix_matches(code, s) for s in selectors)))
                        for pattern, selectors in self.per_file_ignores.items())
        return RuleSet(enabled, ignores, self.root)

    def enabled_for(self, code: str, path: str) -> bool:
        """Whether one code is reported in one file, for a caller that holds only the configuration (dynamic
        mode's extra findings); resolved by :meth:`rule_set` like everything else.  The engine resolves once."""
        return self.rule_set([code]).applies(code, path)

    def relative(self, path: str) -> str:
        return relative_path(path, self.root)

    def is_excluded(self, path: Path, walk_root: Path | None = None) -> bool:
        """Excludes apply below the folder the user named, never to that folder itself."""
        if walk_root is not None:
            try:
                relative = path.relative_to(walk_root).as_posix()
            except ValueError:
                relative = self.relative(str(path))
        else:
            relative = self.relative(str(path))
        return any(_path_matches(relative, pattern) or fnmatch.fnmatch(path.name, pattern) for pattern in self.exclude)


def relative_path(path: str, root: Path | None) -> str:
    """``path`` relative to the configuration's folder (as the patterns are written), else as given."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return p.as_posix()


@dataclass(frozen=True)
class RuleSet:
    """The rules a run reports: the enabled codes and the codes each per-file pattern turns off.

    Built once per run by :meth:`Config.rule_set`; the engine (and dynamic mode) ask it, never the selectors.
    """

    enabled: frozenset[str]
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    root: Path | None = None  # the folder per-file patterns are relative to

    def __contains__(self, code: object) -> bool:
        return code in self.enabled

    def applies(self, code: str, path: str) -> bool:
        """Whether a finding of ``code`` in the file at ``path`` is reported (selection and per-file ignores)."""
        if code not in self.enabled:
            return False
        if not self.per_file_ignores:
            return True
        relative = relative_path(path, self.root)
        return not any(code in codes and _path_matches(relative, pattern) for pattern, codes in self.per_file_ignores)

    def fingerprint(self) -> str:
        """What the findings depend on, as text (the cache's key includes it)."""
        ignores = sorted((pattern, sorted(codes)) for pattern, codes in self.per_file_ignores)
        return repr((sorted(self.enabled), ignores, str(self.root)))


def _prefix_matches(code: str, selector: str) -> bool:
    selector = selector.upper()
    return selector == "ALL" or code.startswith(selector)


def _selected(code: str, select: list[str], ignore: list[str]) -> bool:
    """The most specific matching selector wins; on a tie, ignore wins (selectors upper-cased)."""
    best_select = _best_match(code, select)
    return best_select >= 0 and best_select > _best_match(code, ignore)


def _best_match(code: str, selectors: list[str]) -> int:
    """The length of the longest selector that matches ``code`` (0 for ALL), -1 when none does."""
    return max((0 if s == "ALL" else len(s) for s in selectors if s == "ALL" or code.startswith(s)), default=-1)


def _path_matches(relative: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, f"{pattern}/*"):
        return True
    parts = relative.split("/")
    return any(fnmatch.fnmatch(part, pattern) for part in parts) if "/" not in pattern else False


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                with pyproject.open("rb") as handle:
                    data = tomllib.load(handle)
            except (OSError, tomllib.TOMLDecodeError):
                return pyproject  # reported when loaded
            if "kerassniff" in data.get("tool", {}):
                return pyproject
    return None


def load_config(pyproject: Path | None, codes: Collection[str]) -> Config:
    """The configuration in ``pyproject`` (defaults when None); selectors are checked against the rule ``codes``."""
    if pyproject is None:
        return Config()
    try:
        with pyproject.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {pyproject}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject} is not valid TOML: {error}") from None
    section = data.get("tool", {}).get("kerassniff", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{pyproject}: [tool.kerassniff] must be a table")
    unknown = sorted(set(section) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{pyproject}: unknown key(s) in [tool.kerassniff]: {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    config = Config(root=pyproject.parent, source=pyproject)
    if "select" in section:
        config.select = _codes(section["select"], "select", pyproject, codes)
    if "ignore" in section:
        config.ignore = _codes(section["ignore"], "ignore", pyproject, codes)
    if "exclude" in section:
        config.exclude = _strings(section["exclude"], "exclude", pyproject)
    if "extend-exclude" in section:
        config.exclude += _strings(section["extend-exclude"], "extend-exclude", pyproject)
    if "per-file-ignores" in section:
        table = section["per-file-ignores"]
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: per-file-ignores must be a table of glob = [codes]")
        config.per_file_ignores = {str(k): _codes(v, f"per-file-ignores.{k}", pyproject, codes) for k, v in table.items()}
    if "timeout" in section:
        if not isinstance(section["timeout"], (int, float)) or section["timeout"] <= 0:
            raise ConfigError(f"{pyproject}: timeout must be a positive number of seconds")
        config.timeout = float(section["timeout"])
    if "jobs" in section:
        if isinstance(section["jobs"], bool) or not isinstance(section["jobs"], int) or section["jobs"] < 0:
            raise ConfigError(f"{pyproject}: jobs must be a whole number (0: one per CPU core)")
        config.jobs = section["jobs"]
    if "cache" in section:
        if not isinstance(section["cache"], bool):
            raise ConfigError(f"{pyproject}: cache must be true or false")
        config.cache = section["cache"]
    return config


def _strings(value: object, key: str, source: Path) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key} must be a list of strings")
    return list(value)


def _codes(value: object, key: str, source: Path | str, known: Collection[str]) -> list[str]:
    codes = _strings(value, key, Path(str(source)))
    validate_selectors(codes, f"{source}: {key}", known)
    return [c.upper() for c in codes]


def validate_selectors(selectors: list[str], where: str, codes: Collection[str]) -> None:
    """A ConfigError for the first selector that matches none of the rule ``codes``."""
    known = sorted(codes)
    for selector in selectors:
        s = selector.upper()
        if s != "ALL" and not any(code.startswith(s) for code in known):
            raise ConfigError(f"{where}: unknown rule selector '{selector}' (rules are {known[0]}..{known[-1]}; "
                              f"see 'kerassniff rule --all')")
