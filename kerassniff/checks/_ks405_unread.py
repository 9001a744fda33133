"""KS405's second shape: a new array bound to a name nothing reads, while its input goes on unchanged.

``_xtest = x_test / 255.0`` (a misspelt ``x_test``), ``img_resized = cv2.resize(img, (28, 28))`` and then
``img.astype("float32") / 255.0``: the scaled or resized copy is computed and thrown away, and the code below uses the
input as it was.  Only where the file itself says so: the name occurs nowhere else in the file's text (comments and
strings included; not judged when it is part of a longer word), the input is read after the statement, and no later
assignment to the input may do the step itself.
"""
from __future__ import annotations

import re

import libcst as cst

from kerassniff.checks._ks405_results import result_only
from kerassniff.registry import Report
from kerassniff.semantic import Script
from kerassniff.semantic.syntax import names_in_code, walk_code
from kerassniff.semantic.values import Instance

# Calls whose result is the same values in another form, either of which may be right (one-hot labels made and left
# for a sparse loss, a list made an array): leaving the input as it was is no mistake.
_OTHER_FORMS = frozenset({"keras.utils.to_categorical", "numpy.array", "numpy.asarray"})

# The module whose transformers' fit_transform() result is read as KS405 reads transform()'s.
SCIKIT_LEARN_PREPROCESSING = "sklearn.preprocessing."

# Code that reads variables by their names as strings (looked for as plain text: a regular expression over every
# file's text cost more than the rest of the check).
_BY_NAME = ("globals(", "locals(", "vars(")


def _scales_down(value: cst.BinaryOperation) -> bool:
    """Arithmetic that scales an array down: ``x / 255.0``, ``x * (1 / 255)``, ``x * 0.0039`` (not ``x * 255.0``, which
    undoes a scaling)."""
    if type(value.operator) is cst.Divide:
        return True
    if type(value.operator) is not cst.Multiply:
        return False
    factor = value.right
    if type(factor) is cst.Float:
        return float(factor.value) < 1
    return type(factor) is cst.BinaryOperation and type(factor.operator) is cst.Divide and \
        type(factor.left) in (cst.Integer, cst.Float) and float(factor.left.value) == 1


def unread_arrays(script: Script):
    if not script.named_arrays or script.text is None:
        return
    text = script.text
    if any(call in text for call in _BY_NAME):
        return  # (names read through globals()/locals()/vars(): the text does not say which)
    for statement in script.named_arrays.values():
        name = statement.targets[0].target.value  # type: ignore[attr-defined]
        if name == "_" or text.count(name) != 1:
            continue  # read somewhere, bound more than once, or part of a longer name (then not judged)
        found = _input_of(script, statement.value)
        if found is None or found[0] == name:
            continue
        source, call, kind = found
        code = script.code_of(statement.value)
        if (_SCALING_WORDS.search(code) or _SCALING_WORDS.search(name)) and _a_model_scales_its_input(script):
            continue  # a scaled copy left unread where the model scales its own input: the unscaled one is right
        written = re.search(rf"\b{re.escape(name)}\b", text)
        if written is None:
            continue  # bound by a helper module's code that the script's call ran (``self.padded = ...`` there)
        end = text.find(code, written.start())
        if end < 0:
            continue
        after = text[end + len(code):]
        if not _reads(after, source) or _done_again(after, source, call, "float" in code) or \
                _mapped_by_hand(statement.value, after):
            continue  # not read after it, or given the step after all (``x = x.astype("float32") / 255.0`` below)
        yield _report(statement, name, source, call, code, kind)


def _reads(after: str, name: str) -> bool:
    """Whether the code after the statement uses ``name`` (its comments and strings do not count: ``# pad the
    sequences``), other than to print its size (:func:`_only_described`); by lines without their comments when the
    rest of the file does not tokenize on its own."""
    names = names_in_code(after)
    if names is not None:
        return name in names and not _only_described(after, name)
    return any(re.search(rf"\b{re.escape(name)}\b", line.split("#", 1)[0]) for line in after.splitlines())


# A line that only shows something (``print(...)``, a notebook's ``display(...)``, a log), and what a shown array's
# description reads of it: its length, shape, type, never its values.
_SHOWING_LINE = re.compile(r"\s*(?:print|display|pprint|(?:logging|logger|log)\.\w+)\s*\(")
_DESCRIPTION = (r"(?:\bnp\.shape|\blen|\btype)\(\s*{0}\s*\)|"
                r"\b{0}\s*\.\s*(?:shape|dtype|ndim|size|element_spec)\b")


