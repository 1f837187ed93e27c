"""The ``multilabel`` task: MultiLabelClassifier on the command line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table, check_label_separator
from ..exceptions import InputError
from ..metrics import multilabel_report, per_label_report
from ..plots import per_label_precision_recall, precision_recall_curves, threshold_effect
from ..report import Report
from ._base import Task, labels_from_table, model_inputs, register_task


def check_label_sep(classes: np.ndarray, label_sep: str) -> None:
    """Refuse a separator of predicted label sets that is empty or that a label name contains (the sets could
    not be split back)."""
    check_label_separator(label_sep)
    clashing = [str(c) for c in classes if label_sep in str(c)]
    if clashing:
        raise InputError(
            f"label {clashing[0]!r} contains {label_sep!r}, the separator of the predicted label sets, so they "
            f"could not be split back; pass --label-sep with a character no label contains (e.g. ';')"
        )


def score_frame(classes: np.ndarray, proba: np.ndarray, predicted: np.ndarray, ids: np.ndarray | None, label_sep: str) -> pd.DataFrame:
    """One row per sample: optional id, ``score_<label>`` per label, and the predicted label set
    (the label names joined by ``label_sep``; see :func:`check_label_sep`)."""
    frame = pd.DataFrame(proba, columns=[f"score_{c}" for c in classes])
    frame.insert(0, "labels", [label_sep.join(str(c) for c in classes[np.flatnonzero(row)]) for row in predicted])
    if ids is not None:
        frame.insert(0, "id", ids)
    return frame


METRICS_NOTE = (
    "Per label, averaged over labels (macro) or over every decision (micro): mAP, ROC-AUC, precision, recall, F1. "
    "Per item, as multi-label papers report them (weaklabel.metrics): lrap (label ranking average precision, the "
    "papers' \"average precision\"), ranking_loss, coverage (Zhang & Zhou's convention: the rank of the lowest "
    "relevant label, counted from 1, minus 1; scikit-learn's coverage_error is 1 more) and one_error, from the scores "
    "of the items with a true label; hamming_loss, subset_accuracy and example_f1 from the predicted label sets. "
    "Lower is better for ranking_loss, coverage, one_error and hamming_loss."
)


def multilabel_evaluation(
    y_true: np.ndarray, proba: np.ndarray, predicted: np.ndarray, classes: np.ndarray, thresholds: np.ndarray | None, rule: str, report: Report
) -> list[dict[str, Any]]:
    """Metrics table, per-label table and figures for 0/1 truth and per-label scores.

    ``predicted`` is the model's decision, made by ``rule`` (words for the captions); ``thresholds`` are the
    per-label thresholds it uses, or None for a top-k rule (no threshold column, none drawn).
    """
    names = [str(c) for c in classes]
    summary = multilabel_report(y_true, proba, predicted)
    rows = [{"metric": k, "value": v} for k, v in summary.items()]
    report.section("Metrics", METRICS_NOTE).table(rows, columns=["metric", "value"])
    per_label = per_label_report(y_true, proba, predicted, names, thresholds=thresholds)
    report.section("Per label").table(per_label)
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

    def predictions(self, estimator: Any, table: Table, label_sep: str = "|") -> pd.DataFrame:
        check_label_sep(estimator.classes_, label_sep)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        return score_frame(estimator.classes_, proba, estimator.labels_from_proba(proba), table.ids, label_sep)

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        y_true = estimator.label_encoder_.transform(labels_from_table(table)).astype(np.int64)
        proba = estimator.predict_proba(model_inputs(estimator, table))
        predicted = estimator.labels_from_proba(proba)
        if estimator.label_encoder_.format_ == "single":  # predict takes the top label: its thresholds are unused
            return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, None, "the top label", report)
        return multilabel_evaluation(y_true, proba, predicted, estimator.classes_, estimator.thresholds_, "the labels over their thresholds", report)


register_task(MultiLabelTask())
