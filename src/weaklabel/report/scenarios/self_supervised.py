"""Demo scenario of self-supervised classification: the 10-blob reference experiment."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.model_selection import cross_val_predict
from sklearn.svm import SVC

from ...estimators import SelfSupervisedClassifier
from ...metrics import clustering_report
from ...plots.clustering import class_scatter, confusion_heatmap
from ..markdown import Report
from ._registry import register_scenario


@register_scenario("self-supervised", "Self-supervised classification: 10 Gaussian blobs, no labels")
def blobs_scenario(report: Report, verbose: int) -> list[dict[str, Any]]:
    X, y = make_blobs(1000, centers=10, n_features=2, random_state=100)
    report.text(
        "`make_blobs(1000, centers=10, n_features=2, random_state=100)`: 10 blobs of 100 points, some overlapping. "
        "SelfSupervisedClassifier sees no labels: each point is pulled to the class of its 10 nearest neighbours, "
        "pushed away from the points outside its nearest tenth, and every class is kept in use (min-max SCAN). "
        "Overlap caps what any method can reach, so the accuracy stands beside a supervised ceiling: an RBF SVC "
        "trained with the labels, 5-fold cross-validated."
    )
    start = time.perf_counter()
    model = SelfSupervisedClassifier(n_classes=10, random_state=0, verbose=verbose).fit(X)
    seconds = time.perf_counter() - start
    ceiling = float(np.mean(cross_val_predict(SVC(), X, y, cv=5) == y))
    scores = clustering_report(y, model.labels_)
    rows = [
        {"method": "SelfSupervisedClassifier (no labels)", **scores, "seconds": seconds},
        {"method": "SVC, 5-fold (labels; ceiling)", "accuracy": ceiling, "nmi": None, "ari": None, "seconds": None},
    ]
    report.table(rows, caption=f"Accuracy after Hungarian matching: {scores['accuracy'] / ceiling:.1%} of the supervised ceiling.")
    report.figure(class_scatter(X, model.labels_, y), "self_supervised_blobs", "Learned classes; circled points are assigned to a cluster matched to another blob.")
    report.figure(confusion_heatmap(y, model.labels_), "self_supervised_confusion", "Blobs against the learned classes matched to them.")
    return rows
