"""Every figure the demo and evaluate write can be read: each plotting axes has both axis labels, and no legend
lies over the plotting area (where it could cover data). Checked on the drawn figure's geometry."""

from __future__ import annotations

import numpy as np
import pytest

from weaklabel.plots import per_label_precision_recall, precision_recall_curves, threshold_effect
from weaklabel.plots.clustering import class_scatter, confusion_heatmap
from weaklabel.plots.embedding import distance_histograms, embedding_scatter, scatter_grid
from weaklabel.plots.positive_only import label_embedding_space

RNG = np.random.default_rng(0)
Y = (RNG.random((80, 4)) < 0.3).astype(int)
SCORES = np.clip(Y * 0.5 + RNG.random((80, 4)) * 0.6, 0, 1)
CLASSES = np.repeat(np.arange(10), 8)
POINTS = RNG.normal(size=(80, 2)) + 4 * np.column_stack([np.cos(CLASSES), np.sin(CLASSES)])

FIGURES = {
    "class_scatter": lambda: class_scatter(POINTS, CLASSES, y_true=np.roll(CLASSES, 3)),
    "confusion_heatmap": lambda: confusion_heatmap(CLASSES, np.roll(CLASSES, 3)),
    "embedding_scatter": lambda: embedding_scatter(RNG.normal(size=(80, 5)), CLASSES),
    "distance_histograms": lambda: distance_histograms(POINTS, CLASSES),
    "scatter_grid": lambda: scatter_grid([("a", POINTS), ("b", POINTS[:, ::-1])], CLASSES),
    "label_embedding_space": lambda: label_embedding_space(
        POINTS / 10, CLASSES % 3, np.array([[1.0, 0.0], [0.0, 1.0]]), ["0", "1"], group_names=["x", "y", "z"]),
    "per_label_precision_recall": lambda: per_label_precision_recall(
        ["a", "b", "c", "d"], [0.5, 0.6, 0.7, 0.8], [0.4, 0.5, 0.6, 0.7], f1=[0.45, 0.55, 0.65, 0.75], support=[5, 6, 7, 8]),
    "precision_recall_curves": lambda: precision_recall_curves(Y, SCORES, ["a", "b", "c", "d"]),
    "threshold_effect": lambda: threshold_effect(Y, SCORES, thresholds=np.full(4, 0.5)),
}


def _plotting_axes(fig):
    """The figure's axes that show data (a colour bar is an axes too, labelled on one side only)."""
    colorbars = {im.colorbar.ax for ax in fig.axes for im in ax.images if im.colorbar is not None}
    return [ax for ax in fig.axes if ax not in colorbars]


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_axes_is_labelled_and_no_legend_lies_over_the_plotting_area(name):
    fig = FIGURES[name]()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in _plotting_axes(fig):
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), f"{name}: an axes without both axis labels"
        legend = ax.get_legend()
        if legend is not None:
            box, area = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
            overlap_x = min(box.x1, area.x1) - max(box.x0, area.x0)
            overlap_y = min(box.y1, area.y1) - max(box.y0, area.y0)
            assert overlap_x <= 1 or overlap_y <= 1, f"{name}: the legend lies over the plotting area"
