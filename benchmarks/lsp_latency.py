"""Editor latency: drive ``kerassniff server`` over stdio as an editor would, and time it.

    python benchmarks/lsp_latency.py [--bursts 30] [--seed 0] [--runs 3]

The server runs from this checkout unless PYTHONPATH names another one (to compare
with an older version: ``PYTHONPATH=/path/to/old/checkout python benchmarks/lsp_latency.py``).

A synthetic 500-line Keras training script (written here, not taken from any
project) is opened; then typing is simulated: bursts of 6-12 keystrokes, 60-160
ms apart (a fast typist), each keystroke one ``textDocument/didChange`` with an
incremental edit, into a string literal, a number, a default value and a comment (each
keystroke leaves valid Python, so every lint is a full one: the slowest case).  After a burst the
client waits for the diagnostics of the burst's last version.  Reported:

* keystroke -> diagnostics: from sending the burst's last keystroke to receiving
  the ``publishDiagnostics`` for that version (median, p90, max);
* code action during a lint: a ``didSave`` starts a lint, 10 ms later a
  ``textDocument/codeAction`` is sent; the time to its response;
* for context, one in-process lint of the same script and the load average
  (the figures depend on what else the machine is doing: ``--runs 3`` runs it
  three times, each with a fresh server, and reports the spread).
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_HEADER = '''"""A synthetic image-classification project in one script (benchmark input)."""
import os

import numpy as np
import keras
from keras import layers

BATCH_SIZE = 32
EPOCHS = 3
NUM_CLASSES = 10
IMAGE_SHAPE = (32, 32, 3)
'''

_BLOCK = '''

def load_split_{n}(root, split="train"):
    """Load one split of dataset {n} from .npy files."""
    images = np.load(os.path.join(root, split + "_images_{n}.npy"))
    labels = np.load(os.path.join(root, split + "_labels_{n}.npy"))
    images = images.astype("float32") / 255.0
    labels = keras.utils.to_categorical(labels, NUM_CLASSES)
    return images, labels


def conv_block_{n}(x, filters, dropout=0.25):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    return layers.Dropout(dropout)(x)


def build_model_{n}(width={width}):
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = conv_block_{n}(inputs, width)
    x = conv_block_{n}(x, width * 2)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(128, activation="relu")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="classifier_{n}")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


class EpochLogger{n}(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {{}}
        print("run {n}", epoch, round(logs.get("val_accuracy", 0.0), 4))


def train_{n}(root):
    x_train, y_train = load_split_{n}(root, "train")
    x_val, y_val = load_split_{n}(root, "val")
    model = build_model_{n}()
    history = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS,
                        validation_data=(x_val, y_val),
                        callbacks=[EpochLogger{n}(), keras.callbacks.EarlyStopping(patience=2)])
    model.save("classifier_{n}.keras")
    return history
'''

# One deliberate bug each with a safe fix (KS403) and an unsafe one (KS101), so diagnostics and fixes exist.
_FOOTER = '''

def finetune(root):
    x_train, y_train = load_split_0(root, "train")
    model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(NUM_CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=EPOCHS, steps_per_epoch=len(x_train) / BATCH_SIZE)
    return model


def summarize(histories):
    """The best validation accuracy of each run."""
    best = []
    for history in histories:
        best.append(max(history.history.get("val_accuracy", [0.0])))
    return best


if __name__ == "__main__":
    data_root = os.environ.get("DATA_ROOT", "data")
    for trainer in (train_0, train_1, train_2):
        trainer(data_root)
'''


# Where the bursts type, and what: each keeps the script valid Python at every keystroke (the slowest case: a
# half-typed statement is a syntax error, which kerassniff reports in a few milliseconds).
TYPING_SPOTS = [
    ('model.save("classifier_1', "_with_augmentation"),  # inside a string literal
    ("x = layers.Dense(128", "256"),  # digits of a number
    ("    return history", "  # compare with the baseline run"),  # a trailing comment
    ("def conv_block_2(x, filters, dropout=0.25", "5"),  # a default value
]


def synthetic_script(lines: int = 500) -> str:
    """A plausible Keras script of about ``lines`` lines (blocks of loaders, models, callbacks, trainers)."""
    parts = [_HEADER]
    n = 0
    while sum(p.count("\n") for p in parts) + _FOOTER.count("\n") < lines:
        parts.append(_BLOCK.format(n=n, width=16 * (n % 4 + 1)))
        n += 1
    parts.append(_FOOTER)
    return "".join(parts)


class Client:
    """An LSP client over the server's stdio; a reader thread time-stamps every message on arrival."""

    def __init__(self, cwd: Path, command: list[str]) -> None:
        env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH") or str(ROOT)}
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        self.inbox: queue.Queue[tuple[float, dict]] = queue.Queue()
        self.kept: list[tuple[float, dict]] = []
        self.published: dict[str, list[dict]] = {}  # uri -> the diagnostics last received
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            stamp, message = time.perf_counter(), json.loads(stream.read(length))
            if message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = message["params"]["diagnostics"]
            self.inbox.put((stamp, message))

    def send(self, message: dict) -> float:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        sent = time.perf_counter()
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.process.stdin.flush()
        return sent

    def notify(self, method: str, params: dict) -> float:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params: dict) -> tuple[int, float]:
        self.next_id += 1
        return self.next_id, self.send({"id": self.next_id, "method": method, "params": params})

    def wait(self, predicate, timeout: float = 60.0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        for index, (stamp, message) in enumerate(self.kept):
            if predicate(message):
                return self.kept.pop(index)
        while True:
            stamp, message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.001))
            if predicate(message):
                return stamp, message
            self.kept.append((stamp, message))

    def diagnostics(self, uri: str, version: int) -> tuple[float, dict]:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") == version)

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a benchmark tears down whatever state the server is in
            self.process.kill()


