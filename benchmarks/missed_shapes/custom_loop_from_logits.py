# MISS (KS104): the model ends in a softmax and the loss object says from_logits=True; the same pair in
# compile() is reported, but here the loss is called by hand in a GradientTape training loop and nothing is
# reported. (On the TensorFlow backend Keras recovers the logits cached on the softmax output, exactly as for
# compile(); on JAX/PyTorch the softmax is applied twice - the reason the rule reports the compile() case.)
# Seen in keras-io examples/timeseries/dimension_adaptive_neural_architecture.py (lines 286, 320-321).
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.rand(256, 20).astype("float32")
y = np.random.randint(0, 4, 256)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(4, activation="softmax")])
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam()
for step in range(100):
    with tf.GradientTape() as tape:
        logits = model(x)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
