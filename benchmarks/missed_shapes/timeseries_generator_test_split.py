# MISS (KS205): test_generator wraps the test split (x_test, y_test), is the validation_data of fit() and is
# then evaluated as the test score. kerassniff is silent for a TimeseriesGenerator instance although the same
# code with keras.utils.timeseries_dataset_from_array(x_test, ...) is reported.
# Seen in keras-io examples/timeseries/multivariate_timeseries_forecasting_using_lstm.py (lines 277/298).
import numpy as np
from tensorflow import keras
from tensorflow.keras.preprocessing.sequence import TimeseriesGenerator

series = np.random.rand(1000, 5)
target = series[:, 0]
x_train, x_test = series[:800], series[800:]
y_train, y_test = target[:800], target[800:]
train_generator = TimeseriesGenerator(x_train, y_train, length=10, batch_size=32)
test_generator = TimeseriesGenerator(x_test, y_test, length=10, batch_size=32)

model = keras.Sequential([keras.Input((10, 5)), keras.layers.LSTM(16), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(train_generator, epochs=5, validation_data=test_generator)
model.evaluate(test_generator)
