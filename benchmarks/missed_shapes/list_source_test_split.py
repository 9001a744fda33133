# MISS (KS205): x_test/y_test are the test half of train_test_split, passed as validation_data and then used
# for the final evaluate(); kerassniff stays silent because the features came from a Python list
# (list comprehension) rather than an array, so the split is not recognised as a test split.
# With rows = np.random.rand(500, 20) instead, KS205 is reported.
# Seen in keras-io examples/timeseries/eeg_signal_classification.py (test_dataset, lines 495/517).
import numpy as np
from tensorflow import keras
from sklearn.model_selection import train_test_split

rows = [np.random.rand(20) for _ in range(500)]
labels = [i % 3 for i in range(500)]
x_train, x_test, y_train, y_test = train_test_split(rows, labels, test_size=0.2)
x_train, x_test = np.asarray(x_train), np.asarray(x_test)
y_train, y_test = np.asarray(y_train), np.asarray(y_test)

model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3, validation_data=(x_test, y_test),
          callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)])
model.evaluate(x_test, y_test)
