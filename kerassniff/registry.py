"""The rule registry: every rule's identity and the function that finds it.

A rule is declared next to its logic with the :func:`rule` decorator, so a
rule's code, name, severity and fix hint live in the module that implements it
(``kerassniff/checks/ks101_*.py`` for KS101).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from kerassniff.findings import Severity

if TYPE_CHECKING:
    from libcst import CSTNode

    from kerassniff.fixes import Fix
    from kerassniff.semantic.script import Script


@dataclass(frozen=True)
class Report:
    """What a rule function yields: the node to point at and the words to say."""

    node: "CSTNode"
    message: str
    fix_hint: str | None = None  # overrides the rule's default hint
    fix: "Fix | None" = None  # an automatic fix (applied with --fix / --unsafe-fixes)
    # The why and the numbers behind the one-sentence message: shown by `full` output, JSON
    # (`explanation`) and the editor's related information; never in concise output.
    explanation: str | None = None
    # Typed facts behind the words ({"k": 5, "units": 10, "from_logits": True}): carried into the finding as
    # ``extra["facts"]`` (JSON output, the cache) so that dynamic verdicts and tools read values, never message text.
    facts: dict | None = None


CheckFunction = Callable[["Script"], Iterable[Report]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    fix_hint: str
    check: CheckFunction | None  # None: produced by the pipeline (KS001) or only dynamically
    scope: str = "script"  # "script", "project" (cross-script) or "pipeline"


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str, fix_hint: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        _add(Rule(code, name, severity, summary, fix_hint, function))
        return function

    return register


def project_rule(code: str, name: str, severity: Severity, summary: str, fix_hint: str):
    """Register a cross-script rule: its function takes every script of the run."""

    def register(function):
        _add(Rule(code, name, severity, summary, fix_hint, function, scope="project"))
        return function

    return register


def declare(code: str, name: str, severity: Severity, summary: str, fix_hint: str, scope: str) -> None:
    """Register a rule whose findings are produced outside a script check."""
    _add(Rule(code, name, severity, summary, fix_hint, None, scope))


def _add(new: Rule) -> None:
    if new.code in RULES:
        raise RuntimeError(f"rule code {new.code} registered twice")
    RULES[new.code] = new


def all_rules() -> Iterator[Rule]:
    load_rules()
    return iter(sorted(RULES.values(), key=lambda r: r.code))


def get_rule(code: str) -> Rule | None:
    load_rules()
    return RULES.get(code.upper())


_RULE_MODULE = re.compile(r"ks\d{3}_\w+")
_loaded = False


def load_rules() -> None:
    """Import every rule module in :mod:`kerassniff.checks` once; each registers itself with ``@rule``.

    The modules are found by name (``ks101_...``), as Fixit finds its rules, so adding a rule means adding its
    module: nothing central lists them, and the registry imports no rule statically.
    """
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("kerassniff.checks")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if _RULE_MODULE.fullmatch(module.name):
            importlib.import_module(f"{package.__name__}.{module.name}")
    _loaded = True
