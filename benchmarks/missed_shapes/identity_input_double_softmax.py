# MISS (KS304): Dense(10, activation="softmax") followed by Softmax() squashes the outputs twice. The same
# helper is reported when the model is Model(inp, head(inp)); routing the Input through an identity op first
# (keras.ops.copy here, tf.identity in the original) hides the model from kerassniff and nothing is reported;
# with layers.Identity() instead of keras.ops.copy, KS304 is reported.
# Seen in keras-io examples/keras_recipes/asynch_ensemble_shared_session.py (lines 68-69, input via tf.identity
# at line 106).
import keras
from keras import Input, Model, layers

(x_train, y_train), _ = keras.datasets.cifar10.load_data()
x_train = x_train / 255.0
y_train = keras.utils.to_categorical(y_train)


def head(x):
    x = layers.Flatten()(x)
    x = layers.Dense(10, activation="softmax")(x)
    x = layers.Softmax()(x)
    return x


inp = Input(shape=(32, 32, 3))
inp_i = keras.ops.copy(inp)
model = Model(inputs=inp, outputs=head(inp_i))
model.compile(loss="categorical_crossentropy", optimizer="adam")
model.fit(x_train, y_train, epochs=1)
