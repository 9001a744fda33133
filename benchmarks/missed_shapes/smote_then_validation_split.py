# Miss (KS209): imbalanced-learn's SMOTE.fit_resample returns the original rows followed by all the synthetic
# minority rows, so the resampled arrays end with one class. fit(validation_split=0.2) takes the last 20% before
# any shuffling (shuffle=True only shuffles the training part): the validation set is all synthetic frauds.
# kerassniff knows class-ordered labels only from np.concatenate/hstack of class blocks and load_iris/load_wine.
import numpy as np
from imblearn.over_sampling import SMOTE
from keras.models import Sequential
from keras.layers import Dense

x = np.random.rand(1000, 30)
y = (np.random.rand(1000) < 0.05).astype(int)

x_res, y_res = SMOTE(random_state=42).fit_resample(x, y)

model = Sequential([Dense(32, activation="relu", input_shape=(30,)), Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_res, y_res, validation_split=0.2, batch_size=64, epochs=2, shuffle=True)
