"""KS221 scaler-fitted-on-one-sample: a scikit-learn scaler fitted on the one sample it then scales, before that
sample reaches a model.

A prediction script or an app often scales the reading it is given with a fresh scaler:
``StandardScaler().fit_transform([reading])``.  Measured on one row, the mean is the row itself and the spread is
zero, so StandardScaler, MinMaxScaler and RobustScaler turn every feature into 0 (MaxAbsScaler into its sign): the
model gets the same input whatever the reading, and answers the same.  The statistics must be the training data's
(the scaler the training script fitted, saved and loaded).
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.knowledge.arrays import ONE_SAMPLE_CONSTANT, ONE_SAMPLE_SETTING


@rule("KS221", "scaler-fitted-on-one-sample", Severity.ERROR,
      "a StandardScaler/MinMaxScaler fitted on the one sample it scales: every feature becomes 0, whatever the input",
      "scale the sample with the scaler fitted on the training data (save it with joblib.dump in the training "
      "script, joblib.load it here) and call transform(), not fit_transform()")
def check(script: Script):
    reported: set[int] = set()
    for event in script.data_events:
        if not event.role.startswith("x"):
            continue
        for step in event.data.steps:
            if step.setting(ONE_SAMPLE_SETTING) is not True or id(step.node) in reported:
                continue
            reported.add(id(step.node))
            scaler = step.detail
            becomes = ONE_SAMPLE_CONSTANT.get(scaler, "0")
            result = "every feature becomes 0" if becomes == "0" else f"every feature becomes {becomes}"
            yield Report(step.node, f"{scaler} fitted on the one sample it scales: {result}, whatever the input",
                         explanation=(f"The {scaler} is fitted on this one sample and scales it with its own "
                                      f"statistics: the mean (or minimum, or median) is the sample itself and the "
                                      f"spread is zero, so {result} (checked on scikit-learn 1.9.1). The model at "
                                      f"{{call}} gets the same input whatever the sample holds, and gives the same "
                                      f"answer."),
                         facts={"scaler": scaler},
                         mentions={"call": event.call_node})