def _only_described(after: str, name: str) -> bool:
    """Whether every later line that reads ``name`` prints only its size or type (``print(f"val: {len(val)}")``): no
    code works on the input, so leaving it unchanged changes nothing the script computes.  A line that prints anything
    else of it (``print(net.evaluate(x_test, y_test))``), or that is not a whole statement of its own, is a use."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    described = re.compile(_DESCRIPTION.format(re.escape(name)))
    shown = False
    for line in after.splitlines():
        if not word.search(line):
            continue
        names = names_in_code(line.strip())
        if names is not None and name not in names:
            continue  # only in a comment or a string
        if names is None or not _SHOWING_LINE.match(line):
            return False
        left = names_in_code(described.sub("", line).strip())
        if left is None or name in left:
            return False
        shown = True
    return shown


# What a scaling copy's code or name says (``x / 255.0``, ``normalized_ds = ds.map(lambda x, y: (norm(x), y))``).
_SCALING_WORDS = re.compile(r"/\s*255|scal|normali[sz]|\bnorm", re.IGNORECASE)


def _a_model_scales_its_input(script: Script) -> bool:
    """Whether a model of the script scales its own input (a ``Rescaling`` layer, a Lambda dividing by 255):
    TensorFlow's tutorial makes ``normalized_ds = train_ds.map(...)`` and then, "or", puts the layer in the model."""
    return any(layer.input_scale is not None for model in script.models for layer in model.all_layers())


def _done_again(after: str, source: str, call: str | None, to_float: bool = False) -> bool:
    """Whether a later assignment to the input may do the step itself: for a scaling, any assignment to it that
    divides, multiplies or calls a scaler (``x /= 255``, ``x = x.astype(float) / 255``, ``x = scale(x)``); for a
    call, one that makes the same call (``img = cv2.resize(img, size)``); for a cast to floats (``to_float``), also a
    true division, which gives floats as well (``x = x / 255.0``: only the float width differs)."""
    for match in re.finditer(rf"\b{re.escape(source)}\s*((?:[-+*/%@]|//|\*\*)?)=(?!=)(.*)", after):
        operator, value = match.group(1), match.group(2)
        if call is None and (operator in ("/", "*") or re.search(r"[/*]|scal|norm", value)):
            return True
        if call is not None and call.rstrip("()").rsplit(".", 1)[-1] + "(" in value:
            return True
        if to_float and call is not None and call.rstrip("()").endswith("astype") and \
                (operator == "/" or re.search(r"(?<![/])/(?![/])", value)):
            return True
    return False


def _mapped_by_hand(value: cst.BaseExpression, after: str) -> bool:
    """``ds.map(lambda x, y: (prep(x), y))`` (or ``ds.map(prep)``) whose function the code after it calls itself
    (``model.predict(prep(images))`` on batches of ``ds``): the step is done batch by batch, the input kept on
    purpose (its raw pixels shown beside)."""
    if type(value) is not cst.Call or type(value.func) is not cst.Attribute or value.func.attr.value != "map" or \
            not value.args:
        return False
    mapped = value.args[0].value
    functions = {mapped.value} if type(mapped) is cst.Name else {
        node.func.value for node in walk_code(mapped) if type(node) is cst.Call and type(node.func) is cst.Name}
    return any(re.search(rf"\b{re.escape(name)}\s*\(", after) for name in functions)


def _input_of(script: Script, value: cst.BaseExpression) -> tuple[str, str | None, str] | None:
    """The variable whose new version ``value`` is, the call that makes it (None for arithmetic), and what it is
    ("array", "dataset", "DataFrame or Series")."""
    if type(value) is cst.BinaryOperation:
        if not _scales_down(value):
            return None
        left = value.left
        if type(left) is cst.Call and type(left.func) is cst.Attribute:
            left = left.func.value  # x.astype("float32") / 255.0
        return (left.value, None, "array") if type(left) is cst.Name else None
    site = script.call_at(value) if type(value) is cst.Call else None
    if site is None or site.callee in _OTHER_FORMS:
        return None
    fitted = _fitted_and_transformed(script, site)
    if fitted is not None:
        return (*fitted, "array")
    found = result_only(script, site)
    if found is None or type(found[1]) is not cst.Name:
        return None
    return found[1].value, found[0], found[2]  # type: ignore[attr-defined]


def _fitted_and_transformed(script: Script, site) -> tuple[str, str] | None:
    """``x_scaled = scaler.fit_transform(x)`` of a scikit-learn transformer: the result is the only thing a name
    binds it for (fitting alone is ``fit()``), so the variable it leaves unchanged, and the call."""
    node = site.node
    receiver = site.receiver
    if site.method != "fit_transform" or not isinstance(receiver, Instance) or \
            not receiver.cls.startswith(SCIKIT_LEARN_PREPROCESSING) or not node.args or \
            node.args[0].keyword is not None or node.args[0].star or type(node.args[0].value) is not cst.Name:
        return None
    return node.args[0].value.value, f"{script.code_of(node.func)}()"


def _report(statement: cst.Assign, name: str, source: str, call: str | None, code: str, kind: str) -> Report:
    target = statement.targets[0].target
    what = "scaled" if call is None else f"made by {call}"
    consequence = "unscaled" if call is None else "unchanged"
    return Report(target, f"'{name}' is never read: '{source}' is used {consequence} after it",
                  f"use '{name}' where '{source}' is read below, or assign the result to '{source}'",
                  explanation=(f"{code if len(code) <= 60 else f'The new {kind}'} is a new {kind}, {what}, bound "
                               f"to '{name}', which nothing else in the file reads; '{source}' is read after it as it "
                               f"was, so the code below works on the {consequence} {kind} (a misspelt name, or a "
                               f"step left behind)."),
                  facts={"name": name, "input": source, **({"call": call.rstrip("()")} if call else {})})
