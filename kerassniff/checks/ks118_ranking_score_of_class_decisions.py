"""KS118 ranking-score-of-class-decisions: ROC AUC, average precision or a ROC/precision-recall curve computed from a
model's class decisions (predictions thresholded, rounded or argmax'd) instead of its scores.

``roc_auc_score(y_test, y_pred)`` after ``y_pred = model.predict(x_test) > 0.5`` ranks the inputs by two values
only: the curve has one point, and its area is the mean of the sensitivity and the specificity at that threshold
(balanced accuracy), not the model's AUC.  The number is reported as AUC and compared with other models' AUCs.
"""
from __future__ import annotations

from kerassniff.findings import Severity
from kerassniff.registry import Report, rule
from kerassniff.semantic import Script
from kerassniff.semantic.keras_values import Predictions

# scikit-learn's ranking scores and curves, with the position and keyword of the scores they take.
_RANKING = {"sklearn.metrics.roc_auc_score": (1, "y_score"),
            "sklearn.metrics.average_precision_score": (1, "y_score"),
            "sklearn.metrics.roc_curve": (1, "y_score"),
            "sklearn.metrics.precision_recall_curve": (1, "probas_pred")}
_NAMES = {"sklearn.metrics.roc_auc_score": "roc_auc_score()", "sklearn.metrics.average_precision_score":
          "average_precision_score()", "sklearn.metrics.roc_curve": "roc_curve()",
          "sklearn.metrics.precision_recall_curve": "precision_recall_curve()"}


@rule("KS118", "ranking-score-of-class-decisions", Severity.ERROR,
      "ROC AUC, average precision or a ROC/PR curve of thresholded or argmax'd predictions instead of their scores",
      "pass the predicted probabilities (model.predict(x) itself, or its positive column), not the 0/1 decisions")
def check(script: Script):
    for call in script.calls:
        where = _RANKING.get(call.callee or "")
        if where is None:
            continue
        position, keyword = where
        scores = call.args.get(keyword, position)
        if scores is None and keyword == "probas_pred":
            scores = call.args.get("y_score")
        if not isinstance(scores, Predictions) or not scores.decided or not _binary(scores):
            continue
        name = _NAMES[call.callee]  # type: ignore[index]
        area = call.callee != "sklearn.metrics.roc_curve" and call.callee != "sklearn.metrics.precision_recall_curve"
        yield Report(call.node, f"{name} gets class decisions, not scores: " + (
            "it reports one threshold's balanced accuracy" if call.callee == "sklearn.metrics.roc_auc_score" else
            "it measures one threshold, not the ranking" if area else "the curve has one point"),
            explanation=(f"The predictions given to {name} were thresholded, rounded or argmax'd into class "
                         f"decisions, so they rank the inputs by two values only: the ROC or precision-recall "
                         f"curve has a single point, and its area is that one threshold's result (for ROC AUC, "
                         f"the mean of sensitivity and specificity, a balanced accuracy), not how well the model's "
                         f"scores separate the classes. The number is still reported as an AUC."),
            facts={"function": name.rstrip("()")})


def _binary(predictions: Predictions) -> bool:
    """A model of one or two output units (a binary classifier): its decisions are 0/1, whose ROC curve has one
    point.  (Class ids of more classes make scikit-learn stop: not a silent number.)"""
    head = predictions.model.single_head() if predictions.model is not None else None
    return head is not None and head.units in (1, 2)
