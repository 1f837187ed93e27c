"""The ``positive-only`` task: SinglePositiveClassifier on the command line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..exceptions import InputError
from ..report import Report
from ._base import Task, label_lists, labels_from_table, model_inputs, register_task
from .multilabel import check_label_sep, multilabel_evaluation, score_frame


class PositiveOnlyTask(Task):
    name = "positive-only"
    description = "one observed positive label per item, the rest unknown (SinglePositiveClassifier)"

    def estimator_class(self) -> type:
        from ..estimators.single_positive import SinglePositiveClassifier

        return SinglePositiveClassifier

    def fit(self, estimator: Any, table: Table) -> None:
        """Fit on the table; a row without an observed positive is refused by its data row in the file."""
        rows = label_lists(table, "name the column of observed positives with --label-column (or 0/1 columns)")
        empty = [i for i, row in enumerate(rows) if not row]
        if empty:
            raise InputError(
                f"data row {empty[0] + 1} has no observed positive label ({len(empty)} such rows in all); every item "
                "needs at least one: drop those rows or give them a label"
            )
        super().fit(estimator, table)

    def predictions(self, estimator: Any, table: Table, label_sep: str = "|") -> pd.DataFrame:
        check_label_sep(estimator.classes_, label_sep)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        return score_frame(estimator.classes_, proba, estimator.labels_from_proba(proba), table.ids, label_sep)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        """Metrics against the table's labels (give fully labelled data for a meaningful evaluation)."""
        y_true = estimator.label_encoder_.transform(labels_from_table(table)).astype(np.int64)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        predicted = estimator.labels_from_proba(proba)
        if estimator.top_k is not None:
            return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, None, f"the top {int(estimator.top_k)} labels", report)
        thresholds = np.full(proba.shape[1], float(estimator.threshold))
        return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, thresholds, f"the labels scoring at least {float(estimator.threshold):g}", report)


register_task(PositiveOnlyTask())
