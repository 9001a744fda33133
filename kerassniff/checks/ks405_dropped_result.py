"""KS405 dropped-result: a call whose only effect is its result, made as a statement of its own (or bound to a name
nothing reads while its input goes on unchanged: :mod:`kerassniff.checks._ks405_unread`).

``x_train.astype("float32")``, ``cv2.normalize(img, None, 0, 1, cv2.NORM_MINMAX)``, ``df.dropna()``,
``train_ds.shuffle(1000)``, ``load_model("best.h5")``: the script goes on with the unchanged input, and trains or
predicts on data that was never converted, scaled, cleaned or shuffled, or evaluates the model it already had.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.checks._ks405_results import result_only, writes_an_output
from kerassniff.checks._ks405_unread import unread_arrays
from kerassniff.findings import Severity
from kerassniff.fixes import unsafe_fix
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.results import RESULT_ONLY_FUNCTIONS
from kerassniff.semantic.names import short
from kerassniff.semantic.reach import may_leave_definitions_unreached, unreached_definitions
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const


@rule("KS405", "dropped-result", Severity.WARNING,
      "a call that returns a new array, DataFrame, dataset or model, made as a statement whose result is dropped",
      "assign the result: x = x.astype('float32'), df = df.dropna(), model = load_model(path)")
def check(script: Script):
    """Every such call the script makes, but the last statement of a notebook cell (Jupyter shows its value) and
    those in a module-level function or class a run of the script never reaches; and a new array bound to a name
    nothing reads while its input goes on unchanged (:mod:`kerassniff.checks._ks405_unread`)."""
    yield from _dropped_statements(script)
    unread = list(unread_arrays(script))
    if unread and may_leave_definitions_unreached(script):
        statements = script.node_statements()
        unreached = unreached_definitions(script, {statements.get(id(report.node)) for report in unread})
        unread = [report for report in unread if statements.get(id(report.node)) not in unreached]
    yield from unread


def _dropped_statements(script: Script):
    if not script.dropped_results:
        return
    reports = [(call, report) for call in script.calls if id(call.node) in script.dropped_results
               for report in _dropped(script, call)]
    if not reports:
        return
    reports = [(call, report) for call, report in reports if not _shown_by_the_notebook(script, call)]
    if reports and may_leave_definitions_unreached(script):
        unreached = unreached_definitions(script, {call.top for call, _ in reports})
        reports = [(call, report) for call, report in reports if call.top not in unreached]
    for _, report in reports:
        yield report


def _dropped(script: Script, call: CallSite):
    """The report for a call whose result is its only effect; nothing for any other call."""
    node = call.node
    if call.callee is not None and (known := RESULT_ONLY_FUNCTIONS.get(call.callee)) is not None and \
            known.returns == "model" and not writes_an_output(node, known.output_position, known.output_keyword):
        name = f"{script.code_of(node.func)}()"
        if _reads_back_a_save(script, call):
            return  # model.save(path), then load_model(path): a check that the file reads back
        yield Report(node, f"the model {name} returns is dropped: nothing is loaded into any model",
                     "assign it (model = load_model(...)); the model in memory is not changed by the call",
                     explanation=(f"{name} reads the file into a new model and returns it; as a statement of its "
                                  f"own, the new model is thrown away, and the code below goes on with the model "
                                  f"it already had (the last epoch's weights, not the saved best ones)."),
                     facts={"function": call.callee})
        return
    found = result_only(script, call)
    if found is not None:
        yield _report(script, call, *found)


def _report(script: Script, call: CallSite, name: str, unchanged: cst.BaseExpression | None, returns: str,
            pandas: bool = False) -> Report:
    """``the result of x.astype() is dropped: 'x' is unchanged``, with an unsafe fix that assigns it back when the
    unchanged input is a plain name (a change of what the script computes: to review)."""
    kept = script.code_of(unchanged) if type(unchanged) in (cst.Name, cst.Attribute, cst.Subscript) else None
    func = call.node.func
    short_name = name if len(name) <= 40 else \
        f"{func.attr.value if type(func) is cst.Attribute else short(call.callee or 'the call')}()"
    message = f"the result of {short_name} is dropped: '{kept}' is unchanged"
    if kept is None or len(message) > 100:
        message = f"the result of {short_name} is dropped: " + ("nothing keeps it" if kept is None else
                                                                  "its input is unchanged")
    top_level = _at_module_level(script, call)
    fix = None
    if type(unchanged) is cst.Name and top_level:
        # (only at module level: inside a function the name may be a global, whose assignment would make it a
        # local; inside a loop it may be the loop's variable, whose assignment changes nothing in the list)
        statement = script.dropped_results[id(call.node)]
        assignment = cst.Assign(targets=[cst.AssignTarget(cst.Name(unchanged.value))], value=call.node,
                                semicolon=statement.semicolon)
        fix = unsafe_fix(f"assign the result to {unchanged.value}", statement, assignment)
    why = {"DataFrame or Series": " (pandas changes the object itself only with inplace=True)",
           "dataset": " (a tf.data dataset never changes: each method returns a new one)"}.get(returns, "")
    return Report(call.node, message,
                  f"assign it: {kept} = {script.code_of(call.node)}" if kept is not None and len(kept) <= 30 and
                  top_level else None,
                  fix,
                  explanation=(f"{name} returns a new {returns} and leaves its input as it was{why}; as a statement "
                               f"of its own, the new {returns} is thrown away, so the code below still uses the "
                               f"unchanged {repr(kept) if kept is not None else 'input'}."),
                  facts={"call": name.rstrip("()"), "returns": returns, **({"pandas": True} if pandas else {})})


def _shown_by_the_notebook(script: Script, call: CallSite) -> bool:
    """Whether the call is the value of the last statement of a notebook cell: Jupyter shows it, which is why it is
    there (``df.dropna()`` at the end of a cell to look at the rows left).  Also in a script written as cells
    (``# %%``) or exported from a notebook (``# In[3]:``), where a cell marker comes before the next statement."""
    if call.top is None:
        return False
    body = script.module.body
    statement = body[call.top]
    if type(statement) is not cst.SimpleStatementLine or type(statement.body[-1]) is not cst.Expr or \
            statement.body[-1].value is not call.node:
        return False  # inside a loop, a function, a branch: nothing is shown
    if isinstance(statement.body[-1].semicolon, cst.Semicolon):
        return False  # ``df.dropna();``: Jupyter shows nothing after a semicolon
    following = body[call.top + 1] if call.top + 1 < len(body) else None
    if script.cells is not None:
        return _last_code_of_its_cell(script, call.node)
    if following is not None:
        return starts_a_cell(following)
    return any(starts_a_cell(top) for top in body)  # the last statement of a script written as cells


def starts_a_cell(statement: cst.CSTNode) -> bool:
    """Whether a module-level statement opens a cell of a script exported from a notebook: a cell-marker comment
    before it (``# %%``, ``# In[3]:``, Databricks' ``# COMMAND ----------``), or a lone string, as Colab exports
    its text cells, a lone string of markdown that starts with a heading (``\"\"\"## Training\"\"\"``)."""
    if any(line.comment is not None and _CELL_MARKER.match(line.comment.value)
           for line in getattr(statement, "leading_lines", ())):
        return True
    if type(statement) is not cst.SimpleStatementLine or len(statement.body) != 1 or \
            type(statement.body[0]) is not cst.Expr or type(statement.body[0].value) is not cst.SimpleString:
        return False
    text = statement.body[0].value.evaluated_value  # (Colab writes a text cell's markdown, a heading first)
    return isinstance(text, str) and text.lstrip().startswith("#")


# A comment that starts a cell: ``# %%`` (Jupytext, VS Code, Spyder), ``# In[3]:`` (a notebook exported by
# nbconvert), ``# COMMAND ----------`` (Databricks).
_CELL_MARKER = re.compile(r"#\s*(?:%%|In\[[\d ]*\]:|COMMAND -+)")


def _at_module_level(script: Script, call: CallSite) -> bool:
    """Whether the call's statement is one of the module's own (not inside a function, a loop or a branch)."""
    if call.top is None:
        return False
    statement = script.module.body[call.top]
    return type(statement) is cst.SimpleStatementLine and any(small is script.dropped_results.get(id(call.node))
                                                                for small in statement.body)


def _reads_back_a_save(script: Script, call: CallSite) -> bool:
    """``load_model(path)`` of a path one of the script's models was saved to before it (``model.save(path)``, by
    line): a check that the file reads back.  A load before the save (resuming) is not one."""
    path = call.args.positional[0] if call.args.positional else call.args.get("filepath")
    if not (isinstance(path, Const) and isinstance(path.value, str)):
        return False
    line = script.line_of(call.node)
    return any(save.method == "save" and isinstance(save.path, Const) and save.path.value == path.value and
               script.line_of(save.node) < line for save in script.saves())


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
