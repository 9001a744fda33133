# Miss (KS202): image_dataset_from_directory(..., subset="both") returns the (train, validation) pair of raw
# 0-255 datasets; unpacked into two names, the training one reaches fit() with nothing scaling it (no /255,
# no Rescaling, no BatchNormalization first) and kerassniff says nothing. The same script written with two
# calls (subset="training" / subset="validation") or without a split is reported as KS202.
# Seen in renan601/TCC2-RedesNeuraisIdentificacaoFaturas resNet50/resnetKeras.py: ResNet50(weights=None) on raw
# pixels; there conv1's BatchNormalization blunts the harm, but kerassniff reports the same script written
# with one call per subset, so its silence comes from the tuple unpacking, not from the BatchNormalization.
import tensorflow as tf

train_ds, val_ds = tf.keras.utils.image_dataset_from_directory(
    "photos", validation_split=0.2, subset="both", seed=7, image_size=(96, 96))

model = tf.keras.Sequential([
    tf.keras.Input((96, 96, 3)),
    tf.keras.layers.Conv2D(16, 3, activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Conv2D(32, 3, activation="relu"),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dense(4, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=10)
