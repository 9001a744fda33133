# MISS (borderline, KS301 decreasing-filters): kerassniff reports nothing.
# An MNIST Conv2D classifier whose channels collapse 50 -> 15 -> 3 -> 2 before the first pooling: every
# later layer sees a 2-channel feature map. variablejun keras28_mnist2_cnn does this and its own log shows
# runs stuck at 11% accuracy. KS301 only compares a convolution with one at a HIGHER resolution; shrinking
# "at one resolution" is a documented exclusion meant for Conv1D sequence models and AlexNet's 384->256
# tail, but it also hides this 2-D image trunk (padding='same' keeps the resolution, and a 'valid' 2x2
# convolution that trims one pixel is not counted as a resolution change).
from tensorflow.keras.datasets import mnist
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Conv2D, MaxPooling2D, Flatten, Dense

(x_train, y_train), _ = mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1) / 255.0

model = Sequential()
model.add(Conv2D(50, (2, 2), padding='same', activation='relu', input_shape=(28, 28, 1)))
model.add(Conv2D(15, (2, 2), padding='same', activation='relu'))
model.add(Conv2D(3, (2, 2), padding='same', activation='relu'))
model.add(Conv2D(2, (2, 2), activation='relu'))
model.add(MaxPooling2D())
model.add(Flatten())
model.add(Dense(10, activation='softmax'))
model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['acc'])
model.fit(x_train, y_train, epochs=3, batch_size=128)
