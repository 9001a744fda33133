"""What a notebook shows: the value of the last statement of a cell, in a notebook or in a script written as
cells (``# %%``, ``# In[3]:``, Databricks' ``# COMMAND ----------``, Colab's exported text cells).

A call alone on a line is thrown away in a script, but at the end of a notebook cell Jupyter shows its value
(``df.dropna()`` to look at the rows left): rules that judge dropped values ask here first.
"""
from __future__ import annotations

import libcst as cst

from kerassniff.notebook import CELL_MARKER
from kerassniff.semantic.script import Script


def shown_by_the_notebook(script: Script, top: int | None, node: cst.CSTNode) -> bool:
    """Whether ``node`` is the value of the last statement of a notebook cell (``top``: the module-level statement
    that holds it).  Also in a script written as cells or exported from a notebook, where a cell marker comes
    before the next statement."""
    if top is None:
        return False
    body = script.module.body
    statement = body[top]
    if type(statement) is not cst.SimpleStatementLine or type(statement.body[-1]) is not cst.Expr or \
            statement.body[-1].value is not node:
        return False  # inside a loop, a function, a branch: nothing is shown
    if isinstance(statement.body[-1].semicolon, cst.Semicolon):
        return False  # ``df.dropna();``: Jupyter shows nothing after a semicolon
    following = body[top + 1] if top + 1 < len(body) else None
    if script.cells is not None:
        return _last_code_of_its_cell(script, node)
    if following is not None:
        return starts_a_cell(following)
    return any(starts_a_cell(statement) for statement in body)  # the last statement of a script written as cells


def starts_a_cell(statement: cst.CSTNode) -> bool:
    """Whether a module-level statement opens a cell of a script exported from a notebook: a cell-marker comment
    before it (``# %%``, ``# In[3]:``, Databricks' ``# COMMAND ----------``), or a lone string, as Colab exports
    its text cells, a lone string of markdown that starts with a heading (``\"\"\"## Training\"\"\"``)."""
    if any(line.comment is not None and CELL_MARKER.match(line.comment.value)
           for line in getattr(statement, "leading_lines", ())):
        return True
    if type(statement) is not cst.SimpleStatementLine or len(statement.body) != 1 or \
            type(statement.body[0]) is not cst.Expr or type(statement.body[0].value) is not cst.SimpleString:
        return False
    text = statement.body[0].value.evaluated_value  # (Colab writes a text cell's markdown, a heading first)
    return isinstance(text, str) and text.lstrip().startswith("#")


def _last_code_of_its_cell(script: Script, node: cst.CSTNode) -> bool:
    """Whether no code follows ``node`` in its notebook cell: the next line that holds code (not blank, not a
    comment) is in another cell, or there is none.  Read from the lines, so that only the node's own statement is
    rendered to find where it is."""
    position = script.position(node)
    cells = script.cells
    if position is None or not cells or position.start.line > len(cells):
        return False
    cell = cells[position.start.line - 1][0]
    for line in range(position.end.line + 1, len(cells) + 1):
        text = script.line_text(line).strip()
        if text and not text.startswith("#"):
            return cells[line - 1][0] != cell
    return True
