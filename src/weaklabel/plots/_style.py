"""Shared figure styling for :mod:`weaklabel.plots`.

Figures are built with :class:`matplotlib.figure.Figure` and an explicit Agg
canvas, never through ``pyplot``: nothing global (backend, open-figure
registry, rcParams) is touched, so the library is safe to use from notebooks,
GUI sessions and headless servers alike.
"""

from __future__ import annotations

from typing import Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Tableau 10, the matplotlib default cycle: distinguishable under the common
# forms of colour-vision deficiency when combined with the line styles below.
PALETTE: tuple[str, ...] = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#d62728",  # red
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#7f7f7f",  # grey
    "#bcbd22",  # olive
    "#17becf",  # cyan
)
LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")

TITLE_SIZE = 12
LABEL_SIZE = 10
TICK_SIZE = 9
LEGEND_SIZE = 8


def color(i: int) -> str:
    """The ``i``-th palette colour, cycling."""
    return PALETTE[i % len(PALETTE)]


def linestyle(i: int) -> str:
    """Line style of the ``i``-th series: changes each time the palette wraps."""
    return LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)]


def new_figure(width: float, height: float) -> Figure:
    """A blank figure of ``width`` x ``height`` inches on its own Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def style_axes(ax: Axes, *, grid_axis: Literal["both", "x", "y"] = "both") -> None:
    """Apply the library's plain style to ``ax``: light grid, no top/right spines."""
    ax.grid(True, axis=grid_axis, color="#dddddd", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=TICK_SIZE)


def label_axes(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    """Set the title and axis labels of ``ax`` in the library's font sizes."""
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)


def shorten(text: str, limit: int = 32) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for tick labels."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
