"""KS405 dropped-result: a call (or arithmetic on an array) whose only effect is its result, made as a statement of
its own (or bound to a name nothing reads while its input goes on unchanged: :mod:`kerassniff.checks._ks405_unread`).

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
from kerassniff.semantic.cells import shown_by_the_notebook
from kerassniff.semantic.names import short
from kerassniff.semantic.training import CallSite
from kerassniff.semantic.values import Const


@rule("KS405", "dropped-result", Severity.WARNING,
      "a call or arithmetic that returns a new array, DataFrame, dataset or model, made as a statement whose result "
      "is dropped",
      "assign the result: x = x.astype('float32'), df = df.dropna(), model = load_model(path)")
def check(script: Script):
    """Every such call the script makes, but the last statement of a notebook cell (Jupyter shows its value) and
    those in a module-level function or class a run of the script never reaches (dropped by the engine,
    :func:`kerassniff.engine.lint_file.outside_unreached_definitions`); arithmetic on an array as a
    statement of its own (:func:`_dropped_arithmetic`); and a new array bound to a name nothing reads while its input
    goes on unchanged (:mod:`kerassniff.checks._ks405_unread`)."""
    yield from _dropped_statements(script)
    yield from _dropped_arithmetic(script)
    yield from unread_arrays(script)


def _dropped_statements(script: Script):
    if not script.dropped_results:
        return
    reports = [(call, report) for call in script.calls if id(call.node) in script.dropped_results
               for report in _dropped(script, call)]
    if not reports:
        return
    for call, report in reports:
        if not shown_by_the_notebook(script, call.top, call.node):
            yield report


def _dropped_arithmetic(script: Script):
    """``img - cv2.GaussianBlur(img, (3, 3), 0)`` (a mistyped ``img = ...``) or ``x_train / 255.0`` alone on its line:
    the new array is thrown away.  Only arithmetic that starts from a variable (``model.predict(x) - y`` is a look
    at a value just computed); not the last statement of a notebook cell (Jupyter shows it), not one the next
    statement redoes and keeps (``x / 255.0`` tried, then ``x = x / 255.0``), nor in a function or class a run never
    reaches."""
    dropped = [(node, top) for node, top in script.dropped_arithmetic.values()
               if _starts_from_a_variable(node) and not shown_by_the_notebook(script, top, node) and
               not _redone_next(script, node, top)]
    for node, _ in dropped:
        shown, operator = script.code_of(node), script.code_of(node.operator).strip()
        if len(shown) > 50:
            shown = f"{script.code_of(node.left)} {operator} ..."
        yield Report(node, f"{shown} is computed and dropped: nothing keeps the new array",
                     "assign the result to the name the code below reads",
                     explanation=("Arithmetic on an array makes a new array and leaves its operands as they were; as "
                                  "a statement of its own, the result is thrown away, so the code below still reads "
                                  "the arrays as they were."),
                     facts={"operator": operator})


def _starts_from_a_variable(node: cst.BaseExpression) -> bool:
    """Whether the leftmost operand is a variable (``img`` in ``img - blur(img)``, ``x`` in ``(x - m) / s``)."""
    while type(node) is cst.BinaryOperation:
        node = node.left
    return type(node) in (cst.Name, cst.Attribute, cst.Subscript)


def _redone_next(script: Script, node: cst.BinaryOperation, top: int | None) -> bool:
    """Whether the module-level statement after the one that drops the arithmetic computes it again."""
    body = script.module.body
    if top is None or top + 1 >= len(body) or type(body[top]) is not cst.SimpleStatementLine or \
            not any(type(small) is cst.Expr and small.value is node for small in body[top].body):
        return False
    return script.code_of(node) in script.code_of(body[top + 1])


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
    if found is not None and short(call.callee or "") == "to_categorical" and _class_ids_suffice(script):
        return
    if found is not None and not _harmless_conversion(script, call, found[1]) and \
            not _redone_at_once(script, call, found[1]) and not _reshape_only_shown(script, call, found[1]):
        yield _report(script, call, *found)


# Losses that take class ids: one-hot labels are not what they need.  (Not binary crossentropy: on a two-unit output
# it wants the one-hot rows, and Keras stops on the ids.)
_ID_LOSSES = frozenset({"sparse_categorical_crossentropy"})


def _class_ids_suffice(script: Script) -> bool:
    """A dropped ``to_categorical(y)`` in a script that calls no fit() (labels saved for another script, whose loss
    may want the ids as they are), or whose every fit() is compiled with a sparse crossentropy, which takes class ids:
    the line is dead, and the one-hot labels its fix would make are what that loss rejects."""
    fits = list(script.fits())
    if not fits:  # (a fit() of a model the analysis does not follow, one built in an unread module, still trains)
        return not any(call.method in ("fit", "fit_generator") for call in script.calls)
    for fit in fits:
        compiled = fit.model.compile_before(fit.order)
        if compiled is None or not compiled.losses or any(loss.name not in _ID_LOSSES for loss in compiled.losses):
            return False
    return True


# Methods that give an array another shape and nothing else; and the calls that only show or write an image.
_SHAPE_METHODS = frozenset({"reshape", "squeeze", "transpose", "flatten", "ravel"})
_SHOWN = re.compile(r"\b(?:cv2_imshow|imshow|imwrite|imsave|print|display)\s*\(")


def _reshape_only_shown(script: Script, call: CallSite, unchanged: cst.BaseExpression | None) -> bool:
    """A dropped reshape (``img.reshape(28, 28)`` alone) of a name whose next read only shows or writes it
    (``cv2_imshow(img)``, ``plt.imshow(img)``, ``print(img)``): a picture drawn in another shape, nothing trained or
    scored on it.  (A later read by anything else is judged as before.)"""
    if call.method not in _SHAPE_METHODS or type(unchanged) is not cst.Name or script.text is None:
        return False
    position = script.position(call.node)
    if position is None:
        return False
    name = re.escape(unchanged.value)
    for line in script.text.splitlines()[position.end.line:]:
        if re.search(rf"\b{name}\b", line.split("#", 1)[0]):
            shown = _SHOWN.search(line)
            return shown is not None and re.match(rf"\s*{name}\s*[,)]", line[shown.end():]) is not None and \
                len(re.findall(rf"\b{name}\b", line)) == 1
    return False


# NumPy's functions that make one array of a list of equally shaped arrays: np.stack(frames) and np.array(frames) give
# the same array.
_LIST_TO_ARRAY = frozenset({"numpy.stack", "numpy.array", "numpy.asarray"})
_LIST_TO_ARRAY_CALL = re.compile(r"\b(?:stack|array|asarray)\s*\(")


def _redone_at_once(script: Script, call: CallSite, unchanged: cst.BaseExpression | None) -> bool:
    """A dropped call whose work the next statement that reads its input does, assigning the input: ``np.stack(frames)``
    alone, then ``frames = np.array(frames)``, or the very same call again (``img = cv2.resize(img, size)``, and the
    same method with the same arguments in a chain: ``ds.batch(32)``, then ``ds = ds.cache().batch(32)``; not another
    call of the same method, ``ds.map(clean)`` then ``ds = ds.map(tokenize)``): a dead line, nothing lost.  Lines that
    do not name the input in between change nothing of it."""
    if type(unchanged) is not cst.Name or script.text is None:
        return False
    position = script.position(call.node)
    if position is None:
        return False
    name = unchanged.value
    named = re.compile(rf"\b{re.escape(name)}\b")
    for line in script.text.splitlines()[position.end.line:]:
        stripped = line.split("#", 1)[0].strip()
        if not stripped or not named.search(stripped):
            continue
        assigned = re.match(rf"{re.escape(name)}\s*=(?!=)\s*(.*)", stripped)
        if assigned is None or not named.search(assigned.group(1)):
            return False
        value = " ".join(assigned.group(1).split())
        dropped = " ".join(script.module.code_for_node(call.node).split())
        method = dropped[len(name):] if call.method is not None and dropped.startswith(f"{name}.") else None
        return dropped in value or (method is not None and method in value) or (
            call.callee in _LIST_TO_ARRAY and _LIST_TO_ARRAY_CALL.search(value) is not None)
    return False


# How a float dtype is written: astype(float), astype("float32"), astype(np.float32), tf.cast(x, tf.float32).
_FLOAT_NAMES = frozenset({"float", "float16", "float32", "float64", "double", "single", "half"})


def _harmless_conversion(script: Script, call: CallSite, unchanged: cst.BaseExpression | None) -> bool:
    """A dropped conversion to floats (``x.astype("float32")``, ``tf.cast(x, tf.float32)``, ``np.float32(x)``) of
    a name the script only divides or hands on: what comes next (``x / 255``, a scaler, ``fit()``) converts the
    array anyway, so the dropped result changes nothing.  Reported where integer arithmetic may follow: the name
    updated in place (``x /= 255`` raises, ``x -= 128`` wraps around on uint8), written into by index
    (``x[i] = x[i] / 255`` stores the floats back as integers), or combined with a whole number (``x - 128``,
    ``x * 2``, ``x ** 2`` wrap or overflow on small integer types)."""
    if type(unchanged) is not cst.Name:
        return False
    if call.method == "astype":
        written = call.args.node_of("dtype", 0)
    elif call.callee == "tensorflow.cast":
        written = call.args.node_of("dtype", 1)
    elif call.callee == "numpy.float32":
        written = None
    else:
        return False
    if written is not None and _dtype_name(written.value) not in _FLOAT_NAMES:
        return False
    return unchanged.value not in script.derived("ks405_updated_in_place", lambda: _updated_in_place(script))


def _dtype_name(node: cst.BaseExpression) -> str | None:
    if type(node) is cst.SimpleString:
        return node.value.strip("'\"")
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return node.attr.value  # np.float32, tf.float32
    return None


# Operators whose result keeps a small integer type when the other side is a whole number (NumPy 2: the Python int
# takes the array's type), so uint8 or int16 values wrap around or overflow.
_INTEGER_ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.Power, cst.LeftShift)


def _updated_in_place(script: Script) -> frozenset[str]:
    """The plain names the file may compute on as integers: changed by an augmented assignment (``x /= 255``),
    written into by index (``x[i] = ...``), or combined with a whole number (``x - 128``, ``2 * x``)."""
    names: set[str] = set()

    def name_of(node: cst.BaseExpression) -> str | None:
        while type(node) is cst.Subscript:
            node = node.value
        return node.value if type(node) is cst.Name else None

    class _InPlace(cst.CSTVisitor):
        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if (name := name_of(node.target)) is not None:
                names.add(name)

        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if type(target.target) is cst.Subscript and (name := name_of(target.target)) is not None:
                    names.add(name)

        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if not isinstance(node.operator, _INTEGER_ARITHMETIC):
                return
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if type(other) is cst.Integer and (name := name_of(side)) is not None:
                    names.add(name)

    script.module.visit(_InPlace())
    return frozenset(names)


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
