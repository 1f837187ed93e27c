"""Figures of the speed benchmark: how fit time and peak memory grow with rows, labels and input dimensions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from . import _style


def scaling_curves(curves: Mapping[str, Sequence[Mapping[str, float]]]) -> Figure:
    """One column per curve (e.g. ``"rows"``, ``"labels"``, ``"input dims"``): seconds on top, peak memory below.

    Each curve is a list of points ``{"value": x, "seconds": t, "peak_mb": m}``;
    both axes are logarithmic, so a straight line of slope 1 is linear growth.
    """
    fig = Figure(figsize=(4.0 * max(len(curves), 1), 6.0), layout="constrained")
    axes = fig.subplots(2, max(len(curves), 1), squeeze=False)
    for col, (name, points) in enumerate(curves.items()):
        xs = [p["value"] for p in points]
        for row, (key, label) in enumerate((("seconds", "fit time of one epoch (s)"), ("peak_mb", "peak resident memory (MB)"))):
            ax = axes[row][col]
            ax.plot(xs, [p[key] for p in points], marker="o", color=_style.color(row))
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(name, fontsize=_style.LABEL_SIZE)
            ax.set_ylabel(label, fontsize=_style.LABEL_SIZE)
            ax.tick_params(labelsize=_style.TICK_SIZE)
            ax.grid(True, which="both", alpha=0.3)
        axes[0][col].set_title(f"cost against {name}", fontsize=_style.TITLE_SIZE)
    return fig
