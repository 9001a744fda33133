"""Where the interpreter is inside loops: what a call made in a loop body records about the loop (KS401 asks whether
a model is called once per sample, KS302 how many updates a training loop makes)."""
from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from kerassniff.semantic.pyvalues import Value


@dataclass(eq=False)
class LoopContext:
    node: cst.CSTNode = field(repr=False)
    iterable: Value
    target_names: tuple[str, ...]
    unrolled: bool
    parent: "LoopContext | None" = None
    per_sample: bool = False  # iterates the samples of an array
    count: int | None = None  # iterations, when known (for loops that are not unrolled)
    scope: int = 0  # id() of the scope of the frame that runs the loop (a function called in it has its own)
    round: int = 0  # which pass of an unrolled loop is being interpreted

    def repetitions(self) -> int | None:
        """How many times the loop body runs, counting enclosing loops; None if unknown."""
        total = 1
        context: LoopContext | None = self
        while context is not None:
            if not context.unrolled:
                if context.count is None:
                    return None
                total *= context.count
            context = context.parent
        return total
