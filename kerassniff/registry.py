"""The rule registry: every rule's identity and the function that finds it.

A rule is declared next to its logic with the :func:`rule` decorator, so a
rule's code, name, severity and fix hint live in the module that implements it
(``kerassniff/checks/ks101_*.py`` for KS101).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping

from kerassniff.findings import Severity

if TYPE_CHECKING:
    from libcst import CSTNode

    from kerassniff.evidence import VerdictFunction
    from kerassniff.fixes import Fix
    from kerassniff.semantic.script import Script


Describe = Callable[["CSTNode"], str]  # a node -> where it is, as a reader is told: "line 12", "cell 3 line 2"


@dataclass(frozen=True)
class Elsewhere:
    """A node of another script, described by that script (a cross-script rule pointing into the trainer)."""

    node: "CSTNode"
    describe: Describe


@dataclass(frozen=True)
class Report:
    """What a rule function yields: the node to point at and the words to say.

    Words that point at another place ("the softmax output (line 14)") name it ``{output}`` and give the node in
    ``mentions={"output": node}``: the engine replaces each ``{name}`` of a mentioned node with where the node is
    ("line 14", "cell 3 line 2", "common.py line 3") when it makes the finding, after every rule ran, so that one
    pass finds the positions of all of them. Only the names in ``mentions`` are replaced; other braces stay.
    """

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
    # The places the words mention, by the name their ``{name}`` uses: a node of this script, or ``Elsewhere``.
    mentions: "Mapping[str, CSTNode | Elsewhere] | None" = None

    def mentioned_nodes(self) -> list["CSTNode"]:
        """This script's nodes the words mention (the engine finds their positions in one pass)."""
        return [m for m in (self.mentions or {}).values() if not isinstance(m, Elsewhere)]

    def render(self, text: str | None, describe: Describe) -> str | None:
        """``text`` (this report's message, hint or explanation) with each mentioned ``{name}`` replaced by where
        its node is; ``describe`` tells where a node of this script is."""
        if not text or not self.mentions:
            return text
        mentions = self.mentions

        def place(match: re.Match) -> str:
            mention = mentions.get(match.group(1))
            if mention is None:
                return match.group(0)
            if isinstance(mention, Elsewhere):
                return mention.describe(mention.node)
            return describe(mention)

        return _PLACEHOLDER.sub(place, text)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


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
    # What a dynamic run says about a finding (kerassniff.evidence): None when a run cannot settle this rule.
    verdict: "VerdictFunction | None" = None
    # The verdict compares the values of the arrays (their ranges): random stand-ins for data missing on this
    # machine cannot settle it, so dynamic mode says so instead of asking the verdict.
    compares_values: bool = False
    # A script rule's check of the same bug across scripts (a model one script trains and saves, another loads and
    # uses): it takes every linked script of the run, as a project rule's check does (see :func:`across_scripts`).
    across: "ProjectCheck | None" = None

    @property
    def project_check(self) -> "ProjectCheck | None":
        """The check that compares scripts: a project rule's own, or a script rule's ``across``."""
        return self.check if self.scope == "project" else self.across


@dataclass(frozen=True)
class Withdrawal:
    """What a script rule's check across scripts yields to take back the rule's own finding at ``node`` of a script:
    other scripts show it harmless (a model file whose every reader loads it with ``compile=False``).  ``because``:
    their paths; the finding is taken back only when every one of them is a file of the run (a script read beside
    the run for its links is not: a run that checks the script without them still reports it)."""

    node: "CSTNode"
    because: tuple[str, ...]


ProjectCheck = Callable[[list["Script"]], Iterable[tuple["Script", "Report | Withdrawal"]]]
RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str, fix_hint: str, *,
         verdict: "VerdictFunction | None" = None,
         compares_values: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Register a script rule: its function takes one script's model and yields :class:`Report` s.

    ``verdict`` is the rule's dynamic verdict (see :mod:`kerassniff.evidence`), declared with the rule so that
    adding a rule touches nothing central; ``compares_values`` marks a verdict that random stand-in data cannot
    settle.
    """

    def register(function: CheckFunction) -> CheckFunction:
        _add(Rule(code, name, severity, summary, fix_hint, function, verdict=verdict, compares_values=compares_values))
        return function

    return register


def project_rule(code: str, name: str, severity: Severity, summary: str, fix_hint: str, *,
                 verdict: "VerdictFunction | None" = None, compares_values: bool = False):
    """Register a cross-script rule: its function takes every script of the run."""

    def register(function):
        _add(Rule(code, name, severity, summary, fix_hint, function, scope="project", verdict=verdict,
                  compares_values=compares_values))
        return function

    return register


def across_scripts(code: str) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register a script rule's check across scripts: the same bug where a script loads the model another one trained
    (KS226: ``load_data(num_words=N)`` in the trainer, ids past N in the app).  The rule keeps its one code, so one
    ``# noqa`` and one ``--select`` cover both; its script check must be registered first."""

    def register(function: ProjectCheck) -> ProjectCheck:
        known = RULES.get(code)
        if known is None or known.scope != "script" or known.across is not None:
            raise RuntimeError(f"{code}: across_scripts() needs the rule's script check, registered once")
        RULES[code] = replace(known, across=function)
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
    """Every rule, by code (sorted once per change of the table: the pipeline asks for each file)."""
    load_rules()
    global _SORTED
    if _SORTED is None or len(_SORTED[0]) != len(RULES) or any(
            RULES.get(rule.code) is not rule for rule in _SORTED[1]):
        ordered = sorted(RULES.values(), key=lambda r: r.code)
        _SORTED = (dict(RULES), ordered)
    return iter(_SORTED[1])


# The rules sorted by code, with the table they were sorted from (see all_rules).
_SORTED: tuple[dict, list[Rule]] | None = None


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
