"""Figures for multilabel classifiers: per-label scores, PR curves, thresholds.

Every function takes NumPy arrays (anything :func:`numpy.asarray` accepts)
and returns a :class:`matplotlib.figure.Figure` drawn on its own Agg canvas;
``pyplot`` is never used, so no global matplotlib state changes. Write a
figure with :func:`save_figure`.

Conventions: ``y_true`` is an ``(n_samples, n_labels)`` 0/1 matrix, ``y_score``
a real matrix of the same shape, and a label is predicted positive when its
score is ``>=`` the threshold.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..exceptions import InputError
from ..fileio import replacing_file
from . import _style

__all__ = [
    "average_precision",
    "per_label_precision_recall",
    "precision_recall_curves",
    "precision_recall_points",
    "save_figure",
    "threshold_effect",
]


# --------------------------------------------------------------------------
# input checks


def _binary(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as a bool array, after checking every entry is 0 or 1."""
    if values.dtype == bool:
        return values
    if not np.issubdtype(values.dtype, np.number):
        raise InputError(f"{name} must hold 0/1 labels, got dtype {values.dtype}.")
    bad = (values != 0) & (values != 1)
    if bad.any():
        raise InputError(
            f"{name} must hold only 0 and 1; found {values[bad].flat[0]!r}. "
            "Binarise the labels first."
        )
    return values.astype(bool)


