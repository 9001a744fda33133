"""The installed Keras behaves the way KS104's explanation says (slow: runs TensorFlow)."""
from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = r'''
import os, warnings
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np, keras
warnings.simplefilter("always")
x = np.random.RandomState(0).randn(64, 4).astype("float32") * 3
y = np.arange(64) % 3
loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
for policy in ("float32", "mixed_float16"):
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(1)
    i = keras.Input((4,))
    z = keras.layers.Dense(3, dtype="float32")(i)
    p = keras.layers.Activation("softmax")(z)
    if policy != "float32":
        p = keras.layers.Activation("linear", dtype="float32")(p)  # the float32 cast mixed precision asks for
    model = keras.Model(i, p)
    model.compile(loss=loss, optimizer="sgd")
    with warnings.catch_warnings(record=True) as caught:
        got = model.evaluate(x, y, verbose=0)
    truth = float(loss(y, keras.Model(i, z).predict(x, verbose=0).astype("float32")))
    warned = any("from_logits=True" in str(w.message) for w in caught)
    print(policy, abs(got - truth) < 1e-3, warned)
'''


@pytest.mark.slow
def test_tensorflow_backend_undoes_a_softmax_given_to_a_from_logits_loss_unless_a_cast_hides_it() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300).stdout.split("\n")
    assert "float32 True True" in out  # right loss from the logits underneath, with Keras's warning
    assert "mixed_float16 False False" in out  # the cast hides the softmax: the double softmax is real
