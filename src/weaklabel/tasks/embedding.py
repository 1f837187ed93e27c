"""The ``embedding`` task: EmbeddingClassifier on the command line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..exceptions import InputError
from ..metrics import embedding_report
from ..plots.embedding import distance_histograms, embedding_scatter
from ..report import Report
from ._base import Decision, Task, label_lists, model_inputs, prediction_frame, refuse_label_set_rules, register_task


def single_labels(table: Table) -> list[Any]:
    """One label per row from the reader's label lists or 0/1 label columns; rows with ≠ 1 label are an error."""
    rows = label_lists(table, "name the class column with --label-column")
    bad = [i for i, row in enumerate(rows) if len(row) != 1]
    if bad:
        raise InputError(
            f"the embedding task needs exactly one class per row; data row {bad[0] + 1} has {len(rows[bad[0]])} "
            f"({len(bad)} such rows in all). Give a single class column, or fit with --task multilabel for label sets"
        )
    return [row[0] for row in rows]


class EmbeddingTask(Task):
    name = "embedding"
    description = "one class per item, an embedding where classes are tight clusters (EmbeddingClassifier)"

    def estimator_class(self) -> type:
        from ..estimators import EmbeddingClassifier

        return EmbeddingClassifier

    def fit(self, estimator: Any, table: Table) -> None:
        estimator.fit(table.features, single_labels(table))

    def predictions(self, estimator: Any, table: Table, decision: Decision = Decision()) -> pd.DataFrame:
        refuse_label_set_rules(self.name, decision)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        return prediction_frame(estimator.classes_, proba, list(estimator.classes_[proba.argmax(axis=1)]), table)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        labels = single_labels(table)
        inputs = model_inputs(estimator, table)
        accuracy = estimator.score(inputs, labels)
        embeddings = estimator.transform(inputs)
        names = np.array([str(v) for v in labels])
        quality = embedding_report(embeddings, names, estimator.distance_)
        rows = [{"metric": "accuracy", "value": accuracy}] + [{"metric": k, "value": v} for k, v in quality.items()]
        report.section("Metrics").table(
            rows, columns=["metric", "value"],
            caption=f"precision@1 and MAP@R by exact {estimator.distance_} nearest-neighbour search among the evaluated rows; "
            "NMI of k-means on the embeddings; overlap = histogram intersection of same- and different-class pair distances (0 best).",
        )
        report.figure(embedding_scatter(embeddings, names, title=f"Embedding ({estimator.loss} loss)"), "embedding_scatter", "Embeddings coloured by true class.")
        report.figure(
            distance_histograms(embeddings, names, estimator.distance_, overlap=quality["overlap"]),
            "distance_histograms",
            "Distances between same-class and between different-class pairs; the less they overlap, the better.",
        )
        return rows


register_task(EmbeddingTask())
