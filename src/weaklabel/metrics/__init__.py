"""Evaluation metrics: multi-label metrics per label (mAP, ROC-AUC, precision/recall/F1), per example
(the ranking metrics and example-based metrics of multi-label papers), per-label threshold tuning, and
clustering scores (Hungarian-matched accuracy, NMI, ARI)."""

from __future__ import annotations

from .clustering import clustering_accuracy, clustering_report, match_clusters, matched_confusion_matrix
from .embedding import distance_overlap, embedding_report, kmeans_nmi, map_at_r, pair_distances, precision_at_1
from .example_based import example_based_report, example_f1, hamming_loss, subset_accuracy
from .multilabel import (
    average_precision_per_label,
    macro_roc_auc,
    mean_average_precision,
    multilabel_report,
    per_label_report,
    precision_at_k,
    precision_recall_f1,
    recall_at_k,
    roc_auc_per_label,
)
from .ranking import coverage, label_ranking_average_precision, one_error, ranking_loss, ranking_report
from .thresholds import apply_thresholds, example_f1_threshold, top_k_matrix, tune_thresholds

__all__ = [
    "average_precision_per_label",
    "mean_average_precision",
    "roc_auc_per_label",
    "macro_roc_auc",
    "precision_recall_f1",
    "precision_at_k",
    "recall_at_k",
    "per_label_report",
    "multilabel_report",
    "label_ranking_average_precision",
    "ranking_loss",
    "coverage",
    "one_error",
    "ranking_report",
    "hamming_loss",
    "subset_accuracy",
    "example_f1",
    "example_based_report",
    "tune_thresholds",
    "example_f1_threshold",
    "apply_thresholds",
    "top_k_matrix",
    "distance_overlap",
    "embedding_report",
    "kmeans_nmi",
    "map_at_r",
    "pair_distances",
    "precision_at_1",
    "match_clusters",
    "clustering_accuracy",
    "clustering_report",
    "matched_confusion_matrix",
]
