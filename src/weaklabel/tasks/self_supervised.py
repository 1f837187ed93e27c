"""The ``self-supervised`` task: SelfSupervisedClassifier behind ``weaklabel cluster``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..exceptions import InputError
from ..metrics import clustering_report
from ..plots.clustering import class_scatter, confusion_heatmap
from ..report import Report
from ._base import Decision, Task, model_inputs, prediction_frame, refuse_label_set_rules, register_task


def true_classes(table: Table) -> np.ndarray:
    """One true class per row from the table's labels (a single-label column, or one-hot columns)."""
    labels = table.labels
    if labels is None:
        raise InputError("evaluating clusters needs the true classes; name their column with --label-column")
    if isinstance(labels, np.ndarray):
        if not np.all(labels.sum(axis=1) == 1):
            raise InputError("label columns must be one-hot (exactly one 1 per row) to score clusters")
        return np.asarray(table.label_names, dtype=object)[labels.argmax(axis=1)]
    if any(len(row) != 1 for row in labels):
        raise InputError("every row needs exactly one true class to score clusters; found rows with none or several")
    return np.array([row[0] for row in labels], dtype=object).astype(str)


class SelfSupervisedTask(Task):
    name = "self-supervised"
    needs_labels = False
    description = "classes learned from unlabelled data (SelfSupervisedClassifier)"

    def estimator_class(self) -> type:
        from ..estimators import SelfSupervisedClassifier

        return SelfSupervisedClassifier

    def predictions(self, estimator: Any, table: Table, decision: Decision = Decision()) -> pd.DataFrame:
        refuse_label_set_rules(self.name, decision)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        return prediction_frame(estimator.classes_, proba, list(proba.argmax(axis=1)), table)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        y_true = true_classes(table)
        predicted = estimator.predict(model_inputs(estimator, table))
        rows = [{"metric": k, "value": v} for k, v in clustering_report(y_true, predicted).items()]
        report.section("Metrics").table(rows, columns=["metric", "value"], caption="Accuracy after Hungarian matching of clusters to classes, NMI, ARI.")
        report.figure(confusion_heatmap(y_true, predicted), "matched_confusion_matrix", "True classes against the clusters matched to them.")
        if table.features.shape[1] == 2:
            report.figure(class_scatter(table.features, predicted, y_true), "learned_classes", "Learned classes; circled points are assigned to a cluster matched to another class.")
        return rows


register_task(SelfSupervisedTask())
