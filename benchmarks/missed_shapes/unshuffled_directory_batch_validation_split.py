# MISS (KS209 validation-split-on-ordered-classes): kerassniff reports nothing.
# flow_from_directory(..., shuffle=False) yields the images class directory after class directory, so the
# one big batch taken from it has labels sorted 0...0 1...1. fit(validation_split=0.2) takes the LAST 20%
# before any shuffling: the validation set is (almost) only class 1 and training sees less of it.
# KS209 knows class-ordered labels built with np.concatenate([np.zeros(..), np.ones(..)]) but not the
# order of an unshuffled directory iterator. In the real code (SEONGMIN-96 and variablejun keras59_3_save_npy
# -> keras59_4_load_npy_fit) the batch goes through np.save/np.load between the two scripts; this is the
# single-file form of the same fact.
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, Flatten, Dense

gen = ImageDataGenerator(rescale=1./255)
flow = gen.flow_from_directory('data/train', target_size=(64, 64), batch_size=500,
                               class_mode='binary', shuffle=False)
x, y = flow[0][0], flow[0][1]

model = Sequential()
model.add(Conv2D(16, (3, 3), activation='relu', input_shape=(64, 64, 3)))
model.add(Flatten())
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['acc'])
model.fit(x, y, epochs=5, validation_split=0.2)
