"""Losses and metrics: every spelling Keras accepts, mapped to one name, and the families rules ask about."""
from __future__ import annotations

# Every spelling Keras accepts for a loss (strings lower-cased, class names lower-cased), mapped to one name.
LOSS_ALIASES = {
    "binary_crossentropy": "binary_crossentropy", "bce": "binary_crossentropy",
    "binarycrossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
    "cce": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "binary_focal_crossentropy": "binary_focal_crossentropy", "binaryfocalcrossentropy": "binary_focal_crossentropy",
    "categorical_focal_crossentropy": "categorical_focal_crossentropy",
    "categoricalfocalcrossentropy": "categorical_focal_crossentropy",
    "mean_squared_error": "mean_squared_error", "mse": "mean_squared_error", "meansquarederror": "mean_squared_error",
    "mean_absolute_error": "mean_absolute_error", "mae": "mean_absolute_error",
    "meanabsoluteerror": "mean_absolute_error",
    "mean_absolute_percentage_error": "mean_absolute_percentage_error", "mape": "mean_absolute_percentage_error",
    "meanabsolutepercentageerror": "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error": "mean_squared_logarithmic_error", "msle": "mean_squared_logarithmic_error",
    "meansquaredlogarithmicerror": "mean_squared_logarithmic_error",
    "huber": "huber", "huber_loss": "huber", "logcosh": "log_cosh", "log_cosh": "log_cosh", "logcosh_loss": "log_cosh",
    "hinge": "hinge", "squared_hinge": "squared_hinge", "categorical_hinge": "categorical_hinge",
    "kl_divergence": "kl_divergence", "kld": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
    "kldivergence": "kl_divergence", "poisson": "poisson", "cosine_similarity": "cosine_similarity",
}
CROSSENTROPY_LOSSES = frozenset({
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
})
CATEGORICAL_LOSSES = frozenset({"categorical_crossentropy", "sparse_categorical_crossentropy",
                                "categorical_focal_crossentropy"})
BINARY_LOSSES = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})
REGRESSION_LOSSES = frozenset({
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh",
})

METRIC_ALIASES = {
    "accuracy": "accuracy", "acc": "accuracy",
    "binary_accuracy": "binary_accuracy", "binaryaccuracy": "binary_accuracy",
    "categorical_accuracy": "categorical_accuracy", "categoricalaccuracy": "categorical_accuracy",
    "sparse_categorical_accuracy": "sparse_categorical_accuracy",
    "sparsecategoricalaccuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_categorical_accuracy",
    "topkcategoricalaccuracy": "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "sparsetopkcategoricalaccuracy": "sparse_top_k_categorical_accuracy",
    # crossentropies logged as metrics (keras.metrics.get: 'bce' too, Keras 3.15.1); they take from_logits= as the
    # losses do, False by default
    "binary_crossentropy": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy",
    "bce": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
}
CROSSENTROPY_METRICS = frozenset({"binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"})
# Where a crossentropy class takes from_logits by position (``SparseCategoricalCrossentropy(True)``), by module
# (keras.losses, keras.metrics) and class name: the signatures of Keras 3.15.1, the same in tf.keras 2.
FROM_LOGITS_POSITIONS = {
    "losses": {"BinaryCrossentropy": 0, "CategoricalCrossentropy": 0, "SparseCategoricalCrossentropy": 0,
               "BinaryFocalCrossentropy": 3, "CategoricalFocalCrossentropy": 2},
    "metrics": {"BinaryCrossentropy": 2, "CategoricalCrossentropy": 2, "SparseCategoricalCrossentropy": 2},
}
# ``keras.metrics.Accuracy`` (the class, given as a class or an instance) is not the 'accuracy' string: it counts
# predictions exactly equal to the labels (Keras 3.15.1 and tf_keras 2.21); the string 'Accuracy' is the string's.
EXACT_ACCURACY = "exact_accuracy"
EXACT_ACCURACY_CLASSES = frozenset({"Accuracy"})
# Top-k metrics and Keras's default k (``TopKCategoricalAccuracy(k=5)``).
TOP_K_METRICS = {"top_k_categorical_accuracy": 5, "sparse_top_k_categorical_accuracy": 5}

# Metric-learning losses of TensorFlow Addons (tfa.losses, classes and functions): they train an embedding (a
# distance between samples of the same or another class), not a classifier, whatever the network's last layer.
METRIC_LEARNING_LOSSES = frozenset(f"tensorflow_addons.losses.{name}" for name in (
    "ContrastiveLoss", "LiftedStructLoss", "NpairsLoss", "NpairsMultilabelLoss", "TripletHardLoss",
    "TripletSemiHardLoss", "contrastive_loss", "lifted_struct_loss", "npairs_loss", "npairs_multilabel_loss",
    "triplet_hard_loss", "triplet_semihard_loss"))
