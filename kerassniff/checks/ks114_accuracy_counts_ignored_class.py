"""KS114 accuracy-counts-ignored-class: a loss told to leave a class out (``ignore_class=0``, padding) beside an
'accuracy' metric that counts it, on a model with no Keras mask.

``SparseCategoricalCrossentropy(ignore_class=0)`` drops the targets equal to 0 from the loss, so the model never
learns what to predict there; compile()'s 'accuracy' has no such option and, with no mask on the output, scores every
position, padding included.  The accuracy Keras logs (and that EarlyStopping or a checkpoint may watch) is then not
the accuracy of the tokens the model is trained on.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script

# The accuracies compile() accepts for sparse labels (by their canonical names): none leaves a class out.
_ACCURACIES = frozenset({"accuracy", "sparse_categorical_accuracy"})


@rule("KS114", "accuracy-counts-ignored-class", Severity.WARNING,
      "an 'accuracy' metric beside a loss with ignore_class= on a model with no mask: it scores the ignored positions",
      "give the model a mask (Embedding(..., mask_zero=True)), which Keras applies to the loss and the metrics alike")
def check(script: Script):
    for model in script.models:
        for call in model.compiles:
            ignored = next((loss for loss in call.losses if loss.ignore_class is not None), None)
            if ignored is None or not model.puts_no_mask():
                continue
            for metric in call.metrics:
                if metric.name not in _ACCURACIES:
                    continue
                name = metric.given or metric.name
                yield Report(metric.node, f"'{name}' scores the positions the loss leaves out (ignore_class="
                                          f"{ignored.ignore_class}), padding included",
                             explanation=(f"The loss leaves out every target equal to {ignored.ignore_class} (padding, "
                                          f"usually), so the model is never trained on those positions; '{name}' has "
                                          f"no such option and, with no Keras mask on the output (no "
                                          f"Embedding(mask_zero=True) or Masking layer), scores every position. The "
                                          f"logged accuracy, and any callback that watches it, mixes the real tokens "
                                          f"with positions the model was told to ignore (checked on Keras 3.15.1: a "
                                          f"tagger with 7 of 10 positions padded logged 0.10 while it labelled 0.33 of "
                                          f"the real tokens right)."),
                             facts={"metric": name, "ignore_class": ignored.ignore_class},
                             mentions={"loss": ignored.node})
