"""Figures of learned classes: the matched confusion matrix and a 2-D scatter."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..exceptions import InputError
from ..metrics import match_clusters, matched_confusion_matrix
from . import _style

__all__ = ["class_scatter", "confusion_heatmap"]


def confusion_heatmap(y_true: Any, y_pred: Any, title: str = "Matched confusion matrix") -> Figure:
    """Heat-map of :func:`weaklabel.metrics.matched_confusion_matrix`: true classes × their matched clusters.

    The diagonal holds the correctly assigned samples; the accuracy after
    Hungarian matching is in the title.
    """
    confusion = matched_confusion_matrix(y_true, y_pred)
    classes = np.unique(np.asarray(y_true))
    n_rows, n_cols = confusion.shape
    size = 1.2 + 0.42 * max(n_rows, n_cols)
    fig = _style.new_figure(size + 1.0, size)
    ax = fig.add_subplot()
    image = ax.imshow(confusion, cmap="Blues", aspect="equal")
    fig.colorbar(image, ax=ax, shrink=0.8, label="samples")
    if n_rows * n_cols <= 400:
        limit = confusion.max() / 2.0
        for (i, j), value in np.ndenumerate(confusion):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color="white" if value > limit else "black")
    ax.set_xticks(range(n_cols), [f"c→{_style.shorten(str(c), 8)}" if j < n_rows else "unmatched" for j, c in enumerate(list(classes) + [""] * (n_cols - n_rows))], rotation=90, fontsize=_style.TICK_SIZE)
    ax.set_yticks(range(n_rows), [_style.shorten(str(c), 12) for c in classes], fontsize=_style.TICK_SIZE)
    accuracy = np.trace(confusion[:, :n_rows]) / confusion.sum()
    _style.label_axes(ax, f"{title} (accuracy {accuracy:.3f})", "cluster matched to class", "true class")
    return fig


def class_scatter(X2: Any, labels: Any, y_true: Any | None = None, title: str = "Learned classes") -> Figure:
    """Scatter of 2-D points coloured by learned class; with ``y_true``, mis-assigned points (after matching) are circled."""
    X2 = np.asarray(X2, dtype=np.float64)
    labels = np.asarray(labels)
    if X2.ndim != 2 or X2.shape[1] != 2 or len(X2) != len(labels):
        raise InputError(f"class_scatter needs 2-D points (n, 2) and one label each; got {X2.shape} and {labels.shape} (project with PCA first)")
    fig = _style.new_figure(6.0, 5.0)
    ax = fig.add_subplot()
    for i, c in enumerate(np.unique(labels)):
        pts = X2[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=8, color=_style.color(i), label=str(c), alpha=0.8, linewidths=0)
    if y_true is not None:
        mapping, _ = match_clusters(y_true, labels)
        wrong = np.array([mapping.get(c.item() if hasattr(c, "item") else c) != t for c, t in zip(labels, np.asarray(y_true))])
        if wrong.any():
            ax.scatter(X2[wrong, 0], X2[wrong, 1], s=30, facecolors="none", edgecolors="black", linewidths=0.6, label="wrong")
    _style.style_axes(ax)
    _style.label_axes(ax, title, "dimension 1", "dimension 2")
    ax.legend(fontsize=_style.LEGEND_SIZE, markerscale=1.5, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
              ncol=2 if len(np.unique(labels)) > 12 else 1)  # beside the points, never over them
    return fig
