# Miss (KS104): a hand-written crossentropy loss takes log(y_pred), i.e. it treats the model's outputs as
# probabilities, but the model ends in a linear Dense(6) (logits). Negative logits are clipped to 1e-7, so
# their gradient is zero and the loss is meaningless. kerassniff reports this output with the built-in
# loss="binary_crossentropy" (KS104) but not when the same formula is written as a function passed to compile().
# Seen in ketvector/ml-practice src/essay_grading/main.py (a keras_nlp BertClassifier, logits, with such a loss).
import numpy as np
import keras
from keras import ops

def ordinal_bce(y_true, y_pred):
    p = ops.clip(y_pred, 1e-7, 1.0)
    q = ops.clip(1.0 - y_pred, 1e-7, 1.0)
    return ops.mean(-(y_true * ops.log(p) + (1.0 - y_true) * ops.log(q)))

features = np.random.rand(500, 20).astype("float32")
targets = (np.random.rand(500, 6) > 0.5).astype("float32")

model = keras.Sequential([
    keras.Input((20,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(6),
])
model.compile(optimizer="adam", loss=ordinal_bce)
model.fit(features, targets, epochs=5)
