"""The ``multilabel`` task: MultiLabelClassifier on the command line."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..metrics import multilabel_report, per_label_report
from ..plots import per_label_precision_recall, precision_recall_curves, threshold_effect
from ..report import Report
from ._base import Decision, Task, label_set_predictions, labels_from_table, model_inputs, register_task

logger = logging.getLogger("weaklabel")

#: predicted labels per item more than this factor above or below the true count get a word of advice
LABEL_COUNT_TOLERANCE = 1.5


def label_count_rows(y_true: np.ndarray, predicted: np.ndarray) -> list[dict[str, Any]]:
    """Labels per item, predicted and true (their mean over rows); the example-based F1 is in multilabel_report."""
    return [
        {"metric": "labels_per_item_predicted", "value": float(predicted.sum(axis=1).mean())},
        {"metric": "labels_per_item_true", "value": float(y_true.sum(axis=1).mean())},
    ]


def label_count_advice(y_true: np.ndarray, predicted: np.ndarray) -> str | None:
    """A sentence when the model predicts many more (or fewer) labels per item than are true, naming the remedies."""
    got, true = float(predicted.sum(axis=1).mean()), float(y_true.sum(axis=1).mean())
    if true == 0 or 1 / LABEL_COUNT_TOLERANCE <= got / true <= LABEL_COUNT_TOLERANCE:
        return None
    return (
        f"The model predicts {got:.2f} labels per item against {true:.2f} true. To bring the count closer, predict "
        f"with `--top-k {max(1, round(true))}` or `--threshold T`, or fit with `--threshold tune_example_f1` "
        "(one threshold for all labels, tuned for the example-based F1)."
    )


METRICS_NOTE = (
    "Per label, averaged over labels (macro) or over every decision (micro): mAP, ROC-AUC, precision, recall, F1. "
    "Per item, as multi-label papers report them (weaklabel.metrics): lrap (label ranking average precision, the "
    "papers' \"average precision\"), ranking_loss, coverage (Zhang & Zhou's convention: the rank of the lowest "
    "relevant label, counted from 1, minus 1; scikit-learn's coverage_error is 1 more) and one_error, from the scores "
    "of the items with a true label; hamming_loss, subset_accuracy and example_f1 from the predicted label sets. "
    "Lower is better for ranking_loss, coverage, one_error and hamming_loss."
)


def multilabel_evaluation(
    y_true: np.ndarray, proba: np.ndarray, predicted: np.ndarray, classes: np.ndarray, thresholds: np.ndarray | None, rule: str, report: Report,
    level: int = 2,
) -> list[dict[str, Any]]:
    """Metrics table, per-label table and figures for 0/1 truth and per-label scores.

    ``predicted`` is the model's decision, made by ``rule`` (words for the captions); ``thresholds`` are the
    per-label thresholds it uses, or None for a top-k rule (no threshold column, none drawn). ``level``: the
    heading level of the two sections (3 inside a section of a longer report, such as the demo's).
    """
    names = [str(c) for c in classes]
    summary = multilabel_report(y_true, proba, predicted)
    rows = [{"metric": k, "value": v} for k, v in summary.items()] + label_count_rows(y_true, predicted)
    report.section("Metrics", METRICS_NOTE, level=level).table(
        rows, columns=["metric", "value"],
        caption=f"Summary over {len(y_true):,} items and {len(names)} labels, predicting {rule}.",
    )
    advice = label_count_advice(y_true, predicted)
    if advice:
        report.text(advice)
        logger.warning(advice)
    per_label = per_label_report(y_true, proba, predicted, names, thresholds=thresholds)
    report.section("Per label", level=level).table(per_label, caption=f"Each label's scores and decisions, predicting {rule}.")
    report.figure(
        per_label_precision_recall(
            names,
            np.array([r["precision"] for r in per_label]),
            np.array([r["recall"] for r in per_label]),
            f1=np.array([r["f1"] for r in per_label]),
            support=np.array([r["support"] for r in per_label]),
        ),
        "per_label_precision_recall",
        f"Precision, recall and F1 per label, predicting {rule}.",
    )
    report.figure(precision_recall_curves(y_true, proba, names), "precision_recall_curves", "Precision-recall curve per label.")
    report.figure(
        threshold_effect(y_true, proba, thresholds=thresholds),
        "threshold_effect",
        "Macro precision, recall and F1 against one global threshold"
        + ("." if thresholds is None else f"; the model's per-label thresholds ({rule}) for comparison."),
    )
    return rows


class MultiLabelTask(Task):
    name = "multilabel"
    description = "several labels per item, all tagged (MultiLabelClassifier)"

    def estimator_class(self) -> type:
        from ..estimators import MultiLabelClassifier

        return MultiLabelClassifier

    def predictions(self, estimator: Any, table: Table, decision: Decision = Decision()) -> pd.DataFrame:
        return label_set_predictions(estimator, table, decision)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        y_true = estimator.label_encoder_.transform(labels_from_table(table)).astype(np.int64)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        predicted = estimator.labels_from_proba(proba)
        if estimator.label_encoder_.format_ == "single":  # predict takes the top label: its thresholds are unused
            return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, None, "the top label", report)
        return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, estimator.thresholds_, "the labels over their thresholds", report)


register_task(MultiLabelTask())
