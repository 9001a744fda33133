"""The editor server, started as a subprocess and spoken to over stdio as a real LSP client would."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import BUGGY_TRAINING, FIXED_TRAINING

pytest.importorskip("pygls")

FIXTURES_KS105 = Path(__file__).resolve().parent.parent / "fixtures" / "KS105"

# An emoji before the loss on its line: LSP columns count it twice (UTF-16)
BUGGY = BUGGY_TRAINING.replace("model.compile(", "_ = '\U0001F60B'; model.compile(")
FIXED = FIXED_TRAINING.replace("model.compile(", "_ = '\U0001F60B'; model.compile(")
# One-hot labels, so KS101 has its (unsafe) fix; an emoji before each fixed line
ONE_HOT = (
    "import keras\nimport numpy as np\n"
    "x = np.zeros((8, 4))\ny = keras.utils.to_categorical(np.zeros(8), 10)\n"
    "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n"
    "_ = '\U0001F60B'; model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "_ = '\U0001F60B'; model.fit(x, y, steps_per_epoch=600 / 32)\n"
)


class Client:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kerassniff", "server"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
        self.next_id = 0
        self.inbox: list[dict] = []  # messages received and not yet waited for
        self.messages: queue.Queue[dict | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.process.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def _read(self) -> None:
        """The reader thread: every message the server sends, in order, onto a queue (None at its end)."""
        assert self.process.stdout is not None
        while True:
            length = 0
            while True:
                line = self.process.stdout.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(self.process.stdout.read(length)))

    def wait(self, predicate, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        for message in self.inbox:
            if predicate(message):
                self.inbox.remove(message)
                return message
        while True:
            try:
                message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no matching message in {timeout} s; got {self.inbox}") from None
            if message is None:
                raise AssertionError("server closed its output: " + self.process.stderr.read().decode())
            if predicate(message):
                return message
            self.inbox.append(message)

    def diagnostics(self, uri: str, version: int | None) -> list[dict]:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return message["params"]["diagnostics"]

    def start(self, root: Path, capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return result["result"]

    def stop(self) -> str:
        """Shut the server down; its standard error."""
        self.request("shutdown", {})
        self.notify("exit", {})
        assert self.process.wait(timeout=10) == 0
        assert self.process.stderr is not None
        return self.process.stderr.read().decode()


def apply_edits(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (UTF-16 positions) to a text, as an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(position: dict) -> int:
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        units = 0
        for index, character in enumerate(line):
            if units >= position["character"]:
                return sum(map(len, lines[:position["line"]])) + index
            units += 2 if ord(character) > 0xFFFF else 1
        return sum(map(len, lines[:position["line"]])) + len(line)

    spans = sorted(((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
                   reverse=True)
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def test_diagnostics_follow_the_buffer_and_code_actions_fix_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kerassniff]\nignore = ['KS105']\n")
    path = tmp_path / "train.py"
    path.write_text(BUGGY)
    uri = path.as_uri()
    client = Client(tmp_path)
    try:
        result = client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}})
        assert result["result"]["capabilities"]["codeActionProvider"]
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                "text": BUGGY}})
        found = client.diagnostics(uri, 1)
        by_code = {d["code"]: d for d in found}
        assert set(by_code) == {"KS101", "KS403"}
        ks101 = by_code["KS101"]
        # LSP columns are UTF-16 code units: the emoji before the loss (28 code points in) counts twice
        assert ks101["range"] == {"start": {"line": 2, "character": 29}, "end": {"line": 2, "character": 50}}
        assert ks101["source"] == "kerassniff" and ks101["severity"] == 1
        assert ks101["codeDescription"]["href"].endswith("rules/KS101.md")

        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": by_code["KS403"]["range"],
            "context": {"diagnostics": [by_code["KS403"], ks101]}})["result"]
        titles = [a["title"] for a in actions]
        assert "Fix KS403: use floor division (//)" in titles
        assert "Disable KS101 for this line" in titles
        noqa = next(a for a in actions if a["title"] == "Disable KS101 for this line")
        (edit,) = noqa["edit"]["changes"][uri]
        assert edit["newText"] == "  # noqa: KS101" and edit["range"]["start"]["line"] == 2
        # fixes are minimal edits: the changed characters only, in UTF-16 columns
        fix = next(a for a in actions if a["title"].startswith("Fix KS403"))
        (edit,) = fix["edit"]["changes"][uri]
        fit_line = BUGGY.splitlines()[3]
        after_slash = {"line": 3, "character": fit_line.index("600 / 32") + len("600 /")}
        assert edit == {"range": {"start": after_slash, "end": after_slash}, "newText": "/"}
        assert apply_edits(BUGGY, fix["edit"]["changes"][uri]) == BUGGY.replace("600 / 32", "600 // 32")
        # an unsafe fix says so; edits' columns count UTF-16 units (the emoji before each counts twice)
        emoji_uri = (tmp_path / "emoji.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": emoji_uri, "languageId": "python",
                                                                "version": 1, "text": ONE_HOT}})
        found = {d["code"]: d for d in client.diagnostics(emoji_uri, 1)}
        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": emoji_uri}, "range": found["KS101"]["range"],
            "context": {"diagnostics": list(found.values())}})["result"]
        unsafe = next(a for a in actions if a["title"].startswith("Fix KS101"))
        assert unsafe["title"].endswith("(unsafe: review the change)") and not unsafe["isPreferred"]
        binary = ONE_HOT.splitlines()[5].index("binary") + 1
        assert unsafe["edit"]["changes"][emoji_uri] == [{
            "range": {"start": {"line": 5, "character": binary}, "end": {"line": 5, "character": binary + 6}},
            "newText": "categorical"}]
        floor = next(a for a in actions if a["title"].startswith("Fix KS403"))
        slash = ONE_HOT.splitlines()[6].index("600 / 32") + len("600 /") + 1
        assert floor["edit"]["changes"][emoji_uri] == [{
            "range": {"start": {"line": 6, "character": slash}, "end": {"line": 6, "character": slash}},
            "newText": "/"}]
        both = apply_edits(ONE_HOT, [*unsafe["edit"]["changes"][emoji_uri], *floor["edit"]["changes"][emoji_uri]])
        assert both == ONE_HOT.replace("binary_", "categorical_").replace("600 / 32", "600 // 32")

        # two quick edits: the latest version is published last, and the fixed buffer is clean
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                 "contentChanges": [{"text": BUGGY + "\n"}]})
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                                 "contentChanges": [{"text": FIXED}]})
        assert client.diagnostics(uri, 3) == []
        client.inbox.clear()  # version 2 may have been published while it was the newest, never after 3
        client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": ks101["range"],
                                                   "context": {"diagnostics": []}})
        assert not any(m.get("params", {}).get("version") == 2 for m in client.inbox), "stale result published"

        # the project's [tool.kerassniff] applies: KS105 is ignored there
        other = tmp_path / "topk.py"
        topk = (FIXTURES_KS105 / "bad_metric_class.py").read_text()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": other.as_uri(), "languageId": "python",
                                                                "version": 1, "text": topk}})
        assert client.diagnostics(other.as_uri(), 1) == []

        client.request("shutdown", {})
        client.notify("exit", {})
        assert client.process.wait(timeout=10) == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def _large_script(blocks: int) -> str:
    """A long valid training script (a block of functions repeated under new names): a lint takes a while."""
    block = (
        "def build_{n}(width=32):\n"
        "    inputs = keras.Input(shape=(16,))\n"
        "    x = keras.layers.Dense(width, activation='relu')(inputs)\n"
        "    x = keras.layers.Dropout(0.2)(x)\n"
        "    outputs = keras.layers.Dense(10, activation='softmax')(x)\n"
        "    model = keras.Model(inputs, outputs)\n"
        "    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])\n"
        "    return model\n\n\n"
    )
    return "import keras\n\n\n" + "".join(block.format(n=n) for n in range(blocks)) + BUGGY_TRAINING


def test_a_code_action_is_answered_while_a_lint_runs(tmp_path: Path) -> None:
    """Lints run in worker processes: a request asked for during one is answered before the lint ends."""
    script = _large_script(150)
    path = tmp_path / "long.py"
    uri = path.as_uri()
    client = Client(tmp_path)
    try:
        client.start(tmp_path)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                "text": script}})
        found = client.diagnostics(uri, 1)
        assert {d["code"] for d in found} == {"KS101", "KS403"}
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})  # lints again, at once
        client.next_id += 1
        client.send({"id": client.next_id, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri}, "range": found[0]["range"], "context": {"diagnostics": found}}})
        first = client.wait(lambda m: m.get("id") == client.next_id
                            or m.get("method") == "textDocument/publishDiagnostics")
        assert first.get("id") == client.next_id, "the code action waited for the lint"
        assert any(a["title"].startswith("Fix KS403") for a in first["result"])
        first = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert first["params"]["diagnostics"] == found  # and the save's lint still publishes
        client.stop()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_the_debounce_follows_the_lint_time() -> None:
    from kerassniff.lsp_worker import MAX_DEBOUNCE_SECONDS, debounce_seconds

    assert debounce_seconds(0.004) < 0.002  # a small script: at once
    assert debounce_seconds(0.120) <= 0.030  # a 500-line script: well inside the 150 ms budget
    assert debounce_seconds(20.0) == MAX_DEBOUNCE_SECONDS  # a huge one: interrupted lints would waste more


CELL_MODEL = ("%matplotlib inline\nimport keras\n"
              "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(4,))])\n")
CELL_TRAIN = ("model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
              "_ = '\U0001F60B'; model.fit(x=None, y=None, steps_per_epoch=600 / 32)\n")


def test_notebook_documents_get_diagnostics_per_cell(tmp_path: Path) -> None:
    notebook_uri = (tmp_path / "explore.ipynb").as_uri()
    cell = [f"vscode-notebook-cell:{(tmp_path / 'explore.ipynb').as_posix()}#W{n}sZmlsZQ%3D%3D" for n in range(3)]
    client = Client(tmp_path)
    try:
        # a client that speaks notebooks says so (VS Code does); the server then advertises its selector
        capabilities = client.start(tmp_path, {"notebookDocument": {"synchronization": {}}})["capabilities"]
        assert capabilities["notebookDocumentSync"]["notebookSelector"] == [
            {"notebook": "jupyter-notebook", "cells": [{"language": "python"}]}]
        client.notify("notebookDocument/didOpen", {
            "notebookDocument": {"uri": notebook_uri, "notebookType": "jupyter-notebook", "version": 1,
                                 "cells": [{"kind": 1, "document": cell[0]}, {"kind": 2, "document": cell[1]},
                                           {"kind": 2, "document": cell[2]}]},
            "cellTextDocuments": [
                {"uri": cell[0], "languageId": "markdown", "version": 1, "text": "# Training\n"},
                {"uri": cell[1], "languageId": "python", "version": 1, "text": CELL_MODEL},
                {"uri": cell[2], "languageId": "python", "version": 1, "text": CELL_TRAIN}]})
        assert client.diagnostics(cell[1], 1) == []
        found = {d["code"]: d for d in client.diagnostics(cell[2], 1)}
        assert set(found) == {"KS101", "KS403"}
        loss = CELL_TRAIN.index("'binary_crossentropy'")
        assert found["KS101"]["range"]["start"] == {"line": 0, "character": loss}  # inside the cell
        fit = CELL_TRAIN.splitlines()[1].index("steps_per_epoch") + 1  # + 1: the emoji is two UTF-16 units
        assert found["KS403"]["range"]["start"] == {"line": 1, "character": fit}

        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": cell[2]}, "range": found["KS403"]["range"],
            "context": {"diagnostics": [found["KS403"]]}})["result"]
        fix = next(a for a in actions if a["title"].startswith("Fix KS403"))
        assert apply_edits(CELL_TRAIN, fix["edit"]["changes"][cell[2]]) == CELL_TRAIN.replace("/ 32", "// 32")
        assert list(fix["edit"]["changes"]) == [cell[2]]
        noqa = next(a for a in actions if a["title"] == "Disable KS403 for this line")
        assert noqa["edit"]["changes"][cell[2]][0]["range"]["start"]["line"] == 1

        fixed = CELL_TRAIN.replace("/ 32", "// 32").replace("'binary_", "'categorical_")
        client.notify("notebookDocument/didChange", {
            "notebookDocument": {"uri": notebook_uri, "version": 2},
            "change": {"cells": {"textContent": [{"document": {"uri": cell[2], "version": 2},
                                                  "changes": [{"text": fixed}]}]}}})
        assert client.diagnostics(cell[2], 2) == []
        client.notify("notebookDocument/didSave", {"notebookDocument": {"uri": notebook_uri}})
        assert client.diagnostics(cell[2], 2) == []
        client.notify("notebookDocument/didClose", {"notebookDocument": {"uri": notebook_uri},
                                                    "cellTextDocuments": [{"uri": u} for u in cell]})
        assert client.diagnostics(cell[1], None) == [] and client.diagnostics(cell[2], None) == []
        client.stop()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_invalid_utf8_in_a_message_is_handled_quietly(tmp_path: Path) -> None:
    uri = (tmp_path / "train.py").as_uri()
    client = Client(tmp_path)
    try:
        client.start(tmp_path)
        body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": "# caf@@\n" + BUGGY_TRAINING}}}).encode()
        body = body.replace(b"@@", b"\xff")  # a raw byte that is not UTF-8
        assert client.process.stdin is not None
        client.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        client.process.stdin.flush()
        assert {d["code"] for d in client.diagnostics(uri, 1)} == {"KS101", "KS403"}  # the message still counts
        stderr = client.stop()
        assert "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1 and "not valid UTF-8" in stderr
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_the_explanation_is_related_information_and_the_message_stays_short() -> None:
    from kerassniff.findings import Finding, Severity
    from kerassniff.lsp_server import to_diagnostic

    finding = Finding("t.py", 2, 5, 2, 9, "KS403", "fractional-steps", Severity.ERROR, "steps is a float",
                      explanation="Keras 3 rejects a float steps_per_epoch.")
    diagnostic = to_diagnostic(finding, ["", "    600 / 32"], "file:///t.py", len)
    assert diagnostic.message == "steps is a float"
    (related,) = diagnostic.related_information
    assert related.message == "Keras 3 rejects a float steps_per_epoch."
    assert related.location.uri == "file:///t.py" and related.location.range == diagnostic.range
    plain = to_diagnostic(Finding("t.py", 1, 1, 1, 2, "KS403", "x", Severity.ERROR, "m"), ["x"], "file:///t.py", len)
    assert plain.related_information is None


@pytest.mark.parametrize(("line", "new_text", "replaced"), [
    ("x = 1  # noqa: E501 W291", "E501 W291, KS403", "E501 W291"),  # codes listed with spaces, as flake8 allows
    ("x = 1  # noqa:ks101", "ks101, KS403", "ks101"),
    ("x = 1  # NOQA", "# noqa: KS403", "# NOQA"),
    ("x = 1", "  # noqa: KS403", ""),
])
def test_noqa_action_reads_the_comment_as_suppressions_does(line: str, new_text: str, replaced: str) -> None:
    from kerassniff.lsp_server import noqa_edit
    from kerassniff.suppressions import Suppressions

    edit = noqa_edit(line, 0, "KS403", len)
    start, end = edit.range.start.character, edit.range.end.character
    assert edit.new_text == new_text and line[start:end] == replaced
    edited = line[:start] + edit.new_text + line[end:]
    assert Suppressions.from_text(edited).suppressed("KS403", 1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc (Linux)")
def test_the_lint_workers_die_with_the_server(tmp_path: Path) -> None:
    uri = (tmp_path / "train.py").as_uri()
    client = Client(tmp_path)
    try:
        client.start(tmp_path)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                "text": BUGGY_TRAINING}})
        client.diagnostics(uri, 1)
        workers = _children(client.process.pid)
        assert workers, "the server lints in worker processes"
        client.process.kill()  # no shutdown: the editor crashed or killed it
        client.process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers), "a lint worker outlived the server"
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_notebook_opened_as_json_text_gets_no_misplaced_diagnostics(tmp_path: Path) -> None:
    """Positions of a notebook's findings are within its cells, which mean nothing in the raw JSON."""
    notebook = json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                                      "source": BUGGY_TRAINING}], "metadata": {}, "nbformat": 4,
                           "nbformat_minor": 5})
    uri = (tmp_path / "raw.ipynb").as_uri()
    client = Client(tmp_path)
    try:
        client.start(tmp_path)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1,
                                                                "text": notebook}})
        assert client.diagnostics(uri, 1) == []
        client.stop()
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_a_fix_computed_after_the_diagnostics_is_waited_for(tmp_path: Path) -> None:
    """An argument rename takes the slow path (a module transform, after publishing); the action waits for it."""
    script = ("import keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
              "model.compile(loss='mse', optimizer='adam')\nmodel.fit(None, None, nb_epoch=10, verbose=0)\n")
    uri = (tmp_path / "old.py").as_uri()
    client = Client(tmp_path)
    try:
        client.start(tmp_path)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                                "text": script}})
        (found,) = client.diagnostics(uri, 1)
        actions = client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": found["range"],
                                                             "context": {"diagnostics": [found]}})["result"]
        fix = next(a for a in actions if a["title"].startswith("Fix KS402"))
        start = script.splitlines()[3].index("nb_epoch")
        assert fix["edit"]["changes"][uri] == [{
            "range": {"start": {"line": 3, "character": start}, "end": {"line": 3, "character": start + 8}},
            "newText": "epochs"}]
        client.stop()
    finally:
        if client.process.poll() is None:
            client.process.kill()
