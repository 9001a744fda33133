"""KS313 input-shape-mismatch: the message, the facts, and the dynamic verdict read from a harness report."""
from __future__ import annotations

from dataclasses import dataclass, field

from kerassniff.checks.ks313_input_shape_mismatch import adapt_rank, verdict

BAD = """from tensorflow import keras
(x_train, y_train), _ = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.layers.Dense(10, activation="softmax", input_shape=(784,))])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x_train, y_train)
"""


@dataclass
class FakeReport:
    """The two lookups of the harness report a verdict uses."""

    data: dict = field(default_factory=dict)

    def at(self, line: int, kind: str | None = None) -> dict | None:
        return next((c for c in self.data.get("calls", []) if c["line"] == line and kind in (None, c["kind"])), None)


def _finding(lint_text):
    (finding,) = [f for f in lint_text(BAD) if f.code == "KS313"]
    return finding


def test_message_names_array_shapes_and_consequence(lint_text) -> None:
    finding = _finding(lint_text)
    assert finding.message == "'x_train' has samples of shape (28, 28) but 'model' expects (784,): fit() fails"
    assert len(finding.message) < 100
    assert finding.extra["facts"] == {"call": "fit", "sample_shape": [28, 28], "model_input": [784]}
    assert "'Invalid input shape' (rank 3 for rank 2)" in finding.explanation


def test_keras_rank_adaptation() -> None:
    assert adapt_rank((28, 28), (28, 28, 1)) == (28, 28, 1)
    assert adapt_rank((28, 28, 1), (28, 28)) == (28, 28)
    assert adapt_rank((28, 28), (784,)) is None
    assert adapt_rank((784,), (28, 28, 1)) is None
    assert adapt_rank((28, None), (28,)) == (28, None)  # the unknown size may be the 1 Keras squeezes


def test_verdict_confirms_on_a_shape_error(lint_text) -> None:
    finding = _finding(lint_text)
    error = ("ValueError: Invalid input shape for input Tensor(shape=(None, 28, 28)). Expected shape (None, 784), "
             "but input has incompatible shape (None, 28, 28)")
    report = FakeReport({"status": "crashed", "crash": {"error": error, "line": 5},
                         "calls": [{"kind": "fit", "line": 5, "x": {"shape": [60000, 28, 28]}}]})
    confirmed, evidence = verdict(finding, report)
    assert confirmed is True and "Invalid input shape" in evidence


def test_verdict_refutes_when_the_batch_fits_the_input(lint_text) -> None:
    finding = _finding(lint_text)
    report = FakeReport({"status": "ok", "calls": [{"kind": "fit", "line": 5, "x": {"shape": [32, 784]},
                                                    "checks": {"losses": [2.3, 2.2]}}]})
    confirmed, evidence = verdict(finding, report)
    assert confirmed is False and "(784,)" in evidence


def test_verdict_unknown_without_measurements(lint_text) -> None:
    assert verdict(_finding(lint_text), FakeReport({"status": "ok", "calls": []})) is None


def test_plant_kind_removes_the_flattening_reshape(lint_text) -> None:
    """benchmarks/plant.py (s): the reshape to a declared flat input undone; KS313 then finds it."""
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import plant

    script = ("from tensorflow import keras\n"
              "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
              "PIXELS = 784\n"
              "x_train = x_train.reshape(60000, PIXELS).astype('float32') / 255\n"
              "model = keras.Sequential([keras.layers.Dense(10, activation='softmax', input_shape=(PIXELS,))])\n"
              "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
              "model.fit(x_train, y_train)\n")
    kinds = tuple(k for k in plant.KINDS if k.key == "s")
    ((_, mutant, mutated),) = list(plant.mutants_of(script, "train.py", kinds))
    assert mutated == script.replace("x_train.reshape(60000, PIXELS)", "x_train")
    assert "KS313" not in [f.code for f in lint_text(script)]
    assert "KS313" in [f.code for f in lint_text(mutated)]
    no_flat_input = script.replace("input_shape=(PIXELS,)", "input_shape=(28, 28)")
    assert not list(plant.mutants_of(no_flat_input, "train.py", kinds))
