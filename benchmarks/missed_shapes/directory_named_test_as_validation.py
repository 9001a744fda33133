# MISS (KS205): the generator reads the "test" directory, is passed as validation_data (ReduceLROnPlateau and
# the checkpoint select on it) and is then used for the final evaluate(). kerassniff only recognises a test
# split by the variable name (test_generator is flagged), not by a directory reader pointed at a path named
# for the test set (flow_from_directory / image_dataset_from_directory("data/test") are not).
# Seen in keras-io examples/vision/googleNet.py (validation_data = prepareData(TEST_DIR), evaluate line 254).
from tensorflow import keras
from tensorflow.keras.preprocessing.image import ImageDataGenerator

gen = ImageDataGenerator(rescale=1.0 / 255)
training_data = gen.flow_from_directory("train", target_size=(64, 64), class_mode="categorical")
validation_data = gen.flow_from_directory("test", target_size=(64, 64), class_mode="categorical")

model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(),
                          keras.layers.Dense(6, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
model.fit(training_data, validation_data=validation_data, epochs=5,
          callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="val_loss")])
model.evaluate(validation_data)