def _finite_scores(values: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    scores = np.asarray(values)
    if not np.issubdtype(scores.dtype, np.number) or np.issubdtype(scores.dtype, np.complexfloating):
        raise InputError(f"{name} must be real numbers, got dtype {scores.dtype}.")
    scores = scores.astype(np.float64)
    if scores.shape != shape:
        raise InputError(f"{name} has shape {scores.shape} but y_true has shape {shape}; they must match.")
    if not np.isfinite(scores).all():
        raise InputError(f"{name} contains NaN or infinite values; clean the scores first.")
    return scores


def _label_matrices(y_true: object, y_score: object) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert a ``(n, L)`` label matrix and its score matrix."""
    try:
        labels = np.asarray(y_true)
    except ValueError:  # ragged rows, e.g. label lists
        raise InputError(
            "y_true must be a 0/1 matrix (n_samples, n_labels), not label lists; convert them with "
            "weaklabel.data.LabelEncoder().fit_transform(labels)"
        ) from None
    given_shape = labels.shape
    if labels.ndim == 1:
        labels = labels.reshape(-1, 1)
    if labels.ndim != 2 or labels.shape[0] == 0 or labels.shape[1] == 0:
        raise InputError(f"y_true must be a non-empty (n_samples, n_labels) matrix, got shape {given_shape}.")
    labels = _binary(labels, "y_true")
    scores = np.asarray(y_score)
    if scores.ndim == 1:
        scores = scores.reshape(-1, 1)
    return labels, _finite_scores(scores, labels.shape, "y_score")


def _names(label_names: Sequence[str], n_labels: int) -> list[str]:
    names = [str(name) for name in label_names]
    if len(names) != n_labels:
        raise InputError(f"label_names has {len(names)} names but there are {n_labels} labels.")
    return names


def _vector(values: object, n: int, name: str) -> np.ndarray:
    try:
        vec = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(f"{name} must hold numbers, one per label; got {values!r:.60}") from None
    if vec.shape != (n,):
        raise InputError(f"{name} has {vec.size} values but there are {n} labels.")
    return vec


# --------------------------------------------------------------------------
# curve computations


def precision_recall_points(
    y_true: object, y_score: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision-recall curve of one binary label.

    Returns ``(precision, recall, thresholds)`` in scikit-learn's convention:
    ``thresholds`` are the distinct scores in increasing order, point ``i`` is
    the result of predicting positive when ``score >= thresholds[i]``, and a
    final point ``(precision=1, recall=0)`` with no threshold is appended, so
    recall decreases along the arrays. Raises :class:`InputError` when
    ``y_true`` has no positive (recall is undefined).
    """
    truth = np.asarray(y_true).ravel()
    if truth.size == 0:
        raise InputError("y_true is empty; a precision-recall curve needs at least one sample.")
    truth = _binary(truth, "y_true")
    scores = _finite_scores(np.asarray(y_score).ravel(), truth.shape, "y_score")
    n_pos = int(truth.sum())
    if n_pos == 0:
        raise InputError("y_true has no positive example, so recall is undefined; skip this label.")

    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    # index of the last sample of each run of equal scores (scores descending)
    run_ends = np.append(np.flatnonzero(np.diff(sorted_scores)), scores.size - 1)
    tp = np.cumsum(truth[order], dtype=np.float64)[run_ends]
    predicted = (run_ends + 1).astype(np.float64)  # never zero
    precision = tp / predicted
    recall = tp / n_pos
    thresholds = sorted_scores[run_ends]
    return (
        np.append(precision[::-1], 1.0),
        np.append(recall[::-1], 0.0),
        thresholds[::-1].copy(),
    )


def average_precision(y_true: object, y_score: object) -> float:
    """Average precision: sum over thresholds of ``(R_k - R_{k-1}) * P_k`` (no interpolation)."""
    precision, recall, _ = precision_recall_points(y_true, y_score)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def _counts_at(truth: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, ...]:
    """True positives, false positives and false negatives of one label per threshold."""
    pos = np.sort(scores[truth])
    neg = np.sort(scores[~truth])
    tp = pos.size - np.searchsorted(pos, thresholds, side="left")
    fp = neg.size - np.searchsorted(neg, thresholds, side="left")
    return tp.astype(np.float64), fp.astype(np.float64), (pos.size - tp).astype(np.float64)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den`` is 0 (no warning)."""
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def _macro_scores(
    labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Macro precision, recall and F1 per global threshold, over all given labels.

    Precision (and F1) of a label without predicted positives counts as 0.
    """
    precision = np.zeros(thresholds.size)
    recall = np.zeros(thresholds.size)
    f1 = np.zeros(thresholds.size)
    for j in range(labels.shape[1]):
        tp, fp, fn = _counts_at(labels[:, j], scores[:, j], thresholds)
        precision += _ratio(tp, tp + fp)
        recall += _ratio(tp, tp + fn)
        f1 += _ratio(2 * tp, 2 * tp + fp + fn)
    n = labels.shape[1]
    return precision / n, recall / n, f1 / n


def _macro_f1_per_label_thresholds(labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> float:
    predicted = scores >= thresholds[None, :]
    tp = (predicted & labels).sum(axis=0).astype(np.float64)
    fp = (predicted & ~labels).sum(axis=0).astype(np.float64)
    fn = (~predicted & labels).sum(axis=0).astype(np.float64)
    return float(_ratio(2 * tp, 2 * tp + fp + fn).mean())


# --------------------------------------------------------------------------
# figures


def per_label_precision_recall(
    label_names: Sequence[str],
    precision: object,
    recall: object,
    f1: object | None = None,
    support: object | None = None,
) -> Figure:
    """Grouped horizontal bars of precision, recall (and F1) for every label.

    Labels are listed top to bottom, by decreasing ``support`` when given
    (its value is shown next to the name). NaN scores are drawn as "n/a".
    """
    names = [str(name) for name in label_names]
    n = len(names)
    if n == 0:
        raise InputError("label_names is empty; there is nothing to plot.")
    series = [("precision", _vector(precision, n, "precision")), ("recall", _vector(recall, n, "recall"))]
    if f1 is not None:
        series.append(("F1", _vector(f1, n, "f1")))
    for metric, values in series:
        outside = np.flatnonzero((values < 0) | (values > 1))  # NaN (undefined) is drawn as "n/a"
        if len(outside):
            raise InputError(f"{metric} must lie in [0, 1] (NaN where undefined); {names[outside[0]]!r} has {values[outside[0]]:g}")
    counts: np.ndarray | None = None
    if support is not None:
        counts = _vector(support, n, "support")
        if not np.isfinite(counts).all() or (counts < 0).any():
            raise InputError("support must hold non-negative counts.")
        order = np.argsort(-counts, kind="stable")
    else:
        order = np.arange(n)

    k = len(series)
    bar = 0.8 / k
    fig = _style.new_figure(8.5, 1.6 + n * (0.16 * k + 0.12))
    ax = fig.add_subplot()
    rows = np.arange(n)
    for r in rows[::2]:
        ax.axhspan(r - 0.5, r + 0.5, color="#f3f3f3", zorder=0, linewidth=0)
    for m, (metric, values) in enumerate(series):
        vals = values[order]
        missing = ~np.isfinite(vals)
        offsets = rows + (m - (k - 1) / 2) * bar
        ax.barh(offsets, np.where(missing, 0.0, vals), height=bar * 0.92,
                color=_style.color(m), label=metric, zorder=2)
        for y, v, miss in zip(offsets, vals, missing):
            text = "n/a" if miss else f"{v:.2f}"
            ax.text(0.0 if miss else v, y, " " + text, va="center", ha="left",
                    fontsize=6.5, color="#333333", zorder=3)

    ticks = []
    for i in order:
        label = _style.shorten(names[i])
        if counts is not None:
            label += f" (n={int(counts[i])})"
        ticks.append(label)
    ax.set_yticks(rows, ticks)
    ax.set_ylim(n - 0.5, -0.5)  # first label on top
    ax.set_xlim(0.0, 1.1)
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    _style.style_axes(ax, grid_axis="x")
    ax.tick_params(axis="y", length=0)
    title = "Per-label " + ", ".join(name for name, _ in series)
    if counts is not None:
        title += " (sorted by support)"
    _style.label_axes(ax, title, "score", "label" if counts is None else "label (n = positives)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_style.LEGEND_SIZE, frameon=False)
    return fig


def precision_recall_curves(
    y_true: object,
    y_score: object,
    label_names: Sequence[str],
    max_labels: int = 12,
) -> Figure:
    """Precision-recall curve of each label, with the micro-averaged curve in bold.

    Labels without a positive example are skipped; when more than
    ``max_labels`` remain, the most frequent ones are drawn. The legend gives
    each curve's average precision (AP). The micro average pools every
    label, shown or not.
    """
    labels, scores = _label_matrices(y_true, y_score)
    names = _names(label_names, labels.shape[1])
    if max_labels < 0:
        raise InputError(f"max_labels must be >= 0, got {max_labels}.")
    support = labels.sum(axis=0)
    candidates = np.flatnonzero(support > 0)
    chosen = candidates[np.argsort(-support[candidates], kind="stable")[:max_labels]]

    fig = _style.new_figure(10.0, 6.0)
    ax = fig.add_subplot()
    for i, j in enumerate(chosen):
        precision, recall, _ = precision_recall_points(labels[:, j], scores[:, j])
        ap = float(-np.sum(np.diff(recall) * precision[:-1]))
        ax.plot(recall, precision, drawstyle="steps-post", color=_style.color(i),
                linestyle=_style.linestyle(i), linewidth=1.3,
                label=f"{_style.shorten(names[j], 24)} (AP={ap:.3f}, n={int(support[j])})")
    if candidates.size:
        precision, recall, _ = precision_recall_points(labels.ravel(), scores.ravel())
        ap = float(-np.sum(np.diff(recall) * precision[:-1]))
        ax.plot(recall, precision, drawstyle="steps-post", color="black", linewidth=2.8,
                label=f"micro-average (AP={ap:.3f})", zorder=5)
        prevalence = float(labels.mean())
        ax.axhline(prevalence, color="#888888", linestyle=":", linewidth=1.0,
                   label=f"chance (micro prevalence {prevalence:.3f})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_style.LEGEND_SIZE, frameon=False)
    else:
        ax.text(0.5, 0.5, "No label has a positive example", ha="center", va="center",
                transform=ax.transAxes, fontsize=_style.LABEL_SIZE, color="#555555")

    notes = []
    if chosen.size < candidates.size:
        notes.append(f"{chosen.size} of {candidates.size} labels shown (most frequent)")
    skipped = labels.shape[1] - candidates.size
    if skipped:
        notes.append(f"{skipped} label{'s' if skipped > 1 else ''} without positives skipped")
    title = "Precision-recall curves"
    if notes:
        title += "\n" + "; ".join(notes)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.02)
    _style.style_axes(ax)
    _style.label_axes(ax, title, "recall", "precision")
    return fig


def threshold_effect(
    y_true: object,
    y_score: object,
    thresholds: object | None = None,
    *,
    n_points: int = 101,
) -> Figure:
    """Macro precision, recall and F1 as functions of one global threshold in [0, 1].

    ``y_score`` must be probabilities. Markers show the default threshold 0.5
    and the best global threshold; if per-label ``thresholds`` (one per label,
    or a scalar) are given, a horizontal line shows the macro-F1 they reach.
    Averages are over labels with at least one positive; a label without
    predicted positives has precision 0.
    """
    labels, scores = _label_matrices(y_true, y_score)
    if (scores < 0).any() or (scores > 1).any():
        raise InputError("y_score must be probabilities in [0, 1] for threshold_effect; apply a sigmoid first.")
    if not isinstance(n_points, numbers.Integral) or isinstance(n_points, bool) or n_points < 2:
        raise InputError(f"n_points must be an integer >= 2, got {n_points!r}.")
    tuned: np.ndarray | None = None
    if thresholds is not None:
        if np.ndim(thresholds) == 0:
            tuned = _vector([thresholds] * labels.shape[1], labels.shape[1], "thresholds")
        else:
            tuned = _vector(thresholds, labels.shape[1], "thresholds")
        if not np.isfinite(tuned).all():
            raise InputError("thresholds contains NaN or infinite values.")

    keep = np.flatnonzero(labels.sum(axis=0) > 0)
    fig = _style.new_figure(9.0, 5.5)
    ax = fig.add_subplot()
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.02)
    _style.style_axes(ax)
    title = "Effect of a global decision threshold"
    if keep.size == 0:
        ax.text(0.5, 0.5, "No label has a positive example", ha="center", va="center",
                transform=ax.transAxes, fontsize=_style.LABEL_SIZE, color="#555555")
        _style.label_axes(ax, title, "global threshold", "macro score")
        return fig
    n_skipped = labels.shape[1] - keep.size
    labels, scores = labels[:, keep], scores[:, keep]

    grid = np.linspace(0.0, 1.0, n_points)
    curves = _macro_scores(labels, scores, grid)
    at_half = _macro_scores(labels, scores, np.array([0.5]))
    for m, (name, curve, half) in enumerate(zip(("precision", "recall", "F1"), curves, at_half)):
        ax.plot(grid, curve, color=_style.color(m), linewidth=2.4 if name == "F1" else 1.6,
                label=f"macro {name} ({half[0]:.3f} at 0.5)")
        ax.plot([0.5], half, marker="o", markersize=6, color=_style.color(m), zorder=5)
    ax.axvline(0.5, color="#888888", linestyle=":", linewidth=1.0)

    f1 = curves[2]
    best = int(np.argmax(f1))
    ax.plot([grid[best]], [f1[best]], marker="*", markersize=13, color=_style.color(2),
            markeredgecolor="black", linestyle="none", zorder=6,
            label=f"best global threshold {grid[best]:.2f}: macro F1 {f1[best]:.3f}")
    if tuned is not None:
        tuned_f1 = _macro_f1_per_label_thresholds(labels, scores, tuned[keep])
        ax.axhline(tuned_f1, color="black", linestyle="--", linewidth=1.3,
                   label=f"per-label tuned thresholds: macro F1 {tuned_f1:.3f}")
        ax.annotate(f"tuned per-label: {tuned_f1:.3f}", xy=(0.02, tuned_f1), xytext=(0, 4),
                    textcoords="offset points", fontsize=_style.LEGEND_SIZE)
    title += f"\nmacro over {keep.size} label{'s' if keep.size > 1 else ''} with positives"
    if n_skipped:
        title += f" ({n_skipped} without positives left out)"
    title += "; positive when score ≥ threshold"
    _style.label_axes(ax, title, "global threshold", "macro score")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=_style.LEGEND_SIZE, frameon=False)
    return fig


# --------------------------------------------------------------------------
# output


FIGURE_FORMATS = ("png", "pdf", "svg")


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Write ``fig`` at ``path`` atomically (:func:`weaklabel.fileio.replacing_file`), in the format its extension
    names (.png, .pdf or .svg); create parent folders. Returns the path."""
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in FIGURE_FORMATS:
        raise InputError(f"cannot save a figure as {str(target)!r}: use the extension .png, .pdf or .svg")
    with replacing_file(target, f"the figure {target}") as staging:
        fig.savefig(staging, format=kind, dpi=dpi, facecolor="white")
    return target