def _position(text: str, offset: int) -> dict:
    line = text.count("\n", 0, offset)
    return {"line": line, "character": offset - (text.rfind("\n", 0, offset) + 1)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)]


def run(bursts: int, seed: int, command: list[str]) -> dict:
    rng = random.Random(seed)
    text = synthetic_script()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.py"
        path.write_text(text)
        uri = path.as_uri()
        client = Client(Path(folder), command)
        try:
            client.request("initialize", {"processId": None, "rootUri": Path(folder).as_uri(),
                                                 "capabilities": {}})
            client.wait(lambda m: m.get("id") == 1)
            client.notify("initialized", {})
            version = 1
            client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python",
                                                                    "version": 1, "text": text}})
            client.diagnostics(uri, 1)
            keystroke_latency = []
            for burst in range(bursts):
                marker, alphabet = TYPING_SPOTS[burst % len(TYPING_SPOTS)]
                anchor = text.index(marker) + len(marker)
                count = rng.randint(6, 12)
                chunk = (alphabet * 3)[:count]
                last_sent = 0.0
                for character in chunk:
                    version += 1
                    offset = anchor
                    text = text[:offset] + character + text[offset:]
                    anchor += 1
                    position = _position(text, offset)
                    last_sent = client.notify("textDocument/didChange", {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"range": {"start": position, "end": position}, "text": character}]})
                    time.sleep(rng.uniform(0.060, 0.160))
                stamp, _ = client.diagnostics(uri, version)
                keystroke_latency.append(stamp - last_sent)
                client.kept.clear()
                # Undo the burst's text before the next one (one edit), so the script stays near 500 lines
                begin = anchor - len(chunk)
                version += 1
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": _position(text, begin), "end": _position(text, anchor)},
                                        "text": ""}]})
                text = text[:begin] + text[anchor:]
                anchor = begin
                client.diagnostics(uri, version)
                time.sleep(0.3)

            action_latency = []
            for _ in range(max(bursts // 3, 5)):
                client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
                time.sleep(0.010)
                diagnostics = client.published.get(uri, [])  # as an editor sends what it shows
                request_id, sent = client.request("textDocument/codeAction", {
                    "textDocument": {"uri": uri}, "range": diagnostics[0]["range"] if diagnostics else
                    {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "context": {"diagnostics": diagnostics}})
                stamp, _ = client.wait(lambda m, i=request_id: m.get("id") == i and "method" not in m)
                action_latency.append(stamp - sent)
                client.diagnostics(uri, version)
                time.sleep(0.3)
        finally:
            client.close()
    return {"keystroke": keystroke_latency, "action": action_latency, "lines": text.count("\n")}


def in_process_lint_ms(text: str) -> float:
    sys.path.insert(0, str(ROOT))
    from kerassniff.api import lint_source
    from kerassniff.config import Config

    times = []
    for _ in range(7):
        start = time.perf_counter()
        lint_source(text, "train.py", Config())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1,
                        help="runs, each with a fresh server (the machine's load varies: report the spread)")
    parser.add_argument("--server", default=f"{sys.executable} -m kerassniff server",
                        help="the server command (default: this interpreter's kerassniff server)")
    options = parser.parse_args()
    text = synthetic_script()
    lint_before = in_process_lint_ms(text)
    runs = []
    for index in range(options.runs):
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        result = run(options.bursts, options.seed + index, options.server.split())
        runs.append((load, [t * 1000 for t in result["keystroke"]], [t * 1000 for t in result["action"]]))
    lint_ms = (lint_before + in_process_lint_ms(text)) / 2  # the machine's speed while the runs went on
    print(f"script: {text.count(chr(10))} lines; one in-process lint {lint_ms:.0f} ms (median, before and after "
          f"the runs; a whole lint, without the editor's reuse of unchanged statements); {os.cpu_count()} cores")
    for index, (load, keys, actions) in enumerate(runs):
        prefix = f"run {index + 1}, load average {load:.2f}: " if len(runs) > 1 else f"load average {load:.2f}: "
        print(f"{prefix}keystroke -> diagnostics ({len(keys)} bursts): median {statistics.median(keys):.0f} ms, "
              f"p90 {percentile(keys, 0.9):.0f} ms, max {max(keys):.0f} ms; code action during a lint "
              f"({len(actions)}): median {statistics.median(actions):.0f} ms, p90 {percentile(actions, 0.9):.0f} ms, "
              f"max {max(actions):.0f} ms")
    if len(runs) > 1:
        medians = sorted(statistics.median(keys) for _, keys, _ in runs)
        p90s = sorted(percentile(keys, 0.9) for _, keys, _ in runs)
        print(f"over {len(runs)} runs: keystroke median {medians[0]:.0f}-{medians[-1]:.0f} ms, "
              f"p90 {p90s[0]:.0f}-{p90s[-1]:.0f} ms")


if __name__ == "__main__":
    main()
