"""Figures for reports, built without ``pyplot`` (no global matplotlib state)."""

from .multilabel import (
    average_precision,
    per_label_precision_recall,
    precision_recall_curves,
    precision_recall_points,
    save_figure,
    threshold_effect,
)

__all__ = [
    "average_precision",
    "per_label_precision_recall",
    "precision_recall_curves",
    "precision_recall_points",
    "save_figure",
    "threshold_effect",
]
