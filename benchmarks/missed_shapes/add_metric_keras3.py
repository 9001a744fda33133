# Miss (KS402): Layer.add_metric() is a Keras 2 API. In Keras 3.15 it is "permanently disabled": calling it
# raises NotImplementedError ("Layer `add_metric()` method is deprecated ..."), here already while the
# functional model is built (checked on the installed Keras). kerassniff's legacy-API rule does not know it.
# Seen in keras-team/keras-io examples/keras_recipes/endpoint_layer_pattern.py (LogisticEndpoint).
import numpy as np
from tensorflow import keras

class LossEndpoint(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.acc = keras.metrics.BinaryAccuracy(name="acc")

    def call(self, logits, targets):
        self.add_loss(keras.losses.binary_crossentropy(targets, logits, from_logits=True))
        self.add_metric(self.acc(targets, logits))
        return keras.activations.sigmoid(logits)

x_in = keras.Input((16,))
t_in = keras.Input((1,))
out = LossEndpoint()(keras.layers.Dense(1)(x_in), t_in)
model = keras.Model([x_in, t_in], out)
model.compile(optimizer="adam")
model.fit([np.random.rand(64, 16), np.random.randint(0, 2, (64, 1))], epochs=2)
