"""The ``partial-label`` task: PartialLabelClassifier on the command line.

``weaklabel fit --task partial-label --label-column candidates`` reads each row's candidate classes from one
column (a list, a list as text, or names joined by ``--label-sep``) or from 0/1 columns; ``evaluate`` reads the
same column of the evaluated file: the true class of each row (accuracy), or candidate sets (how often the
prediction is among them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..exceptions import InputError
from ..report import Report
from ._base import Decision, Task, label_lists, model_inputs, prediction_frame, refuse_label_set_rules, register_task


class PartialLabelTask(Task):
    name = "partial-label"
    description = "a set of candidate classes per item, exactly one of them true (PartialLabelClassifier)"

    def estimator_class(self) -> type:
        from ..estimators import PartialLabelClassifier

        return PartialLabelClassifier

    def predictions(self, estimator: Any, table: Table, decision: Decision = Decision()) -> pd.DataFrame:
        """One row per item, as every task writes it: the id, the predicted class, ``score_<class>`` per class."""
        refuse_label_set_rules(self.name, decision)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        predicted = estimator.label_encoder_.inverse_transform(estimator.labels_from_proba(proba), scores=proba)
        return prediction_frame(estimator.classes_, proba, list(predicted), table)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        """Accuracy against one true class per row, or, for candidate sets, the share of predictions among them;
        the average candidate-set size of the file and of the training data."""
        rows = label_lists(table, "name the column of true classes (or candidate sets) with --label-column")
        empty = [i for i, row in enumerate(rows) if not row]
        if empty:
            raise InputError(f"data row {empty[0] + 1} has no class ({len(empty)} such rows in all); give each row its true class or its candidates")
        sets = estimator.label_encoder_.transform(rows)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        among = sets[np.arange(len(sets)), proba.argmax(axis=1)] > 0
        sizes = sets.sum(axis=1)
        single = bool((sizes == 1).all())
        metrics = [
            {"metric": "accuracy", "value": float(among.mean()) if single else None},
            {"metric": "predicted class among the candidates", "value": float(among.mean())},
            {"metric": "average candidate-set size", "value": float(sizes.mean())},
            {"metric": "average candidate-set size at fit", "value": float(estimator.mean_candidates_)},
        ]
        report.section("Metrics").table(
            metrics, columns=["metric", "value"],
            caption="accuracy: against the one true class of each row (– when rows hold several candidates); the average "
            "candidate-set size of the evaluated rows (1: true classes) and of the training rows.",
        )
        return metrics


register_task(PartialLabelTask())
