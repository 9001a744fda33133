# Miss (KS103): a custom layer returns tf.nn.softmax() of the 1-unit Dense output it is given, so every
# prediction is exactly 1.0 whatever the input. kerassniff reports tf.nn.softmax(Dense(1)(x)) written in the
# functional graph, but not the same softmax inside a custom layer's call().
# Seen in keras-team/keras-io examples/keras_recipes/endpoint_layer_pattern.py (LogisticEndpoint returns
# tf.nn.softmax(logits) of Dense(1) logits; its predict() gives 1.0 for every sample).
import numpy as np
import tensorflow as tf
from tensorflow import keras

class ProbabilityHead(keras.layers.Layer):
    def call(self, logits):
        return tf.nn.softmax(logits)

inputs = keras.Input((12,))
scores = keras.layers.Dense(1)(inputs)
probs = ProbabilityHead()(scores)
model = keras.Model(inputs, probs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(np.random.rand(64, 12), np.random.randint(0, 2, (64, 1)), epochs=2)
print(model.predict(np.random.rand(4, 12)))
