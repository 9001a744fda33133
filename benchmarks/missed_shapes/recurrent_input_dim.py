# Miss (KS402): `input_dim=` on a recurrent layer is the Keras 1 spelling of "features per time step"
# (LSTM(4, input_dim=3) meant input shape (timesteps, 3)).  Keras 3.15.1 turns input_dim into
# input_shape=(3,), a 2-D input, and Sequential.add() stops with ValueError: "expected ndim=3, found ndim=2"
# (checked).  kerassniff reports nothing.  Seen in rufi91 ML-22/keras1.py (model.add(LSTM(4, input_dim=look_back))).
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense

window = 3
series = np.random.rand(60, window, 1).astype("float32")
target = np.random.rand(60).astype("float32")

rnn = Sequential()
rnn.add(LSTM(8, input_dim=1))
rnn.add(Dense(1))
rnn.compile(loss="mean_squared_error", optimizer="adam")
rnn.fit(series, target, epochs=2, batch_size=8)
