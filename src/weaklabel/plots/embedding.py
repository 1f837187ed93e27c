"""Figures for embeddings: a 2-D scatter coloured by class, and same/different-class distance histograms.

Both take NumPy arrays and return a :class:`matplotlib.figure.Figure` on its
own Agg canvas (no ``pyplot``); write one with :func:`weaklabel.plots.save_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..exceptions import InputError
from ..metrics.embedding import pair_distances
from . import _style

__all__ = ["distance_histograms", "embedding_scatter", "project_2d", "scatter_grid"]

_MAX_POINTS = 5000


def project_2d(embeddings: Any) -> tuple[np.ndarray, str]:
    """``(points, how)``: the raw coordinates when the embedding is 2-D (or 1-D, padded with 0), else the first two principal components."""
    E = np.asarray(embeddings, dtype=np.float64)
    if E.ndim != 2 or len(E) == 0 or E.shape[1] == 0:
        raise InputError(f"embeddings must be a non-empty 2-D array (n_samples, dim); got shape {E.shape}")
    if not np.isfinite(E).all():
        row = int(np.flatnonzero(~np.isfinite(E).all(axis=1))[0])
        raise InputError(f"embeddings hold NaN or infinite values (first in row {row}); a picture of them would drop those points")
    if E.shape[1] > 2 and len(E) < 2:
        raise InputError(f"a {E.shape[1]}-D embedding needs at least 2 samples for its principal components; got {len(E)}")
    if E.shape[1] == 1:
        return np.column_stack([E[:, 0], np.zeros(len(E))]), "raw (1-D)"
    if E.shape[1] == 2:
        return E, "raw"
    centred = E - E.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    share = (s[:2] ** 2).sum() / max((s**2).sum(), 1e-300)
    return centred @ vt[:2].T, f"PCA ({share:.0%} of variance)"


def embedding_scatter(embeddings: Any, labels: Any, title: str = "Embedding", random_state: int = 0) -> Figure:
    """Scatter of the embedding in 2-D (raw or PCA), one colour and marker per class, with class medians labelled.

    At most 5,000 points are drawn (a seeded random subset).
    """
    points, how = project_2d(embeddings)
    y = np.asarray(labels)
    if y.shape != (len(points),):
        raise InputError(f"labels must be 1-D with one label per embedding ({len(points)}); got shape {y.shape}")
    if len(points) > _MAX_POINTS:
        keep = np.sort(np.random.default_rng(random_state).choice(len(points), _MAX_POINTS, replace=False))
        points, y = points[keep], y[keep]
    classes = np.unique(y)
    fig = _style.new_figure(6.4, 5.6)
    ax = fig.add_subplot()
    markers = "os^Dv<>ph*"
    for i, c in enumerate(classes):
        mask = y == c
        ax.scatter(points[mask, 0], points[mask, 1], s=9, alpha=0.6, color=_style.color(i), marker=markers[(i // 10) % len(markers)], label=str(c), linewidths=0)
        mx, my = np.median(points[mask], axis=0)
        ax.annotate(str(c), (mx, my), fontsize=_style.LABEL_SIZE, fontweight="bold", ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": _style.color(i), "alpha": 0.85})
    _style.style_axes(ax)
    _style.label_axes(ax, title, f"dimension 1 — {how}", "dimension 2")
    if len(classes) <= 20:
        ax.legend(fontsize=_style.LEGEND_SIZE, markerscale=1.8, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return fig


def distance_histograms(
    embeddings: Any, labels: Any, distance: str = "euclidean", title: str = "Pair distances", bins: int = 60, overlap: float | None = None
) -> Figure:
    """Histograms (densities) of same-class and different-class pair distances on shared bins.

    The less they overlap, the better classes separate; ``overlap`` (e.g.
    :func:`weaklabel.metrics.distance_overlap`) is printed in the title when given.
    """
    same, different = pair_distances(embeddings, labels, distance)
    if len(same) == 0 or len(different) == 0:
        raise InputError("distance histograms need same-class and different-class pairs; give ≥ 2 classes with ≥ 2 samples")
    edges = np.histogram_bin_edges(np.concatenate([same, different]), bins=int(bins))
    fig = _style.new_figure(6.4, 3.8)
    ax = fig.add_subplot()
    for i, (values, name) in enumerate(((same, "same class"), (different, "different class"))):
        ax.hist(values, bins=edges.tolist(), density=True, alpha=0.55, color=_style.color(i), label=f"{name} ({len(values):,} pairs)")
    _style.style_axes(ax, grid_axis="y")
    suffix = "" if overlap is None else f" — overlap {overlap:.3f}"
    _style.label_axes(ax, title + suffix, f"{distance} distance", "density")
    ax.legend(fontsize=_style.LEGEND_SIZE, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the bars
    return fig


def scatter_grid(panels: Sequence[tuple[str, Any]], labels: Any) -> Figure:
    """Side-by-side 2-D scatters, one panel per ``(title, embeddings)``, same colours for the same classes."""
    if not panels:
        raise InputError("scatter_grid needs at least one (title, embeddings) panel")
    y = np.asarray(labels)
    classes = np.unique(y)
    for name, E in panels:
        if y.shape != (len(E),):
            raise InputError(f"labels must be 1-D with one label per embedding; panel {name!r} has {len(E)} rows, labels {y.shape}")
    fig = _style.new_figure(4.2 * len(panels), 4.4)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, E) in zip(axes, panels):
        points, how = project_2d(E)
        for i, c in enumerate(classes):
            mask = y == c
            ax.scatter(points[mask, 0], points[mask, 1], s=6, alpha=0.6, color=_style.color(i), linewidths=0, label=str(c))
        _style.style_axes(ax)
        _style.label_axes(ax, name, f"dimension 1 ({how})", "dimension 2")
    axes[-1].legend(fontsize=_style.LEGEND_SIZE, markerscale=2.0, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return fig
