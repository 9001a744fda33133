"""The interpreter's imports, and the helper modules beside a script that it interprets too.

A mixin of :class:`kerassniff.semantic.interpreter.Interpreter`.  An imported library name becomes
a :class:`Symbol` (and a :class:`Reference` rules read); a module found as a file beside the
script (:class:`kerassniff.semantic.siblings.HelperFinder`) is interpreted once per build, and its
names are bound as the script's.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.semantic.array_names import names_a_split_array
from kerassniff.semantic.frames import Frame, Scope, dotted
from kerassniff.semantic.loaders import opaque_import
from kerassniff.semantic.names import may_be_the_projects
from kerassniff.semantic.values import Const, ModuleValue, Seq, Symbol, Value

MAX_HELPER_DEPTH = 2  # helper modules importing helper modules: followed this deep
MAX_HELPERS = 8  # helper modules interpreted per script; the rest are unknown


class Imports:
    """``import`` and ``from ... import``."""

    def exec_import(self, node: cst.Import, frame: Frame) -> None:
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            self._reference(Symbol(name), alias)
            self._imported(alias)
            asname = _asname(alias)
            bound = asname or name
            helper = self.load_helper(name, 0) if "." not in bound else None
            if helper is not None:
                self._bind_import(bound, helper, frame)
            elif asname is not None:
                self._bind_import(asname, Symbol(name), frame)
            else:
                first = name.split(".")[0]
                self._bind_import(first, Symbol(first), frame)

    def exec_import_from(self, node: cst.ImportFrom, frame: Frame) -> None:
        module = dotted(node.module) if node.module is not None else ""
        if module is None or module == "__future__":
            return
        if isinstance(node.names, cst.ImportStar):
            helper = self.load_helper(module, len(node.relative)) if module else None
            if helper is None:
                self.star_imports.append(module)
                if module and node.module is not None and not node.relative:
                    self._reference(Symbol(module), node.module)  # from keras.layers.core import *: a use of it
                    self._imported(node.module)
                return
            exported = _star_names(helper)
            if exported is None:  # an __all__ it cannot read: which names come is unknown
                self.star_imports.append(module)
                return
            for name in exported:  # from common import *: its __all__, or its public names, as Python binds them
                self._bind_import(name, helper.scope.vars[name], frame)
            return
        helper = self.load_helper(module, len(node.relative)) if module else None
        if module and node.module is not None and not node.relative:
            self._reference(Symbol(module), node.module)  # the module itself (keras.utils.np_utils) is a use too
            self._imported(node.module)
        # from prepare_data import x_train, y_train, x_test, y_test, of a module not read: the splits it made
        splits = helper is None and may_be_the_projects(module) and \
            sum(names_a_split_array(_asname(alias) or dotted(alias.name) or "") for alias in node.names) >= 2
        for alias in node.names:
            self._import_member(alias, module, helper, node, frame, splits)

    def _imported(self, node: cst.CSTNode) -> None:
        if not self.in_helper:
            self.script.import_nodes.add(id(node))

    def _import_member(self, alias: cst.ImportAlias, module: str, helper: ModuleValue | None,
                       node: cst.ImportFrom, frame: Frame, splits: bool = False) -> None:
        name = dotted(alias.name)
        if name is None:
            return
        symbol = Symbol(f"{module}.{name}" if module else name, bool(node.relative))
        self._reference(symbol, alias)
        self._imported(alias)
        member = helper.member(name) if helper is not None else None
        if member is None:
            # a submodule: from . import common / from data_utils import loaders, also of a folder with no
            # __init__.py (a namespace package: from utils import data_manager)
            member = self.load_helper(f"{module}.{name}" if module else name, len(node.relative))
        if member is None and splits:
            member = opaque_import(module, name, alias, _asname(alias))
        self._bind_import(_asname(alias) or name, member if member is not None else symbol, frame)

    def _bind_import(self, name: str, value: Value, frame: Frame) -> None:
        frame.scope.bind(name, value)
        if frame.scope is self.module_scope and isinstance(value, Symbol):
            self.script.imports[name] = value.raw

    def load_helper(self, module: str, level: int) -> ModuleValue | None:
        """Interpret a helper module that sits beside the script, once per build."""
        if self.in_helper >= MAX_HELPER_DEPTH:
            return None
        found = self.helper_finder.find(module, level)
        if found is None:
            return None
        key, load = found
        if key in self.helper_modules:
            return self.helper_modules[key]  # None while it is still being interpreted (an import cycle)
        if len(self.helper_modules) >= MAX_HELPERS:
            return None
        self.helper_modules[key] = None
        parsed = load()
        if parsed is None:
            return None
        value = ModuleValue(key, Scope())
        value.scope.bind("__name__", Const(key))  # imported, not run: its ``if __name__ == "__main__":`` is skipped
        self.script.helpers[key] = parsed
        self.in_helper += 1
        try:
            self.exec_block(parsed.body, Frame(value.scope))
        finally:
            self.in_helper -= 1
        self.helper_modules[key] = value
        return value


def _star_names(helper: ModuleValue) -> list[str] | None:
    """The names ``from helper import *`` binds: those its ``__all__`` lists (the ones it defines), else every name
    not starting with an underscore; None when ``__all__`` is not a list of constant strings."""
    names = helper.scope.vars
    listed = names.get("__all__")
    if listed is None:
        return [name for name in names if not name.startswith("_")]
    items = listed.items if isinstance(listed, Seq) else tuple(Const(v) for v in listed.value) \
        if isinstance(listed, Const) and isinstance(listed.value, tuple) else None
    if items is None or not all(isinstance(item, Const) and isinstance(item.value, str) for item in items):
        return None
    return [item.value for item in items if item.value in names]


def _asname(alias: cst.ImportAlias) -> str | None:
    return alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None


def imports_anything(statements) -> bool:
    """Whether any statement, at any depth, is an import (a snippet without one reads Keras names as Keras)."""
    for statement in statements:
        if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
                return True
            continue
        if any(_imports_anything_in(part) for part in _parts(statement)):
            return True
    return False


def _parts(statement: cst.CSTNode) -> list:
    parts = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody")]
    return parts + list(getattr(statement, "handlers", ())) + list(getattr(statement, "cases", ()))


def _imports_anything_in(part) -> bool:
    if isinstance(part, cst.If):
        part = cst.IndentedBlock(body=[part])
    elif isinstance(part, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)):
        part = part.body
    if isinstance(part, cst.IndentedBlock):
        return imports_anything(part.body)
    if isinstance(part, cst.SimpleStatementSuite):
        return imports_anything([part])
    return False
