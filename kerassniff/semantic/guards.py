"""Text heuristics for code that copes with a missing name: version checks, import fallbacks, and the uses of an
attribute outside them.

A script written for several library versions tests the version (``if tf.__version__ ...``,
``hasattr(np, "float_")``) or catches the error a missing name raises (``except ImportError``).
Both spellings in such code are alternatives, so the interpreter keeps both branches and rules
treat uses inside them as guarded.  These are judgements on source text, kept here as tables so
that the interpreter itself knows Python only.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libcst as cst

from kerassniff.semantic.syntax import code_children

# A test whose source holds one of these words is a version check (``sys.version_info``, ``hasattr(``).
VERSION_WORDS = ("version", "hasattr(", "getattr(")
# A name holding one of these is a library's version (``tf.__version__``, ``KERAS_VERSION``).
VERSION_NAME_WORDS = ("version", "VERSION")
# An except clause naming one of these catches a missing name (an older library's spelling).
MISSING_NAME_ERRORS = frozenset({"AttributeError", "ImportError", "ModuleNotFoundError"})
# ... and one naming these (or a bare ``except:``) catches it among every other error: a fallback only when its
# handler offers an alternative (:func:`_offers_an_alternative`).
BROAD_ERRORS = frozenset({"Exception", "BaseException"})
# What a handler calls when it only reports the error: print it, log it, warn, exit (the callee's whole text, or
# its last attribute: ``logger.exception``, ``traceback.print_exc``, ``sys.exit``).
REPORTING_CALLS = frozenset({"print", "exit", "quit", "pprint", "warn", "print_exc", "print_exception",
                             "format_exc"})
REPORTING_METHODS = frozenset({"exception", "error", "warning", "warn", "info", "debug", "critical", "log",
                               "print_exc", "print_exception", "format_exc", "exit", "_exit", "write", "echo"})
# Modules a handler imports to report the error with (``import traceback`` before ``traceback.print_exc()``): such an
# import is no alternative spelling.
REPORTING_MODULES = frozenset({"traceback", "logging", "sys", "warnings", "pprint"})
MAX_CHECK_CHARS = 300  # a longer test is code, not a version check
SHORT_NODES = 300  # LibCST nodes, whitespace and punctuation included


def says_version(name: str) -> bool:
    """Whether a name or attribute names a version (``__version__``, ``KERAS_VERSION``)."""
    known = SAYS_VERSION.get(name)
    if known is None:
        known = SAYS_VERSION[name] = any(word in name for word in VERSION_NAME_WORDS)
    return known


# Every name and attribute the interpreter evaluates is asked about; scripts reuse a few hundred names.  The
# interpreter's hottest paths read this memo directly (``SAYS_VERSION.get(name)``, then :func:`says_version`).
SAYS_VERSION: dict[str, bool] = {}


def mentions_version_words(text: str) -> bool:
    """Whether a source text could hold a version check at all (every check's text holds one of the words)."""
    return any(word in text for word in VERSION_WORDS)


# A comment holding one of the words: a test's rendered text holds its comments, which the code walk below
# cannot see (a '#' inside a string matches too: such a script's tests are all rendered, as before).
_COMMENTED_WORD = re.compile(r"#[^\n]*(?:version|hasattr\(|getattr\()")
# The nodes whose own text can hold a word of VERSION_WORDS (keywords and operators never do).
_WORDY_NODES = tuple(kind for kind in (cst.Name, cst.SimpleString, cst.FormattedStringText,
                                        getattr(cst, "TemplatedStringText", None)) if kind is not None)
_WORD_STEMS = tuple(word.rstrip("(") for word in VERSION_WORDS)  # "hasattr(" is a name "hasattr", then "("


def comments_mention_version_words(text: str) -> bool:
    """Whether a comment in the source could put a version word into an if-test's text."""
    return _COMMENTED_WORD.search(text) is not None


def is_version_check(module: cst.Module, test: cst.BaseExpression, comments: bool = True) -> int:
    """1 for ``if np.__version__ ...``, ``if sys.version_info ...``, ``if hasattr(np, "float_")``.

    The test's rendered text is what is judged; it is rendered only when a name or string in it holds one of
    the words, or, with ``comments``, when a comment in the script may (the words are letters, so in the text
    they lie inside one name, string or comment: a test without one is no check, and a render costs more)."""
    if not comments and not _words_in_code(test):
        return 0
    try:
        text = module.code_for_node(test)
    except Exception:  # noqa: BLE001
        return 0
    return int(len(text) < MAX_CHECK_CHARS and any(word in text for word in VERSION_WORDS))


def is_version_check_in_code(module: cst.Module, test: cst.BaseExpression) -> int:
    """:func:`is_version_check` for a script whose comments hold none of the words."""
    return is_version_check(module, test, comments=False)


def _words_in_code(test: cst.BaseExpression) -> bool:
    """Whether a name or string in the test holds the start of a version word."""
    stack: list[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if type(node) in _WORDY_NODES:
            text = node.value  # type: ignore[attr-defined]
            if any(stem in text for stem in _WORD_STEMS):
                return True
        else:
            stack.extend(code_children(node))
    return False


def is_short(module: cst.Module, value: cst.BaseExpression) -> int:
    """1 for an expression short enough to be a flag (``int(keras.__version__[0]) > 1``), not a model definition.

    Walks at most ``SHORT_NODES`` nodes; only asked after a name that says "version" was evaluated.
    """
    stack: list[cst.CSTNode] = [value]
    budget = SHORT_NODES
    while stack:
        budget -= 1
        if not budget:
            return 0
        stack.extend(stack.pop().children)
    return 1


def guards_its_body(module: cst.Module, node: cst.Try | cst.TryStar) -> int:
    """1 for a try whose code copes with a missing name: a handler that does (:func:`catches_missing_names`), or a
    body of imports alone (``try: from keras.utils.vis_utils import plot_model``, an optional feature) under any
    handler that catches every error."""
    if any(catches_missing_names(module, handler) for handler in node.handlers):
        return 1
    return int(_imports_only(node.body) and any(_broad(module, handler) for handler in node.handlers))


def _imports_only(body: cst.BaseSuite) -> bool:
    """Whether a block holds only imports (and the flags set beside them: ``HAVE_PLOT = True``)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    smalls = []
    for statement in statements:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return False
        smalls.extend(statement.body)
    return any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in smalls) and all(
        isinstance(small, (cst.Import, cst.ImportFrom, cst.Pass)) or
        (isinstance(small, cst.Assign) and isinstance(small.value, (cst.Name, cst.SimpleString, cst.Integer)))
        for small in smalls)


def _broad(module: cst.Module, handler: cst.ExceptHandler) -> bool:
    """A bare ``except:`` or one naming Exception / BaseException."""
    return handler.type is None or any(name in module.code_for_node(handler.type) for name in BROAD_ERRORS)


def catches_missing_names(module: cst.Module, handler: cst.ExceptHandler) -> int:
    """1 for an except clause that catches ``ImportError`` or ``AttributeError``, or one that catches every error
    (a bare ``except:``, ``except Exception:``) and does something instead (``from tensorflow.keras import x``,
    ``model.fit(...)``, or ``pass`` alone).  A broad handler that only reports the error (prints, logs, warns,
    exits, raises, returns) is error handling around the code (``try: main() except Exception:
    traceback.print_exc()``), not a fallback spelling for an older library."""
    if handler.type is not None:
        text = module.code_for_node(handler.type)
        if any(name in text for name in MISSING_NAME_ERRORS):
            return 1
        if not any(name in text for name in BROAD_ERRORS):
            return 0
    return int(_offers_an_alternative(module, handler.body))


def _offers_an_alternative(module: cst.Module, body: cst.BaseSuite) -> bool:
    """Whether a handler's body does more than report the error and give up (any statement but ``raise``,
    ``return``, ``continue``, ``break``, a string, or a call of :data:`REPORTING_CALLS` / :data:`REPORTING_METHODS`);
    a compound statement counts as doing more, and so does a body of ``pass`` alone (``try: old() except: pass``,
    then the new spelling: the error is swallowed where the script goes on)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    smalls = [small for statement in statements if isinstance(statement, (cst.SimpleStatementLine,
                                                                           cst.SimpleStatementSuite))
              for small in statement.body]
    if len(smalls) == len(statements) and all(isinstance(small, cst.Pass) for small in smalls):
        return True
    for statement in statements:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return True
        for small in statement.body:
            if isinstance(small, (cst.Pass, cst.Raise, cst.Return, cst.Continue, cst.Break)):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and _reports(module, small.value):
                continue
            if isinstance(small, cst.Import) and all(
                    module.code_for_node(alias.name) in REPORTING_MODULES for alias in small.names):
                continue  # import traceback (then traceback.print_exc())
            return True
    return False


def _reports(module: cst.Module, call: cst.Call) -> bool:
    """``print(e)``, ``logger.exception(...)``, ``traceback.print_exc()``, ``sys.exit(1)``: a call that reports."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in REPORTING_CALLS
    return isinstance(func, cst.Attribute) and func.attr.value in REPORTING_METHODS


def unguarded_attributes(module: cst.Module, attributes: frozenset[str],
                         root: cst.CSTNode | None = None) -> Iterator[AttributeUse]:
    """Each ``<x>.<attribute>`` (``attribute`` one of ``attributes``) outside the script's own fallbacks for a missing
    attribute: ``try: ... except AttributeError``, ``if hasattr(...)`` (statements and conditional expressions, and
    the rest of a block after ``if not hasattr(...): return``), ``hasattr(...) and ...`` and ``not hasattr(...) or
    ...``.  Whether it is assigned (an augmented assignment reads first: a read) and the class whose body holds it.
    ``root``: only under that node (a class statement; the fallbacks around it are not seen)."""
    stack: list[tuple[Any, bool, cst.ClassDef | None]] = [(module if root is None else root, False, None)]
    assigned: set[int] = set()
    while stack:
        node, guarded, cls = stack.pop()
        kind = type(node)
        if kind is cst.Attribute and node.attr.value in attributes and not guarded:
            yield AttributeUse(node, id(node) in assigned, cls)
        if kind is cst.Try:
            caught = bool(guards_its_body(module, node))
            stack.append((node.body, guarded or caught, cls))
            parts = (*node.handlers, node.orelse, node.finalbody)
            stack.extend((part, guarded, cls) for part in parts if part is not None)
            continue
        if kind is cst.If or kind is cst.IfExp:  # if hasattr(...): ..., and x.lr if hasattr(...) else ...
            checked = guarded or bool(is_version_check(module, node.test))
            stack.extend([(node.test, guarded, cls), (node.body, checked, cls)])
            if node.orelse is not None:
                stack.append((node.orelse, checked, cls))
            continue
        if kind is cst.IndentedBlock or kind is cst.Module:  # if not hasattr(...): return, then the rest
            after = guarded
            for statement in node.body:
                stack.append((statement, after, cls))
                after = after or _leaves_unless(module, statement)
            continue
        if kind is cst.BooleanOperation:  # hasattr(m, "lr") and m.lr > 0; not hasattr(m, "lr") or m.lr > 0
            checked = guarded or bool(is_version_check(module, node.left))
            stack.extend([(node.left, guarded, cls), (node.right, checked, cls)])
            continue
        if kind is cst.Assign:
            for target in node.targets:
                assigned.update(id(element) for element in _bound(target.target))
        elif kind is cst.AnnAssign:
            assigned.add(id(node.target))
        inner = node if kind is cst.ClassDef else cls
        stack.extend((child, guarded, inner) for child in code_children(node))


_LEAVING = (cst.Return, cst.Raise, cst.Continue, cst.Break)


def _leaves_unless(module: cst.Module, statement: cst.CSTNode) -> bool:
    """``if not hasattr(x, "lr"): return`` (a version or hasattr test whose body leaves the block): the statements
    after it run only where the test failed, guarded as an else branch is."""
    if type(statement) is not cst.If or statement.orelse is not None or not is_version_check(module, statement.test):
        return False
    last = statement.body.body[-1] if isinstance(statement.body, cst.IndentedBlock) else statement.body
    smalls = last.body if isinstance(last, cst.SimpleStatementLine) else \
        statement.body.body if isinstance(statement.body, cst.SimpleStatementSuite) else []
    return any(isinstance(small, _LEAVING) for small in smalls)


@dataclass(unsafe_hash=True)
class AttributeUse:
    node: cst.Attribute
    assigned: bool
    cls: cst.ClassDef | None  # the innermost class whose body (or a method of it) holds the use


def _bound(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """What an assignment target binds: itself, or the elements of a tuple or list target."""
    if type(target) in (cst.Tuple, cst.List):
        for element in target.elements:  # type: ignore[attr-defined]
            value = element.value
            yield from _bound(value.value if type(value) is cst.StarredElement else value)
    else:
        yield target


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round): the test of a block that runs when the file is run as a
    program, not when it is imported."""
    if type(test) is not cst.Comparison or len(test.comparisons) != 1 or \
            type(test.comparisons[0].operator) is not cst.Equal:
        return False
    sides = (test.left, test.comparisons[0].comparator)
    return any(type(side) is cst.Name and side.value == "__name__" for side in sides) and \
        any(type(side) is cst.SimpleString and side.value in ('"__main__"', "'__main__'") for side in sides)
