"""The semantic model of one script: plain data every rule reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from kerassniff.semantic.dataflow import DataEvent
from kerassniff.semantic.models import Model
from kerassniff.semantic.training import CallSite, CompileCall, FitCall, InferenceCall, Reference, SaveCall


@dataclass(eq=False)
class Script:
    path: str
    module: cst.Module
    models: list[Model] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> raw dotted name
    data_events: list[DataEvent] = field(default_factory=list)
    # helper modules interpreted with the script (path -> module); their nodes are not in this file
    helpers: dict[str, cst.Module] = field(default_factory=dict)
    _positions: dict | None = field(default=None, repr=False)
    _helper_positions: dict[str, dict] = field(default_factory=dict, repr=False)

    # -- positions are computed lazily, once, only when something asks ----------
    def position(self, node: cst.CSTNode) -> CodeRange | None:
        if self._positions is None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = dict(wrapper.resolve(PositionProvider))
        return self._positions.get(node)

    def line_of(self, node: cst.CSTNode) -> int:
        pos = self.position(node)
        return pos.start.line if pos else 0

    def is_native(self, node: cst.CSTNode) -> bool:
        """True when the node is in this file (not in a helper module it imports)."""
        return self.position(node) is not None

    def where(self, node: cst.CSTNode) -> str:
        """'line 12' for this file, 'common.py line 3' for a node in an imported helper module."""
        pos = self.position(node)
        if pos is not None:
            return f"line {pos.start.line}"
        for path, module in self.helpers.items():
            positions = self._helper_positions.get(path)
            if positions is None:
                positions = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
                self._helper_positions[path] = positions
            if node in positions:
                return f"{Path(path).name} line {positions[node].start.line}"
        return "line ?"

    def code_of(self, node: cst.CSTNode) -> str:
        text = self.module.code_for_node(node).strip()
        text = " ".join(text.split())
        return text if len(text) <= 60 else text[:57] + "..."

    # -- convenient views -------------------------------------------------------
    def compiles(self) -> Iterator[CompileCall]:
        for model in self.models:
            yield from model.compiles

    def fits(self) -> Iterator[FitCall]:
        for model in self.models:
            yield from model.fits

    def inferences(self) -> Iterator[InferenceCall]:
        for model in self.models:
            yield from model.inferences

    def saves(self) -> Iterator[SaveCall]:
        for model in self.models:
            yield from model.saves

    def fit_labels(self, model: Model) -> list:
        """The label arrays that reach ``fit`` for this model (known ones only)."""
        return [e.data for e in self.data_events if e.model is model and e.kind == "fit" and e.role == "y"]
