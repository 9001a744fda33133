# Miss (KS205 test-set-as-validation): kerassniff reports nothing.
# The test split is the validation_data watched by EarlyStopping(restore_best_weights=True),
# so the kept weights were chosen on it; the final score is then computed from
# model.predict(x_test) with sklearn's mean_squared_error instead of model.evaluate(),
# and KS205 only recognises evaluate(). Real-code shape: Matt-Chee123/Stock-Predictor-ML src/gru.py.
import numpy as np
from sklearn.metrics import mean_squared_error
from tensorflow import keras
from tensorflow.keras import layers

series = np.sin(np.linspace(0, 60, 1200)).astype("float32")
windows = np.stack([series[i:i + 30] for i in range(len(series) - 31)])[..., None]
targets = series[30:-1]
cut = int(len(windows) * 0.8)
x_train, y_train = windows[:cut], targets[:cut]
x_test, y_test = windows[cut:], targets[cut:]

reg = keras.Sequential([keras.Input(shape=(30, 1)), layers.GRU(16), layers.Dense(1)])
reg.compile(optimizer="adam", loss="mse")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
reg.fit(x_train, y_train, epochs=20, validation_data=(x_test, y_test), callbacks=[stop])
pred = reg.predict(x_test)
print("test MSE", mean_squared_error(y_test, pred))
