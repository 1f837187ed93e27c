"""Figures for positive-only learning: the learned label-embedding space."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..exceptions import InputError
from . import _style


def label_embedding_space(
    points: np.ndarray,
    groups: np.ndarray,
    embeddings: np.ndarray,
    label_names: Sequence[str],
    group_names: Sequence[str] | None = None,
    title: str = "Learned label-embedding space",
) -> Figure:
    """Samples (2-D positions, coloured by ``groups``, e.g. the original class) and label embeddings (stars).

    ``points`` (n, 2), ``groups`` (n,) ints, ``embeddings`` (L, 2); the unit circle (max-norm bound) is drawn.
    """
    points, embeddings, groups = np.asarray(points), np.asarray(embeddings), np.asarray(groups)
    if points.ndim != 2 or points.shape[1] != 2 or embeddings.ndim != 2 or embeddings.shape[1] != 2:
        raise InputError(f"points and embeddings must be 2-D positions (n, 2); got {points.shape} and {embeddings.shape}")
    if len(groups) != len(points) or len(label_names) != len(embeddings):
        raise InputError("give one group per point and one name per label embedding")
    if group_names is not None and len(group_names) != len(np.unique(groups)):
        raise InputError(f"group_names names {len(group_names)} groups, but groups holds {len(np.unique(groups))}; give one name per group")
    fig = _style.new_figure(5.5, 5.0)
    ax = fig.add_subplot()
    for i, g in enumerate(np.unique(groups)):
        mask = groups == g
        name = str(g) if group_names is None else group_names[i]
        ax.scatter(points[mask, 0], points[mask, 1], s=8, alpha=0.5, color=_style.color(i), label=name)
    theta = np.linspace(0, 2 * np.pi, 200)
    radius = max(1.0, float(np.linalg.norm(embeddings, axis=1).max()))
    ax.plot(radius * np.cos(theta), radius * np.sin(theta), color="#999999", linewidth=0.8, linestyle=":")
    for j, (x, y) in enumerate(embeddings):
        ax.scatter([x], [y], marker="*", s=260, color="black", edgecolor="white", zorder=3)
        ax.annotate(f"label {label_names[j]}", (x, y), textcoords="offset points", xytext=(8, 8), fontsize=_style.LABEL_SIZE)
    ax.set_aspect("equal")
    _style.style_axes(ax)
    _style.label_axes(ax, title, "dimension 1", "dimension 2")
    ax.legend(fontsize=_style.LEGEND_SIZE, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the points
    return fig
