"""Per-label decision thresholds for multi-label scores.

A label is predicted positive when ``score >= threshold``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InputError
from .multilabel import _check_scores, _sort_desc, _truth_and_scores

__all__ = ["tune_thresholds", "apply_thresholds"]

_METRICS = ("f1",)


def tune_thresholds(y_true: Any, y_score: Any, metric: str = "f1", default: float = 0.5) -> np.ndarray:
    """Per-label thresholds, shape (L,), maximising F1 on the given (validation) data.

    For each label the candidates are its distinct scores ``s``; predicting
    positive when ``score >= s`` gives ``F1 = 2 TP(s) / (P + #{score >= s})``.
    All candidates are evaluated exactly from one sort and cumulative sums.
    Among equally good candidates the highest score wins (fewest positives).

    The returned threshold is the midpoint between the chosen score and the
    next lower distinct score, so that unseen scores falling in the gap are
    decided halfway rather than at the edge of the validation data; it yields
    the same predictions on the given data. If the chosen score is the lowest
    one (every sample predicted positive), the threshold is that score.

    Labels with no positive in ``y_true`` have no meaningful optimum (F1 is 0 for
    every threshold); they get ``default`` instead.
    """
    if metric not in _METRICS:
        raise InputError(f"metric {metric!r} is not supported; use one of {', '.join(map(repr, _METRICS))}")
    default = float(default)
    if np.isnan(default):
        raise InputError("default threshold is NaN; pass a number such as 0.5")
    t, s = _truth_and_scores(y_true, y_score)
    n, n_labels = s.shape
    s_sorted, t_sorted, is_end = _sort_desc(t, s)  # (L, n), decreasing scores
    tp = np.cumsum(t_sorted, axis=1)
    n_pos = tp[:, -1]
    n_predicted = np.arange(1, n + 1, dtype=np.float64)
    f1 = 2.0 * tp / (n_predicted + n_pos[:, None])  # denominator >= 1
    f1[~is_end] = -1.0  # a threshold cannot split tied scores
    best = np.argmax(f1, axis=1)  # first maximum = highest score
    rows = np.arange(n_labels)
    chosen = s_sorted[rows, best]
    below = s_sorted[rows, np.minimum(best + 1, n - 1)]
    has_below = best < n - 1
    with np.errstate(invalid="ignore"):  # inf + -inf gives NaN, rejected just below
        mid = 0.5 * chosen + 0.5 * below
    # Guard against rounding putting the midpoint outside (below, chosen].
    ok = has_below & (mid > below) & (mid <= chosen)
    thresholds = np.where(ok, mid, chosen)
    thresholds[n_pos == 0] = default
    return thresholds


def apply_thresholds(y_score: Any, thresholds: Any) -> np.ndarray:
    """0/1 predictions ``(y_score >= thresholds).astype(int)``; ``thresholds`` is a scalar or (L,)."""
    s = _check_scores(y_score)
    thr = np.asarray(thresholds, dtype=np.float64)
    if thr.ndim == 0:
        thr = np.full(s.shape[1], float(thr))
    if thr.shape != (s.shape[1],):
        raise InputError(
            f"thresholds has shape {thr.shape} but y_score has {s.shape[1]} labels; give one threshold per label"
        )
    if np.isnan(thr).any():
        raise InputError("thresholds contain NaN; pass a number for every label")
    return (s >= thr).astype(np.int64)
