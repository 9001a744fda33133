"""kerassniff: a static analyser for Keras training scripts."""

__version__ = "0.1.0"
