"""The ``positive-only`` task: SinglePositiveClassifier on the command line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..report import Report
from ._base import Task, labels_from_table, model_inputs, register_task
from .multilabel import multilabel_evaluation, score_frame


def _predicted_matrix(estimator: Any, proba: np.ndarray) -> np.ndarray:
    """0/1 predictions by the estimator's threshold or top-k rule."""
    if estimator.top_k is None:
        return (proba >= estimator.threshold).astype(np.int64)
    top = np.argsort(-proba, axis=1, kind="stable")[:, : int(estimator.top_k)]
    out = np.zeros(proba.shape, dtype=np.int64)
    np.put_along_axis(out, top, 1, axis=1)
    return out


class PositiveOnlyTask(Task):
    name = "positive-only"
    description = "one observed positive label per item, the rest unknown (SinglePositiveClassifier)"

    def estimator_class(self) -> type:
        from ..estimators.single_positive import SinglePositiveClassifier

        return SinglePositiveClassifier

    def predictions(self, estimator: Any, table: Table, label_sep: str = "|") -> pd.DataFrame:
        proba = estimator.predict_proba(model_inputs(estimator, table))
        return score_frame(estimator.classes_, proba, _predicted_matrix(estimator, proba), table.ids, label_sep)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        """Metrics against the table's labels (give fully labelled data for a meaningful evaluation)."""
        y_true = estimator.label_encoder_.transform(labels_from_table(table)).astype(np.int64)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        thresholds = np.full(proba.shape[1], float(estimator.threshold))
        return multilabel_evaluation(y_true, proba, _predicted_matrix(estimator, proba), estimator.classes_, thresholds, report)


register_task(PositiveOnlyTask())
