"""The editor server, started as a subprocess and spoken to over stdio as a real LSP client would."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BUGGY_TRAINING, FIXED_TRAINING

pytest.importorskip("pygls")

FIXTURES_KS105 = Path(__file__).resolve().parent.parent / "fixtures" / "KS105"

# An emoji before the loss on its line: LSP columns count it twice (UTF-16)
BUGGY = BUGGY_TRAINING.replace("model.compile(", "_ = '\U0001F60B'; model.compile(")
FIXED = FIXED_TRAINING.replace("model.compile(", "_ = '\U0001F60B'; model.compile(")


class Client:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kerassniff", "server"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
        self.next_id = 0
        self.inbox: list[dict] = []

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

    def read(self) -> dict:
        assert self.process.stdout is not None
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("server closed its output: " + self.process.stderr.read().decode())
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.process.stdout.read(length))

    def wait(self, predicate, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.inbox:
                if predicate(message):
                    self.inbox.remove(message)
                    return message
            self.inbox.append(self.read())
        raise AssertionError(f"no matching message; got {self.inbox}")

    def diagnostics(self, uri: str, version: int) -> list[dict]:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri and m["params"].get("version") == version)
        return message["params"]["diagnostics"]


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
        fix = next(a for a in actions if a["title"].startswith("Fix KS403"))
        assert "600 // 32" in fix["edit"]["changes"][uri][0]["newText"]

        # two quick edits: only the latest version is published, and the fixed buffer is clean
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                 "contentChanges": [{"text": BUGGY + "\n"}]})
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                                 "contentChanges": [{"text": FIXED}]})
        assert client.diagnostics(uri, 3) == []
        assert not any(m.get("params", {}).get("version") == 2 for m in client.inbox)

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
