# MISS (KS102): train/validation datasets map pos->0, neg->1 (explicit class_names=["pos", "neg"]) while the
# test dataset uses the default alphanumerical order of the same sub-folders, neg->0, pos->1: the test labels
# are flipped relative to training, so evaluate() reports ~(1 - accuracy). Statically decidable: the explicit
# list is not in sorted order and the other split gives no class_names. kerassniff reports nothing.
# Seen in keras-io examples/nlp/text_classification_from_scratch.py (lines 112/120 vs 122; evaluate 286, 309).
import keras

train_ds = keras.utils.text_dataset_from_directory(
    "aclImdb/train", validation_split=0.2, subset="training", seed=1, class_names=["pos", "neg"])
val_ds = keras.utils.text_dataset_from_directory(
    "aclImdb/train", validation_split=0.2, subset="validation", seed=1, class_names=["pos", "neg"])
test_ds = keras.utils.text_dataset_from_directory("aclImdb/test")

vectorize = keras.layers.TextVectorization(max_tokens=2000, output_sequence_length=100)
vectorize.adapt(train_ds.map(lambda x, y: x))
inputs = keras.Input(shape=(1,), dtype="string")
x = keras.layers.Embedding(2000, 16)(vectorize(inputs))
x = keras.layers.GlobalAveragePooling1D()(x)
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=3)
model.evaluate(test_ds)
